// Start, stop, restart and crash of the real server.

#include "server_process.hpp"

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"

#include <boost/test/unit_test.hpp>

#include <future>

using bt::test::server_process;

namespace {
std::string generated(std::size_t bars) {
  bt::synthetic_spec spec;
  spec.bars = bars;
  // Early enough that 100,000 trading hours end before today (uploads refuse
  // bars from the future).
  spec.start = 1'104'710'400; // 2005-01-03T00:00:00Z
  return bt::to_csv(bt::generate_bars(spec));
}
} // namespace

BOOST_AUTO_TEST_SUITE(server_lifecycle)

BOOST_AUTO_TEST_CASE(data_survives_a_restart) {
  server_process s;
  const std::string key = s.create_key("dana");
  s.start();
  const std::string csv = generated(3000);
  auto up = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key, csv, "text/csv");
  BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  BOOST_TEST(s.stop(SIGTERM) == 0);
  s.start();
  auto down = s.request("GET", "/v1/market-data/GC/1h/bars?format=csv&limit=100000", key);
  BOOST_TEST(down.status == 200u);
  BOOST_TEST(down.body == csv);
  BOOST_TEST(s.stop(SIGINT) == 0);
}

BOOST_AUTO_TEST_CASE(shutdown_finishes_the_request_in_flight) {
  server_process s;
  const std::string key = s.create_key("erin");
  s.start();
  const std::string csv = generated(100'000);
  auto pending = std::async(std::launch::async, [&] {
    return s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key, csv, "text/csv");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ::kill(s.pid(), SIGTERM);
  auto reply = pending.get();
  BOOST_TEST(reply.status == 201u, reply.body.substr(0, 300));
  BOOST_TEST(s.stop(SIGTERM) == 0); // already exiting: collects the exit code
  BOOST_TEST(s.log().find("\"event\":\"stopped\"") != std::string::npos);
  s.start();
  auto info = s.request("GET", "/v1/market-data/GC/1h", key);
  BOOST_REQUIRE(info.status == 200u);
  BOOST_TEST(info.json().at("bars").to_number<int>() == 100'000);
}

BOOST_AUTO_TEST_CASE(one_server_per_data_directory) {
  server_process s;
  s.start();
  std::string err;
  auto [code, out] = bt::test::run_command(
      std::string(BACKTESTD_BINARY) + " serve --listen 127.0.0.1:"
          + std::to_string(bt::test::free_port()) + " --data-dir " + s.data_dir(),
      &err);
  BOOST_TEST(code != 0);
  BOOST_TEST(err.find("another backtestd server is already using data directory")
                 != std::string::npos,
             err);
  BOOST_TEST(s.request("GET", "/healthz").status == 200u); // the first one is unharmed
}

BOOST_AUTO_TEST_CASE(restart_after_sigkill) {
  server_process s;
  const std::string key = s.create_key("fay");
  s.start();
  BOOST_REQUIRE(
      s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key, generated(200), "text/csv")
          .status
      == 201u);
  s.stop(SIGKILL);
  s.start(); // adopts or restarts the embedded postgres left behind
  BOOST_TEST(s.request("GET", "/v1/market-data/GC/1h", key).status == 200u);
}

BOOST_AUTO_TEST_CASE(the_embedded_database_is_private) {
  server_process s;
  s.create_key("pat");
  s.start();
  namespace fs = std::filesystem;
  const auto perms = [](const std::string& p) {
    return fs::status(p).permissions() & fs::perms::all;
  };
  // The socket's directory and the socket: the owner only (was 0755/0777).
  BOOST_TEST((perms(s.data_dir() + "/pg-run") == fs::perms::owner_all));
  BOOST_TEST(((perms(s.data_dir() + "/pg-run/.s.PGSQL.5432")
               & (fs::perms::group_all | fs::perms::others_all))
              == fs::perms::none));
  BOOST_TEST(
      (perms(s.data_dir() + "/pg-password") == (fs::perms::owner_read | fs::perms::owner_write)));
  // No `trust`: a login without the password is refused (was accepted).
  auto [code, out] = bt::test::run_command(
      "psql \"host=" + s.data_dir()
      + "/pg-run port=5432 user=backtestd dbname=backtestd\" -w -tAc 'SELECT 1'");
  BOOST_TEST(code != 0, out);
  std::ifstream hba(s.data_dir() + "/pg/pg_hba.conf");
  std::stringstream text;
  text << hba.rdbuf();
  BOOST_TEST(text.str().find("trust") == std::string::npos, text.str());
  // Every session of the role has the timeouts.
  BOOST_TEST(s.sql("SHOW statement_timeout") == "1min");
  BOOST_TEST(s.sql("SHOW idle_in_transaction_session_timeout") == "1min");
  // Restarted, the locked-down cluster is reused with the same password.
  BOOST_TEST(s.stop() == 0);
  s.start();
  BOOST_TEST(s.request("GET", "/readyz").status == 200u);
}

BOOST_AUTO_TEST_CASE(sigterm_with_requests_outliving_the_grace_period_exits_cleanly) {
  // A 1 s grace and uploads that take longer on two busy cores: the io loop
  // stops while requests still wait for their workers. The gate ends them
  // before the routes and sessions they call back into are destroyed (the
  // ASan build of this test turns any use after free into a failure).
  server_process s;
  const std::string key = s.create_key("quinn");
  s.start({"--shutdown-seconds", "1", "--db-connections", "2"});
  const std::string csv = generated(100'000);
  std::vector<std::future<bt::test::http_result>> pending;
  for (int i = 0; i < 6; ++i)
    pending.push_back(std::async(std::launch::async, [&, i] {
      try {
        return s.request("POST", "/v1/market-data?symbol=Q" + std::to_string(i) + "&timeframe=1h",
                         key, csv, "text/csv");
      } catch (const std::exception&) {
        return bt::test::http_result{}; // the connection ended with the server
      }
    }));
  for (int i = 0; i < 6; ++i)
    pending.push_back(std::async(std::launch::async, [&] {
      try {
        return s.request("GET", "/v1/market-data", key);
      } catch (const std::exception&) {
        return bt::test::http_result{};
      }
    }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto stopped_at = std::chrono::steady_clock::now();
  BOOST_TEST(s.stop(SIGTERM) == 0,
             s.log().substr(s.log().size() > 3000 ? s.log().size() - 3000 : 0));
  BOOST_TEST((std::chrono::steady_clock::now() - stopped_at < std::chrono::seconds(20)));
  for (auto& p : pending) {
    auto r = p.get();
    // Answered in full, or cut off by the shutdown: never a half-written 2xx.
    BOOST_TEST((r.status == 0u || r.status == 201u || r.status == 200u || r.status == 503u),
               r.status);
  }
  BOOST_TEST(s.log().find("AddressSanitizer") == std::string::npos);
  BOOST_TEST_MESSAGE(
      "ended at shutdown: " << (s.log().find("requests_ended_at_shutdown") != std::string::npos));
}

BOOST_AUTO_TEST_SUITE_END()
