#include "domain/indicators/atr.hpp"
#include "domain/indicators/rolling_sum.hpp"

#include "bars.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <vector>

using namespace bt;
using bt::test::px;

BOOST_AUTO_TEST_SUITE(indicators)

BOOST_AUTO_TEST_CASE(atr_wilder_by_hand) {
  atr_indicator atr(3);
  BOOST_TEST(!atr.update(px("10"), px("8"), px("9")));   // TR 2
  BOOST_TEST(!atr.update(px("11"), px("9"), px("10")));  // TR 2
  auto first = atr.update(px("12"), px("10"), px("11")); // TR 2 -> mean 2
  BOOST_REQUIRE(first);
  BOOST_TEST(*first == 2.0);
  auto next = atr.update(px("11"), px("7"), px("8")); // TR max(4, 0, 4) = 4
  BOOST_TEST(*next == (2.0 * 2 + 4) / 3, boost::test_tools::tolerance(1e-12));
  auto gap = atr.update(px("15"), px("14"), px("14.5")); // TR max(1, |15-8|, |14-8|) = 7
  BOOST_TEST(*gap == (*next * 2 + 7) / 3, boost::test_tools::tolerance(1e-12));
}

namespace {
std::vector<fixed> prices(std::initializer_list<const char*> texts) {
  std::vector<fixed> v;
  for (const char* t : texts)
    v.push_back(px(t));
  return v;
}
// Feeds values[0..n) the way a strategy does: the closes so far, at most
// period + 1 of them.
void feed(rolling_sum& sum, const std::vector<fixed>& values, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t size = std::min<std::size_t>(i + 1, sum.period() + 1);
    sum.update(values.data() + i + 1 - size, size);
  }
}
} // namespace

BOOST_AUTO_TEST_CASE(rolling_sums_and_exact_sma_comparison) {
  const auto closes = prices({"0.1", "0.2", "0.15"});
  rolling_sum fast(2), slow(3);
  feed(fast, closes, 3);
  feed(slow, closes, 3);
  BOOST_TEST(fast.ready());
  BOOST_TEST(slow.ready());
  BOOST_TEST((fast.sum() == px("0.35").units));
  // fast (0.2+0.15)/2 = 0.175 > slow 0.45/3 = 0.15
  BOOST_TEST(compare_sma(fast, slow) == 1);
  // Exact tie: fast (0.1+0.2)/2 = 0.15 = slow (0.15+0.1+0.2)/3.
  const auto tie = prices({"0.15", "0.1", "0.2"});
  rolling_sum f2(2), s3(3);
  feed(f2, tie, 3);
  feed(s3, tie, 3);
  BOOST_TEST(compare_sma(f2, s3) == 0);
  rolling_sum a(3);
  feed(a, tie, 1);
  BOOST_TEST(!a.ready());
}

BOOST_AUTO_TEST_CASE(rolling_sum_slides_over_a_long_series_exactly) {
  // Against a sum recomputed from scratch at every step.
  std::vector<fixed> v;
  for (int i = 0; i < 500; ++i)
    v.push_back(fixed::from_units((i * 7919) % 100003 * 1000 + 1));
  rolling_sum s(17);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::size_t size = std::min<std::size_t>(i + 1, 18);
    s.update(v.data() + i + 1 - size, size);
    std::int64_t expected = 0;
    for (std::size_t j = i + 1 > 17 ? i + 1 - 17 : 0; j <= i; ++j)
      expected += v[j].units;
    BOOST_TEST_REQUIRE((s.sum() == expected));
    BOOST_TEST(s.ready() == (i + 1 >= 17));
  }
}

BOOST_AUTO_TEST_CASE(rolling_sum_needs_the_leaving_value) {
  rolling_sum s(2);
  const auto v = prices({"1", "2", "3"});
  feed(s, v, 2);
  // Full window, but the leaving value was not passed.
  BOOST_CHECK_THROW(s.update(v.data() + 1, 2), std::logic_error);
}

BOOST_AUTO_TEST_CASE(sums_beyond_the_fixed_range_stay_exact) {
  // 2,000 closes at the fixed range's largest magnitude: the sum needs 74
  // bits, and an SMA of them still compares exactly (a 64-bit sum wrapped).
  const fixed top = fixed::from_units(fixed_max_units);
  const fixed below = fixed::from_units(fixed_max_units - 1);
  std::vector<fixed> v(2001, top);
  v.back() = below;
  rolling_sum slow(2000), fast(1000);
  feed(slow, v, 2000);
  feed(fast, v, 2000);
  BOOST_TEST((slow.sum() == static_cast<__int128>(fixed_max_units) * 2000));
  BOOST_TEST(compare_sma(fast, slow) == 0);
  rolling_sum s2(2000), f2(1000);
  feed(s2, v, 2001);
  feed(f2, v, 2001);
  // The last close is one unit lower: the fast mean drops twice as much.
  BOOST_TEST(compare_sma(f2, s2) == -1);
  BOOST_TEST((s2.sum() == static_cast<__int128>(fixed_max_units) * 2000 - 1));
}

BOOST_AUTO_TEST_CASE(a_sum_that_outgrows_64_bits_mid_slide_stays_exact) {
  // Ordinary prices, then a run of closes near the range's top that pushes
  // the sum past 64 bits while the window slides, then ordinary prices
  // again: every step and every comparison against 128-bit arithmetic.
  std::vector<fixed> v;
  for (int i = 0; i < 300; ++i) {
    const bool huge = i >= 100 && i < 160;
    v.push_back(
        fixed::from_units(huge ? fixed_max_units - i : 200'000'000'000 + (i * 7919) % 1000));
  }
  rolling_sum fast(5), slow(40);
  for (std::size_t i = 0; i < v.size(); ++i) {
    fast.update(v.data() + i + 1 - std::min<std::size_t>(i + 1, 6),
                std::min<std::size_t>(i + 1, 6));
    slow.update(v.data() + i + 1 - std::min<std::size_t>(i + 1, 41),
                std::min<std::size_t>(i + 1, 41));
    __int128 f = 0, s = 0;
    for (std::size_t j = i + 1 > 5 ? i + 1 - 5 : 0; j <= i; ++j)
      f += v[j].units;
    for (std::size_t j = i + 1 > 40 ? i + 1 - 40 : 0; j <= i; ++j)
      s += v[j].units;
    BOOST_TEST_REQUIRE((fast.sum() == f));
    BOOST_TEST_REQUIRE((slow.sum() == s));
    if (slow.ready()) {
      const __int128 lhs = f * 40, rhs = s * 5;
      BOOST_TEST_REQUIRE(compare_sma(fast, slow) == (lhs > rhs) - (lhs < rhs));
    }
  }
  BOOST_TEST(!slow.narrow_fits()); // the slide did go through 128 bits
}

BOOST_AUTO_TEST_SUITE_END()
