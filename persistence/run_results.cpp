#include "persistence/run_results.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/bar_chunks.hpp"
#include "persistence/equity_blob.hpp"
#include "persistence/prepared.hpp"

#include <pqxx/pqxx>

#include <stdexcept>

namespace bt::db {

stored_result to_stored(const backtest_result& result, const std::string& engine_version,
                        double duration_ms) {
  stored_result s;
  json_writer w;
  write_metrics(w, result.metrics);
  s.metrics_json = w.take();
  json_writer warnings;
  write_warnings(warnings, result.warnings);
  s.warnings_json = warnings.take();
  s.trades_csv = trades_csv(result.output.trades);
  s.trades = static_cast<std::int64_t>(result.output.trades.size());
  s.zones_csv = zones_csv(result.zones);
  s.zones = static_cast<std::int64_t>(result.zones.size());
  s.equity_blob = encode_equity(result.output.equity);
  s.points = static_cast<std::int64_t>(result.output.equity.size());
  s.data_checksum = result.data_checksum;
  s.engine_version = engine_version;
  s.duration_ms = duration_ms;
  return s;
}

bool complete_run(pqxx::connection_base& c, const run_attempt& job, const stored_result& result) {
  // One statement, so one round trip and atomic without BEGIN and COMMIT:
  // the UPDATE takes the run only while this attempt still holds it (a
  // concurrent cancel or requeue is waited for and then re-checked), and
  // the results go in only for the run it took. The summary columns (for
  // sorting the history) come from the metrics document itself, parsed
  // once, so they can never disagree with it.
  pqxx::nontransaction txn(c);
  auto r = exec_prepared(
      txn, "complete_run",
      "WITH completed AS ("
      " UPDATE runs SET status = 'completed', progress = 100, finished_at = now(),"
      " duration_ms = $3, metrics_json = $4::text, warnings_json = $5, data_checksum = $6,"
      " engine_version = $7, trades_so_far = $8,"
      " total_trades = (m->>'total_trades')::int,"
      " net_profit = (m->>'net_profit')::numeric,"
      " sharpe_ratio = (m->>'sharpe_ratio')::float8,"
      " total_return_pct = (m->>'total_return_pct')::float8,"
      " max_drawdown_pct = (m->>'max_drawdown_pct')::float8,"
      " win_rate = (m->>'win_rate')::float8,"
      " profit_factor = (m->>'profit_factor')::float8"
      " FROM (SELECT $4::text::jsonb AS m) AS metrics"
      " WHERE id = $1::uuid AND status = 'running' AND attempts = $2"
      " RETURNING id),"
      " trades AS (INSERT INTO run_trade_lists (run_id, trades, csv)"
      " SELECT id, $8, $9 FROM completed),"
      " zones AS (INSERT INTO run_zones (run_id, zones, csv) SELECT id, $10, $11 FROM completed),"
      " equity AS (INSERT INTO run_equity (run_id, points, curve)"
      " SELECT id, $12, $13 FROM completed)"
      " SELECT count(*) FROM completed",
      job.run_id, job.attempt, result.duration_ms, result.metrics_json, result.warnings_json,
      result.data_checksum, result.engine_version, result.trades, result.trades_csv, result.zones,
      result.zones_csv, result.points,
      pqxx::binarystring(result.equity_blob.data(), result.equity_blob.size()));
  // None: cancelled, or the watchdog gave the run to another attempt.
  return r[0][0].as<int>() == 1;
}

equity_curve load_equity(pqxx::connection_base& c, const std::string& run_id) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT curve FROM run_equity WHERE run_id = $1::uuid", run_id);
  if (r.empty())
    return {};
  try {
    return decode_equity(unhex_bytea(std::string_view(r[0][0].c_str(), r[0][0].size())));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("the stored equity curve of run " + run_id
                             + " is unreadable: " + e.what());
  }
}

zone_list load_zones(pqxx::connection_base& c, const std::string& run_id) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT csv FROM run_zones WHERE run_id = $1::uuid", run_id);
  zone_list out;
  if (r.empty())
    return out;
  if (auto error = read_zones_csv(r[0][0].as<std::string>(), out))
    throw std::runtime_error("the stored zones of run " + run_id + " are unreadable: " + *error);
  return out;
}

std::pair<std::int64_t, trade_list> load_trades(pqxx::connection_base& c, const std::string& run_id,
                                                const trade_filter& f) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT csv FROM run_trade_lists WHERE run_id = $1::uuid", run_id);
  trade_list all;
  if (!r.empty())
    if (auto error = read_trades_csv(std::string_view(r[0][0].c_str(), r[0][0].size()), all))
      throw std::runtime_error("the stored trades of run " + run_id + " are unreadable: " + *error);
  return select_trades(std::move(all), f);
}

} // namespace bt::db
