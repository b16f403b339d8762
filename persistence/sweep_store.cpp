#include "persistence/sweep_store.hpp"

#include "persistence/bar_chunks.hpp"
#include "persistence/prepared.hpp"
#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

#include <cstdio>
#include <cstring>

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

stored_configuration read_result(const pqxx::row& r, bool with_returns) {
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
  if (with_returns) {
    const std::string bytes = unhex_bytea(std::string_view(r[9].c_str(), r[9].size()));
    s.daily_returns.resize(bytes.size() / sizeof(double));
    std::memcpy(s.daily_returns.data(), bytes.data(), s.daily_returns.size() * sizeof(double));
  }
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

void submit_sweep(pqxx::connection_base& c, const new_sweep& s) {
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
                  "dedupe_key, sweep_id) VALUES ($1::uuid, $2, 'queued', $3, $4, $5, $6, "
                  "to_timestamp($7), to_timestamp($8), $9, $10, $11, $12, $13, $14, $15, $16, "
                  "$17::uuid)",
                  r.id, r.user_id, r.priority, r.symbol, r.timeframe, r.source_timeframe, r.start,
                  r.end, r.strategy, r.strategy_version, r.config_json, r.params_json,
                  r.execution_json, r.config_hash, r.dataset_checksum, r.dedupe_key, s.id);
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
  // configurations otherwise spent more time inserting than computing).
  std::vector<std::optional<std::string>> index, status, params, execution, hash, metrics, reason,
      objective, meets, offsets, lengths;
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
    // Every configuration's returns in one binary parameter, cut apart by
    // offset and length in the statement: as text (hex in an array) they
    // cost the server more to parse than the rows cost to insert.
    const std::size_t bytes = r.daily_returns.size() * sizeof(double);
    offsets.emplace_back(std::to_string(blob.size()));
    lengths.emplace_back(std::to_string(bytes));
    blob.append(reinterpret_cast<const char*>(r.daily_returns.data()), bytes);
  }
  exec_prepared(
      txn, "insert_sweep_results",
      "INSERT INTO sweep_results (sweep_id, config_index, status, params_json, execution_json, "
      "config_hash, metrics_json, reason, objective, meets_constraints, daily_returns) "
      "SELECT $1::uuid, i, st, p, e, nullif(h, ''), nullif(m, ''), nullif(r, ''), o, mc, "
      "substring($11::bytea FROM d + 1 FOR n) FROM unnest($2::int[], $3::text[], $4::text[], "
      "$5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::bool[], $12::int[], "
      "$13::int[]) AS t(i, st, p, e, h, m, r, o, mc, d, n)",
      sweep_id, array_literal(index), array_literal(status), array_literal(params),
      array_literal(execution), array_literal(hash), array_literal(metrics), array_literal(reason),
      array_literal(objective), array_literal(meets), pqxx::binarystring(blob.data(), blob.size()),
      array_literal(offsets), array_literal(lengths));
  txn.commit();
  return true;
}

sweep_result_page load_sweep_results(pqxx::connection_base& c, const std::string& sweep_id,
                                     const std::optional<std::string>& metric, bool descending,
                                     std::int64_t limit, std::int64_t offset,
                                     const std::optional<std::string>& status, bool every_return) {
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
  const std::string columns =
      std::string(result_columns) + (every_return ? ", daily_returns" : ", ''::bytea");
  const std::string sql =
      "SELECT " + columns + where + " ORDER BY " + order + " LIMIT $3 OFFSET $4";
  // PostgreSQL refuses a parameter the statement does not use: the metric
  // goes only where it sorts.
  auto rows = metric ? txn.exec_params(sql, sweep_id, status, limit, offset, *metric)
                     : txn.exec_params(sql, sweep_id, status, limit, offset);
  for (const auto& r : rows)
    page.rows.push_back(read_result(r, every_return));
  return page;
}

std::optional<stored_configuration> best_of_sweep(pqxx::connection_base& c,
                                                  const sweep_row& sweep) {
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params("SELECT " + std::string(result_columns)
                               + ", ''::bytea FROM sweep_results WHERE sweep_id = $1::uuid AND "
                                 "status = 'completed' AND meets_constraints AND objective IS "
                                 "NOT NULL ORDER BY objective "
                               + (sweep.maximise ? "DESC" : "ASC") + ", config_index ASC LIMIT 1",
                           sweep.id);
  if (r.empty())
    return std::nullopt;
  return read_result(r[0], false);
}

std::vector<std::string> cancel_chunks(pqxx::connection_base& c, const std::string& sweep_id) {
  pqxx::work txn(c);
  std::vector<std::string> ids;
  for (const auto& r : txn.exec_params(
           "UPDATE runs SET status = 'cancelled', finished_at = now(), progress = CASE WHEN "
           "status = 'queued' THEN 0 ELSE progress END WHERE sweep_id = $1::uuid AND status IN "
           "('queued', 'running') RETURNING id::text",
           sweep_id))
    ids.push_back(r[0].as<std::string>());
  txn.commit();
  return ids;
}

bool delete_sweep(pqxx::connection_base& c, std::int64_t user_id, const std::string& id) {
  if (!is_uuid_text(id))
    return false;
  pqxx::work txn(c);
  auto r = txn.exec_params("DELETE FROM sweeps WHERE user_id = $1 AND id = $2::uuid AND NOT EXISTS "
                           "(SELECT 1 FROM runs WHERE sweep_id = $2::uuid AND status IN "
                           "('queued', 'running'))",
                           user_id, id);
  txn.commit();
  return r.affected_rows() == 1;
}

} // namespace bt::db
