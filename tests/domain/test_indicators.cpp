#include "domain/indicators/atr.hpp"
#include "domain/indicators/rolling_sum.hpp"

#include "bars.hpp"

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_CASE(rolling_sums_and_exact_sma_comparison) {
  rolling_sum fast(2), slow(3);
  for (const char* c : {"0.1", "0.2", "0.15"}) {
    fast.update(px(c));
    slow.update(px(c));
  }
  BOOST_TEST(fast.ready());
  BOOST_TEST(slow.ready());
  BOOST_TEST(fast.sum() == px("0.35").units);
  // fast (0.2+0.15)/2 = 0.175 > slow 0.45/3 = 0.15
  BOOST_TEST(compare_sma(fast, slow) == 1);
  // Exact tie: fast (0.1+0.2)/2 = 0.15 = slow (0.15+0.1+0.2)/3.
  rolling_sum f2(2), s3(3);
  for (const char* c : {"0.15", "0.1", "0.2"}) {
    f2.update(px(c));
    s3.update(px(c));
  }
  BOOST_TEST(compare_sma(f2, s3) == 0);
  rolling_sum a(3);
  a.update(px("1"));
  BOOST_TEST(!a.ready());
}

BOOST_AUTO_TEST_SUITE_END()
