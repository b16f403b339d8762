#include "domain/containers/bounded_lru.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(bounded_lru)

BOOST_AUTO_TEST_CASE(evicts_the_least_recently_used_one_by_one) {
  bt::bounded_lru<int, std::string> lru(3);
  lru.put(1, "a");
  lru.put(2, "b");
  lru.put(3, "c");
  BOOST_TEST(*lru.find(1) == "a"); // 1 is now the most recent
  lru.put(4, "d");                 // evicts 2, the least recent
  BOOST_TEST(!lru.find(2));
  BOOST_TEST(lru.find(1));
  BOOST_TEST(lru.find(3));
  BOOST_TEST(lru.find(4));
  BOOST_TEST(lru.size() == 3u);
  BOOST_TEST(lru.evictions() == 1u);
  // peek does not refresh.
  BOOST_TEST(*lru.peek(1) == "a");
  lru.put(5, "e"); // the least recent now is 1 (3, 4 were found after it)
  BOOST_TEST(!lru.peek(1));
}

BOOST_AUTO_TEST_CASE(a_flood_never_clears_everything_at_once) {
  bt::bounded_lru<int, int> lru(1000);
  lru.put(-1, 42);
  for (int i = 0; i < 100'000; ++i) {
    lru.put(i, i);
    if (i % 100 == 0)
      BOOST_REQUIRE(lru.find(-1)); // a client that keeps coming back stays
    BOOST_REQUIRE(lru.size() <= 1000u);
  }
  BOOST_TEST(*lru.find(-1) == 42);
}

BOOST_AUTO_TEST_CASE(weights_bound_the_total) {
  bt::bounded_lru<std::string, std::string> lru(10, [](const std::string& v) { return v.size(); });
  BOOST_TEST(lru.put("a", "xxxx"));
  BOOST_TEST(lru.put("b", "yyyy"));
  BOOST_TEST(lru.weight() == 8u);
  BOOST_TEST(lru.put("c", "zzzz")); // 12 > 10: "a" goes
  BOOST_TEST(!lru.peek("a"));
  BOOST_TEST(lru.weight() == 8u);
  BOOST_TEST(!lru.put("huge", std::string(11, 'h'))); // heavier than the whole: not kept
  BOOST_TEST(lru.weight() == 8u);
  BOOST_TEST(lru.put("b", "y")); // replacing adjusts the weight
  BOOST_TEST(lru.weight() == 5u);
  BOOST_TEST(lru.erase("c"));
  BOOST_TEST(lru.weight() == 1u);
}

BOOST_AUTO_TEST_CASE(take_hands_over_and_keeps_the_weight_right) {
  // A weighed value changed by take and put is counted as it is now.
  bt::bounded_lru<int, std::string> lru(10, [](const std::string& v) { return v.size(); });
  lru.put(1, "abcd");
  auto v = lru.take(1);
  BOOST_TEST(v.has_value());
  BOOST_TEST(*v == "abcd");
  BOOST_TEST(lru.weight() == 0u);
  BOOST_TEST(!lru.take(1));
  *v += "efgh";
  lru.put(1, std::move(*v));
  BOOST_TEST(lru.weight() == 8u);
  lru.put(2, "xyz"); // 11 > 10: the least recent (1) goes, whole
  BOOST_TEST(!lru.peek(1));
  BOOST_TEST(lru.weight() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
