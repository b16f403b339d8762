// A run's wall-clock and memory limits, met with fault injection (a slow
// run under a test-only limit of half a second; a run that takes and
// touches 512 MiB under --run-memory-mb 128): the run fails at once with an
// error naming the limit, after one attempt.

#include "server_process.hpp"

#include <boost/test/unit_test.hpp>

using bt::test::server_process;

namespace {

const char* two_years = R"({"symbol":"GC","timeframe":"1h","start":"2023-01-02T00:00:00Z",)"
                        R"("end":"2024-12-31T16:00:00Z"})";

struct limited_server {
  server_process server;
  std::string key;
  limited_server(std::vector<std::string> args, const std::map<std::string, std::string>& env) {
    key = server.create_key("alice");
    args.insert(args.begin(), {"--workers", "1"});
    server.start(args, env);
    auto up = server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key,
                             bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  }
  boost::json::value run_to_the_end() {
    const bt::test::run_client c{server, key};
    return c.wait(c.submit(two_years));
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(run_limits)

BOOST_AUTO_TEST_CASE(a_run_past_its_wall_clock_limit_fails_once) {
  limited_server f({}, {{"BACKTESTD_FAULTS", "slow_ms_per_pct=20,run_timeout_ms=500"}});
  const auto r = f.run_to_the_end();
  BOOST_TEST(r.at("status").as_string() == "failed");
  BOOST_TEST(r.at("attempts").as_int64() == 1); // not retried: it would time out again
  const std::string error(r.at("error").as_string());
  BOOST_TEST(error.find("wall-clock limit of 0.5 s") != std::string::npos, error);
  BOOST_TEST(error.find("--run-timeout-seconds") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(a_run_past_its_memory_limit_fails_once) {
  limited_server f({"--run-memory-mb", "128"},
                   {{"BACKTESTD_FAULTS", "hog_mb=512,hog_at_bar=3000"}});
  const auto r = f.run_to_the_end();
  BOOST_TEST(r.at("status").as_string() == "failed");
  BOOST_TEST(r.at("attempts").as_int64() == 1);
  const std::string error(r.at("error").as_string());
  BOOST_TEST(error.find("memory limit of 128 MiB") != std::string::npos, error);
  BOOST_TEST(error.find("at bar 3000") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(runs_within_the_limits_complete) {
  // (The same limit as above: what failed there was the fault's memory.)
  limited_server f({"--run-memory-mb", "128", "--run-timeout-seconds", "300"}, {});
  const auto r = f.run_to_the_end();
  BOOST_TEST(r.at("status").as_string() == "completed");
}

BOOST_AUTO_TEST_SUITE_END()
