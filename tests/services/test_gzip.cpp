// gzip for HTTP bodies: round trips, the inflation limit checked while
// inflating (a bomb stops at the limit), corrupt and trailing input, and
// what a client that accepts gzip gets (threshold, Vary, the ETag of the
// gzip representation).
#include "services/gzip.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace bt;

BOOST_AUTO_TEST_SUITE(gzip)

BOOST_AUTO_TEST_CASE(round_trips_and_shrinks_text) {
  std::string csv = "timestamp,open,high,low,close,volume\n";
  for (int i = 0; i < 5000; ++i)
    csv += "2024-01-02T" + std::to_string(i % 24) + ":00:00Z,2050.10000000,2051.0,2049.5,2050.2,"
           + std::to_string(i) + "\n";
  const std::string z = gzip_compress(csv);
  BOOST_TEST(z.size() < csv.size() / 4);
  BOOST_TEST(static_cast<unsigned char>(z[0]) == 0x1f); // the gzip magic
  BOOST_TEST(static_cast<unsigned char>(z[1]) == 0x8b);
  std::string back;
  BOOST_TEST((gzip_inflate(z, csv.size(), back) == inflate_status::ok));
  BOOST_TEST(back == csv);
  BOOST_TEST((gzip_inflate(gzip_compress(""), 10, back) == inflate_status::ok));
  BOOST_TEST(back.empty());
}

BOOST_AUTO_TEST_CASE(a_bomb_stops_at_the_limit) {
  const std::string zeros(64u << 20, '0'); // 64 MiB of one byte: ~64 KB compressed
  const std::string bomb = gzip_compress(zeros, 9);
  BOOST_TEST(bomb.size() < 200'000u);
  std::string out;
  BOOST_TEST((gzip_inflate(bomb, 50u << 20, out) == inflate_status::too_large));
  BOOST_TEST(out.empty());
  BOOST_TEST((gzip_inflate(bomb, 64u << 20, out) == inflate_status::ok)); // exactly the limit
  BOOST_TEST(out.size() == zeros.size());
}

BOOST_AUTO_TEST_CASE(corrupt_truncated_and_trailing_input_is_refused) {
  const std::string z = gzip_compress(std::string(10'000, 'x'));
  std::string out;
  BOOST_TEST((gzip_inflate("not gzip at all", 1000, out) == inflate_status::corrupt));
  BOOST_TEST((gzip_inflate(z.substr(0, z.size() / 2), 100'000, out) == inflate_status::corrupt));
  BOOST_TEST((gzip_inflate(z + "junk", 100'000, out) == inflate_status::corrupt));
  std::string flipped = z;
  flipped[flipped.size() - 6] ^= 0x55; // the CRC no longer matches
  BOOST_TEST((gzip_inflate(flipped, 100'000, out) == inflate_status::corrupt));
  BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(encode_reply_compresses_large_successes_only) {
  service_reply big;
  big.body = std::string(4096, 'a');
  big.headers.emplace_back("ETag", "\"abc\"");
  auto plain = encode_reply(big, false);
  BOOST_TEST(plain.body == big.body);
  BOOST_TEST(plain.headers.back().first == "Vary"); // the answer depended on the request
  auto zipped = encode_reply(big, true);
  std::string back;
  BOOST_TEST((gzip_inflate(zipped.body, 1 << 20, back) == inflate_status::ok));
  BOOST_TEST(back == big.body);
  bool encoded = false;
  for (const auto& [name, value] : zipped.headers) {
    encoded |= name == "Content-Encoding" && value == "gzip";
    if (name == "ETag")
      BOOST_TEST(value == "\"abc-gzip\""); // another representation, another tag
  }
  BOOST_TEST(encoded);
  service_reply small;
  small.body = "{\"a\":1}";
  BOOST_TEST(encode_reply(small, true).body == small.body);
  BOOST_TEST(encode_reply(small, true).headers.empty());
  service_reply error;
  error.code = static_cast<std::uint8_t>(service_code::not_found);
  error.body = std::string(4096, 'e');
  BOOST_TEST(encode_reply(error, true).body == error.body);
}

BOOST_AUTO_TEST_SUITE_END()
