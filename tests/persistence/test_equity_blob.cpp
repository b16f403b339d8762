// The equity curve's stored columns: every point back exactly, and a blob
// that is not a curve refused.
#include "persistence/equity_blob.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>
#include <stdexcept>

using namespace bt;

namespace {

equity_curve sample() {
  equity_curve c;
  c.push_back({1'704'200'400, fixed::from_units(10'000'000'000'000), 0});
  c.push_back({1'704'204'000, fixed::from_units(9'987'654'321'012), 0.12345678901234568});
  c.push_back({1'704'463'200, fixed::from_units(-5), 100.00000000000005}); // a weekend's gap
  c.push_back({1'704'466'800, fixed::from_units(std::numeric_limits<std::int64_t>::max()), 0});
  return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(equity_blob)

BOOST_AUTO_TEST_CASE(every_point_round_trips_exactly) {
  const auto curve = sample();
  const std::string blob = db::encode_equity(curve);
  BOOST_TEST(blob.size() == curve.size() * db::equity_bytes_per_point);
  const auto back = db::decode_equity(blob);
  BOOST_REQUIRE(back.size() == curve.size());
  for (std::size_t i = 0; i < curve.size(); ++i) {
    BOOST_TEST(back[i].time == curve[i].time);
    BOOST_TEST(back[i].equity.units == curve[i].equity.units);
    BOOST_TEST(back[i].drawdown_pct == curve[i].drawdown_pct); // bit for bit
  }
  BOOST_TEST(db::decode_equity(db::encode_equity({})).empty());
}

BOOST_AUTO_TEST_CASE(the_time_column_holds_steps_big_endian) {
  // What the migration builds with int8send(): the first time from 0, then
  // the step from the point before.
  const std::string blob = db::encode_equity(sample());
  BOOST_TEST(blob.substr(8, 8) == std::string("\0\0\0\0\0\0\x0e\x10", 8)); // 3600
}

BOOST_AUTO_TEST_CASE(a_blob_that_is_not_a_curve_is_refused) {
  std::string blob = db::encode_equity(sample());
  BOOST_CHECK_THROW(db::decode_equity(blob.substr(0, blob.size() - 1)), std::runtime_error);
  auto backwards = sample();
  backwards[2].time = backwards[1].time;
  BOOST_CHECK_THROW(db::decode_equity(db::encode_equity(backwards)), std::runtime_error);
  auto not_finite = sample();
  not_finite[1].drawdown_pct = std::numeric_limits<double>::quiet_NaN();
  BOOST_CHECK_THROW(db::decode_equity(db::encode_equity(not_finite)), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
