#include "net/rate_limiter.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(rate_limiter)

BOOST_AUTO_TEST_CASE(a_flood_of_random_keys_cannot_reset_a_real_clients_bucket) {
  bt::http::rate_limiter limiter(0.001, 3); // 3 requests, then (practically) no refill
  const std::string real = "bt_real";
  limiter.confirm(real, false); // the key authenticated
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE(limiter.allow(real, "10.0.0.1"));
  BOOST_REQUIRE(!limiter.allow(real, "10.0.0.1"));
  // Was: 100,000 unknown keys cleared the table and the bucket came back full.
  for (int i = 0; i < 200'000; ++i)
    limiter.allow("bt_random_" + std::to_string(i), "10.0.0." + std::to_string(i % 250));
  BOOST_TEST(!limiter.allow(real, "10.0.0.1"));
  BOOST_TEST(limiter.known_size() == 1u);
  BOOST_TEST(limiter.address_size() <= 10'000u);
}

BOOST_AUTO_TEST_CASE(unauthenticated_requests_pay_from_their_address) {
  bt::http::rate_limiter limiter(0.001, 2);
  // A new random key each time buys nothing: the address's bucket pays.
  BOOST_TEST(limiter.allow("bt_a", "192.0.2.7"));
  BOOST_TEST(limiter.allow("bt_b", "192.0.2.7"));
  BOOST_TEST(!limiter.allow("bt_c", "192.0.2.7"));
  BOOST_TEST(!limiter.allow("", "192.0.2.7"));    // no key at all: the same
  BOOST_TEST(limiter.allow("bt_d", "192.0.2.8")); // another client is not affected
  // A key that authenticated has its own bucket, whatever its address owes.
  limiter.confirm("bt_real", false);
  BOOST_TEST(limiter.allow("bt_real", "192.0.2.7"));
}

BOOST_AUTO_TEST_CASE(admins_are_exempt) {
  bt::http::rate_limiter limiter(0.001, 2);
  limiter.confirm("bt_admin", true);
  for (int i = 0; i < 100; ++i)
    BOOST_REQUIRE(limiter.allow("bt_admin", "192.0.2.9"));
  limiter.confirm("bt_admin", false); // demoted by keys set-role
  BOOST_TEST(limiter.allow("bt_admin", "192.0.2.9"));
  BOOST_TEST(limiter.allow("bt_admin", "192.0.2.9"));
  BOOST_TEST(!limiter.allow("bt_admin", "192.0.2.9"));
}

BOOST_AUTO_TEST_SUITE_END()
