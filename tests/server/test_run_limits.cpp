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
  /// A sweep's or walk-forward's status once it is neither queued nor running.
  boost::json::value finished(const std::string& path) {
    boost::json::value doc;
    for (int i = 0; i < 600; ++i) {
      doc = server.request("GET", path, key).json();
      const std::string status(doc.at("status").as_string());
      if (status != "queued" && status != "running")
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return doc;
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
  // A permanent failure is audited as run.failed, by the system.
  const std::string id(r.at("run_id").as_string());
  BOOST_TEST(f.server.sql("SELECT actor || ' ' || (details::jsonb->>'attempt') FROM audit_log "
                          "WHERE action = 'run.failed' AND object = 'run:"
                          + id + "'")
             == "system 1");
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

BOOST_AUTO_TEST_CASE(sweep_chunks_and_walk_forwards_have_the_same_limits) {
  // A chunk stretched to about 2 s by the fault plan, under half a second.
  limited_server f({}, {{"BACKTESTD_FAULTS", "slow_ms_per_pct=20,run_timeout_ms=500"}});
  const std::string research =
      R"({"symbol":"GC","timeframe":"1h","strategy":"dual_sma","start":"2023-01-02T00:00:00Z",)"
      R"("end":"2024-12-31T16:00:00Z","space":{"params":{"fast_period":[5,10,20,40]}})";
  auto sweep = f.server.request("POST", "/v1/sweeps", f.key, research + R"(,"chunk_size":4})",
                                "application/json");
  BOOST_REQUIRE_MESSAGE(sweep.status == 202u, sweep.body);
  const std::string sweep_id(sweep.json().at("sweep_id").as_string());
  auto doc = f.finished("/v1/sweeps/" + sweep_id);
  BOOST_TEST(doc.at("status").as_string() == "failed");
  BOOST_TEST(doc.at("chunks").at("failed").as_int64() == 1);
  BOOST_TEST(doc.at("counts").at("done").as_int64() == 0); // nothing stored of a failed chunk
  BOOST_TEST(f.server.log().find("wall-clock limit of 0.5 s at configuration")
             != std::string::npos);
  // A walk-forward: the fold that passes the limit fails it, once.
  auto wf =
      f.server.request("POST", "/v1/walk-forwards", f.key,
                       research + R"(,"windows":{"train":1000,"test":500}})", "application/json");
  BOOST_REQUIRE_MESSAGE(wf.status == 202u, wf.body);
  const std::string wf_id(wf.json().at("walk_forward_id").as_string());
  doc = f.finished("/v1/walk-forwards/" + wf_id);
  BOOST_TEST(doc.at("status").as_string() == "failed");
  BOOST_TEST(doc.at("attempts").as_int64() == 1);
  const std::string error(doc.at("error").as_string());
  BOOST_TEST(error.find("wall-clock limit of 0.5 s at fold") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(runs_within_the_limits_complete) {
  // (The same limit as above: what failed there was the fault's memory.)
  limited_server f({"--run-memory-mb", "128", "--run-timeout-seconds", "300"}, {});
  const auto r = f.run_to_the_end();
  BOOST_TEST(r.at("status").as_string() == "completed");
}

BOOST_AUTO_TEST_SUITE_END()
