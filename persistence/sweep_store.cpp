#include "persistence/sweep_store.hpp"

#include "domain/report/json_writer.hpp"
#include "persistence/bar_chunks.hpp"
#include "persistence/prepared.hpp"
#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

#include <cstdio>
#include <cstring>
#include <functional>

namespace bt::db {

using namespace detail;
namespace {

constexpr const char* sweep_columns =
    "s.id::text, s.user_id, s.symbol, s.timeframe, s.strategy, s.spec_json, s.objective, "
    "s.maximise, extract(epoch FROM s.start_time)::bigint, extract(epoch FROM s.end_time)::bigint, "
    "extract(epoch FROM s.created_at)::bigint, s.configurations, s.chunks, c.queued, c.running, "
    "c.completed, c.failed, c.cancelled, extract(epoch FROM c.finished)::bigint, r.done, "
    "r.completed, r.skipped, r.failed";

// Its chunks by state and its stored configurations by outcome, for each
// sweep the query selects.
constexpr const char* sweep_from =
    " FROM sweeps s,"
    " LATERAL (SELECT count(*) FILTER (WHERE status = 'queued') AS queued,"
    "  count(*) FILTER (WHERE status = 'running') AS running,"
    "  count(*) FILTER (WHERE status = 'completed') AS completed,"
    "  count(*) FILTER (WHERE status = 'failed') AS failed,"
    "  count(*) FILTER (WHERE status = 'cancelled') AS cancelled,"
    "  max(finished_at) AS finished FROM runs WHERE sweep_id = s.id) c,"
    " LATERAL (SELECT count(*) AS done, count(*) FILTER (WHERE status = 'completed') AS completed,"
    "  count(*) FILTER (WHERE status = 'skipped') AS skipped,"
    "  count(*) FILTER (WHERE status = 'failed') AS failed"
    "  FROM sweep_results WHERE sweep_id = s.id) r";

sweep_row read_sweep(const pqxx::row& r) {
  sweep_row s;
  s.id = r[0].as<std::string>();
  s.user_id = r[1].as<std::int64_t>();
  s.symbol = r[2].as<std::string>();
  s.timeframe = r[3].as<std::string>();
  s.strategy = r[4].as<std::string>();
  s.spec_json = r[5].as<std::string>();
  s.objective = r[6].as<std::string>();
  s.maximise = r[7].as<bool>();
  s.start = r[8].as<std::int64_t>();
  s.end = r[9].as<std::int64_t>();
  s.created_at = r[10].as<std::int64_t>();
  s.configurations = r[11].as<std::int64_t>();
  s.chunks = r[12].as<std::int64_t>();
  s.queued = r[13].as<std::int64_t>();
  s.running = r[14].as<std::int64_t>();
  s.completed_chunks = r[15].as<std::int64_t>();
  s.failed_chunks = r[16].as<std::int64_t>();
  s.cancelled_chunks = r[17].as<std::int64_t>();
  if (s.queued == 0 && s.running == 0)
    s.finished_at = opt<std::int64_t>(r[18]);
  s.done = r[19].as<std::int64_t>();
  s.completed = r[20].as<std::int64_t>();
  s.skipped = r[21].as<std::int64_t>();
  s.failed = r[22].as<std::int64_t>();
  return s;
}

constexpr const char* result_columns =
    "config_index, status, params_json, execution_json, coalesce(config_hash, ''), "
    "coalesce(metrics_json, ''), coalesce(reason, ''), objective, meets_constraints";

stored_configuration read_result(const pqxx::row& r) {
  stored_configuration s;
  s.index = r[0].as<std::int64_t>();
  s.status = r[1].as<std::string>();
  s.params_json = r[2].as<std::string>();
  s.execution_json = r[3].as<std::string>();
  s.config_hash = r[4].as<std::string>();
  s.metrics_json = r[5].as<std::string>();
  s.reason = r[6].as<std::string>();
  s.objective = opt<double>(r[7]);
  s.meets_constraints = r[8].as<bool>();
  return s;
}

/// A PostgreSQL array literal of text elements ({"a","b\\"c",NULL}), for
/// a whole column as one parameter.
std::string array_literal(const std::vector<std::optional<std::string>>& values) {
  std::size_t size = 2;
  for (const auto& v : values)
    size += (v ? v->size() + 3 : 5);
  std::string out;
  out.reserve(size + size / 8);
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i)
      out += ',';
    if (!values[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char ch : *values[i]) {
      if (ch == '"' || ch == '\\')
        out += '\\';
      out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

} // namespace

run_status sweep_row::status() const {
  if (running > 0 || (queued > 0 && completed_chunks + failed_chunks > 0))
    return run_status::running;
  if (queued > 0)
    return run_status::queued;
  if (cancelled_chunks > 0)
    return run_status::cancelled;
  if (failed_chunks > 0)
    return run_status::failed;
  return run_status::completed;
}

void submit_sweep(pqxx::connection_base& c, const new_sweep& s, const audit_actor& by) {
  pqxx::work txn(c);
  txn.exec_params("INSERT INTO sweeps (id, user_id, symbol, timeframe, strategy, start_time, "
                  "end_time, spec_json, objective, maximise, configurations, chunks) VALUES "
                  "($1::uuid, $2, $3, $4, $5, to_timestamp($6), to_timestamp($7), $8, $9, $10, "
                  "$11, $12)",
                  s.id, s.user_id, s.symbol, s.timeframe, s.strategy, s.start, s.end, s.spec_json,
                  s.objective, s.maximise, s.configurations,
                  static_cast<std::int64_t>(s.chunks.size()));
  for (const auto& r : s.chunks)
    exec_prepared(txn, "insert_chunk",
                  "INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, "
                  "source_timeframe, start_time, end_time, strategy, strategy_version, "
                  "config_json, params_json, execution_json, config_hash, dataset_checksum, "
                  "dedupe_key, sweep_id, trace_parent) VALUES ($1::uuid, $2, 'queued', $3, $4, $5, "
                  "$6, to_timestamp($7), to_timestamp($8), $9, $10, $11, $12, $13, $14, $15, $16, "
                  "$17::uuid, NULLIF($18, ''))",
                  r.id, r.user_id, r.priority, r.symbol, r.timeframe, r.source_timeframe, r.start,
                  r.end, r.strategy, r.strategy_version, r.config_json, r.params_json,
                  r.execution_json, r.config_hash, r.dataset_checksum, r.dedupe_key, s.id,
                  r.trace_parent);
  json_writer w;
  w.begin_object().key("strategy").string(s.strategy).key("symbol").string(s.symbol);
  w.key("timeframe").string(s.timeframe).key("configurations").number(s.configurations);
  w.key("chunks").number(static_cast<std::int64_t>(s.chunks.size())).end_object();
  append_audit(txn, by, "sweep.submitted", "sweep:" + s.id, w.take());
  txn.commit();
}

std::optional<sweep_row> find_sweep(pqxx::connection_base& c, std::int64_t user_id,
                                    const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params("SELECT " + std::string(sweep_columns) + sweep_from
                               + " WHERE s.user_id = $1 AND s.id = $2::uuid",
                           user_id, id);
  if (r.empty())
    return std::nullopt;
  return read_sweep(r[0]);
}

std::vector<sweep_row> list_sweeps(pqxx::connection_base& c, std::int64_t user_id,
                                   std::int64_t limit, std::int64_t offset, std::int64_t& total) {
  pqxx::read_transaction txn(c);
  total = txn.exec_params("SELECT count(*) FROM sweeps WHERE user_id = $1", user_id)[0][0]
              .as<std::int64_t>();
  auto rows = txn.exec_params("SELECT " + std::string(sweep_columns) + sweep_from
                                  + " WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id DESC"
                                    " LIMIT $2 OFFSET $3",
                              user_id, limit, offset);
  std::vector<sweep_row> out;
  for (const auto& r : rows)
    out.push_back(read_sweep(r));
  return out;
}

bool complete_chunk(pqxx::connection_base& c, const run_attempt& job,
                    const std::vector<stored_configuration>& results,
                    const std::string& engine_version, double duration_ms) {
  pqxx::work txn(c);
  // The chunk only while this attempt still holds it: a concurrent cancel or
  // requeue is waited for and then re-checked.
  auto taken = exec_prepared(
      txn, "complete_chunk",
      "UPDATE runs SET status = 'completed', progress = 100, finished_at = now(), "
      "duration_ms = $3, engine_version = $4 WHERE id = $1::uuid AND status = 'running' AND "
      "attempts = $2 AND sweep_id IS NOT NULL RETURNING sweep_id::text",
      job.run_id, job.attempt, duration_ms, engine_version);
  if (taken.empty()) {
    txn.abort();
    return false;
  }
  const std::string sweep_id = taken[0][0].as<std::string>();
  // Every configuration in one statement, its columns as arrays: one round
  // trip a chunk instead of one a configuration (a chunk of dual_sma
  // configurations otherwise spent more time inserting than computing);
  // their returns in one value, binary, cut apart by their lengths.
  std::vector<std::optional<std::string>> index, status, params, execution, hash, metrics, reason,
      objective, meets, lengths;
  std::string blob;
  for (const auto& r : results) {
    index.emplace_back(std::to_string(r.index));
    status.emplace_back(r.status);
    params.emplace_back(r.params_json);
    execution.emplace_back(r.execution_json);
    hash.emplace_back(r.config_hash);
    metrics.emplace_back(r.metrics_json);
    reason.emplace_back(r.reason);
    if (r.objective) {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", *r.objective); // exact when read back
      objective.emplace_back(text);
    } else {
      objective.emplace_back(std::nullopt);
    }
    meets.emplace_back(r.meets_constraints ? "t" : "f");
    lengths.emplace_back(std::to_string(r.daily_returns.size()));
    blob.append(reinterpret_cast<const char*>(r.daily_returns.data()),
                r.daily_returns.size() * sizeof(double));
  }
  exec_prepared(
      txn, "insert_sweep_results",
      "INSERT INTO sweep_results (sweep_id, config_index, status, params_json, execution_json, "
      "config_hash, metrics_json, reason, objective, meets_constraints) "
      "SELECT $1::uuid, i, st, p, e, nullif(h, ''), nullif(m, ''), nullif(r, ''), o, mc "
      "FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
      "$8::text[], $9::float8[], $10::bool[]) AS t(i, st, p, e, h, m, r, o, mc)",
      sweep_id, array_literal(index), array_literal(status), array_literal(params),
      array_literal(execution), array_literal(hash), array_literal(metrics), array_literal(reason),
      array_literal(objective), array_literal(meets));
  if (!results.empty())
    exec_prepared(txn, "insert_sweep_returns",
                  "INSERT INTO sweep_returns (sweep_id, first_index, lengths, returns) VALUES "
                  "($1::uuid, $2, $3::int[], $4)",
                  sweep_id, results.front().index, array_literal(lengths),
                  pqxx::binarystring(blob.data(), blob.size()));
  txn.commit();
  return true;
}

sweep_result_page load_sweep_results(pqxx::connection_base& c, const std::string& sweep_id,
                                     const std::optional<std::string>& metric, bool descending,
                                     std::int64_t limit, std::int64_t offset,
                                     const std::optional<std::string>& status) {
  pqxx::read_transaction txn(c);
  sweep_result_page page;
  const std::string where =
      " FROM sweep_results WHERE sweep_id = $1::uuid AND ($2::text IS NULL OR status = $2)";
  page.total =
      txn.exec_params("SELECT count(*)" + where, sweep_id, status)[0][0].as<std::int64_t>();
  // The metric is a parameter, never text of the statement.
  const std::string dir = descending ? " DESC" : " ASC";
  const std::string order =
      metric ? "(metrics_json::jsonb ->> $5)::float8" + dir + " NULLS LAST, config_index ASC"
             : "config_index" + dir;
  const std::string columns = result_columns;
  const std::string sql =
      "SELECT " + columns + where + " ORDER BY " + order + " LIMIT $3 OFFSET $4";
  // PostgreSQL refuses a parameter the statement does not use: the metric
  // goes only where it sorts.
  auto rows = metric ? txn.exec_params(sql, sweep_id, status, limit, offset, *metric)
                     : txn.exec_params(sql, sweep_id, status, limit, offset);
  for (const auto& r : rows)
    page.rows.push_back(read_result(r));
  return page;
}

void for_each_sweep_returns(
    pqxx::connection_base& c, const std::string& sweep_id,
    const std::function<void(std::int64_t, const double*, std::size_t)>& each) {
  pqxx::read_transaction txn(c);
  // A chunk at a time: a sweep of 100,000 configurations never holds every
  // return at once.
  const auto firsts = txn.exec_params(
      "SELECT first_index FROM sweep_returns WHERE sweep_id = $1::uuid ORDER BY first_index",
      sweep_id);
  std::vector<double> values;
  for (const auto& f : firsts) {
    auto r = txn.exec_params("SELECT array_to_string(lengths, ','), returns FROM sweep_returns "
                             "WHERE sweep_id = $1::uuid AND first_index = $2",
                             sweep_id, f[0].as<std::int64_t>());
    const std::string lengths = r[0][0].as<std::string>();
    const std::string bytes = unhex_bytea(std::string_view(r[0][1].c_str(), r[0][1].size()));
    values.resize(bytes.size() / sizeof(double));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(double));
    std::int64_t index = f[0].as<std::int64_t>();
    std::size_t at = 0;
    for (std::size_t pos = 0; pos <= lengths.size(); ++index) {
      auto comma = lengths.find(',', pos);
      if (comma == std::string::npos)
        comma = lengths.size();
      const auto n = static_cast<std::size_t>(std::stoll(lengths.substr(pos, comma - pos)));
      if (n > 0 && at + n <= values.size())
        each(index, values.data() + at, n);
      at += n;
      pos = comma + 1;
    }
  }
}

std::optional<stored_configuration> best_of_sweep(pqxx::connection_base& c,
                                                  const sweep_row& sweep) {
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params("SELECT " + std::string(result_columns)
                               + " FROM sweep_results WHERE sweep_id = $1::uuid AND "
                                 "status = 'completed' AND meets_constraints AND objective IS "
                                 "NOT NULL ORDER BY objective "
                               + (sweep.maximise ? "DESC" : "ASC") + ", config_index ASC LIMIT 1",
                           sweep.id);
  if (r.empty())
    return std::nullopt;
  return read_result(r[0]);
}

std::vector<std::string> cancel_chunks(pqxx::connection_base& c, const std::string& sweep_id,
                                       const audit_actor& by) {
  pqxx::work txn(c);
  std::vector<std::string> ids;
  for (const auto& r : txn.exec_params(
           "UPDATE runs SET status = 'cancelled', finished_at = now(), progress = CASE WHEN "
           "status = 'queued' THEN 0 ELSE progress END WHERE sweep_id = $1::uuid AND status IN "
           "('queued', 'running') RETURNING id::text",
           sweep_id))
    ids.push_back(r[0].as<std::string>());
  if (!ids.empty())
    append_audit(txn, by, "sweep.cancelled", "sweep:" + sweep_id,
                 "{\"chunks_cancelled\":" + std::to_string(ids.size()) + "}");
  txn.commit();
  return ids;
}

bool delete_sweep(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                  const audit_actor& by) {
  if (!is_uuid_text(id))
    return false;
  pqxx::work txn(c);
  auto r = txn.exec_params("DELETE FROM sweeps WHERE user_id = $1 AND id = $2::uuid AND NOT EXISTS "
                           "(SELECT 1 FROM runs WHERE sweep_id = $2::uuid AND status IN "
                           "('queued', 'running'))",
                           user_id, id);
  if (r.affected_rows() == 1)
    append_audit(txn, by, "sweep.deleted", "sweep:" + id);
  txn.commit();
  return r.affected_rows() == 1;
}

namespace {

constexpr const char* walk_forward_columns =
    "w.id::text, w.user_id, w.symbol, w.timeframe, w.strategy, w.spec_json, "
    "extract(epoch FROM w.start_time)::bigint, extract(epoch FROM w.end_time)::bigint, "
    "extract(epoch FROM w.created_at)::bigint, w.folds, r.id::text, r.status, r.progress, "
    "r.attempts, r.error, extract(epoch FROM r.finished_at)::bigint";
constexpr const char* walk_forward_from =
    " FROM walk_forwards w JOIN runs r ON r.walk_forward_id = w.id";

walk_forward_row read_walk_forward(const pqxx::row& r) {
  walk_forward_row w;
  w.id = r[0].as<std::string>();
  w.user_id = r[1].as<std::int64_t>();
  w.symbol = r[2].as<std::string>();
  w.timeframe = r[3].as<std::string>();
  w.strategy = r[4].as<std::string>();
  w.spec_json = r[5].as<std::string>();
  w.start = r[6].as<std::int64_t>();
  w.end = r[7].as<std::int64_t>();
  w.created_at = r[8].as<std::int64_t>();
  w.folds = r[9].as<std::int64_t>();
  w.run_id = r[10].as<std::string>();
  w.status = parse_run_status(r[11].as<std::string>()).value_or(run_status::failed);
  w.progress = r[12].as<double>();
  w.attempts = r[13].as<std::int32_t>();
  w.error = opt<std::string>(r[14]);
  w.finished_at = opt<std::int64_t>(r[15]);
  return w;
}

} // namespace

void submit_walk_forward(pqxx::connection_base& c, const new_walk_forward& w,
                         const audit_actor& by) {
  pqxx::work txn(c);
  txn.exec_params("INSERT INTO walk_forwards (id, user_id, symbol, timeframe, strategy, "
                  "start_time, end_time, spec_json, folds) VALUES ($1::uuid, $2, $3, $4, $5, "
                  "to_timestamp($6), to_timestamp($7), $8, $9)",
                  w.id, w.user_id, w.symbol, w.timeframe, w.strategy, w.start, w.end, w.spec_json,
                  w.folds);
  const auto& r = w.run;
  txn.exec_params("INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, "
                  "source_timeframe, start_time, end_time, strategy, strategy_version, "
                  "config_json, params_json, execution_json, config_hash, dataset_checksum, "
                  "dedupe_key, walk_forward_id, trace_parent) VALUES ($1::uuid, $2, 'queued', $3, "
                  "$4, $5, $6, to_timestamp($7), to_timestamp($8), $9, $10, $11, $12, $13, $14, "
                  "$15, $16, $17::uuid, NULLIF($18, ''))",
                  r.id, r.user_id, r.priority, r.symbol, r.timeframe, r.source_timeframe, r.start,
                  r.end, r.strategy, r.strategy_version, r.config_json, r.params_json,
                  r.execution_json, r.config_hash, r.dataset_checksum, r.dedupe_key, w.id,
                  r.trace_parent);
  json_writer d;
  d.begin_object().key("strategy").string(w.strategy).key("symbol").string(w.symbol);
  d.key("timeframe").string(w.timeframe).key("folds").number(w.folds).end_object();
  append_audit(txn, by, "walk_forward.submitted", "walk-forward:" + w.id, d.take());
  txn.commit();
}

std::optional<walk_forward_row> find_walk_forward(pqxx::connection_base& c, std::int64_t user_id,
                                                  const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params("SELECT " + std::string(walk_forward_columns) + walk_forward_from
                               + " WHERE w.user_id = $1 AND w.id = $2::uuid",
                           user_id, id);
  if (r.empty())
    return std::nullopt;
  return read_walk_forward(r[0]);
}

std::vector<walk_forward_row> list_walk_forwards(pqxx::connection_base& c, std::int64_t user_id,
                                                 std::int64_t limit, std::int64_t offset,
                                                 std::int64_t& total) {
  pqxx::read_transaction txn(c);
  total = txn.exec_params("SELECT count(*) FROM walk_forwards WHERE user_id = $1", user_id)[0][0]
              .as<std::int64_t>();
  std::vector<walk_forward_row> out;
  for (const auto& r :
       txn.exec_params("SELECT " + std::string(walk_forward_columns) + walk_forward_from
                           + " WHERE w.user_id = $1 ORDER BY w.created_at DESC, "
                             "w.id DESC LIMIT $2 OFFSET $3",
                       user_id, limit, offset))
    out.push_back(read_walk_forward(r));
  return out;
}

std::string load_walk_forward_text(pqxx::connection_base& c, const std::string& id,
                                   const std::string& column) {
  // The column is one of three names, never text of the request.
  const std::string col = column == "trades_csv"   ? "trades_csv"
                          : column == "equity_csv" ? "equity_csv"
                                                   : "result_json";
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params("SELECT coalesce(" + col
                               + ", '') FROM walk_forwards WHERE id = "
                                 "$1::uuid",
                           id);
  return r.empty() ? std::string() : r[0][0].as<std::string>();
}

bool complete_walk_forward(pqxx::connection_base& c, const run_attempt& job,
                           const std::string& document, const std::string& trades_csv,
                           const std::string& equity_csv, const std::string& engine_version,
                           double duration_ms) {
  pqxx::work txn(c);
  auto taken = txn.exec_params(
      "UPDATE runs SET status = 'completed', progress = 100, finished_at = now(), "
      "duration_ms = $3, engine_version = $4 WHERE id = $1::uuid AND status = 'running' AND "
      "attempts = $2 AND walk_forward_id IS NOT NULL RETURNING walk_forward_id::text",
      job.run_id, job.attempt, duration_ms, engine_version);
  if (taken.empty()) {
    txn.abort();
    return false;
  }
  txn.exec_params("UPDATE walk_forwards SET result_json = $2, trades_csv = $3, equity_csv = $4 "
                  "WHERE id = $1::uuid",
                  taken[0][0].as<std::string>(), document, trades_csv, equity_csv);
  txn.commit();
  return true;
}

std::optional<std::string> cancel_walk_forward(pqxx::connection_base& c, const std::string& id,
                                               const audit_actor& by) {
  pqxx::work txn(c);
  auto r = txn.exec_params(
      "UPDATE runs SET status = 'cancelled', finished_at = now(), progress = CASE WHEN status = "
      "'queued' THEN 0 ELSE progress END WHERE walk_forward_id = $1::uuid AND status IN "
      "('queued', 'running') RETURNING id::text",
      id);
  if (!r.empty())
    append_audit(txn, by, "walk_forward.cancelled", "walk-forward:" + id);
  txn.commit();
  if (r.empty())
    return std::nullopt;
  return r[0][0].as<std::string>();
}

bool delete_walk_forward(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                         const audit_actor& by) {
  if (!is_uuid_text(id))
    return false;
  pqxx::work txn(c);
  auto r = txn.exec_params(
      "DELETE FROM walk_forwards WHERE user_id = $1 AND id = $2::uuid AND NOT EXISTS (SELECT 1 "
      "FROM runs WHERE walk_forward_id = $2::uuid AND status IN ('queued', 'running'))",
      user_id, id);
  if (r.affected_rows() == 1)
    append_audit(txn, by, "walk_forward.deleted", "walk-forward:" + id);
  txn.commit();
  return r.affected_rows() == 1;
}

} // namespace bt::db
