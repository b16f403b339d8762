#include "domain/engine/backtest.hpp"

#include "domain/data/synthetic_bars.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <random>

using namespace bt;

namespace {

bt::run_config config_for(const std::string& strategy, const char* params = "{}") {
  boost::json::value p = boost::json::parse(params);
  run_request r;
  r.symbol = "GC";
  r.strategy = strategy;
  r.params = &p;
  bt::run_config c;
  BOOST_REQUIRE(resolve_config(r, c).empty());
  return c;
}

const bar_series& gc_bars() {
  static const bar_series bars = [] {
    synthetic_spec spec;
    spec.bars = 12'000;
    spec.seed = 7;
    return generate_bars(spec);
  }();
  return bars;
}

std::string serialize(const backtest_result& r) {
  json_writer w;
  w.begin_object();
  w.key("hash").string(r.config_hash).key("data").string(r.data_checksum);
  w.key("metrics");
  write_metrics(w, r.metrics);
  w.key("trades").begin_array();
  for (const auto& t : r.output.trades)
    write_trade(w, t);
  w.end_array().key("zones").begin_array();
  for (const auto& z : r.zones)
    write_zone(w, z);
  w.end_array().end_object();
  return w.take() + equity_csv(r.output.equity);
}

std::string serialize(const trade& t) {
  json_writer w;
  write_trade(w, t);
  return w.take();
}

} // namespace

BOOST_AUTO_TEST_SUITE(backtest)

BOOST_AUTO_TEST_CASE(same_inputs_give_byte_identical_results) {
  for (const char* strategy : {"supply_demand_zones", "dual_sma"}) {
    auto config = config_for(strategy);
    auto a = run_backtest(config, gc_bars());
    auto b = run_backtest(config_for(strategy), gc_bars());
    BOOST_TEST(serialize(a) == serialize(b), strategy);
  }
}

BOOST_AUTO_TEST_CASE(default_zone_strategy_trades_on_two_years_of_gc) {
  auto r = run_backtest(config_for("supply_demand_zones"), gc_bars());
  BOOST_TEST(r.metrics.total_trades >= 10);
  BOOST_TEST(r.metrics.total_trades <= 1000);
  BOOST_TEST(r.output.equity.size() == gc_bars().size());
  BOOST_TEST(!r.zones.empty());
}

BOOST_AUTO_TEST_CASE(final_equity_is_capital_plus_trade_pnl) {
  for (const char* strategy : {"supply_demand_zones", "dual_sma"}) {
    auto config = config_for(strategy);
    auto r = run_backtest(config, gc_bars());
    fixed sum;
    for (const auto& t : r.output.trades)
      sum += t.pnl;
    BOOST_TEST(r.metrics.final_equity == config.execution.initial_capital + sum, strategy);
    BOOST_TEST(r.output.equity.back().equity == r.metrics.final_equity);
  }
}

BOOST_AUTO_TEST_CASE(no_lookahead_for_random_cut_points) {
  // A run on the bars up to T has exactly the full run's trades that exited
  // before T, and the same equity before T: nothing after T leaked in.
  std::mt19937_64 rng(2024);
  const auto& bars = gc_bars();
  for (const char* strategy : {"supply_demand_zones", "dual_sma"}) {
    const char* params = std::string(strategy) == "dual_sma" ? "{}" : R"({"max_concurrent_trades": 3})";
    auto config = config_for(strategy, params);
    auto full = run_backtest(config, bars);
    for (int k = 0; k < 12; ++k) {
      std::size_t cut = 200 + rng() % (bars.size() - 400);
      const unix_time t_cut = bars.times()[cut];
      auto part = run_backtest(config, bars.slice(INT64_MIN, t_cut));
      std::vector<std::string> expected, actual;
      for (const auto& t : full.output.trades)
        if (t.exit_time < t_cut)
          expected.push_back(serialize(t));
      for (const auto& t : part.output.trades)
        if (t.exit_time < t_cut)
          actual.push_back(serialize(t));
      BOOST_TEST(!expected.empty());
      BOOST_TEST(expected == actual, strategy << " cut at bar " << cut);
      for (std::size_t i = 0; i < cut; ++i)
        BOOST_REQUIRE(full.output.equity[i].equity == part.output.equity[i].equity);
      auto full_zones = full.zones;
      std::size_t seen_before = 0;
      for (const auto& z : part.zones)
        if (z.created_at <= t_cut) {
          BOOST_REQUIRE(seen_before < full_zones.size());
          BOOST_TEST(full_zones[seen_before].created_at == z.created_at);
          BOOST_TEST(full_zones[seen_before].top == z.top);
          ++seen_before;
        }
    }
  }
}

BOOST_AUTO_TEST_CASE(zero_trade_run) {
  // A steadily rising series has no swing highs or lows: no zones, no trades.
  bar_series rising("GC", timeframe::h1);
  for (int i = 0; i < 300; ++i) {
    fixed p = fixed::from_int(1000 + i);
    rising.push_back(bar{1'704'153'600 + i * 3600, p, p + fixed::from_int(1), p, p + fixed::from_int(1),
                         fixed::from_int(10)});
  }
  auto r = run_backtest(config_for("supply_demand_zones"), rising);
  BOOST_TEST(r.output.trades.empty());
  BOOST_TEST(r.output.equity.size() == 300u);
  for (const auto& p : r.output.equity) {
    BOOST_REQUIRE(p.equity == fixed::from_int(50'000));
    BOOST_REQUIRE(p.drawdown_pct == 0.0);
  }
  BOOST_TEST(r.metrics.total_trades == 0);
  BOOST_TEST(!r.metrics.win_rate);
  BOOST_TEST(r.metrics.max_drawdown_pct == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
