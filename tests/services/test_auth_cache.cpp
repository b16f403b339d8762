// Remembered keys against a real (embedded) PostgreSQL: how long memory may
// answer for a key, and that an expired key is checked again by the first
// caller that can, so that a revoked key stops working.
#include "persistence/database_fixture.hpp"

#include "services/auth_cache.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace bt;
using bt::test::database;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(auth_cache)

BOOST_AUTO_TEST_CASE(memory_answers_only_for_a_key_checked_within_its_ttl) {
  database d;
  db::migrate(*d.c);
  const auto key = db::create_key(*d.c, "alice", "trader", "pro", db::audit_actor{});
  bt::auth_cache cache(100ms, 0ms);
  BOOST_TEST(!cache.cached(key.key).has_value()); // never checked
  const auto who = cache.authenticate(*d.c, key.key);
  BOOST_REQUIRE(who);
  BOOST_TEST(cache.cached(key.key)->user_id == who->user_id);
  std::this_thread::sleep_for(150ms);
  BOOST_TEST(!cache.cached(key.key).has_value());                      // expired, and no grace
  BOOST_TEST(!cache.cached("bt_" + std::string(64, '0')).has_value()); // unknown keys never
}

BOOST_AUTO_TEST_CASE(the_read_that_claims_the_check_gets_it_and_a_revoked_key_stops_working) {
  database d;
  db::migrate(*d.c);
  const auto key = db::create_key(*d.c, "alice", "trader", "pro", db::audit_actor{});
  bt::auth_cache cache(100ms, 60s); // a grace far longer than the test
  BOOST_REQUIRE(cache.authenticate(*d.c, key.key));
  BOOST_REQUIRE(db::revoke_key(*d.c, key.key_id, db::audit_actor{}));
  BOOST_TEST(cache.cached(key.key).has_value()); // within the ttl memory still answers
  std::this_thread::sleep_for(150ms);
  // Past the ttl the first memory read is refused: it is to check the key on
  // the database path. Reads meanwhile are served from the grace.
  BOOST_TEST(!cache.cached(key.key).has_value());
  BOOST_TEST(cache.cached(key.key).has_value());
  // The database path checks it (it must not take the grace for itself) and
  // finds it revoked: from then on nothing is served from memory.
  BOOST_TEST(!cache.authenticate(*d.c, key.key).has_value());
  BOOST_TEST(!cache.cached(key.key).has_value());
}

BOOST_AUTO_TEST_CASE(a_check_renews_the_key_for_memory_reads) {
  database d;
  db::migrate(*d.c);
  const auto key = db::create_key(*d.c, "alice", "trader", "pro", db::audit_actor{});
  bt::auth_cache cache(100ms, 0ms); // no grace: memory answers only a fresh check
  BOOST_REQUIRE(cache.authenticate(*d.c, key.key));
  std::this_thread::sleep_for(150ms);
  BOOST_TEST(!cache.cached(key.key).has_value());
  BOOST_REQUIRE(cache.authenticate(*d.c, key.key));
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(cache.cached(key.key).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
