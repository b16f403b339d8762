// A deployment's daily rules on constructed forward data: rollback
// against the benchmark, drawdown halving once per breach, Sharpe drift.
#include "domain/evaluation/risk_rules.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace bt;

namespace {

constexpr unix_time day0 = 1'704'067'200; // 2024-01-01

/// Judges every day in turn, as the rules run when bars arrive.
std::vector<risk_decision> replay(const std::vector<deployment_day>& all, double expected,
                                  risk_state& state) {
  std::vector<risk_decision> out;
  for (std::size_t n = 1; n <= all.size(); ++n) {
    const std::vector<deployment_day> so_far(all.begin(), all.begin() + static_cast<long>(n));
    for (const auto& d : judge_day(so_far, expected, state))
      out.push_back(d);
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(risk_rules)

BOOST_AUTO_TEST_CASE(trailing_the_benchmark_by_more_than_fifteen_points_rolls_back) {
  // Flat equity while the benchmark climbs 0.6 % a day: 30 days later it
  // is 19.7 % up, the deployment 0 %.
  std::vector<deployment_day> days;
  for (int d = 0; d < 40; ++d)
    days.push_back({day0 + d * seconds_per_day, 100'000, 100 * std::pow(1.006, d)});
  risk_state state;
  const auto out = replay(days, 0, state);
  BOOST_REQUIRE(out.size() == 1u);
  BOOST_TEST((out[0].action == risk_action::deactivate));
  BOOST_TEST(out[0].day == day0 + 30 * seconds_per_day); // the first day with 30 behind it
  BOOST_TEST(out[0].value < -15.0);
  BOOST_TEST(!state.active);
  // 0.4 % a day: 12.7 % over 30 days, within the limit.
  for (int d = 0; d < 40; ++d)
    days[d].benchmark = 100 * std::pow(1.004, d);
  risk_state calm;
  BOOST_TEST(replay(days, 0, calm).empty());
}

BOOST_AUTO_TEST_CASE(a_twenty_percent_drawdown_halves_the_size_once_per_breach) {
  std::vector<deployment_day> days;
  const double path[] = {100, 110, 95, 87, 86, 90, 100, 112, 89, 80};
  for (int d = 0; d < 10; ++d)
    days.push_back({day0 + d * seconds_per_day, path[d] * 1000, 100});
  risk_state state;
  const auto out = replay(days, 0, state);
  // 87 is 20.9 % below 110 (day 3); recovered by day 6; 89 is 20.5 % below 112 (day 8).
  BOOST_REQUIRE(out.size() == 2u);
  BOOST_TEST(out[0].day == day0 + 3 * seconds_per_day);
  BOOST_TEST(out[1].day == day0 + 8 * seconds_per_day);
  BOOST_TEST((out[0].action == risk_action::halve_size));
  BOOST_TEST(state.size_factor == 0.25);
}

BOOST_AUTO_TEST_CASE(a_sharpe_below_half_the_expectation_raises_one_drift_alert) {
  // Steady gains with a little noise (a high Sharpe), then 100 days with
  // the gains gone: once fewer than a quarter of the last 90 days are good
  // ones, the Sharpe ratio falls below 1, half the expected 2.
  std::vector<deployment_day> days;
  double equity = 100'000;
  for (int d = 0; d < 200; ++d) {
    const double r = (d < 100 ? 0.002 : -0.0005) + (d % 2 ? 0.003 : -0.003);
    equity *= 1 + r;
    days.push_back({day0 + d * seconds_per_day, equity, 100});
  }
  risk_state state;
  const auto out = replay(days, 2.0, state);
  for (const auto& o : out)
    BOOST_TEST_MESSAGE(to_string(o.action) << " day " << (o.day - day0) / seconds_per_day << " "
                                           << o.value << " " << o.limit);
  BOOST_REQUIRE(out.size() == 1u);
  BOOST_TEST((out[0].action == risk_action::drift_alert));
  BOOST_TEST(out[0].day > day0 + 100 * seconds_per_day);
  BOOST_TEST(out[0].value < 1.0);
  BOOST_TEST(out[0].limit == 1.0);
  BOOST_TEST(state.in_drift);
  // Without an expectation there is no drift to judge.
  risk_state none;
  BOOST_TEST(replay(days, 0, none).empty());
}

BOOST_AUTO_TEST_SUITE_END()
