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
    const char* params =
        std::string(strategy) == "dual_sma" ? "{}" : R"({"max_concurrent_trades": 3})";
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

// Every combination of the documented range extremes either gives exact
// numbers (the accounting identities hold to the last unit, nothing sits at
// the fixed-point limit) or is refused with backtest_error: never a
// saturated value.
namespace {

struct extreme_outcome {
  int completed = 0, refused = 0;
};

void check_accounting(const backtest_result& r, const run_config& c) {
  const auto& m = r.metrics;
  BOOST_REQUIRE(m.net_profit == m.gross_profit + m.gross_loss);
  BOOST_REQUIRE(m.gross_profit.units >= 0);
  BOOST_REQUIRE(m.gross_loss.units <= 0);
  fixed sum;
  for (const auto& t : r.output.trades) {
    const bool is_long = t.side == side::long_side;
    const fixed gross = mul(is_long ? t.exit_price - t.entry_price : t.entry_price - t.exit_price,
                            t.quantity, c.execution.multiplier);
    BOOST_REQUIRE(t.pnl == gross - t.commission);
    BOOST_REQUIRE(t.commission
                  == mul(c.execution.commission_per_contract, t.quantity)
                         + mul(c.execution.commission_per_contract, t.quantity));
    BOOST_REQUIRE(std::llabs(t.pnl.units) < fixed_max_units);
    sum += t.pnl;
  }
  // Every trade is closed by the last bar: final equity is the initial
  // capital plus the trades' net P&L, with nothing left open.
  BOOST_REQUIRE(m.final_equity == c.execution.initial_capital + sum);
  BOOST_REQUIRE(m.final_equity == r.output.equity.back().equity);
  for (const auto& p : r.output.equity)
    BOOST_REQUIRE(std::llabs(p.equity.units) < fixed_max_units);
}

extreme_outcome run_extremes(const std::string& strategy,
                             const std::vector<std::string>& param_sets) {
  // (min, max) of every execution setting, as documented.
  const std::vector<std::pair<std::string, std::pair<double, double>>> ranges{
      {"initial_capital", {1'000, 10'000'000}}, {"commission_per_contract", {0, 1'000}},
      {"slippage_ticks", {0, 1'000}},           {"multiplier", {0.00000001, 1'000'000}},
      {"tick_size", {0.00000001, 10'000}},      {"quantity_step", {0.00000001, 1'000'000}}};
  bar_series bars = gc_bars().slice(gc_bars().times()[0], gc_bars().times()[2'999]);
  extreme_outcome out;
  for (const auto& params : param_sets)
    for (unsigned mask = 0; mask < (1u << ranges.size()); ++mask) {
      boost::json::object ex;
      for (std::size_t k = 0; k < ranges.size(); ++k)
        ex[ranges[k].first] = (mask >> k & 1u) ? ranges[k].second.second : ranges[k].second.first;
      boost::json::value exv = ex;
      boost::json::value pv = boost::json::parse(params);
      run_request req;
      req.symbol = "GC";
      req.strategy = strategy;
      req.params = &pv;
      req.execution = &exv;
      run_config c;
      BOOST_REQUIRE(resolve_config(req, c).empty());
      try {
        const backtest_result r = run_backtest(c, bars);
        check_accounting(r, c);
        ++out.completed;
      } catch (const backtest_error& e) {
        BOOST_REQUIRE(std::string(e.what()).find("exactly") != std::string::npos);
        ++out.refused;
      }
    }
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(range_extremes_are_exact_or_refused) {
  const auto sma =
      run_extremes("dual_sma", {R"({"quantity": 1, "fast_period": 2, "slow_period": 3})",
                                R"({"quantity": 10000, "fast_period": 2, "slow_period": 3})",
                                R"({"quantity": 10000, "fast_period": 499, "slow_period": 500})"});
  BOOST_TEST_MESSAGE("dual_sma extremes: " << sma.completed << " exact, " << sma.refused
                                           << " refused");
  BOOST_TEST(sma.completed > 0);
  BOOST_TEST(sma.refused > 0); // 10,000 contracts x 1,000,000 multiplier does not fit
  const auto zones = run_extremes(
      "supply_demand_zones",
      {R"({"risk_per_trade_pct": 0.05, "stop_atr_mult": 0.25, "take_profit_r": 0.25, "max_concurrent_trades": 1})",
       R"({"risk_per_trade_pct": 10, "stop_atr_mult": 10, "take_profit_r": 20, "max_concurrent_trades": 20})",
       R"({"risk_per_trade_pct": 10, "stop_atr_mult": 0.25, "take_profit_r": 20, "max_concurrent_trades": 20,
         "swing_strength": 1, "max_touches": 20})"});
  BOOST_TEST_MESSAGE("zones extremes: " << zones.completed << " exact, " << zones.refused
                                        << " refused");
  BOOST_TEST(zones.completed > 0);
}

BOOST_AUTO_TEST_CASE(saturating_case_from_the_report_is_refused) {
  // Was: a trade's P&L printed as -92233720368.54775807, gross profit negative.
  boost::json::value p = boost::json::parse(R"({"quantity": 10000})");
  boost::json::value ex = boost::json::parse(R"({"multiplier": 1000000})");
  run_request req;
  req.symbol = "GC";
  req.strategy = "dual_sma";
  req.params = &p;
  req.execution = &ex;
  run_config c;
  BOOST_REQUIRE(resolve_config(req, c).empty());
  BOOST_CHECK_THROW(run_backtest(c, gc_bars()), backtest_error);
}

BOOST_AUTO_TEST_CASE(all_skipped_signals_are_a_warning) {
  // GC 1d with 50,000 capital and 2 % risk: one contract risks too much.
  const bar_series daily = resample(gc_bars(), timeframe::d1);
  run_request req;
  req.symbol = "GC";
  req.timeframe = "1d";
  req.strategy = "supply_demand_zones";
  run_config c;
  BOOST_REQUIRE(resolve_config(req, c).empty());
  const auto r = run_backtest(c, daily);
  BOOST_REQUIRE(r.output.trades.empty());
  BOOST_REQUIRE(r.output.skipped_signals > 0);
  BOOST_REQUIRE(r.warnings.size() == 1u);
  BOOST_TEST(r.warnings[0].code == "all_signals_skipped");
  BOOST_TEST(r.warnings[0].count == r.output.skipped_signals);
  BOOST_TEST(r.warnings[0].message.find("initial_capital") != std::string::npos);
  // The default hourly run trades and has no such warning.
  const auto hourly = run_backtest(config_for("supply_demand_zones"), gc_bars());
  for (const auto& w : hourly.warnings)
    BOOST_TEST(w.code != "all_signals_skipped");
}

BOOST_AUTO_TEST_CASE(zero_trade_run) {
  // A steadily rising series has no swing highs or lows: no zones, no trades.
  bar_series rising("GC", timeframe::h1);
  for (int i = 0; i < 300; ++i) {
    fixed p = fixed::from_int(1000 + i);
    rising.push_back(bar{1'704'153'600 + i * 3600, p, p + fixed::from_int(1), p,
                         p + fixed::from_int(1), fixed::from_int(10)});
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
