// Per-key rate limits and database outages on the real server.

#include "server_process.hpp"

#include <boost/test/unit_test.hpp>

using bt::test::server_process;

BOOST_AUTO_TEST_SUITE(server_limits)

BOOST_AUTO_TEST_CASE(rate_limit_per_key_gives_429) {
  server_process s;
  const std::string key = s.create_key("gus");
  const std::string other = s.create_key("hal");
  s.start({"--rate-limit", "5"}); // burst of 10
  int ok = 0, limited = 0;
  std::string retry_after;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) {
    auto r = s.request("GET", "/v1/market-data", key);
    if (r.status == 200)
      ++ok;
    if (r.status == 429) {
      ++limited;
      retry_after = r.headers["Retry-After"];
    }
  }
  // A bucket of 10 refilled at 5 per second: what a slow machine could
  // have earned in the time the loop took is allowed too.
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(ok >= 10);
  BOOST_TEST(ok <= 10 + static_cast<int>(5 * elapsed) + 1, "ok " << ok << " in " << elapsed << " s");
  BOOST_TEST(limited == 30 - ok);
  BOOST_TEST(retry_after == "1");
  BOOST_TEST(s.request("GET", "/v1/market-data", other).status == 200u); // per key
}

BOOST_AUTO_TEST_CASE(database_outage_gives_503_not_500) {
  if (::geteuid() != 0)
    return; // stopping the embedded postgres below needs root (runuser)
  server_process s;
  const std::string key = s.create_key("ida");
  s.start();
  BOOST_REQUIRE(s.request("GET", "/readyz").status == 200u);
  auto [code, out] = bt::test::run_command("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D " + s.data_dir() +
                                           "/pg -m immediate -w stop");
  BOOST_REQUIRE(code == 0);
  auto ready = s.request("GET", "/readyz");
  BOOST_TEST(ready.status == 503u);
  BOOST_TEST(ready.headers["Retry-After"] == "1");
  auto data = s.request("GET", "/v1/market-data", key);
  BOOST_TEST(data.status == 503u);
  BOOST_TEST(data.body.find("unavailable") != std::string::npos);
  BOOST_TEST(s.request("GET", "/healthz").status == 200u); // the process itself is up
}

BOOST_AUTO_TEST_SUITE_END()
