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
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(ok >= 10);
  BOOST_TEST(ok <= 10 + static_cast<int>(5 * elapsed) + 1,
             "ok " << ok << " in " << elapsed << " s");
  BOOST_TEST(limited == 30 - ok);
  BOOST_TEST(retry_after == "1");
  BOOST_TEST(s.request("GET", "/v1/market-data", other).status == 200u); // per key
}

BOOST_AUTO_TEST_CASE(random_keys_pay_from_their_address_and_admins_are_exempt) {
  server_process s;
  const std::string admin = s.create_key("root", "admin");
  const std::string key = s.create_key("jo");
  s.start({"--rate-limit", "2"}); // burst of 4
  // Both real keys authenticate once (their first request, like any
  // unknown key's, is paid by the address), then have buckets of their own.
  BOOST_REQUIRE(s.request("GET", "/v1/market-data", key).status == 200u);
  BOOST_REQUIRE(s.request("GET", "/v1/market-data", admin).status == 200u);
  std::this_thread::sleep_for(std::chrono::seconds(1)); // the address's bucket refills
  // A new random key per request buys no new bucket: the address pays.
  int unauthorized = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    const auto r = s.request("GET", "/v1/market-data", "bt_random_" + std::to_string(i));
    unauthorized += r.status == 401;
    limited += r.status == 429;
  }
  BOOST_TEST(unauthorized <= 4 + 2 + 1); // the burst, and what refilled meanwhile
  BOOST_TEST(limited >= 12);
  BOOST_TEST(s.request("GET", "/v1/market-data").status == 429u); // no key: the same address
  // A real key has its own bucket, whatever its address owes.
  BOOST_TEST(s.request("GET", "/v1/market-data", key).status != 429u);
  // An admin's key is never limited.
  for (int i = 0; i < 40; ++i)
    BOOST_REQUIRE_MESSAGE(s.request("GET", "/v1/market-data", admin).status == 200u, i);
}

BOOST_AUTO_TEST_CASE(database_outage_gives_503_not_500) {
  if (::geteuid() != 0)
    return; // stopping the embedded postgres below needs root (runuser)
  server_process s;
  const std::string key = s.create_key("ida");
  s.start();
  BOOST_REQUIRE(s.request("GET", "/readyz").status == 200u);
  auto [code, out] =
      bt::test::run_command("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "
                            + s.data_dir() + "/pg -m immediate -w stop");
  BOOST_REQUIRE(code == 0);
  auto ready = s.request("GET", "/readyz");
  BOOST_TEST(ready.status == 503u);
  BOOST_TEST(ready.headers["Retry-After"] == "1");
  auto data = s.request("GET", "/v1/market-data", key);
  BOOST_TEST(data.status == 503u);
  BOOST_TEST(data.body.find("unavailable") != std::string::npos);
  BOOST_TEST(s.request("GET", "/healthz").status == 200u); // the process itself is up
}

namespace {
// A connection that sends `head` and then just stays open.
struct held_connection {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket{ioc};
  held_connection(std::uint16_t port, const std::string& head) {
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    if (!head.empty())
      boost::asio::write(socket, boost::asio::buffer(head));
  }
};
} // namespace

BOOST_AUTO_TEST_CASE(open_connections_are_capped) {
  server_process s;
  s.start({"--max-connections", "3"});
  BOOST_REQUIRE(s.request("GET", "/healthz").status == 200u);
  std::this_thread::sleep_for(std::chrono::milliseconds(100)); // that connection is closed again
  std::vector<std::unique_ptr<held_connection>> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(std::make_unique<held_connection>(s.port(), ""));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto refused = s.raw_request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(refused.status == 503u, refused.body);
  BOOST_TEST(refused.headers["Retry-After"] == "1");
  held.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  BOOST_TEST(s.raw_request("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status
             == 200u);
}

BOOST_AUTO_TEST_CASE(admission_counts_body_bytes) {
  server_process s;
  const std::string key = s.create_key("max");
  s.start({"--max-body-bytes-in-flight", "2000000"});
  // 1.5 MB announced and not sent: reserved while the server waits for it.
  auto upload = std::make_unique<held_connection>(
      s.port(), "POST /v1/market-data?symbol=GC&timeframe=1h HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                    + key + "\r\nContent-Type: text/csv\r\nContent-Length: 1500000\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string big(600'000, ' ');
  auto r = s.request("POST", "/v1/backtest", key, big, "application/json");
  BOOST_TEST(r.status == 503u, r.body);
  BOOST_TEST(r.headers["Retry-After"] == "1");
  BOOST_TEST(s.request("GET", "/v1/market-data", key).status
             == 200u); // bodiless requests still pass
  BOOST_TEST(s.request("POST", "/v1/backtest", key, "{}", "application/json").status
             == 422u); // small fits
  upload.reset();      // the reservation goes with the connection
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  BOOST_TEST(s.request("POST", "/v1/backtest", key, big, "application/json").status
             == 400u); // read, then judged
}

BOOST_AUTO_TEST_SUITE_END()
