#include "persistence/run_results.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

#include <cstdlib>
#include <tuple>

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
    pqxx::stream_to copy(
        txn, "run_trades",
        std::vector<std::string>{
            "run_id",       "trade_id",   "side",    "entry_time", "exit_time",    "entry_price",
            "exit_price",   "quantity",   "pnl",     "pnl_pct",    "stop_price",   "target_price",
            "initial_risk", "r_multiple", "mae",     "mfe",        "holding_bars", "fill_type",
            "exit_reason",  "commission", "zone_id", "zone_type",  "zone_strength"});
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
      auto nullable = [](const std::string& s) {
        return s.empty() ? std::optional<std::string>() : s;
      };
      copy << std::make_tuple(
          job.run_id, std::to_string(t.trade_id), std::string(to_string(t.side)),
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

std::vector<equity_point> load_equity(pqxx::connection_base& c, const std::string& run_id) {
  const std::string csv = load_equity_csv(c, run_id);
  std::vector<equity_point> out;
  std::size_t pos = csv.find('\n'); // after the header
  while (pos != std::string::npos && pos + 1 < csv.size()) {
    const std::size_t start = pos + 1;
    pos = csv.find('\n', start);
    const std::string_view line(csv.data() + start,
                                (pos == std::string::npos ? csv.size() : pos) - start);
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
    const std::string_view line(csv.data() + start,
                                (pos == std::string::npos ? csv.size() : pos) - start);
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
    z.status = f[7] == "active"   ? zone_status::active
               : f[7] == "broken" ? zone_status::broken
                                  : zone_status::expired;
    unix_time ended = 0;
    if (!f[8].empty() && parse_timestamp(f[8], ended) == timestamp_parse::ok)
      z.ended_at = ended;
    out.push_back(z);
  }
  return out;
}

std::pair<std::int64_t, std::vector<trade>>
load_trades(pqxx::connection_base& c, const std::string& run_id, const trade_filter& f) {
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
  auto rows = txn.exec_params(
      "SELECT trade_id, side, extract(epoch FROM entry_time)::bigint, extract(epoch FROM "
      "exit_time)::bigint, "
      "entry_price, exit_price, quantity, pnl, pnl_pct, stop_price, target_price, initial_risk, "
      "r_multiple, mae, mfe, "
      "holding_bars, fill_type, exit_reason, commission, zone_id, zone_type, zone_strength"
          + where + " ORDER BY " + sort + (f.descending ? " DESC NULLS LAST" : " ASC NULLS LAST")
          + ", trade_id LIMIT $7 OFFSET $8",
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
    for (auto ft : {fill_type::market, fill_type::limit, fill_type::limit_gap, fill_type::stop,
                    fill_type::stop_gap})
      if (to_string(ft) == fill)
        t.fill_type = ft;
    const std::string reason = r[17].as<std::string>();
    for (auto er : {exit_reason::stop_loss, exit_reason::take_profit, exit_reason::signal,
                    exit_reason::end_of_data})
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
