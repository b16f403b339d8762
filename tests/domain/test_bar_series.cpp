#include "domain/data/bar_series.hpp"

#include "bars.hpp"
#include "domain/data/synthetic_bars.hpp"
#include "domain/report/sha256.hpp"

#include <boost/test/unit_test.hpp>

using namespace bt;
using bt::test::hourly;

BOOST_AUTO_TEST_SUITE(bar_series)

BOOST_AUTO_TEST_CASE(slice_is_inclusive_at_both_ends) {
  auto s = hourly(
      {{"1", "2", "1", "2"}, {"2", "3", "2", "3"}, {"3", "4", "3", "4"}, {"4", "5", "4", "5"}});
  auto mid = s.slice(s.times()[1], s.times()[2]);
  BOOST_TEST(mid.size() == 2u);
  BOOST_TEST(mid.times()[0] == s.times()[1]);
  BOOST_TEST(s.slice(s.times()[3] + 1, s.times()[3] + 100).empty());
  BOOST_TEST(s.slice(INT64_MIN, INT64_MAX).size() == 4u);
}

BOOST_AUTO_TEST_CASE(canonical_csv_and_checksum) {
  auto s = hourly({{"2034.1", "2035", "2033.9", "2034.5"}});
  BOOST_TEST(to_csv(s)
             == "timestamp,open,high,low,close,volume\n"
                "2024-01-02T00:00:00Z,2034.10000000,2035.00000000,2033.90000000,"
                "2034.50000000,100.00000000\n");
  // sha256 of the canonical CSV text, fixed once and for all.
  BOOST_TEST(data_checksum(s).size() == 64u);
  auto t = hourly({{"2034.1", "2035", "2033.9", "2034.6"}});
  BOOST_TEST(data_checksum(s) != data_checksum(t));
  BOOST_TEST(data_checksum(s)
             == data_checksum(hourly({{"2034.10", "2035.0", "2033.90", "2034.500"}})));
}

// The checksum is hashed piece by piece; it must be the digest of the whole
// canonical text, across many 64 KiB pieces.
BOOST_AUTO_TEST_CASE(checksum_is_the_digest_of_the_whole_canonical_csv) {
  synthetic_spec spec;
  spec.bars = 5'000; // about 450 KB of text
  const bt::bar_series s = generate_bars(spec);
  BOOST_TEST(data_checksum(s) == sha256_hex(to_csv(s)));
  const bt::bar_series one = s.slice(s.times()[0], s.times()[0]);
  BOOST_TEST(data_checksum(one) == sha256_hex(to_csv(one)));
  BOOST_TEST(data_checksum(bt::bar_series("GC", timeframe::h1))
             == sha256_hex("timestamp,open,high,low,close,volume\n"));
}

BOOST_AUTO_TEST_SUITE_END()
