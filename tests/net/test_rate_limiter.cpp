#include "net/rate_limiter.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(rate_limiter)

BOOST_AUTO_TEST_CASE(a_flood_of_random_keys_cannot_reset_a_real_clients_bucket) {
  bt::http::rate_limiter limiter(0.001, 3); // 3 requests, then (practically) no refill
  const std::string real = "bt_real";
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE(limiter.allow(real));
  limiter.confirm(real); // the key authenticated
  BOOST_REQUIRE(!limiter.allow(real));
  // Was: 100,000 unknown keys cleared the table and the bucket came back full.
  for (int i = 0; i < 200'000; ++i)
    limiter.allow("bt_random_" + std::to_string(i));
  BOOST_TEST(!limiter.allow(real));
  BOOST_TEST(limiter.known_size() == 1u);
  BOOST_TEST(limiter.probation_size() <= 10'000u);
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_limited_too) {
  bt::http::rate_limiter limiter(0.001, 2);
  BOOST_TEST(limiter.allow("k"));
  BOOST_TEST(limiter.allow("k"));
  BOOST_TEST(!limiter.allow("k"));
}

BOOST_AUTO_TEST_SUITE_END()
