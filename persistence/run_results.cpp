#include "persistence/run_results.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/record_fields.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

#include <array>
#include <stdexcept>
#include <type_traits>

namespace bt::db {

using namespace detail;

stored_result to_stored(const backtest_result& result, const std::string& engine_version,
                        double duration_ms) {
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
      "SELECT 1 FROM runs WHERE id = $1::uuid AND status = 'running' AND attempts = $2 FOR UPDATE",
      job.run_id, job.attempt);
  if (current.empty())
    return false; // cancelled, or the watchdog gave the run to another attempt
  {
    // The columns and their text come from the trade's field list, as the
    // CSV export's do; an absent value is COPY's NULL.
    std::vector<std::string> columns{"run_id"};
    for (auto name : field_names<trade>())
      columns.emplace_back(name);
    pqxx::stream_to copy(txn, "run_trades", columns);
    // libpqxx 6.4 streams tuples only, so the row has a fixed width; the
    // field list's tests keep that width and the list in step.
    std::array<std::optional<std::string>, 1 + trade_field_count> row;
    for (const auto& t : result.trades) {
      row[0] = job.run_id;
      std::size_t i = 1;
      auto sink = [&](std::string_view, const auto& field) {
        std::string text;
        row[i++] = append_field_text(text, field) ? std::optional<std::string>(std::move(text))
                                                  : std::nullopt;
      };
      visit_fields(t, sink);
      copy << row;
    }
    copy.complete();
  }
  txn.exec_params("INSERT INTO run_zones (run_id, zones, csv) VALUES ($1::uuid, $2, $3)",
                  job.run_id, result.zones, result.zones_csv);
  txn.exec_params("INSERT INTO run_equity (run_id, points, csv) VALUES ($1::uuid, $2, $3)",
                  job.run_id, result.points, result.equity_csv);
  // The summary columns (for sorting the history) come from the metrics
  // document itself, so they can never disagree with it.
  txn.exec_params("UPDATE runs SET status = 'completed', progress = 100, finished_at = now(), "
                  "duration_ms = $2, metrics_json = $3::text, "
                  "warnings_json = $7, "
                  "data_checksum = $4, engine_version = $5, trades_so_far = $6, total_trades = "
                  "($3::text::jsonb->>'total_trades')::int, "
                  "net_profit = ($3::text::jsonb->>'net_profit')::numeric, sharpe_ratio = "
                  "($3::text::jsonb->>'sharpe_ratio')::float8, "
                  "total_return_pct = ($3::text::jsonb->>'total_return_pct')::float8, "
                  "max_drawdown_pct = ($3::text::jsonb->>'max_drawdown_pct')::float8, "
                  "win_rate = ($3::text::jsonb->>'win_rate')::float8, profit_factor = "
                  "($3::text::jsonb->>'profit_factor')::float8 "
                  "WHERE id = $1::uuid",
                  job.run_id, result.duration_ms, result.metrics_json, result.data_checksum,
                  result.engine_version, static_cast<std::int64_t>(result.trades.size()),
                  result.warnings_json);
  txn.commit();
  return true;
}

std::string load_equity_csv(pqxx::connection_base& c, const std::string& run_id) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params("SELECT csv FROM run_equity WHERE run_id = $1::uuid", run_id);
  return r.empty() ? std::string() : r[0][0].as<std::string>();
}

equity_curve load_equity(pqxx::connection_base& c, const std::string& run_id) {
  equity_curve out;
  if (auto error = read_equity_csv(load_equity_csv(c, run_id), out))
    throw std::runtime_error("the stored equity curve of run " + run_id
                             + " is unreadable: " + *error);
  return out;
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
  std::string sort = "entry_time";
  for (const char* col : {"entry_time", "pnl", "r_multiple", "holding_bars"})
    if (f.sort == col)
      sort = col;
  const std::string where = " FROM run_trades WHERE run_id = $1::uuid AND ($2::text IS NULL OR "
                            "side = $2) AND ($3::text IS NULL OR "
                            "zone_type = $3) AND ($4::text IS NULL OR ($4 = 'win' AND pnl > 0) OR "
                            "($4 = 'loss' AND pnl < 0)) AND "
                            "($5::bigint IS NULL OR entry_time >= to_timestamp($5)) AND "
                            "($6::bigint IS NULL OR entry_time <= to_timestamp($6))";
  pqxx::read_transaction txn(c);
  auto total = txn.exec_params("SELECT count(*)" + where, run_id, f.side, f.zone_type, f.outcome,
                               f.from, f.to);
  // The select list is the trade's field list; times come back in the
  // writer's ISO-8601 spelling, so one reader reads every column.
  std::string columns;
  auto select = [&](std::string_view name, const auto& field) {
    if (!columns.empty())
      columns += ", ";
    using F = std::decay_t<decltype(field)>;
    if constexpr (is_time_field<F>::value)
      columns +=
          "to_char(" + std::string(name) + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    else
      columns += name;
  };
  const trade blank{};
  visit_fields(blank, select);
  auto rows = txn.exec_params(
      "SELECT " + columns + where + " ORDER BY " + sort
          + (f.descending ? " DESC NULLS LAST" : " ASC NULLS LAST")
          + ", trade_id LIMIT $7 OFFSET $8",
      run_id, f.side, f.zone_type, f.outcome, f.from, f.to,
      f.limit < 0 ? std::optional<std::int64_t>() : std::optional<std::int64_t>(f.limit), f.offset);
  trade_list out;
  out.reserve(rows.size());
  std::vector<std::string_view> texts;
  for (const auto& r : rows) {
    texts.clear();
    for (const auto& field : r)
      texts.emplace_back(field.is_null() ? std::string_view()
                                         : std::string_view(field.c_str(), field.size()));
    if (auto error = read_fields(texts, out.emplace_back()))
      throw std::runtime_error("a stored trade of run " + run_id + " is unreadable: " + *error);
  }
  return {total[0][0].as<std::int64_t>(), std::move(out)};
}

} // namespace bt::db
