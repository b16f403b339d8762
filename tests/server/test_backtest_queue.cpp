// Queue order, limits, cancellation, crashes, retries and restarts of real
// servers (some with test-only fault injection).

#include "server_process.hpp"

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <set>
#include <thread>

using bt::test::http_result;
using bt::test::server_process;

namespace {

std::string body(int atr, const std::string& extra = "") {
  return R"({"symbol":"GC","timeframe":"1h","start":"2023-01-02T00:00:00Z","end":"2024-12-31T16:00:00Z","params":{"atr_period":)"
         + std::to_string(atr) + "}" + (extra.empty() ? "" : "," + extra) + "}";
}

struct fixture {
  server_process s;
  std::string key;
  explicit fixture(std::vector<std::string> args = {},
                   std::map<std::string, std::string> env = {}) {
    key = s.create_key("trader");
    s.start(std::move(args), env);
    auto r = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key,
                       bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  }
  std::string submit(const std::string& json) { return bt::test::run_client{s, key}.submit(json); }
  boost::json::value run(const std::string& id) { return bt::test::run_client{s, key}.run(id); }
  std::string status(const std::string& id) { return bt::test::run_client{s, key}.status(id); }
  /// The run's document once it has reported progress. The first report
  /// comes after the bars are loaded: on a busy machine that can take a
  /// while, so this waits for it (bounded) instead of sleeping a fixed time.
  boost::json::value first_progress(const std::string& id) {
    auto live = run(id);
    for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         live.at("progress").to_number<double>() <= 0
         && std::chrono::steady_clock::now() < deadline;
         live = run(id))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return live;
  }
  boost::json::value wait(const std::string& id, std::set<std::string> states,
                          double seconds = 60) {
    return bt::test::run_client{s, key}.wait(id, states, seconds);
  }
};

const std::set<std::string> finished{"completed", "failed", "cancelled"};

} // namespace

BOOST_AUTO_TEST_SUITE(backtest_queue)

BOOST_AUTO_TEST_CASE(priorities_then_fifo_and_restart_keeps_the_queue) {
  fixture f({"--workers", "0"});
  const std::string a = f.submit(body(10));                         // normal
  const std::string b = f.submit(body(11, R"("priority":"low")"));  // low
  const std::string c = f.submit(body(12, R"("priority":"high")")); // high
  const std::string d = f.submit(body(13));                         // normal, after a
  BOOST_TEST(f.run(c).at("queue_position").to_number<int>() == 1);
  BOOST_TEST(f.run(a).at("queue_position").to_number<int>() == 2);
  BOOST_TEST(f.run(d).at("queue_position").to_number<int>() == 3);
  BOOST_TEST(f.run(b).at("queue_position").to_number<int>() == 4);
  // No workers: the wait is unknown, not zero.
  BOOST_TEST(f.run(a).at("eta_seconds").is_null());
  BOOST_TEST(f.run(a).at("no_workers").as_bool());
  // Cancelling a queued run.
  const std::string e = f.submit(body(14));
  auto cancelled = f.s.request("POST", "/v1/backtest/" + e + "/cancel", f.key);
  BOOST_TEST(cancelled.status == 200u);
  BOOST_TEST(cancelled.json().at("status").as_string() == "cancelled");
  BOOST_TEST(f.s.request("POST", "/v1/backtest/" + e + "/cancel", f.key).status == 409u);
  BOOST_TEST(f.s.request("GET", "/v1/backtest/" + e + "/trades", f.key).status == 409u);

  // Queued runs survive a restart, then run in priority order.
  BOOST_TEST(f.s.stop(SIGTERM) == 0);
  f.s.start({"--workers", "1"});
  for (const auto& id : {a, b, c, d})
    BOOST_TEST(f.wait(id, finished).at("status").as_string() == "completed");
  std::vector<std::string> order;
  const std::string log = f.s.log();
  for (std::size_t pos = log.find("\"run_started\""); pos != std::string::npos;
       pos = log.find("\"run_started\"", pos + 1))
    order.push_back(log.substr(log.find("\"run_id\":\"", pos) + 10, 36));
  BOOST_TEST((order == std::vector<std::string>{c, a, d, b}));
  BOOST_TEST(f.status(e) == "cancelled");
}

BOOST_AUTO_TEST_CASE(a_full_queue_answers_503_with_retry_after) {
  fixture f({"--workers", "0", "--queue-capacity", "2"});
  const std::string first = f.submit(body(20));
  f.submit(body(21));
  auto full = f.s.request("POST", "/v1/backtest", f.key, body(22), "application/json");
  BOOST_TEST(full.status == 503u);
  BOOST_TEST(full.headers["Retry-After"] == "1");
  // A cancelled run frees its place at once (the count is the run book's).
  BOOST_TEST(f.s.request("POST", "/v1/backtest/" + first + "/cancel", f.key).status == 200u);
  BOOST_TEST(f.s.request("POST", "/v1/backtest", f.key, body(22), "application/json").status
             == 202u);
  BOOST_TEST(f.s.request("POST", "/v1/backtest", f.key, body(23), "application/json").status
             == 503u);
  auto queue = f.s.request("GET", "/v1/queue", f.key).json();
  BOOST_TEST(queue.at("queued").to_number<int>() == 2);
  BOOST_TEST(queue.at("workers").to_number<int>() == 0); // none configured, and it says so
  BOOST_TEST(!queue.at("depth_warning").as_bool());
}

BOOST_AUTO_TEST_CASE(per_user_limit_and_running_cancellation) {
  // ~3 s per run; at most one of this user's runs at once.
  fixture f({"--workers", "2", "--max-user-runs", "1"},
            {{"BACKTESTD_FAULTS", "slow_ms_per_pct=30"}});
  const std::string a = f.submit(body(10));
  const std::string b = f.submit(body(11));
  f.wait(a, {"running"});
  auto live = f.first_progress(a);
  BOOST_TEST(f.status(b) == "queued"); // a worker is free, but the user is at the limit
  BOOST_TEST(live.at("progress").to_number<double>() > 0);
  BOOST_TEST(live.as_object().contains("current_bar_time"));
  const auto asked = std::chrono::steady_clock::now();
  auto cancel = f.s.request("POST", "/v1/backtest/" + a + "/cancel", f.key);
  BOOST_TEST(cancel.status == 200u);
  f.wait(b, {"running"}, 5); // the slot is freed once the worker stopped
  const double stopped_after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  BOOST_TEST(stopped_after < 1.0);
  BOOST_TEST(f.status(a) == "cancelled");
  // No partial results of the cancelled run.
  BOOST_TEST(f.s.sql("SELECT count(*) FROM run_equity WHERE run_id = '" + a + "'") == "0");
  BOOST_TEST(f.s.sql("SELECT count(*) FROM run_trade_lists WHERE run_id = '" + a + "'") == "0");
  BOOST_TEST(f.s.request("DELETE", "/v1/backtest/" + b, f.key).status
             == 204u); // cancels a running run
  BOOST_TEST(f.wait(b, finished, 5).at("status").as_string() == "cancelled");
}

BOOST_AUTO_TEST_CASE(a_crash_is_retried_and_completes_on_attempt_two) {
  fixture f({"--workers", "1"}, {{"BACKTESTD_FAULTS", "crash_at_bar=500,times=1"}});
  const std::string id = f.submit(body(14));
  auto run = f.wait(id, finished);
  BOOST_TEST(run.at("status").as_string() == "completed");
  BOOST_TEST(run.at("attempts").to_number<int>() == 2);
  BOOST_TEST(run.at("attempt_errors").as_array().size() == 1u);
  BOOST_TEST(f.s.log().find("\"worker_crashed\"") != std::string::npos);
  BOOST_TEST(f.s.log().find("\"worker_restarted\"") != std::string::npos);
  // The worker came back and takes new work.
  BOOST_TEST(f.wait(f.submit(body(15)), finished).at("status").as_string() == "completed");
}

BOOST_AUTO_TEST_CASE(a_crash_on_every_attempt_is_dead_lettered) {
  fixture f({"--workers", "1"}, {{"BACKTESTD_FAULTS", "crash_at_bar=500,times=3"}});
  const std::string id = f.submit(body(14));
  auto run = f.wait(id, finished, 90);
  BOOST_REQUIRE(run.at("status").as_string() == "failed");
  BOOST_TEST(run.at("attempts").to_number<int>() == 3);
  BOOST_TEST(run.at("attempt_errors").as_array().size() == 3u);
  BOOST_TEST(std::string(run.at("error").as_string()).find("injected crash") != std::string::npos);
  BOOST_TEST(
      f.s.sql("SELECT attempts, jsonb_array_length(errors) FROM dead_letters WHERE run_id = '" + id
              + "'")
      == "3|3");
  // Audited once, as a dead letter (not as a plain failure), in the
  // transaction that wrote the dead letter.
  BOOST_TEST(f.s.sql("SELECT string_agg(action, ',') FROM audit_log WHERE object = 'run:" + id
                     + "' AND action LIKE 'run.%' AND action <> 'run.submitted'")
             == "run.dead_lettered");
  auto trades = f.s.request("GET", "/v1/backtest/" + id + "/trades", f.key);
  BOOST_TEST(trades.status == 409u);
  BOOST_TEST(trades.body.find("no trades because execution did not complete") != std::string::npos);
  BOOST_TEST(f.s.sql("SELECT count(*) FROM run_equity WHERE run_id = '" + id + "'") == "0");
}

BOOST_AUTO_TEST_CASE(a_silent_worker_is_replaced_by_the_watchdog) {
  fixture f({"--workers", "1", "--watchdog-seconds", "2"},
            {{"BACKTESTD_FAULTS", "hang_at_bar=500,times=1"}});
  const std::string id = f.submit(body(17));
  auto run = f.wait(id, finished, 30);
  BOOST_TEST(run.at("status").as_string() == "completed");
  BOOST_TEST(run.at("attempts").to_number<int>() == 2);
  BOOST_REQUIRE(run.at("attempt_errors").as_array().size() == 1u);
  BOOST_TEST(std::string(run.at("attempt_errors").as_array()[0].at("error").as_string())
                 .find("stopped reporting")
             != std::string::npos);
  BOOST_TEST(f.s.log().find("\"worker_stalled\"") != std::string::npos);
  BOOST_TEST(f.s.sql("SELECT count(*) FROM run_equity WHERE run_id = '" + id + "'")
             == "1"); // one result set
}

BOOST_AUTO_TEST_CASE(killed_mid_run_the_run_completes_after_restart) {
  fixture f({"--workers", "1"}, {{"BACKTESTD_FAULTS", "slow_ms_per_pct=30"}});
  const std::string id = f.submit(body(16));
  f.wait(id, {"running"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  f.s.stop(SIGKILL);
  f.s.start({"--workers", "1"});
  auto run = f.wait(id, finished);
  BOOST_TEST(run.at("status").as_string() == "completed");
  BOOST_TEST(run.at("attempts").to_number<int>() == 2);
  // Exactly one result set: one equity document of 12,000 points, trades once.
  BOOST_TEST(f.s.sql("SELECT count(*), sum(points) FROM run_equity WHERE run_id = '" + id + "'")
             == "1|12000");
  BOOST_TEST(
      f.s.sql("SELECT count(*), sum(trades) FROM run_trade_lists WHERE run_id = '" + id + "'")
      == "1|" + std::to_string(run.at("metrics").at("total_trades").to_number<int>()));
}

BOOST_AUTO_TEST_CASE(position_and_eta_follow_the_per_user_limit) {
  // Two workers, one run per user at a time, runs of ~2 s (slowed on purpose).
  fixture f({"--workers", "2", "--max-user-runs", "1"},
            {{"BACKTESTD_FAULTS", "slow_ms_per_pct=20"}});
  // One run first, so that the average run time is known.
  const auto warm = f.wait(f.submit(body(9)), finished);
  BOOST_REQUIRE(warm.at("status").as_string() == "completed");
  const double run_s = warm.at("duration_ms").to_number<double>() / 1000.0;
  const auto submitted = std::chrono::steady_clock::now();
  const std::string a1 = f.submit(body(20)), a2 = f.submit(body(21)), a3 = f.submit(body(22));
  BOOST_REQUIRE(f.wait(a1, {"running"}, 10).at("status").as_string() == "running");
  // Read the forecasts once a1's own estimate is steady (a slow build
  // spends its first percent loading bars).
  for (int i = 0; i < 200 && f.run(a1).at("progress").to_number<double>() < 15.0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // The second worker stays idle: a2 waits for a1, a3 for a2. The old
  // formula (position / workers x average) said a2 would be done in ~1 s.
  auto r2 = f.run(a2), r3 = f.run(a3);
  BOOST_TEST(r2.at("queue_position").to_number<int>() == 1);
  BOOST_TEST(r3.at("queue_position").to_number<int>() == 2);
  const double eta2 = r2.at("eta_seconds").to_number<double>(),
               eta3 = r3.at("eta_seconds").to_number<double>();
  BOOST_TEST(eta2 > 1.3 * run_s, "eta2 " << eta2 << " run " << run_s);
  BOOST_TEST(eta3 > eta2 + 0.7 * run_s, "eta3 " << eta3 << " eta2 " << eta2);
  const double asked =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - submitted).count();
  const auto done3 = f.wait(a3, finished, 60);
  BOOST_REQUIRE(done3.at("status").as_string() == "completed");
  const double actual3 =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - submitted).count() - asked;
  // Measured against the known run durations: within 35 % (polling and
  // start-up add a little to every run).
  BOOST_TEST(std::abs(actual3 - eta3) < 0.35 * actual3 + 0.3,
             "eta " << eta3 << " s, took " << actual3 << " s");
  BOOST_TEST_MESSAGE("run " << run_s << " s; a2 eta " << eta2 << " s; a3 eta " << eta3
                            << " s, took " << actual3 << " s");
  // Another user's run is not held back by a's limit: it goes first.
  const std::string other = f.s.create_key("other");
  BOOST_REQUIRE(f.s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", other,
                            bt::test::gc_hourly_csv(), "text/csv")
                    .status
                == 201u);
  const std::string b1 = bt::test::run_client{f.s, other}.submit(body(23));
  const std::string a4 = f.submit(body(24)), a5 = f.submit(body(25));
  (void)a4;
  auto b = bt::test::run_client{f.s, other}.wait(b1, {"running", "completed"}, 10);
  BOOST_TEST(b.at("status").as_string() != "queued");
  auto r5 = f.run(a5);
  if (r5.at("status").as_string() == "queued")
    BOOST_TEST(r5.at("eta_seconds").to_number<double>() > 0.0);
  f.wait(a5, finished, 60);
}

BOOST_AUTO_TEST_CASE(active_runs_are_read_from_memory_while_the_database_is_frozen) {
  // ~3 s per run on one worker: one run completes, then one runs while
  // another waits.
  fixture f({"--workers", "1"}, {{"BACKTESTD_FAULTS", "slow_ms_per_pct=30"}});
  const std::string done = f.submit(body(9));
  BOOST_REQUIRE(f.wait(done, finished).at("status").as_string() == "completed");
  const std::string a = f.submit(body(10)), b = f.submit(body(11));
  f.wait(a, {"running"});
  f.first_progress(a);
  // Freeze PostgreSQL (the postmaster and every backend): a read that
  // touched it would hang. A thread thaws it after 5 s whatever happens,
  // so a failing test fails instead of hanging. Returns how long `reads`
  // took meanwhile.
  const std::string pids = "$(head -1 " + f.s.data_dir()
                           + "/pg/postmaster.pid) $(pgrep -P $(head -1 " + f.s.data_dir()
                           + "/pg/postmaster.pid) | tr '\\n' ' ')";
  auto frozen = [&](const std::function<void()>& reads) {
    f.run(a); // the key was checked just now: the next reads need no database
    BOOST_REQUIRE(bt::test::run_command("kill -STOP " + pids).first == 0);
    std::thread thaw([&] {
      std::this_thread::sleep_for(std::chrono::seconds(5));
      bt::test::run_command("kill -CONT " + pids);
    });
    const auto asked = std::chrono::steady_clock::now();
    reads();
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
    thaw.join();
    return took;
  };
  boost::json::value running, queued, completed;
  const double took = frozen([&] {
    running = f.run(a);
    queued = f.run(b);
    completed = f.run(done);
  });
  BOOST_TEST(took < 2.0, "three status reads took " << took << " s with the database frozen");
  BOOST_TEST(running.at("status").as_string() == "running");
  BOOST_TEST(running.at("progress").to_number<double>() > 0);
  BOOST_TEST(running.as_object().contains("current_bar_time"));
  BOOST_TEST(queued.at("status").as_string() == "queued");
  BOOST_TEST(queued.at("queue_position").to_number<int>() == 1);
  BOOST_TEST(queued.at("eta_seconds").to_number<double>() > 0); // the completed run's duration
  BOOST_TEST(completed.at("status").as_string() == "completed");
  // The book follows every transition: both finish, and a is cancelled
  // from memory's point of view too.
  BOOST_TEST(f.s.request("POST", "/v1/backtest/" + b + "/cancel", f.key).status == 200u);
  BOOST_TEST(f.status(b) == "cancelled");
  BOOST_TEST(f.wait(a, finished).at("status").as_string() == "completed");
  BOOST_TEST(f.status(a) == "completed");
  // A run that completes while nobody reads it: the sync after its
  // completion kept its document, so even its first read is memory's.
  const std::string c = f.submit(body(12));
  const std::string finished_line = "\"run_finished\",\"run_id\":\"" + c + "\"";
  for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       f.s.log().find(finished_line) == std::string::npos
       && std::chrono::steady_clock::now() < deadline;)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BOOST_REQUIRE(f.s.log().find(finished_line) != std::string::npos);
  boost::json::value just_completed;
  const double took_again = frozen([&] { just_completed = f.run(c); });
  BOOST_TEST(took_again < 2.0,
             "the first read of a completed run took " << took_again << " s, database frozen");
  BOOST_TEST(just_completed.at("status").as_string() == "completed");
  BOOST_TEST(just_completed.at("progress").to_number<double>() == 100.0);
}

BOOST_AUTO_TEST_SUITE_END()
