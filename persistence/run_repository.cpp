#include "persistence/run_repository.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"

#include <pqxx/pqxx>

#include <cctype>
#include <cstdlib>
#include <tuple>

namespace bt::db {
namespace {

// Run ids are compared as uuid so that the primary key is used (a text
// comparison scans the table); text that is not a UUID names no run.
bool is_uuid_text(const std::string& id) {
  if (id.size() != 36)
    return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

constexpr const char* run_columns =
  "id::text, user_id, status, priority, queue_seq, symbol, timeframe, source_timeframe, "
  "extract(epoch FROM start_time)::bigint, extract(epoch FROM end_time)::bigint, strategy, strategy_version, "
  "config_json, params_json, execution_json, config_hash, dataset_checksum, data_checksum, error, worker_id, "
  "engine_version, metrics_json, errors::text, dedupe_key, attempts, progress, trades_so_far, "
  "extract(epoch FROM created_at)::bigint, extract(epoch FROM started_at)::bigint, "
  "extract(epoch FROM finished_at)::bigint, duration_ms, warnings_json";

template <class T>
std::optional<T> opt(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return f.as<T>();
}

run_row read_run(const pqxx::row& r) {
  run_row x;
  x.id = r[0].as<std::string>();
  x.user_id = r[1].as<std::int64_t>();
  x.status = r[2].as<std::string>();
  x.priority = r[3].as<int>();
  x.queue_seq = r[4].as<std::int64_t>();
  x.symbol = r[5].as<std::string>();
  x.timeframe = r[6].as<std::string>();
  x.source_timeframe = r[7].as<std::string>();
  x.start = r[8].as<std::int64_t>();
  x.end = r[9].as<std::int64_t>();
  x.strategy = r[10].as<std::string>();
  x.strategy_version = r[11].as<std::string>();
  x.config_json = r[12].as<std::string>();
  x.params_json = r[13].as<std::string>();
  x.execution_json = r[14].as<std::string>();
  x.config_hash = r[15].as<std::string>();
  x.dataset_checksum = r[16].as<std::string>();
  x.data_checksum = opt<std::string>(r[17]);
  x.error = opt<std::string>(r[18]);
  x.worker_id = opt<std::string>(r[19]);
  x.engine_version = opt<std::string>(r[20]);
  x.metrics_json = opt<std::string>(r[21]);
  x.errors_json = r[22].as<std::string>();
  x.dedupe_key = r[23].as<std::string>();
  x.attempts = r[24].as<std::int32_t>();
  x.progress = r[25].as<double>();
  x.trades_so_far = r[26].as<std::int64_t>();
  x.created_at = r[27].as<std::int64_t>();
  x.started_at = opt<std::int64_t>(r[28]);
  x.finished_at = opt<std::int64_t>(r[29]);
  x.duration_ms = opt<double>(r[30]);
  x.warnings_json = r[31].as<std::string>();
  return x;
}

fixed price_of(const pqxx::field& f) {
  fixed v;
  parse_decimal(f.c_str(), v);
  return v;
}

std::optional<fixed> opt_price(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return price_of(f);
}

std::string opt_text(const std::optional<fixed>& v) {
  return v ? to_string(*v) : std::string();
}

std::optional<std::string> find_by(pqxx::transaction_base& txn, const new_run& r) {
  if (r.idempotency_key) {
    auto k = txn.exec_params("SELECT id::text FROM runs WHERE user_id = $1 AND idempotency_key = $2", r.user_id,
                             *r.idempotency_key);
    if (!k.empty())
      return k[0][0].as<std::string>();
  }
  auto d = txn.exec_params(
    "SELECT id::text FROM runs WHERE user_id = $1 AND dedupe_key = $2 AND status NOT IN ('failed', 'cancelled')",
    r.user_id, r.dedupe_key);
  if (!d.empty())
    return d[0][0].as<std::string>();
  return std::nullopt;
}

} // namespace

submit_outcome submit_run(pqxx::connection_base& c, const new_run& r) {
  for (int round = 0; round < 3; ++round) {
    pqxx::work txn(c);
    if (auto existing = find_by(txn, r)) {
      auto row = txn.exec_params("SELECT " + std::string(run_columns) + " FROM runs WHERE id = $1::uuid", *existing);
      txn.commit();
      return {read_run(row[0]), true};
    }
    // A concurrent identical submission may win the race: its unique index
    // violation sends us round again to return its run.
    auto inserted = txn.exec_params(
      "INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, source_timeframe, start_time, end_time, "
      "strategy, strategy_version, config_json, params_json, execution_json, config_hash, dataset_checksum, "
      "dedupe_key, idempotency_key) VALUES ($1::uuid, $2, 'queued', $3, $4, $5, $6, to_timestamp($7), "
      "to_timestamp($8), $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING RETURNING "
        + std::string(run_columns),
      r.id, r.user_id, r.priority, r.symbol, r.timeframe, r.source_timeframe, r.start, r.end, r.strategy,
      r.strategy_version, r.config_json, r.params_json, r.execution_json, r.config_hash, r.dataset_checksum,
      r.dedupe_key, r.idempotency_key);
    if (!inserted.empty()) {
      txn.commit();
      return {read_run(inserted[0]), false};
    }
    txn.abort();
  }
  throw std::runtime_error("submission kept conflicting with concurrent submissions");
}

std::optional<run_row> find_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT " + std::string(run_columns) +
                             " FROM runs WHERE user_id = $1 AND id = $2::uuid",
                           user_id, id);
  if (r.empty())
    return std::nullopt;
  return read_run(r[0]);
}

queue_stats read_queue_stats(pqxx::connection_base& c) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec(
    "SELECT (SELECT count(*) FROM runs WHERE status = 'queued'), (SELECT count(*) FROM runs WHERE status = 'running'), "
    "(SELECT coalesce(avg(duration_ms), 0) FROM (SELECT duration_ms FROM runs WHERE status = 'completed' "
    "AND duration_ms IS NOT NULL ORDER BY finished_at DESC LIMIT 50) recent)");
  return {r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<double>()};
}

std::int64_t queue_position(pqxx::connection_base& c, const run_row& run) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT count(*) FROM runs WHERE status = 'queued' AND (priority, queue_seq) < ($1, $2)",
                           run.priority, run.queue_seq);
  return r[0][0].as<std::int64_t>() + 1;
}

queue_snapshot read_queue_snapshot(pqxx::connection_base& c) {
  pqxx::read_transaction txn(c); // both lists from one snapshot
  queue_snapshot s;
  // The queue is bounded by --queue-capacity; the limit is a second fence.
  for (const auto& r : txn.exec("SELECT id::text, user_id, greatest(0, extract(epoch FROM not_before - now()))::float8 "
                                "FROM runs WHERE status = 'queued' ORDER BY priority, queue_seq LIMIT 100000"))
    s.queue.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<double>()});
  for (const auto& r : txn.exec("SELECT id::text, user_id, coalesce(extract(epoch FROM now() - started_at), 0)::float8 "
                                "FROM runs WHERE status = 'running'"))
    s.active.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<double>()});
  return s;
}

const std::vector<std::string>& sortable_run_columns() {
  static const std::vector<std::string> columns{"created_at",       "sharpe_ratio",     "net_profit",
                                                "total_return_pct", "max_drawdown_pct", "win_rate",
                                                "profit_factor",    "total_trades"};
  return columns;
}

std::pair<std::int64_t, std::vector<run_row>> list_runs(pqxx::connection_base& c, std::int64_t user_id,
                                                        const run_filter& f) {
  // The sort column comes from a fixed list, never from the request text.
  std::string sort = "created_at";
  for (const auto& col : sortable_run_columns())
    if (col == f.sort)
      sort = col;
  const std::string where =
    " FROM runs WHERE user_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR symbol = $3) "
    "AND ($4::text IS NULL OR strategy = $4) AND ($5::bigint IS NULL OR created_at >= to_timestamp($5)) "
    "AND ($6::bigint IS NULL OR created_at <= to_timestamp($6))";
  pqxx::read_transaction txn(c);
  auto total = txn.exec_params("SELECT count(*)" + where, user_id, f.status, f.symbol, f.strategy, f.created_from,
                               f.created_to);
  auto rows = txn.exec_params("SELECT " + std::string(run_columns) + where + " ORDER BY " + sort +
                                (f.descending ? " DESC NULLS LAST" : " ASC NULLS LAST") +
                                ", created_at DESC, id LIMIT $7 OFFSET $8",
                              user_id, f.status, f.symbol, f.strategy, f.created_from, f.created_to, f.limit,
                              f.offset);
  std::vector<run_row> out;
  for (const auto& r : rows)
    out.push_back(read_run(r));
  return {total[0][0].as<std::int64_t>(), std::move(out)};
}

std::optional<run_attempt> claim_next(pqxx::connection_base& c, const std::string& worker_id, int per_user_limit) {
  pqxx::work txn(c);
  auto r = txn.exec_params(
    "UPDATE runs SET status = 'running', attempts = attempts + 1, worker_id = $1, started_at = now(), "
    "progress = 0, trades_so_far = 0 WHERE id = ("
    "  SELECT q.id FROM runs q WHERE q.status = 'queued' AND q.not_before <= now() AND "
    "  (SELECT count(*) FROM runs x WHERE x.user_id = q.user_id AND x.status = 'running') < $2 "
    "  ORDER BY q.priority, q.queue_seq LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING id::text, user_id, attempts, symbol, timeframe, source_timeframe, config_json, config_hash, "
    "extract(epoch FROM start_time)::bigint, extract(epoch FROM end_time)::bigint",
    worker_id, per_user_limit);
  txn.commit();
  if (r.empty())
    return std::nullopt;
  run_attempt j;
  j.run_id = r[0][0].as<std::string>();
  j.user_id = r[0][1].as<std::int64_t>();
  j.attempt = r[0][2].as<std::int32_t>();
  j.symbol = r[0][3].as<std::string>();
  j.timeframe = r[0][4].as<std::string>();
  j.source_timeframe = r[0][5].as<std::string>();
  j.config_json = r[0][6].as<std::string>();
  j.config_hash = r[0][7].as<std::string>();
  j.start = r[0][8].as<std::int64_t>();
  j.end = r[0][9].as<std::int64_t>();
  return j;
}

void release_claim(pqxx::connection_base& c, const run_attempt& job) {
  pqxx::work txn(c);
  txn.exec_params("UPDATE runs SET status = 'queued', attempts = attempts - 1, worker_id = NULL, started_at = NULL "
                  "WHERE id = $1::uuid AND status = 'running' AND attempts = $2",
                  job.run_id, job.attempt);
  txn.commit();
}

std::int64_t requeue_orphans(pqxx::connection_base& c) {
  pqxx::work txn(c);
  auto r = txn.exec("UPDATE runs SET status = 'queued', worker_id = NULL, not_before = now(), "
                    "errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempts, 'error', "
                    "'the server stopped during this attempt', 'at', now())) WHERE status = 'running'");
  txn.commit();
  return static_cast<std::int64_t>(r.affected_rows());
}

stored_result to_stored(const backtest_result& result, const std::string& engine_version, double duration_ms) {
  stored_result s;
  json_writer w;
  write_metrics(w, result.metrics);
  s.metrics_json = w.take();
  json_writer warnings;
  write_warnings(warnings, result.warnings);
  s.warnings_json = warnings.take();
  s.trades = result.output.trades;
  s.zones_csv = zones_csv(result.zones);
  s.zones = static_cast<std::int64_t>(result.zones.size());
  s.equity_csv = equity_csv(result.output.equity);
  s.points = static_cast<std::int64_t>(result.output.equity.size());
  s.data_checksum = result.data_checksum;
  s.engine_version = engine_version;
  s.duration_ms = duration_ms;
  return s;
}

bool complete_run(pqxx::connection_base& c, const run_attempt& job, const stored_result& result) {
  pqxx::work txn(c);
  auto current = txn.exec_params(
    "SELECT 1 FROM runs WHERE id = $1::uuid AND status = 'running' AND attempts = $2 FOR UPDATE", job.run_id, job.attempt);
  if (current.empty())
    return false; // cancelled, or the watchdog gave the run to another attempt
  {
    pqxx::stream_to copy(txn, "run_trades",
                         std::vector<std::string>{"run_id", "trade_id", "side", "entry_time", "exit_time",
                                                  "entry_price", "exit_price", "quantity", "pnl", "pnl_pct",
                                                  "stop_price", "target_price", "initial_risk", "r_multiple", "mae",
                                                  "mfe", "holding_bars", "fill_type", "exit_reason", "commission",
                                                  "zone_id", "zone_type", "zone_strength"});
    for (const auto& t : result.trades) {
      std::string r_multiple, zone_id, zone_type, zone_strength, pnl_pct;
      append_double(pnl_pct, t.pnl_pct);
      if (t.r_multiple)
        append_double(r_multiple, *t.r_multiple);
      if (t.zone) {
        zone_id = std::to_string(t.zone->id);
        zone_type = std::string(to_string(t.zone->type));
        append_double(zone_strength, t.zone->strength);
      }
      // Empty optional text columns are sent as NULL.
      auto nullable = [](const std::string& s) { return s.empty() ? std::optional<std::string>() : s; };
      copy << std::make_tuple(job.run_id, std::to_string(t.trade_id), std::string(to_string(t.side)),
                              format_timestamp(t.entry_time), format_timestamp(t.exit_time), to_string(t.entry_price),
                              to_string(t.exit_price), to_string(t.quantity), to_string(t.pnl), pnl_pct,
                              nullable(opt_text(t.stop_price)), nullable(opt_text(t.target_price)),
                              nullable(opt_text(t.initial_risk)), nullable(r_multiple), to_string(t.mae),
                              to_string(t.mfe), std::to_string(t.holding_bars), std::string(to_string(t.fill_type)),
                              std::string(to_string(t.exit_reason)), to_string(t.commission), nullable(zone_id),
                              nullable(zone_type), nullable(zone_strength));
    }
    copy.complete();
  }
  txn.exec_params("INSERT INTO run_zones (run_id, zones, csv) VALUES ($1::uuid, $2, $3)", job.run_id, result.zones,
                  result.zones_csv);
  txn.exec_params("INSERT INTO run_equity (run_id, points, csv) VALUES ($1::uuid, $2, $3)", job.run_id, result.points,
                  result.equity_csv);
  // The summary columns (for sorting the history) come from the metrics
  // document itself, so they can never disagree with it.
  txn.exec_params(
    "UPDATE runs SET status = 'completed', progress = 100, finished_at = now(), duration_ms = $2, metrics_json = $3::text, "
    "warnings_json = $7, "
    "data_checksum = $4, engine_version = $5, trades_so_far = $6, total_trades = ($3::text::jsonb->>'total_trades')::int, "
    "net_profit = ($3::text::jsonb->>'net_profit')::numeric, sharpe_ratio = ($3::text::jsonb->>'sharpe_ratio')::float8, "
    "total_return_pct = ($3::text::jsonb->>'total_return_pct')::float8, max_drawdown_pct = ($3::text::jsonb->>'max_drawdown_pct')::float8, "
    "win_rate = ($3::text::jsonb->>'win_rate')::float8, profit_factor = ($3::text::jsonb->>'profit_factor')::float8 "
    "WHERE id = $1::uuid",
    job.run_id, result.duration_ms, result.metrics_json, result.data_checksum, result.engine_version,
    static_cast<std::int64_t>(result.trades.size()), result.warnings_json);
  txn.commit();
  return true;
}

failure_outcome fail_attempt(pqxx::connection_base& c, const run_attempt& job, const std::string& error,
                             int max_attempts, std::int64_t retry_delay_ms, failure_kind kind) {
  pqxx::work txn(c);
  auto current = txn.exec_params(
    "SELECT attempts FROM runs WHERE id = $1::uuid AND status = 'running' AND attempts = $2 FOR UPDATE", job.run_id,
    job.attempt);
  if (current.empty())
    return failure_outcome::stale;
  const std::string append =
    "errors = errors || jsonb_build_array(jsonb_build_object('attempt', $2::int, 'error', $3::text, 'at', now()))";
  if (kind == failure_kind::permanent) {
    txn.exec_params("UPDATE runs SET status = 'failed', finished_at = now(), error = $3, " + append +
                      " WHERE id = $1::uuid",
                    job.run_id, job.attempt, error);
    txn.commit();
    return failure_outcome::failed;
  }
  if (job.attempt < max_attempts) {
    txn.exec_params("UPDATE runs SET status = 'queued', worker_id = NULL, progress = 0, " + append +
                      ", not_before = now() + ($4::bigint * interval '1 millisecond') WHERE id = $1::uuid",
                    job.run_id, job.attempt, error, retry_delay_ms);
    txn.commit();
    return failure_outcome::requeued;
  }
  txn.exec_params("UPDATE runs SET status = 'failed', finished_at = now(), error = $3, " + append +
                    " WHERE id = $1::uuid",
                  job.run_id, job.attempt, error);
  txn.exec_params("INSERT INTO dead_letters (run_id, user_id, attempts, errors) SELECT id, user_id, attempts, errors "
                  "FROM runs WHERE id = $1::uuid ON CONFLICT (run_id) DO NOTHING",
                  job.run_id);
  txn.commit();
  return failure_outcome::dead_lettered;
}

void finish_cancelled(pqxx::connection_base& c, const run_attempt& job) {
  pqxx::work txn(c);
  txn.exec_params("UPDATE runs SET finished_at = coalesce(finished_at, now()) WHERE id = $1::uuid AND status = 'cancelled'",
                  job.run_id);
  txn.commit();
}

std::optional<std::string> cancel_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::work txn(c);
  auto r = txn.exec_params("SELECT status FROM runs WHERE user_id = $1 AND id = $2::uuid FOR UPDATE", user_id, id);
  if (r.empty())
    return std::nullopt;
  const std::string before = r[0][0].as<std::string>();
  if (before == "queued" || before == "running")
    txn.exec_params("UPDATE runs SET status = 'cancelled', finished_at = now(), progress = CASE WHEN status = "
                    "'queued' THEN 0 ELSE progress END WHERE id = $1::uuid",
                    id);
  txn.commit();
  return before;
}

bool delete_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id) {
  if (!is_uuid_text(id))
    return false;
  pqxx::work txn(c);
  auto r = txn.exec_params("DELETE FROM runs WHERE user_id = $1 AND id = $2::uuid AND status IN "
                           "('completed', 'failed', 'cancelled')",
                           user_id, id);
  txn.commit();
  return r.affected_rows() == 1;
}

std::optional<std::pair<std::int32_t, std::string>> dead_letter(pqxx::connection_base& c, const std::string& run_id) {
  if (!is_uuid_text(run_id))
    return std::nullopt;
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT attempts, errors::text FROM dead_letters WHERE run_id = $1::uuid", run_id);
  if (r.empty())
    return std::nullopt;
  return std::make_pair(r[0][0].as<std::int32_t>(), r[0][1].as<std::string>());
}

std::string load_equity_csv(pqxx::connection_base& c, const std::string& run_id) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT csv FROM run_equity WHERE run_id = $1::uuid", run_id);
  return r.empty() ? std::string() : r[0][0].as<std::string>();
}

std::vector<equity_point> load_equity(pqxx::connection_base& c, const std::string& run_id) {
  const std::string csv = load_equity_csv(c, run_id);
  std::vector<equity_point> out;
  std::size_t pos = csv.find('\n'); // after the header
  while (pos != std::string::npos && pos + 1 < csv.size()) {
    const std::size_t start = pos + 1;
    pos = csv.find('\n', start);
    const std::string_view line(csv.data() + start, (pos == std::string::npos ? csv.size() : pos) - start);
    const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
    equity_point p;
    parse_timestamp(line.substr(0, c1), p.time);
    parse_decimal(line.substr(c1 + 1, c2 - c1 - 1), p.equity);
    p.drawdown_pct = std::strtod(std::string(line.substr(c2 + 1)).c_str(), nullptr);
    out.push_back(p);
  }
  return out;
}

std::vector<zone_record> load_zones(pqxx::connection_base& c, const std::string& run_id) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT csv FROM run_zones WHERE run_id = $1::uuid", run_id);
  std::vector<zone_record> out;
  if (r.empty())
    return out;
  const std::string csv = r[0][0].as<std::string>();
  std::size_t pos = csv.find('\n'); // after the header
  std::vector<std::string_view> f;
  while (pos != std::string::npos && pos + 1 < csv.size()) {
    const std::size_t start = pos + 1;
    pos = csv.find('\n', start);
    const std::string_view line(csv.data() + start, (pos == std::string::npos ? csv.size() : pos) - start);
    f.clear();
    for (std::size_t a = 0;;) {
      const std::size_t b = line.find(',', a);
      f.push_back(line.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a));
      if (b == std::string_view::npos)
        break;
      a = b + 1;
    }
    if (f.size() != 9)
      continue;
    zone_record z;
    z.id = std::strtoll(std::string(f[0]).c_str(), nullptr, 10);
    z.type = f[1] == "supply" ? zone_type::supply : zone_type::demand;
    parse_timestamp(f[2], z.created_at);
    parse_decimal(f[3], z.top);
    parse_decimal(f[4], z.bottom);
    z.strength = std::strtod(std::string(f[5]).c_str(), nullptr);
    z.touches = std::strtoll(std::string(f[6]).c_str(), nullptr, 10);
    z.status = f[7] == "active" ? zone_status::active : f[7] == "broken" ? zone_status::broken : zone_status::expired;
    unix_time ended = 0;
    if (!f[8].empty() && parse_timestamp(f[8], ended) == timestamp_parse::ok)
      z.ended_at = ended;
    out.push_back(z);
  }
  return out;
}

std::pair<std::int64_t, std::vector<trade>> load_trades(pqxx::connection_base& c, const std::string& run_id,
                                                        const trade_filter& f) {
  std::string sort = "entry_time";
  for (const char* col : {"entry_time", "pnl", "r_multiple", "holding_bars"})
    if (f.sort == col)
      sort = col;
  const std::string where =
    " FROM run_trades WHERE run_id = $1::uuid AND ($2::text IS NULL OR side = $2) AND ($3::text IS NULL OR "
    "zone_type = $3) AND ($4::text IS NULL OR ($4 = 'win' AND pnl > 0) OR ($4 = 'loss' AND pnl < 0)) AND "
    "($5::bigint IS NULL OR entry_time >= to_timestamp($5)) AND ($6::bigint IS NULL OR entry_time <= to_timestamp($6))";
  pqxx::read_transaction txn(c);
  auto total = txn.exec_params("SELECT count(*)" + where, run_id, f.side, f.zone_type, f.outcome, f.from, f.to);
  auto rows = txn.exec_params(
    "SELECT trade_id, side, extract(epoch FROM entry_time)::bigint, extract(epoch FROM exit_time)::bigint, "
    "entry_price, exit_price, quantity, pnl, pnl_pct, stop_price, target_price, initial_risk, r_multiple, mae, mfe, "
    "holding_bars, fill_type, exit_reason, commission, zone_id, zone_type, zone_strength" +
      where + " ORDER BY " + sort + (f.descending ? " DESC NULLS LAST" : " ASC NULLS LAST") +
      ", trade_id LIMIT $7 OFFSET $8",
    run_id, f.side, f.zone_type, f.outcome, f.from, f.to,
    f.limit < 0 ? std::optional<std::int64_t>() : std::optional<std::int64_t>(f.limit), f.offset);
  std::vector<trade> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    trade t;
    t.trade_id = r[0].as<std::int64_t>();
    t.side = r[1].as<std::string>() == "long" ? side::long_side : side::short_side;
    t.entry_time = r[2].as<std::int64_t>();
    t.exit_time = r[3].as<std::int64_t>();
    t.entry_price = price_of(r[4]);
    t.exit_price = price_of(r[5]);
    t.quantity = price_of(r[6]);
    t.pnl = price_of(r[7]);
    t.pnl_pct = r[8].as<double>();
    t.stop_price = opt_price(r[9]);
    t.target_price = opt_price(r[10]);
    t.initial_risk = opt_price(r[11]);
    t.r_multiple = opt<double>(r[12]);
    t.mae = price_of(r[13]);
    t.mfe = price_of(r[14]);
    t.holding_bars = r[15].as<std::int64_t>();
    const std::string fill = r[16].as<std::string>();
    for (auto ft : {fill_type::market, fill_type::limit, fill_type::limit_gap, fill_type::stop, fill_type::stop_gap})
      if (to_string(ft) == fill)
        t.fill_type = ft;
    const std::string reason = r[17].as<std::string>();
    for (auto er : {exit_reason::stop_loss, exit_reason::take_profit, exit_reason::signal, exit_reason::end_of_data})
      if (to_string(er) == reason)
        t.exit_reason = er;
    t.commission = price_of(r[18]);
    if (!r[19].is_null())
      t.zone = zone_ref{r[19].as<std::int64_t>(),
                        r[20].as<std::string>() == "supply" ? zone_type::supply : zone_type::demand,
                        r[21].as<double>()};
    out.push_back(t);
  }
  return {total[0][0].as<std::int64_t>(), std::move(out)};
}

} // namespace bt::db
