// A paper deployment run forward on constructed bars: it trades only from
// the day after it was deployed, a halving sizes new positions from the
// next day, a rollback ends it on its day with its position closed, and
// advancing day by day as bars arrive decides exactly what advancing once
// over all of them does.
#include "domain/evaluation/paper_deployment.hpp"

#include "domain/strategies/registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace bt;

namespace {

constexpr unix_time day0 = 1'704'067'200; // 2024-01-01T00:00:00Z

/// Hourly bars, 24 a day from day0: price(h) for hour h since day0.
template <class F>
bar_series hourly_path(int days, F price) {
  bar_series s("TEST", timeframe::h1);
  for (int h = 0; h < days * 24; ++h) {
    const fixed p = fixed::from_double(std::round(price(h) * 100) / 100);
    s.push_back(bar{day0 + h * 3600, p, p, p, p, fixed::from_int(1)});
  }
  return s;
}

paper_deployment deployment(int quantity, std::int64_t capital, unix_time deployed_at) {
  paper_deployment d;
  d.config.symbol = "TEST";
  d.config.strategy = find_strategy("dual_sma");
  boost::json::value given = {
      {"fast_period", 2}, {"slow_period", 3}, {"mode", "long_only"}, {"quantity", quantity}};
  BOOST_REQUIRE(resolve_params(*d.config.strategy, &given, d.config.params).empty());
  d.config.execution.initial_capital = fixed::from_int(capital);
  d.config.execution.commission_per_contract = fixed{};
  d.config.execution.slippage_ticks = fixed{};
  d.config.execution.tick_size = fixed::from_units(1'000'000); // 0.01
  d.config.execution.multiplier = fixed::from_int(10);
  d.history_from = day0;
  d.deployed_at = deployed_at;
  return d;
}

/// Falls for 10 days (no position: long only), then climbs 0.1 % an hour,
/// gaps 25 % down at hour 5 of day 15, and climbs again from day 16.
double gap_path(int h) {
  const int day = h / 24;
  if (day < 10)
    return 100 - 0.05 * h;
  const double base = 88 * std::pow(1.001, h - 240);
  if (h < 15 * 24 + 5)
    return base;
  if (h < 16 * 24)
    return base * 0.75 * std::pow(0.9995, h - (15 * 24 + 5)); // down, so it goes flat
  return base * 0.7 * std::pow(1.001, h - 16 * 24);
}

} // namespace

BOOST_AUTO_TEST_SUITE(paper_deployment)

BOOST_AUTO_TEST_CASE(it_trades_only_from_the_day_after_it_was_deployed) {
  const auto bars = hourly_path(14, gap_path);
  const auto d = deployment(10, 10'000, day0 + 9 * seconds_per_day + 12 * 3600);
  const auto run = run_forward(bars, d);
  BOOST_REQUIRE(!run.output.trades.empty());
  for (const auto& t : run.output.trades)
    BOOST_TEST(t.entry_time >= day0 + 10 * seconds_per_day);
  BOOST_TEST(run.output.equity.front().time == day0 + 10 * seconds_per_day);
  // The start (its capital), then one close per day it traded.
  BOOST_REQUIRE(run.days.size() == 5u);
  BOOST_TEST(run.days[0].day == day0 + 9 * seconds_per_day);
  BOOST_TEST(run.days[0].equity == 10'000.0);
  BOOST_TEST(run.days[1].day == day0 + 10 * seconds_per_day);
  // Buy and hold from the last close before it traded.
  const double reference = bars.closes()[10 * 24 - 1].to_double();
  BOOST_TEST(run.days[4].benchmark == 10'000 * bars.closes()[14 * 24 - 1].to_double() / reference,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(!run.complete_last_day); // nothing after day 13 yet
}

BOOST_AUTO_TEST_CASE(a_drawdown_halves_new_positions_from_the_next_day) {
  const auto bars = hourly_path(22, gap_path);
  auto d = deployment(10, 10'000, day0 + 9 * seconds_per_day);
  risk_state state;
  unix_time judged = 0;
  const auto r = advance(bars, d, state, judged);
  BOOST_REQUIRE(!r.decisions.empty());
  BOOST_TEST((r.decisions[0].action == risk_action::halve_size));
  BOOST_TEST(r.decisions[0].day == day0 + 15 * seconds_per_day);
  BOOST_TEST(r.decisions[0].value >= 20.0);
  BOOST_REQUIRE(d.sizing.size() == 1u);
  BOOST_TEST(d.sizing[0].from == day0 + 16 * seconds_per_day);
  BOOST_TEST(d.sizing[0].factor == 0.5);
  BOOST_TEST(state.size_factor == 0.5);
  bool halved_trade = false;
  for (const auto& t : r.run.output.trades) {
    const bool after = t.entry_time >= day0 + 16 * seconds_per_day;
    BOOST_TEST(t.quantity == fixed::from_int(after ? 5 : 10));
    halved_trade = halved_trade || after;
  }
  BOOST_TEST(halved_trade);
  // The last day (21) is not judged: more of its bars may come.
  BOOST_TEST(judged == day0 + 20 * seconds_per_day);
}

BOOST_AUTO_TEST_CASE(a_halving_below_one_contract_skips_the_signal) {
  const auto bars = hourly_path(22, gap_path);
  auto d = deployment(1, 10'000, day0 + 9 * seconds_per_day);
  d.sizing.push_back({day0 + 12 * seconds_per_day, 0.5});
  const auto run = run_forward(bars, d);
  for (const auto& t : run.output.trades)
    BOOST_TEST(t.entry_time < day0 + 12 * seconds_per_day);
  BOOST_TEST(run.output.skipped_signals > 0);
}

BOOST_AUTO_TEST_CASE(trailing_the_benchmark_rolls_it_back_with_its_position_closed) {
  // One contract on a million: its return is nothing while the market
  // climbs 43 % in 30 days.
  const auto bars = hourly_path(
      60, [](int h) { return h < 240 ? 100 - 0.05 * h : 88 * std::pow(1.0005, h - 240); });
  auto d = deployment(1, 1'000'000, day0 + 9 * seconds_per_day);
  risk_state state;
  unix_time judged = 0;
  const auto r = advance(bars, d, state, judged);
  BOOST_REQUIRE(r.decisions.size() == 1u);
  BOOST_TEST((r.decisions[0].action == risk_action::deactivate));
  // The first day with 30 days behind it: 30 days after the start (day 9).
  BOOST_TEST(r.decisions[0].day == day0 + 39 * seconds_per_day);
  BOOST_REQUIRE(d.ended_at.has_value());
  BOOST_TEST(*d.ended_at == day0 + 40 * seconds_per_day - 1); // the end of its day
  BOOST_TEST(!state.active);
  // Its run stops at the end of that day, the position closed there.
  BOOST_TEST(r.run.output.equity.back().time == day0 + 40 * seconds_per_day - 3600);
  BOOST_REQUIRE(!r.run.output.trades.empty());
  BOOST_TEST(r.run.output.trades.back().exit_time == day0 + 40 * seconds_per_day - 3600);
  BOOST_TEST((r.run.output.trades.back().exit_reason == exit_reason::end_of_data));
  // Nothing more is judged once it has ended.
  unix_time again = judged;
  BOOST_TEST(advance(bars, d, state, again).decisions.empty());
}

BOOST_AUTO_TEST_CASE(a_benchmark_basket_is_valued_from_its_closes_before_the_start) {
  const auto bars = hourly_path(14, gap_path);
  const auto d = deployment(10, 10'000, day0 + 9 * seconds_per_day);
  // The program's own series as a basket of one: buy and hold again.
  benchmark_basket same{{bars, 1}};
  const auto own = run_forward(bars, d);
  const auto basket = run_forward(bars, d, &same);
  BOOST_REQUIRE(basket.days.size() == own.days.size());
  for (std::size_t i = 0; i < own.days.size(); ++i)
    BOOST_TEST(basket.days[i].benchmark == own.days[i].benchmark,
               boost::test_tools::tolerance(1e-9));
  // Two series weighted 3:1, one flat at 50 and one doubling from 20 to
  // 40 on day 11: 10,000 x (3 x 1 + 1 x 2) / 4 from day 11.
  bar_series flat("A", timeframe::d1), doubling("B", timeframe::d1);
  for (int k = 0; k < 14; ++k) {
    const fixed a = fixed::from_int(50), b = fixed::from_int(k < 11 ? 20 : 40);
    flat.push_back(bar{day0 + k * seconds_per_day, a, a, a, a, fixed::from_int(1)});
    doubling.push_back(bar{day0 + k * seconds_per_day, b, b, b, b, fixed::from_int(1)});
  }
  benchmark_basket two{{flat, 3}, {doubling, 1}};
  const auto weighted = run_forward(bars, d, &two);
  BOOST_TEST(weighted.days[1].benchmark == 10'000.0); // day 10
  BOOST_TEST(weighted.days[2].benchmark == 12'500.0); // day 11
  // A leg without a price before the start: unknown, so never judged.
  bar_series late("C", timeframe::d1);
  late.push_back(bar{day0 + 12 * seconds_per_day, fixed::from_int(5), fixed::from_int(5),
                     fixed::from_int(5), fixed::from_int(5), fixed::from_int(1)});
  benchmark_basket unknown{{late, 1}};
  BOOST_TEST(run_forward(bars, d, &unknown).days.back().benchmark == 0.0);
}

BOOST_AUTO_TEST_CASE(advancing_as_bars_arrive_decides_what_one_pass_decides) {
  const auto all = hourly_path(30, gap_path);
  auto once = deployment(10, 10'000, day0 + 9 * seconds_per_day);
  risk_state once_state;
  unix_time once_judged = 0;
  const auto whole = advance(all, once, once_state, once_judged);

  auto stepwise = deployment(10, 10'000, day0 + 9 * seconds_per_day);
  risk_state state;
  unix_time judged = 0;
  std::vector<risk_decision> decisions;
  for (int hours = 11 * 24 + 7; hours <= 30 * 24; hours += 17) { // uploads at odd hours
    const auto so_far = all.slice(day0, day0 + (hours - 1) * 3600);
    for (const auto& x : advance(so_far, stepwise, state, judged).decisions)
      decisions.push_back(x);
  }
  for (const auto& x : advance(all, stepwise, state, judged).decisions)
    decisions.push_back(x);
  BOOST_REQUIRE(decisions.size() == whole.decisions.size());
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    BOOST_TEST((decisions[i].action == whole.decisions[i].action));
    BOOST_TEST(decisions[i].day == whole.decisions[i].day);
    BOOST_TEST(decisions[i].value == whole.decisions[i].value);
  }
  BOOST_TEST(judged == once_judged);
  BOOST_REQUIRE(stepwise.sizing.size() == once.sizing.size());
  BOOST_TEST(run_forward(all, stepwise).days.back().equity
             == run_forward(all, once).days.back().equity);
}

BOOST_AUTO_TEST_CASE(daily_returns_for_correlation_start_on_the_given_day) {
  const auto bars = hourly_path(30, gap_path);
  const auto d = deployment(10, 10'000, day0 + 9 * seconds_per_day);
  const auto r = configuration_daily_returns(bars, d, day0 + 20 * seconds_per_day);
  BOOST_REQUIRE(r.size() == 10u); // days 20..29
  BOOST_TEST(r.front().first == day0 + 20 * seconds_per_day);
  BOOST_TEST(r.back().first == day0 + 29 * seconds_per_day);
}

BOOST_AUTO_TEST_SUITE_END()
