#include "domain/report/chart.hpp"

#include "bars.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace bt;
using bt::test::px;

namespace {
equity_curve curve_of(const std::vector<int>& values, unix_time step = 3600) {
  equity_curve c;
  unix_time t = 1'704'153'600;
  for (int v : values) {
    c.push_back({t, fixed::from_int(v), 0});
    t += step;
  }
  return c;
}
} // namespace

BOOST_AUTO_TEST_SUITE(chart)

BOOST_AUTO_TEST_CASE(downsampling_keeps_the_extremes) {
  std::vector<int> values(1000, 100);
  values[0] = 100;
  values[321] = 40;  // the deepest point
  values[777] = 250; // the highest
  values[999] = 120;
  auto small = downsample_equity(curve_of(values), 50);
  BOOST_TEST(small.size() <= 50u);
  BOOST_TEST(small.front().equity == fixed::from_int(100));
  BOOST_TEST(small.back().equity == fixed::from_int(120));
  bool low = false, high = false;
  for (std::size_t i = 0; i < small.size(); ++i) {
    low |= small[i].equity == fixed::from_int(40);
    high |= small[i].equity == fixed::from_int(250);
    if (i > 0)
      BOOST_TEST(small[i].time > small[i - 1].time);
  }
  BOOST_TEST(low);
  BOOST_TEST(high);
  BOOST_TEST(downsample_equity(curve_of({1, 2, 3}), 50).size() == 3u);
}

BOOST_AUTO_TEST_CASE(candles_merge_groups) {
  auto bars =
      test::hourly({{"10", "12", "9", "11"}, {"11", "15", "10", "14"}, {"14", "14", "8", "9"}});
  auto two = downsample_candles(bars, 2);
  BOOST_REQUIRE(two.size() == 2u);
  BOOST_TEST(to_string(two.highs()[0]) == "15.00000000");
  BOOST_TEST(to_string(two.lows()[0]) == "9.00000000");
  BOOST_TEST(to_string(two.closes()[0]) == "14.00000000");
  BOOST_TEST(to_string(two.volumes()[0]) == "200.00000000");
}

BOOST_AUTO_TEST_CASE(benchmark_and_monthly_returns) {
  auto bars = test::hourly({{"100", "101", "99", "110"}, {"110", "121", "109", "120"}});
  auto bh = buy_and_hold(bars, px("1000"));
  BOOST_REQUIRE(bh.size() == 2u);
  BOOST_TEST(bh[0].second == 1100.0);
  BOOST_TEST(bh[1].second == 1200.0);
  // Jan 31 and Feb 1..: one point per day.
  equity_curve c{{1'706'659'200, px("1100"), 0},  // 2024-01-31
                 {1'706'745'600, px("990"), 0},   // 2024-02-01
                 {1'709'164'800, px("1089"), 0}}; // 2024-02-29
  auto m = monthly_returns(c, px("1000"));
  BOOST_REQUIRE(m.size() == 2u);
  BOOST_TEST(m[0].year == 2024);
  BOOST_TEST(m[0].month == 1u);
  BOOST_TEST(m[0].return_pct == 10.0);
  BOOST_TEST(m[1].month == 2u);
  BOOST_TEST(m[1].return_pct == -1.0);
}

BOOST_AUTO_TEST_CASE(markers_land_on_the_candles_drawn) {
  bar_series bars("GC", timeframe::h1);
  for (int i = 0; i < 512; ++i) {
    const fixed p = fixed::from_int(100 + i % 7);
    bars.push_back(bar{1'704'153'600 + i * 3600, p, p, p, p, fixed::from_int(1)});
  }
  const bar_series candles = downsample_candles(bars, 100); // 6 bars a candle
  BOOST_REQUIRE(candles.size() < bars.size());
  std::set<unix_time> drawn(candles.times(), candles.times() + candles.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const unix_time t = bars.times()[i];
    const unix_time c = candle_time_of(candles, t);
    BOOST_REQUIRE(drawn.count(c) == 1u);
    BOOST_REQUIRE(c <= t);
    BOOST_REQUIRE(t - c < 6 * 3600);
  }
  BOOST_TEST(candle_time_of(candles, bars.times()[0] - 10) == candles.times()[0]);
}

BOOST_AUTO_TEST_SUITE_END()
