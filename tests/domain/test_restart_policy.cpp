#include "domain/scheduling/restart_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(restart_policy)

BOOST_AUTO_TEST_CASE(backoff_doubles_to_the_cap) {
  const bt::restart_policy p(500ms, 30'000ms, 10'000ms);
  std::vector<long> seen; // milliseconds
  ms d{0};
  for (int crash = 0; crash < 9; ++crash)
    seen.push_back(static_cast<long>((d = p.next_delay(d)).count()));
  const std::vector<long> expected{500, 1000, 2000, 4000, 8000, 16'000, 30'000, 30'000, 30'000};
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_stable_worker_starts_again_from_the_base) {
  // The supervisor resets the delay to 0 after stable_after of uptime; the
  // next crash then waits only the base delay, for crash n = 0, 1, 2 ...
  const bt::restart_policy p(500ms, 30'000ms, 10'000ms);
  BOOST_TEST((p.stable_after() == 10'000ms));
  for (int n = 0; n < 5; ++n) {
    ms d{0};
    for (int i = 0; i <= n; ++i)
      d = p.next_delay(d);
    BOOST_TEST((d == std::min(ms(500 << n), ms(30'000))));
    d = ms(0); // stable
    BOOST_TEST((p.next_delay(d) == 500ms));
  }
}

BOOST_AUTO_TEST_CASE(retries_double_per_attempt) {
  BOOST_TEST((bt::retry_delay(500ms, 1) == 500ms));
  BOOST_TEST((bt::retry_delay(500ms, 2) == 1000ms));
  BOOST_TEST((bt::retry_delay(500ms, 3) == 2000ms));
  BOOST_TEST((bt::retry_delay(500ms, 0) == 500ms));
  BOOST_TEST((bt::retry_delay(500ms, 40) == 500ms * 1024)); // bounded, no overflow
}

BOOST_AUTO_TEST_SUITE_END()
