// Results of completed runs: metrics, equity, trades, zones and the chart.
#include "services/backtest_service.hpp"
#include "services/service_reply.hpp"

#include "domain/data/bar_import.hpp"
#include "domain/report/chart.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/report/trade_selection.hpp"
#include "persistence/market_data_repository.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

namespace bt {

namespace {

service_reply reply(std::string body, const char* content_type = "application/json") {
  return body_reply(service_code::ok, std::move(body), content_type);
}

} // namespace

service_reply backtest_service::run_results(pqxx::connection& c, const db::principal& who,
                                            const backtest_call& call, result_kind kind) {
  auto run = db::find_run(c, who.user_id, call.run_id);
  if (!run)
    return error_reply(service_code::not_found, "no run " + call.run_id, {});
  if (run->status != run_status::completed) {
    std::string why = run->status == run_status::failed
                          ? "the run failed: no trades because execution did not complete"
                      : run->status == run_status::cancelled
                          ? "the run was cancelled before it completed: no results"
                          : "the run is " + std::string(to_string(run->status))
                                + ": results exist once it completed";
    return error_reply(service_code::conflict, why, {});
  }
  const auto& q = call.query;
  std::vector<error_detail> errors;
  const std::string format = query_value(q, "format").value_or("json");
  if (format != "json" && format != "csv")
    errors.push_back({"format", 0, "must be json or csv"});

  if (kind == result_kind::metrics)
    return reply(run->metrics_json.value_or("null"));

  if (kind == result_kind::equity) {
    std::int64_t max_points = 0;
    query_reader(q, errors).whole("max_points", 4, 1'000'000, max_points);
    if (!errors.empty())
      return error_reply(service_code::bad_request, "invalid query", std::move(errors));
    auto curve = db::load_equity(c, run->id);
    if (max_points > 0)
      curve = downsample_equity(curve, static_cast<std::size_t>(max_points));
    if (format == "csv")
      return reply(equity_csv(curve), "text/csv; charset=utf-8");
    json_writer w;
    w.begin_object().key("run_id").string(run->id).key("count").number(
        static_cast<std::uint64_t>(curve.size()));
    w.key("points");
    write_equity_points(w, curve);
    w.end_object();
    return reply(w.take());
  }

  if (kind == result_kind::trades) {
    db::trade_filter f;
    query_reader r(q, errors);
    r.choice("side", {"long", "short"}, f.side);
    r.choice("zone_type", {"supply", "demand"}, f.zone_type);
    r.choice("outcome", {"win", "loss"}, f.outcome);
    r.time("from", f.from);
    r.time("to", f.to);
    std::optional<std::string> sort;
    r.choice("sort", trade_sort_keys(), sort);
    if (sort)
      f.sort = *sort;
    r.order("order", f.descending);
    r.whole("limit", 1, 1000, f.limit);
    r.whole("offset", 0, 1'000'000'000, f.offset);
    if (!errors.empty())
      return error_reply(service_code::bad_request, "invalid query", std::move(errors));
    if (format == "csv") {
      f.limit = -1; // every matching trade
      f.offset = 0;
      return reply(trades_csv(db::load_trades(c, run->id, f).second), "text/csv; charset=utf-8");
    }
    auto [total, trades] = db::load_trades(c, run->id, f);
    json_writer w;
    w.begin_object().key("total").number(total).key("limit").number(f.limit).key("offset").number(
        f.offset);
    w.key("trades").begin_array();
    for (const auto& t : trades)
      write_trade(w, t);
    w.end_array().end_object();
    return reply(w.take());
  }

  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));
  if (kind == result_kind::zones) {
    auto zones = db::load_zones(c, run->id);
    if (format == "csv")
      return reply(zones_csv(zones), "text/csv; charset=utf-8");

    json_writer w;
    w.begin_object()
        .key("count")
        .number(static_cast<std::uint64_t>(zones.size()))
        .key("zones")
        .begin_array();
    for (const auto& z : zones)
      write_zone(w, z);
    w.end_array().end_object();
    return reply(w.take());
  }
  return chart(c, *run, q);
}

service_reply backtest_service::chart(pqxx::connection& c, const db::run_row& run,
                                      const query_map& q) {
  std::int64_t max_points = 1000;
  std::vector<error_detail> errors;
  query_reader(q, errors).whole("max_points", 10, 100'000, max_points);
  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));
  auto source = db::load_bars(c, run.user_id, run.symbol, *parse_timeframe(run.source_timeframe),
                              run.start, run.end, SIZE_MAX >> 1);
  bar_series bars = source ? *source : bar_series(run.symbol, *parse_timeframe(run.timeframe));
  if (run.source_timeframe != run.timeframe)
    bars = resample(bars, *parse_timeframe(run.timeframe));
  const auto curve = db::load_equity(c, run.id);
  const auto zones = db::load_zones(c, run.id);
  db::trade_filter all;
  all.limit = -1;
  const auto trades = db::load_trades(c, run.id, all).second;
  const fixed capital = fixed::from_double(
      boost::json::parse(run.execution_json).at("initial_capital").to_number<double>());
  const auto sampled = downsample_equity(curve, static_cast<std::size_t>(max_points));
  const auto candles = downsample_candles(bars, static_cast<std::size_t>(max_points));
  const auto benchmark = buy_and_hold(bars, capital);

  json_writer w;
  w.begin_object();
  w.key("run_id").string(run.id);
  w.key("candles").begin_array();
  for (std::size_t i = 0; i < candles.size(); ++i) {
    w.begin_object()
        .key("time")
        .timestamp(candles.times()[i])
        .key("open")
        .number(candles.opens()[i]);
    w.key("high").number(candles.highs()[i]).key("low").number(candles.lows()[i]);
    w.key("close")
        .number(candles.closes()[i])
        .key("volume")
        .number(candles.volumes()[i])
        .end_object();
  }
  w.end_array();
  w.key("zones").begin_array();
  for (const auto& z : zones)
    write_zone(w, z);
  w.end_array();
  w.key("markers").begin_array();
  for (const auto& t : trades) {
    // `time` is the drawn candle holding the fill; `trade_time` the bar itself.
    w.begin_object()
        .key("time")
        .timestamp(candle_time_of(candles, t.entry_time))
        .key("trade_time")
        .timestamp(t.entry_time);
    w.key("kind").string("entry").key("side").string(to_string(t.side));
    w.key("price").number(t.entry_price).key("trade_id").number(t.trade_id).end_object();
    w.begin_object()
        .key("time")
        .timestamp(candle_time_of(candles, t.exit_time))
        .key("trade_time")
        .timestamp(t.exit_time);
    w.key("kind").string("exit").key("side").string(to_string(t.side));
    w.key("price")
        .number(t.exit_price)
        .key("trade_id")
        .number(t.trade_id)
        .key("exit_reason")
        .string(to_string(t.exit_reason));
    w.key("pnl").number(t.pnl).end_object();
  }
  w.end_array();
  w.key("equity").begin_array();
  for (const auto& p : sampled)
    w.begin_object().key("time").timestamp(p.time).key("equity").number(p.equity).end_object();
  w.end_array();
  w.key("drawdown").begin_array();
  for (const auto& p : sampled)
    w.begin_object()
        .key("time")
        .timestamp(p.time)
        .key("drawdown_pct")
        .number(p.drawdown_pct)
        .end_object();
  w.end_array();
  w.key("benchmark").begin_object().key("kind").string("buy_and_hold").key("points").begin_array();
  // Every stride-th point and the last one: at most max_points + 1.
  const std::size_t stride =
      std::max<std::size_t>(1, (benchmark.size() + max_points - 1) / max_points);
  for (std::size_t i = 0; i < benchmark.size(); i += stride) {
    const std::size_t k = i + stride >= benchmark.size() ? benchmark.size() - 1 : i;
    w.begin_object()
        .key("time")
        .timestamp(benchmark[k].first)
        .key("equity")
        .number(benchmark[k].second)
        .end_object();
  }
  w.end_array().end_object();
  w.key("monthly_returns").begin_array();
  for (const auto& m : monthly_returns(curve, capital))
    w.begin_object()
        .key("year")
        .number(m.year)
        .key("month")
        .number(static_cast<int>(m.month))
        .key("return_pct")
        .number(m.return_pct)
        .end_object();
  w.end_array();
  w.end_object();
  return reply(w.take());
}

} // namespace bt
