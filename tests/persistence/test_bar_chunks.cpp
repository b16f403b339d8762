// The stored chunk layout: month keys, the columnar big-endian encoding and
// PostgreSQL's bytea hex text.
#include "persistence/bar_chunks.hpp"

#include "domain/report/hex.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using namespace bt;
using namespace bt::db;

namespace {

unix_time at(int y, unsigned m, unsigned d, int hour = 0) {
  return days_from_civil(y, m, d) * seconds_per_day + hour * 3600;
}

bar_series random_series(std::size_t n, unix_time start, unix_time step, unsigned seed) {
  std::mt19937_64 rng(seed);
  bar_series s("GC", timeframe::h1);
  for (std::size_t i = 0; i < n; ++i) {
    // The whole range of the units, negative ones and the extremes included:
    // the encoding must not care what a price means.
    const auto u = [&] { return static_cast<std::int64_t>(rng()); };
    s.push_back(bar{start + static_cast<unix_time>(i) * step, fixed{u()}, fixed{u()}, fixed{u()},
                    fixed{u()}, fixed{i == 0 ? INT64_MIN : u()}});
  }
  return s;
}

/// `bytes` as PostgreSQL's bytea hex output writes them.
std::string hex_text(const std::string& bytes) {
  return "\\x" + to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

void check_equal(const bar_series& a, const bar_series& b, std::size_t b_offset = 0) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bar x = a.at(i), y = b.at(i + b_offset);
    BOOST_TEST_REQUIRE(x.time == y.time);
    BOOST_TEST_REQUIRE(x.open.units == y.open.units);
    BOOST_TEST_REQUIRE(x.high.units == y.high.units);
    BOOST_TEST_REQUIRE(x.low.units == y.low.units);
    BOOST_TEST_REQUIRE(x.close.units == y.close.units);
    BOOST_TEST_REQUIRE(x.volume.units == y.volume.units);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(bar_chunks)

BOOST_AUTO_TEST_CASE(a_month_starts_at_its_first_utc_instant) {
  BOOST_TEST(month_start(at(2024, 2, 29, 23) + 3599) == at(2024, 2, 1));
  BOOST_TEST(month_start(at(2024, 3, 1)) == at(2024, 3, 1));
  BOOST_TEST(month_start(at(2024, 3, 1) - 1) == at(2024, 2, 1));
  BOOST_TEST(month_start(at(2023, 12, 31, 23)) == at(2023, 12, 1));
  // Before 1970 the division floors: 1969-12-31T23:00 is in December 1969.
  BOOST_TEST(month_start(-3600) == at(1969, 12, 1));
  BOOST_TEST(month_start(at(1, 1, 1)) == at(1, 1, 1));
  BOOST_TEST(month_start(at(9999, 12, 31, 23)) == at(9999, 12, 1));
}

BOOST_AUTO_TEST_CASE(the_layout_is_six_big_endian_columns) {
  bar_series s("GC", timeframe::h1);
  s.push_back(bar{0x0102030405060708, fixed{1}, fixed{2}, fixed{3}, fixed{4}, fixed{-1}});
  s.push_back(bar{0x1112131415161718, fixed{5}, fixed{6}, fixed{7}, fixed{8}, fixed{9}});
  const std::string c = encode_chunk(s, 0, 2);
  BOOST_TEST_REQUIRE(c.size() == 2 * chunk_bytes_per_bar);
  // What PostgreSQL's int8send() writes, column after column.
  BOOST_TEST(hex_text(c.substr(0, 16)) == "\\x01020304050607081112131415161718");
  BOOST_TEST(hex_text(c.substr(16, 8)) == "\\x0000000000000001"); // open of bar 0
  BOOST_TEST(hex_text(c.substr(24, 8)) == "\\x0000000000000005"); // open of bar 1
  BOOST_TEST(hex_text(c.substr(80, 8)) == "\\xffffffffffffffff"); // volume of bar 0
}

BOOST_AUTO_TEST_CASE(every_value_round_trips) {
  const bar_series s = random_series(5000, at(2024, 1, 1), 3600, 11);
  bar_series back("GC", timeframe::h1);
  decode_chunk(unhex_bytea(hex_text(encode_chunk(s, 0, s.size()))), INT64_MIN, INT64_MAX, SIZE_MAX,
               back);
  BOOST_TEST_REQUIRE(back.size() == s.size());
  check_equal(s, back);
}

BOOST_AUTO_TEST_CASE(decoding_keeps_the_range_and_the_limit) {
  const bar_series s = random_series(100, at(2024, 1, 1), 3600, 12);
  const std::string c = encode_chunk(s, 10, 60); // bars 10..59
  bar_series part("GC", timeframe::h1);
  decode_chunk(c, s.times()[20], s.times()[40], SIZE_MAX, part);
  BOOST_TEST_REQUIRE(part.size() == 21u);
  check_equal(part, s, 20);

  bar_series limited("GC", timeframe::h1);
  limited.push_back(s.at(0)); // the limit counts what the series already holds
  decode_chunk(c, INT64_MIN, INT64_MAX, 6, limited);
  BOOST_TEST_REQUIRE(limited.size() == 6u);
  BOOST_TEST(limited.times()[1] == s.times()[10]);
  BOOST_TEST(limited.times()[5] == s.times()[14]);

  bar_series none("GC", timeframe::h1);
  decode_chunk(c, s.times()[60], INT64_MAX, SIZE_MAX, none);
  BOOST_TEST(none.empty());
}

BOOST_AUTO_TEST_CASE(damaged_chunks_are_refused) {
  bar_series out("GC", timeframe::h1);
  BOOST_CHECK_THROW(decode_chunk(std::string(47, '\0'), 0, 1, 10, out), std::runtime_error);
  BOOST_CHECK_THROW(unhex_bytea("0102"), std::runtime_error);    // no \x
  BOOST_CHECK_THROW(unhex_bytea("\\x010"), std::runtime_error);  // half a byte
  BOOST_CHECK_THROW(unhex_bytea("\\x01g2"), std::runtime_error); // not a digit
  BOOST_CHECK_THROW(unhex_bytea("\\x01\xc3"), std::runtime_error);
  BOOST_TEST(unhex_bytea("\\x").empty());
  BOOST_TEST(unhex_bytea("\\x00fFa0") == std::string("\x00\xff\xa0", 3));
}

BOOST_AUTO_TEST_SUITE_END()
