#include "domain/data/synthetic_bars.hpp"

#include "domain/data/bar_import.hpp"
#include "domain/data/instrument.hpp"

#include <boost/test/unit_test.hpp>

using namespace bt;

BOOST_AUTO_TEST_SUITE(synthetic_bars)

BOOST_AUTO_TEST_CASE(deterministic_for_a_seed) {
  synthetic_spec spec;
  spec.bars = 2000;
  BOOST_TEST(to_csv(generate_bars(spec)) == to_csv(generate_bars(spec)));
  synthetic_spec other = spec;
  other.seed = 43;
  BOOST_TEST(to_csv(generate_bars(spec)) != to_csv(generate_bars(other)));
}

BOOST_AUTO_TEST_CASE(valid_bars_on_the_cme_calendar_and_tick) {
  synthetic_spec spec;
  spec.bars = 12'000;
  auto bars = generate_bars(spec);
  BOOST_REQUIRE(bars.size() == 12'000u);
  trading_calendar cme(calendar_kind::cme_globex);
  const fixed tick = lookup_instrument("GC").tick_size;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    bar b = bars.at(i);
    BOOST_REQUIRE(cme.expects_bar(b.time, 3600));
    BOOST_REQUIRE(b.high >= std::max(b.open, b.close));
    BOOST_REQUIRE(b.low <= std::min(b.open, b.close));
    BOOST_REQUIRE(b.low.units > 0);
    BOOST_REQUIRE(b.open.units % tick.units == 0);
    BOOST_REQUIRE(b.high.units % tick.units == 0);
    if (i > 0)
      BOOST_REQUIRE(b.time > bars.times()[i - 1]);
  }
  BOOST_TEST(detect_gaps(bars).empty());
  // Roughly two years of GC hours.
  BOOST_TEST(bars.times()[bars.size() - 1] - bars.times()[0] > 700 * seconds_per_day);
}

BOOST_AUTO_TEST_SUITE_END()
