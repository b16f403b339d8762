// Volatility regimes on constructed daily series: the volatility of a
// known return pattern, classification by the percentiles so far, the
// two triggers, and causality (a later bar changes no earlier day).
#include "domain/research/regimes.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

using namespace bt;

namespace {

/// One 1-hour bar at 21:00 UTC per calendar day, closes compounding `returns`.
bar_series daily(const std::vector<double>& returns) {
  bar_series s("TEST", timeframe::h1);
  double close = 1000;
  unix_time t = 1'704'146'400; // 2024-01-01T22:00:00Z
  s.push_back(bar{t, fixed::from_double(close), fixed::from_double(close),
                  fixed::from_double(close), fixed::from_double(close), fixed::from_int(1)});
  for (double r : returns) {
    t += 86'400;
    close *= 1.0 + r;
    const fixed c = fixed::from_double(std::round(close * 1e4) / 1e4);
    s.push_back(bar{t, c, c, c, c, fixed::from_int(1)});
  }
  return s;
}

/// Alternating +a, -a returns for `days` days.
void alternate(std::vector<double>& out, double a, int days) {
  for (int i = 0; i < days; ++i)
    out.push_back(i % 2 ? -a : a);
}

} // namespace

BOOST_AUTO_TEST_SUITE(regimes)

BOOST_AUTO_TEST_CASE(volatility_is_the_annualised_deviation_of_the_windows_returns) {
  std::vector<double> r;
  alternate(r, 0.01, 40);
  const auto days = classify_regimes(daily(r));
  BOOST_REQUIRE(days.size() == 41u);
  BOOST_TEST(!days[0].return_pct);
  BOOST_TEST(!days[10].volatility_pct); // 10 returns: fewer than 15
  // The 30 returns of the last 30 days, +-1 % (closes to 4 decimals): the
  // sample deviation sqrt(30/29) %, times sqrt(252).
  const double vol = *days[40].volatility_pct;
  BOOST_TEST(std::abs(vol - std::sqrt(252.0 * 30.0 / 29.0)) < 0.01, vol);
  BOOST_TEST(!days[40].regime); // 26 volatility days so far: fewer than 30 classify nothing
}

BOOST_AUTO_TEST_CASE(a_calm_then_violent_market_climbs_to_high_and_triggers) {
  std::vector<double> r;
  alternate(r, 0.005, 80); // calm
  alternate(r, 0.03, 40);  // six times as violent
  const auto days = classify_regimes(daily(r));
  // Classified once 30 volatility days exist; calm and steady: no trigger.
  std::size_t first_classified = 0;
  for (std::size_t i = 0; i < days.size() && !first_classified; ++i)
    if (days[i].regime)
      first_classified = i;
  BOOST_REQUIRE(first_classified > 0);
  for (std::size_t i = first_classified; i <= 80; ++i)
    BOOST_TEST((days[i].trigger == regime_trigger::none), "day " << i);
  // The violent days lift volatility over the 75th percentile: a regime change
  // first, and the end is high.
  std::size_t changed = 0;
  for (std::size_t i = 81; i < days.size() && !changed; ++i)
    if (days[i].trigger != regime_trigger::none)
      changed = i;
  BOOST_REQUIRE(changed > 0);
  BOOST_TEST((days[changed].trigger == regime_trigger::regime_change));
  BOOST_TEST((*days[changed].regime == volatility_regime::high));
  BOOST_TEST((*days.back().regime == volatility_regime::high));
  const auto& t = *days.back().thresholds;
  BOOST_TEST(t[0] <= t[1]);
  BOOST_TEST(t[1] <= t[2]);
}

BOOST_AUTO_TEST_CASE(a_move_of_more_than_twenty_percent_triggers_a_volatility_change) {
  // Steady volatility whose level steps up by 30 % without crossing into
  // the top quarter (the history is dominated by an earlier violent spell).
  std::vector<double> r;
  alternate(r, 0.04, 60);  // violent: these set the upper percentiles
  alternate(r, 0.01, 60);  // calm
  alternate(r, 0.013, 40); // 30 % livelier, still far below the violent days
  const auto days = classify_regimes(daily(r));
  int volatility_changes = 0;
  for (std::size_t i = 121; i < days.size(); ++i) {
    BOOST_TEST((days[i].trigger != regime_trigger::regime_change), "day " << i);
    volatility_changes += days[i].trigger == regime_trigger::volatility_change;
  }
  BOOST_TEST(volatility_changes >= 1);
  // A step of 10 % does not.
  std::vector<double> small;
  alternate(small, 0.04, 60);
  alternate(small, 0.01, 60);
  alternate(small, 0.011, 40);
  const auto quiet = classify_regimes(daily(small));
  for (std::size_t i = 151; i < quiet.size(); ++i)
    BOOST_TEST((quiet[i].trigger == regime_trigger::none), "day " << i);
}

BOOST_AUTO_TEST_CASE(a_later_bar_changes_no_earlier_day) {
  std::vector<double> r;
  alternate(r, 0.01, 70);
  std::vector<double> longer = r;
  alternate(longer, 0.05, 30);
  const auto a = classify_regimes(daily(r)), b = classify_regimes(daily(longer));
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST((a[i].volatility_pct == b[i].volatility_pct));
    BOOST_TEST((a[i].regime == b[i].regime));
    BOOST_TEST((a[i].thresholds == b[i].thresholds));
    BOOST_TEST((a[i].trigger == b[i].trigger));
  }
}

BOOST_AUTO_TEST_SUITE_END()
