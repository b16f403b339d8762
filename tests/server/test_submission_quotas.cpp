// Hourly submission quotas by tier over real HTTP: each tier's limit, the
// 429 with Retry-After naming the tier, X-RateLimit-* on every submission
// answer, replays and refused submissions not counted, admins exempt, the
// sliding window freeing slots, research submissions counted, and keys'
// tiers and roles changed by `keys set-tier` / `keys set-role`.
// The window is 5 s here (--quota-window-seconds) so that its reset is
// observed, not assumed.

#include "server_process.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using bt::test::http_result;
using bt::test::server_process;

namespace {

constexpr int window_seconds = 5;

std::string run_body(int atr_period) {
  return R"({"symbol":"GC","timeframe":"1h","start":"2024-01-02T00:00:00Z","end":"2024-06-28",)"
         R"("params":{"atr_period":)"
         + std::to_string(atr_period) + "}}";
}

struct quota_server {
  server_process server;
  std::string free_key, pro_key, enterprise_key, admin_key;
  quota_server() {
    free_key = server.create_key("fay", "trader", "free");
    pro_key = server.create_key("paul", "trader", "pro");
    enterprise_key = server.create_key("erin", "trader", "enterprise");
    admin_key = server.create_key("root", "admin", "free");
    server.start({"--workers", "1", "--quota-free", "2", "--quota-pro", "3", "--quota-enterprise",
                  "4", "--quota-window-seconds", std::to_string(window_seconds)});
    for (const auto* key : {&free_key, &pro_key, &enterprise_key, &admin_key}) {
      auto r = server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", *key,
                              bt::test::gc_hourly_csv(), "text/csv");
      BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
    }
  }
  http_result submit(const std::string& key, const std::string& body,
                     const std::map<std::string, std::string>& headers = {}) {
    return server.request("POST", "/v1/backtest", key, body, "application/json", headers);
  }
  /// Waits until every slot of the window is free again.
  static void wait_window() {
    std::this_thread::sleep_for(std::chrono::seconds(window_seconds)
                                + std::chrono::milliseconds(300));
  }
};

quota_server& shared() {
  static quota_server s;
  return s;
}

// Fills `key`'s window with `limit` fresh submissions, checking the headers
// count down, then checks the refusal.
void exhaust(quota_server& q, const std::string& key, int limit, const std::string& tier,
             int first_param) {
  for (int i = 0; i < limit; ++i) {
    auto r = q.submit(key, run_body(first_param + i));
    BOOST_REQUIRE_MESSAGE(r.status == 202u, tier << " submission " << i << ": " << r.body);
    BOOST_TEST(r.header("X-RateLimit-Limit") == std::to_string(limit));
    BOOST_TEST(r.header("X-RateLimit-Remaining") == std::to_string(limit - 1 - i));
    const auto reset = std::stoll(r.header("X-RateLimit-Reset"));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    BOOST_TEST(reset >= now);
    BOOST_TEST(reset <= now + window_seconds + 1);
  }
  auto refused = q.submit(key, run_body(first_param + limit));
  BOOST_REQUIRE_MESSAGE(refused.status == 429u, tier << ": " << refused.body);
  const auto e = refused.json().at("error");
  BOOST_TEST(e.at("code").as_string() == "too_many_requests");
  const std::string message(e.at("message").as_string());
  BOOST_TEST(message.find("the " + tier + " tier allows " + std::to_string(limit)) == 0u, message);
  BOOST_TEST(e.at("details").at(0).at("field").as_string() == "tier");
  const int retry = std::stoi(refused.header("Retry-After"));
  BOOST_TEST(retry >= 1);
  BOOST_TEST(retry <= window_seconds);
  BOOST_TEST(refused.header("X-RateLimit-Remaining") == "0");
  BOOST_TEST(refused.header("X-RateLimit-Limit") == std::to_string(limit));
}

} // namespace

BOOST_AUTO_TEST_SUITE(submission_quotas)

BOOST_AUTO_TEST_CASE(each_tier_gets_its_limit_then_429_until_the_window_slides) {
  auto& q = shared();
  quota_server::wait_window();
  exhaust(q, q.free_key, 2, "free", 10);
  exhaust(q, q.pro_key, 3, "pro", 10);
  exhaust(q, q.enterprise_key, 4, "enterprise", 10);
  // One key's quota is not another's: the tiers were exhausted one by one.
  // After the window every key may submit again (a new configuration).
  quota_server::wait_window();
  for (const auto* key : {&q.free_key, &q.pro_key, &q.enterprise_key}) {
    auto r = q.submit(*key, run_body(30));
    BOOST_TEST(r.status == 202u, r.body);
  }
}

BOOST_AUTO_TEST_CASE(replays_and_refused_submissions_do_not_count) {
  auto& q = shared();
  quota_server::wait_window();
  // A 422 takes nothing.
  auto bad = q.submit(q.free_key, run_body(100000));
  BOOST_TEST(bad.status == 422u, bad.body);
  BOOST_TEST(bad.header("X-RateLimit-Remaining") == "2");
  auto first = q.submit(q.free_key, run_body(40), {{"Idempotency-Key", "quota-replay-1"}});
  BOOST_REQUIRE_MESSAGE(first.status == 202u, first.body);
  BOOST_TEST(first.header("X-RateLimit-Remaining") == "1");
  // The same submission again (by content and by Idempotency-Key): a replay.
  auto again = q.submit(q.free_key, run_body(40));
  BOOST_TEST(again.status == 200u, again.body);
  BOOST_TEST(again.json().at("idempotent_replay").as_bool());
  BOOST_TEST(again.header("X-RateLimit-Remaining") == "1");
  BOOST_TEST(q.submit(q.free_key, run_body(41)).status == 202u);
  // At the limit, a replay is still answered, not refused.
  auto replay = q.submit(q.free_key, run_body(40), {{"Idempotency-Key", "quota-replay-1"}});
  BOOST_TEST(replay.status == 200u, replay.body);
  BOOST_TEST(replay.header("X-RateLimit-Remaining") == "0");
  BOOST_TEST(q.submit(q.free_key, run_body(42)).status == 429u);
}

BOOST_AUTO_TEST_CASE(admins_are_exempt) {
  auto& q = shared();
  for (int i = 0; i < 6; ++i) { // the admin key's tier is free: 2
    auto r = q.submit(q.admin_key, run_body(50 + i));
    BOOST_REQUIRE_MESSAGE(r.status == 202u, r.body);
    BOOST_TEST(r.header("X-RateLimit-Limit") == "(absent)");
  }
}

BOOST_AUTO_TEST_CASE(sweeps_walk_forwards_and_monte_carlo_count) {
  auto& q = shared();
  // A completed run of the pro key for its Monte Carlo; then a fresh window.
  auto sub = q.submit(q.pro_key, run_body(60));
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id(sub.json().at("run_id").as_string());
  const auto done = bt::test::run_client{q.server, q.pro_key}.wait(id);
  BOOST_REQUIRE(done.at("status").as_string() == "completed");
  quota_server::wait_window();
  const std::string research =
      R"({"symbol":"GC","timeframe":"1h","strategy":"dual_sma","start":"2024-01-02T00:00:00Z",)"
      R"("end":"2024-06-28","space":{"params":{"fast_period":[5,10]}})";
  auto sweep =
      q.server.request("POST", "/v1/sweeps", q.pro_key, research + "}", "application/json");
  BOOST_REQUIRE_MESSAGE(sweep.status == 202u, sweep.body);
  BOOST_TEST(sweep.header("X-RateLimit-Remaining") == "2");
  auto mc = q.server.request("POST", "/v1/backtest/" + id + "/monte-carlo", q.pro_key,
                             R"({"seed": 3, "simulations": 10})", "application/json");
  BOOST_REQUIRE_MESSAGE(mc.status == 200u, mc.body);
  BOOST_TEST(mc.header("X-RateLimit-Remaining") == "1");
  auto wf =
      q.server.request("POST", "/v1/walk-forwards", q.pro_key,
                       research + R"(,"windows":{"train":1000,"test":500}})", "application/json");
  BOOST_REQUIRE_MESSAGE(wf.status == 202u, wf.body);
  BOOST_TEST(wf.header("X-RateLimit-Remaining") == "0");
  auto over = q.server.request("POST", "/v1/sweeps", q.pro_key, research + "}", "application/json");
  BOOST_TEST(over.status == 429u, over.body);
  BOOST_TEST(over.json().at("error").at("message").as_string().find("the pro tier allows 3") == 0u);
}

BOOST_AUTO_TEST_CASE(keys_set_tier_and_set_role_change_one_key) {
  auto& q = shared();
  const std::string dir = " --data-dir " + q.server.data_dir();
  const std::string id = q.server.sql(
      "SELECT k.id FROM api_keys k JOIN users u ON u.id = k.user_id WHERE u.name = 'fay'");
  auto [code, out] =
      bt::test::run_command(std::string(BACKTESTD_BINARY) + " keys set-tier " + id + " pro" + dir);
  BOOST_TEST(code == 0);
  BOOST_TEST(bt::test::run_command(std::string(BACKTESTD_BINARY) + " keys set-tier " + id
                                   + " platinum" + dir)
                 .first
             == 2);
  BOOST_TEST(
      bt::test::run_command(std::string(BACKTESTD_BINARY) + " keys set-role 999999 admin" + dir)
          .first
      == 2);
  quota_server::wait_window(); // also past the 1 s authentication cache
  auto r = q.submit(q.free_key, run_body(70));
  BOOST_TEST(r.status == 202u, r.body);
  BOOST_TEST(r.header("X-RateLimit-Limit") == "3");
  // The same user's other keys are untouched by a new key or a change.
  BOOST_TEST(q.server.sql("SELECT tier FROM api_keys WHERE id = " + id) == "pro");
  BOOST_TEST(
      bt::test::run_command(std::string(BACKTESTD_BINARY) + " keys set-role " + id + " admin" + dir)
          .first
      == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  BOOST_TEST(q.server.request("GET", "/v1/admin/cluster", q.free_key).status == 200u);
  auto exempt = q.submit(q.free_key, run_body(71));
  BOOST_TEST(exempt.header("X-RateLimit-Limit") == "(absent)");
}

BOOST_AUTO_TEST_SUITE_END()
