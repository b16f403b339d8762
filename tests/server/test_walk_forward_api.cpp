// Walk-forward analyses as queued jobs over real HTTP: the document, the
// stitched trades and equity are what `backtestd walk-forward` computes, a
// Monte Carlo of the out-of-sample trades is the CLI's, windows are checked
// before anything is queued, a running analysis can be cancelled, and
// nothing is another user's to see.

#include "event_stream.hpp"
#include "server_process.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

using bt::test::http_result;

namespace {

const char* gc_start = "2023-01-02T00:00:00Z";
const char* gc_end = "2024-12-31T16:00:00Z";

std::string spec(const std::string& windows, const std::string& extra = "") {
  return std::string(R"({"symbol": "GC", "strategy": "dual_sma", "start": ")") + gc_start
         + R"(", "end": ")" + gc_end + R"(",
     "space": {"params": {"fast_period": [5, 10, 20], "slow_period": [30, 60, 120]}},
     "windows": )"
         + windows + extra + "}";
}

struct shared_server : bt::test::two_user_server {
  shared_server() {
    auto r = server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", alice,
                            bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
    dir = server.data_dir() + "/cli-wf";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/gc.csv") << bt::test::gc_hourly_csv();
  }
  http_result post(const std::string& key, const std::string& path, const std::string& body = "") {
    return server.request("POST", path, key, body, "application/json");
  }
  boost::json::value wait(const std::string& id) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    for (;;) {
      auto doc = server.request("GET", "/v1/walk-forwards/" + id, alice).json();
      const auto status = std::string(doc.at("status").as_string());
      if (status != "queued" && status != "running")
        return doc;
      BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until, "still " << status);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::string dir;
};

shared_server& shared() {
  static shared_server s;
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(walk_forward_api)

BOOST_AUTO_TEST_CASE(a_queued_walk_forward_is_the_command_lines) {
  auto& sh = shared();
  const std::string body = spec(R"({"train": 1500, "test": 500})");
  auto sub = sh.post(sh.alice, "/v1/walk-forwards", body);
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id(sub.json().at("walk_forward_id").as_string());
  BOOST_TEST(sub.json().at("folds").as_int64() == 21);
  const auto done = sh.wait(id);
  BOOST_REQUIRE_MESSAGE(done.at("status").as_string() == "completed", boost::json::serialize(done));
  BOOST_TEST(done.at("progress").to_number<double>() == 100.0);

  // `backtestd walk-forward` on the same bars and specification, with a
  // Monte Carlo of its out-of-sample trades.
  const std::string mc = R"({"simulations": 300, "method": "shuffle", "seed": 8})";
  std::ofstream(sh.dir + "/wf.json")
      << body.substr(0, body.size() - 1) << R"(, "monte_carlo": )" << mc << "}";
  std::string err;
  auto [code, out] =
      bt::test::run_command(std::string(BACKTESTD_BINARY) + " walk-forward --data " + sh.dir
                                + "/gc.csv --spec " + sh.dir + "/wf.json --out " + sh.dir + "/out",
                            &err);
  BOOST_REQUIRE_MESSAGE(code == 0, err);
  auto cli = boost::json::parse(out).as_object();
  cli.erase("timing");
  const auto cli_mc = cli.at("monte_carlo");
  cli.erase("monte_carlo");
  BOOST_TEST((boost::json::serialize(done.at("result")) == boost::json::serialize(cli)));
  auto trades = sh.server.request("GET", "/v1/walk-forwards/" + id + "/trades", sh.alice);
  BOOST_TEST(trades.status == 200u);
  BOOST_TEST((trades.body == slurp(sh.dir + "/out/trades.csv")));
  auto equity = sh.server.request("GET", "/v1/walk-forwards/" + id + "/equity", sh.alice);
  BOOST_TEST((equity.body == slurp(sh.dir + "/out/equity.csv")));

  // The Monte Carlo of the stored out-of-sample trades: the CLI's.
  auto sim = sh.post(sh.alice, "/v1/walk-forwards/" + id + "/monte-carlo", mc);
  BOOST_REQUIRE_MESSAGE(sim.status == 200u, sim.body);
  BOOST_TEST(boost::json::serialize(sim.json().at("monte_carlo"))
             == boost::json::serialize(cli_mc));
  BOOST_TEST(sim.json().at("walk_forward_id").as_string() == id);
  BOOST_TEST(sh.post(sh.alice, "/v1/walk-forwards/" + id + "/monte-carlo", "{}").status == 422u);

  // Not runs of the history; listed among the walk-forwards.
  BOOST_TEST(sh.server.request("GET", "/v1/walk-forwards", sh.alice).json().at("total").as_int64()
             >= 1);
  BOOST_TEST(sh.post(sh.alice, "/v1/walk-forwards/" + id + "/cancel").status == 409u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/walk-forwards/" + id, sh.alice).status == 204u);
  BOOST_TEST(sh.server.request("GET", "/v1/walk-forwards/" + id, sh.alice).status == 404u);
}

BOOST_AUTO_TEST_CASE(a_walk_forward_streams_its_folds_and_its_out_of_sample_metrics) {
  auto& sh = shared();
  auto sub = sh.post(sh.alice, "/v1/walk-forwards", spec(R"({"train": 1000, "test": 250})"));
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id(sub.json().at("walk_forward_id").as_string());
  auto s = bt::test::read_sse(sh.server.port(), "/v1/walk-forwards/" + id + "/events",
                              {{"X-API-Key", sh.alice}});
  BOOST_REQUIRE(s.status == 200);
  BOOST_TEST(s.ended_by_server);
  BOOST_REQUIRE(s.events.size() >= 2u);
  BOOST_TEST(s.events.front().type == "snapshot");
  const auto& last = s.events.back();
  BOOST_TEST(last.type == "completed");
  BOOST_TEST(last.data.at("walk_forward_id").as_string() == id);
  BOOST_TEST(last.data.at("progress").to_number<double>() == 100.0);
  // The final out-of-sample metrics, as GET serves them; not every trade.
  const auto done = sh.wait(id);
  BOOST_TEST(last.data.at("out_of_sample").at("metrics")
             == done.at("result").at("out_of_sample").at("metrics"));
  BOOST_TEST(!last.data.as_object().contains("result"));
  double progress = -1;
  for (const auto& e : s.events)
    if (e.type == "progress") {
      const double p = e.data.at("progress").to_number<double>();
      BOOST_TEST(p >= progress);
      progress = p;
    }
  auto other = bt::test::read_sse(sh.server.port(), "/v1/walk-forwards/" + id + "/events",
                                  {{"X-API-Key", sh.bob}});
  BOOST_TEST(other.status == 404);
}

BOOST_AUTO_TEST_CASE(windows_are_checked_before_anything_is_queued) {
  auto& sh = shared();
  auto too_long = sh.post(sh.alice, "/v1/walk-forwards", spec(R"({"train": 11000, "test": 2000})"));
  BOOST_TEST(too_long.status == 422u);
  BOOST_TEST(too_long.body.find("not one train and test window fits") != std::string::npos,
             too_long.body);
  auto overlap =
      sh.post(sh.alice, "/v1/walk-forwards", spec(R"({"train": 100, "test": 50, "step": 10})"));
  BOOST_TEST(overlap.status == 422u);
  BOOST_TEST(overlap.body.find("windows.step") != std::string::npos, overlap.body);
  auto none = sh.post(sh.alice, "/v1/walk-forwards", R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": [5, 6]}}})");
  BOOST_TEST(none.status == 422u);
  BOOST_TEST(none.body.find("windows") != std::string::npos, none.body);
  BOOST_TEST(sh.server.request("PUT", "/v1/walk-forwards", sh.alice).status == 405u);
}

BOOST_AUTO_TEST_CASE(other_users_get_404_and_a_running_one_can_be_cancelled) {
  auto& sh = shared();
  // About 6,000 zones runs: long enough to cancel between two folds.
  const std::string body = std::string(R"({"symbol": "GC", "strategy": "supply_demand_zones",
      "start": ")") + gc_start
                           + R"(", "end": ")" + gc_end + R"(",
      "space": {"method": "random", "samples": 600, "seed": 2,
                "params": {"atr_period": {}, "stop_atr_mult": {"min": 0.5, "max": 3}}},
      "windows": {"train": 2000, "test": 1000}})";
  auto sub = sh.post(sh.alice, "/v1/walk-forwards", body);
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id(sub.json().at("walk_forward_id").as_string());
  for (const std::string suffix : {"", "/trades", "/equity"})
    BOOST_TEST(sh.server.request("GET", "/v1/walk-forwards/" + id + suffix, sh.bob).status == 404u,
               suffix);
  BOOST_TEST(sh.post(sh.bob, "/v1/walk-forwards/" + id + "/cancel").status == 404u);
  BOOST_TEST(sh.post(sh.bob, "/v1/walk-forwards/" + id + "/monte-carlo", R"({"seed": 1})").status
             == 404u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/walk-forwards/" + id, sh.bob).status == 404u);
  BOOST_TEST(sh.server.request("GET", "/v1/walk-forwards", sh.bob).json().at("total").as_int64()
             == 0);
  for (int i = 0; i < 400; ++i) {
    auto doc = sh.server.request("GET", "/v1/walk-forwards/" + id, sh.alice).json();
    if (doc.at("status").as_string() == "running")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto cancel = sh.post(sh.alice, "/v1/walk-forwards/" + id + "/cancel");
  BOOST_REQUIRE_MESSAGE(cancel.status == 200u, cancel.body);
  const auto after = sh.wait(id);
  BOOST_TEST(after.at("status").as_string() == "cancelled");
  BOOST_TEST(after.at("result").is_null());
  BOOST_TEST(sh.server.request("GET", "/v1/walk-forwards/" + id + "/trades", sh.alice).status
             == 409u);
}

BOOST_AUTO_TEST_SUITE_END()
