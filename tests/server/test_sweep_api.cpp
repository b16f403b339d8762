// Sweeps as queued jobs over real HTTP: chunks through the queue and the
// workers, each configuration's stored result what `backtestd sweep` and
// `backtestd run` compute, results by metric, the heatmap, the
// overfitting statistics, a configuration run alone, cancellation,
// deletion and per-user isolation.

#include "event_stream.hpp"
#include "server_process.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <thread>

using bt::test::http_result;
using bt::test::server_process;

namespace {

const char* gc_start = "2023-01-02T00:00:00Z";
const char* gc_end = "2024-12-31T16:00:00Z";

std::string grid_sweep(const std::string& extra = "") {
  return std::string(R"({"symbol": "GC", "timeframe": "1h", "strategy": "dual_sma", "start": ")")
         + gc_start + R"(", "end": ")" + gc_end + R"(", "params": {"quantity": 2},
     "space": {"method": "grid", "params": {"fast_period": [5, 10, 40], "slow_period": [20, 30]},
               "execution": {"slippage_ticks": [0, 2]}},
     "constraints": {"total_trades": {"min": 10}}, "overfitting": {"blocks": 8})"
         + extra + "}";
}

struct sweeps {
  server_process& s;
  std::string key;
  http_result post(const std::string& path, const std::string& body = "") const {
    return s.request("POST", path, key, body, "application/json");
  }
  http_result get(const std::string& path) const { return s.request("GET", path, key); }
  boost::json::value wait(const std::string& id, double seconds = 90) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
      auto doc = get("/v1/sweeps/" + id).json();
      const auto status = std::string(doc.at("status").as_string());
      if (status != "queued" && status != "running")
        return doc;
      BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until,
                            "sweep " << id << " still " << status);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

struct shared_server : bt::test::two_user_server {
  shared_server() {
    auto r = server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", alice,
                            bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
    dir = server.data_dir() + "/cli-sweep";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/gc.csv") << bt::test::gc_hourly_csv();
  }
  std::string dir;
};

shared_server& shared() {
  static shared_server s;
  return s;
}

std::string id_of(const http_result& r) {
  return std::string(r.json().at("sweep_id").as_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(sweep_api)

BOOST_AUTO_TEST_CASE(a_queued_sweep_stores_what_the_command_line_computes) {
  auto& sh = shared();
  sweeps a{sh.server, sh.alice};
  auto sub = a.post("/v1/sweeps", grid_sweep(R"(, "chunk_size": 5)"));
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  BOOST_TEST_MESSAGE(sub.body);
  BOOST_TEST(sub.json().at("configurations").as_int64() == 12);
  BOOST_TEST(sub.json().at("chunks").as_int64() == 3);
  const std::string id = id_of(sub);
  const auto done = a.wait(id);
  BOOST_REQUIRE_MESSAGE(done.at("status").as_string() == "completed", boost::json::serialize(done));
  BOOST_TEST(done.at("counts").at("done").as_int64() == 12);
  BOOST_TEST(done.at("counts").at("completed").as_int64() == 8);
  BOOST_TEST(done.at("counts").at("skipped").as_int64() == 4);
  BOOST_TEST(done.at("progress").to_number<double>() == 100.0);
  BOOST_TEST(done.at("chunks").at("completed").as_int64() == 3);

  // The same specification through `backtestd sweep` on the same bars:
  // every configuration's result, byte for byte, and the same best.
  std::ofstream(sh.dir + "/spec.json") << grid_sweep();
  std::string err;
  auto [code, out] = bt::test::run_command(std::string(BACKTESTD_BINARY) + " sweep --data " + sh.dir
                                               + "/gc.csv --spec " + sh.dir + "/spec.json",
                                           &err);
  BOOST_REQUIRE_MESSAGE(code == 0, err);
  const auto cli = boost::json::parse(out).as_object();
  const auto stored_reply = a.get("/v1/sweeps/" + id + "/results?limit=1000");
  BOOST_REQUIRE_MESSAGE(stored_reply.status == 200u, stored_reply.body);
  const auto stored = stored_reply.json();
  BOOST_TEST(stored.at("total").as_int64() == 12);
  const auto& mine = stored.at("results").as_array();
  const auto& theirs = cli.at("results").as_array();
  BOOST_REQUIRE(mine.size() == theirs.size());
  for (std::size_t i = 0; i < mine.size(); ++i)
    BOOST_TEST(boost::json::serialize(mine[i]) == boost::json::serialize(theirs[i]),
               "configuration " << i);
  BOOST_TEST(boost::json::serialize(done.at("best")) == boost::json::serialize(cli.at("best")));

  // The overfitting statistics from the stored daily returns: the CLI's.
  const auto stats = a.get("/v1/sweeps/" + id + "/overfitting");
  BOOST_REQUIRE_MESSAGE(stats.status == 200u, stats.body);
  BOOST_TEST(boost::json::serialize(stats.json()) == boost::json::serialize(cli.at("overfitting")));

  // Sorted by a metric, best first, absent values last; paged; as CSV.
  const auto by_sharpe = a.get("/v1/sweeps/" + id + "/results?sort=sharpe_ratio&limit=3").json();
  BOOST_TEST(by_sharpe.at("results").as_array().size() == 3u);
  double previous = 1e300;
  for (const auto& r : by_sharpe.at("results").as_array()) {
    const double v = r.at("metrics").at("sharpe_ratio").to_number<double>();
    BOOST_TEST(v <= previous);
    previous = v;
  }
  const auto csv = a.get("/v1/sweeps/" + id + "/results?format=csv&status=completed");
  BOOST_TEST(csv.status == 200u);
  BOOST_TEST(csv.body.rfind("index,status,fast_period,slow_period,execution.slippage_ticks,", 0)
                 == 0u,
             csv.body.substr(0, 200));
  BOOST_TEST(std::count(csv.body.begin(), csv.body.end(), '\n') == 9); // header + 8

  // The heatmap: slippage held at the best's value, one cell per pair.
  const auto heat =
      a.get("/v1/sweeps/" + id + "/heatmap?x=fast_period&y=slow_period&metric=net_profit");
  BOOST_REQUIRE_MESSAGE(heat.status == 200u, heat.body);
  const auto h = heat.json();
  BOOST_TEST(h.at("x_values").as_array().size() == 2u); // 40 is never below 20 or 30
  BOOST_TEST(h.at("y_values").as_array().size() == 2u);
  BOOST_TEST(h.at("fixed").at("slippage_ticks")
             == done.at("best").at("execution").at("slippage_ticks"));
  const auto& best_params = done.at("best").at("params");
  for (std::size_t j = 0; j < 2; ++j)
    for (std::size_t i = 0; i < 2; ++i)
      if (h.at("x_values").at(i) == best_params.at("fast_period")
          && h.at("y_values").at(j) == best_params.at("slow_period"))
        BOOST_TEST(h.at("cells").at(j).at(i).to_number<double>()
                   == done.at("best").at("metrics").at("net_profit").to_number<double>());
  BOOST_TEST(a.get("/v1/sweeps/" + id + "/heatmap?x=fast_period&y=atr_period").status == 400u);

  // A configuration run alone: an ordinary run whose results are the
  // sweep's for it, and which a direct submission of the same
  // configuration finds as the same run.
  const auto best_index = done.at("best").at("index").as_int64();
  auto run = a.post("/v1/sweeps/" + id + "/configs/" + std::to_string(best_index) + "/run");
  BOOST_REQUIRE_MESSAGE(run.status == 202u, run.body);
  const std::string run_id = std::string(run.json().at("run_id").as_string());
  const auto finished = bt::test::run_client{sh.server, sh.alice}.wait(run_id);
  BOOST_REQUIRE(finished.at("status").as_string() == "completed");
  BOOST_TEST(finished.at("config_hash") == done.at("best").at("config_hash"));
  BOOST_TEST(boost::json::serialize(a.get("/v1/backtest/" + run_id + "/metrics").json())
             == boost::json::serialize(done.at("best").at("metrics")));
  BOOST_TEST(a.post("/v1/sweeps/" + id + "/configs/12/run").status == 404u);
  BOOST_TEST(a.post("/v1/sweeps/" + id + "/configs/x/run").status == 404u);
  // A skipped configuration is refused as its direct submission would be.
  BOOST_TEST(a.post("/v1/sweeps/" + id + "/configs/8/run").status == 422u);

  // Chunks are the sweep's own: not runs of the history.
  const auto history = a.get("/v1/backtest?limit=500").json();
  for (const auto& r : history.at("items").as_array())
    BOOST_TEST(r.at("run_id").as_string() != id);
  const auto list = a.get("/v1/sweeps").json();
  BOOST_TEST(list.at("total").as_int64() >= 1);

  // Finished: cancelling is a conflict; deleting removes it with its results.
  BOOST_TEST(a.post("/v1/sweeps/" + id + "/cancel").status == 409u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/sweeps/" + id, sh.alice).status == 204u);
  BOOST_TEST(a.get("/v1/sweeps/" + id).status == 404u);
  BOOST_TEST(a.get("/v1/sweeps/" + id + "/results").status == 404u);
}

BOOST_AUTO_TEST_CASE(sweeps_are_checked_before_anything_is_queued) {
  auto& sh = shared();
  sweeps a{sh.server, sh.alice};
  auto too_big = a.post("/v1/sweeps", std::string(R"({"symbol": "GC", "strategy": "dual_sma",
      "start": ")") + gc_start + R"(", "end": ")"
                                          + gc_end + R"(",
      "space": {"params": {"fast_period": {"from": 2, "to": 200, "step": 1},
                           "slow_period": {"from": 3, "to": 1000, "step": 1}}}})");
  BOOST_TEST(too_big.status == 422u);
  BOOST_TEST(too_big.body.find("198602 configurations; at most 100000") != std::string::npos,
             too_big.body);
  auto no_range = a.post("/v1/sweeps", R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": [5, 6]}}})");
  BOOST_TEST(no_range.status == 422u);
  BOOST_TEST(no_range.body.find("\"start\"") != std::string::npos, no_range.body);
  auto bad_value = a.post("/v1/sweeps", grid_sweep(R"(, "chunk_size": 0)"));
  BOOST_TEST(bad_value.status == 422u);
  BOOST_TEST(bad_value.body.find("chunk_size") != std::string::npos, bad_value.body);
  auto no_data = a.post("/v1/sweeps", std::string(R"({"symbol": "ES", "strategy": "dual_sma",
      "start": ")") + gc_start + R"(", "end": ")"
                                          + gc_end + R"(",
      "space": {"params": {"fast_period": [5, 6]}}})");
  BOOST_TEST(no_data.status == 422u);
  BOOST_TEST(a.post("/v1/sweeps", "{\"symbol\": \xff").status == 400u);
  BOOST_TEST(sh.server.request("POST", "/v1/sweeps", sh.alice, grid_sweep(), "text/plain").status
             == 415u);
  BOOST_TEST(sh.server.request("PUT", "/v1/sweeps", sh.alice).status == 405u);
}

BOOST_AUTO_TEST_CASE(other_users_get_404_for_every_sweep_endpoint) {
  auto& sh = shared();
  sweeps a{sh.server, sh.alice}, b{sh.server, sh.bob};
  const std::string id = id_of(a.post("/v1/sweeps", grid_sweep(R"(, "chunk_size": 12)")));
  a.wait(id);
  for (const std::string suffix :
       {"", "/results", "/heatmap?x=fast_period&y=slow_period", "/overfitting"})
    BOOST_TEST(b.get("/v1/sweeps/" + id + suffix).status == 404u, suffix);
  BOOST_TEST(b.post("/v1/sweeps/" + id + "/cancel").status == 404u);
  BOOST_TEST(b.post("/v1/sweeps/" + id + "/configs/0/run").status == 404u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/sweeps/" + id, sh.bob).status == 404u);
  BOOST_TEST(b.get("/v1/sweeps").json().at("total").as_int64() == 0);
  BOOST_TEST(a.get("/v1/sweeps/" + id).status == 200u);
  BOOST_TEST(sh.server.request("GET", "/v1/sweeps/" + id).status == 401u);
}

BOOST_AUTO_TEST_CASE(a_latin_hypercube_sweep_covers_each_range_evenly) {
  auto& sh = shared();
  sweeps a{sh.server, sh.alice};
  const std::string spec = std::string(R"({"symbol": "GC", "strategy": "supply_demand_zones",
      "start": ")") + gc_start
                           + R"(", "end": ")" + gc_end + R"(",
      "space": {"method": "latin_hypercube", "samples": 8, "seed": 5,
                "params": {"atr_period": {"min": 10, "max": 25}}}})";
  const std::string id = id_of(a.post("/v1/sweeps", spec));
  BOOST_REQUIRE(a.wait(id).at("status").as_string() == "completed");
  // 16 values in 8 strata: each pair (10-11, 12-13, ...) drawn once.
  std::set<std::int64_t> pairs;
  const auto results = a.get("/v1/sweeps/" + id + "/results").json();
  for (const auto& r : results.at("results").as_array())
    pairs.insert((r.at("params").at("atr_period").as_int64() - 10) / 2);
  BOOST_TEST(pairs.size() == 8u);
}

BOOST_AUTO_TEST_CASE(a_running_sweep_can_be_cancelled) {
  auto& sh = shared();
  sweeps a{sh.server, sh.alice};
  // 1,500 zones configurations in chunks of 10: long enough to cancel midway.
  const std::string spec = std::string(R"({"symbol": "GC", "strategy": "supply_demand_zones",
      "start": ")") + gc_start
                           + R"(", "end": ")" + gc_end + R"(", "chunk_size": 10,
      "space": {"method": "random", "samples": 1500, "seed": 3,
                "params": {"atr_period": {}, "stop_atr_mult": {"min": 0.5, "max": 3}}}})";
  const std::string id = id_of(a.post("/v1/sweeps", spec));
  for (int i = 0;
       i < 200 && a.get("/v1/sweeps/" + id).json().at("counts").at("done").as_int64() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto cancel = a.post("/v1/sweeps/" + id + "/cancel");
  BOOST_REQUIRE_MESSAGE(cancel.status == 200u, cancel.body);
  const auto after = a.wait(id);
  BOOST_TEST(after.at("status").as_string() == "cancelled");
  const auto done = after.at("counts").at("done").as_int64();
  BOOST_TEST(done > 0);
  BOOST_TEST(done < 1500);
  // Nothing more is stored once it is cancelled.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  BOOST_TEST(a.get("/v1/sweeps/" + id).json().at("counts").at("done").as_int64() == done);
  BOOST_TEST(a.get("/v1/sweeps/" + id + "/overfitting").status == 409u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/sweeps/" + id, sh.alice).status == 204u);
}

BOOST_AUTO_TEST_CASE(a_sweep_streams_its_counts_and_its_best_until_completed) {
  auto& sh = shared();
  sweeps a{sh.server, sh.alice};
  const std::string body =
      std::string(R"({"symbol": "GC", "timeframe": "1h", "strategy": "dual_sma", "start": ")")
      + gc_start + R"(", "end": ")" + gc_end
      + R"(", "space": {"method": "grid", "params": {"fast_period": {"from": 2, "to": 30, "step": 1},
         "slow_period": {"from": 40, "to": 200, "step": 10}}}, "chunk_size": 25})";
  auto sub = a.post("/v1/sweeps", body);
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id = id_of(sub);
  auto s = bt::test::read_sse(sh.server.port(), "/v1/sweeps/" + id + "/events",
                              {{"X-API-Key", sh.alice}});
  BOOST_REQUIRE(s.status == 200);
  BOOST_TEST(s.ended_by_server);
  BOOST_REQUIRE(s.events.size() >= 2u);
  BOOST_TEST(s.events.front().type == "snapshot");
  std::int64_t done = -1;
  double progress = -1;
  for (const auto& e : s.events) {
    const auto d = e.data.at("counts").at("done").as_int64();
    BOOST_TEST(d >= done); // stored configurations: never backwards
    done = d;
    const double p = e.data.at("progress").to_number<double>();
    BOOST_TEST(p >= progress); // with the running chunks': never backwards either
    progress = p;
  }
  const auto& last = s.events.back();
  BOOST_TEST(last.type == "completed");
  BOOST_TEST(last.data.at("counts").at("done") == last.data.at("counts").at("total"));
  // The best configuration, as the status document has it once completed.
  const auto status = a.get("/v1/sweeps/" + id).json();
  BOOST_TEST(last.data.at("best") == status.at("best"));
  BOOST_TEST(
      bt::test::read_sse(sh.server.port(), "/v1/sweeps/" + id + "/events", {{"X-API-Key", sh.bob}})
          .status
      == 404);
}

BOOST_AUTO_TEST_SUITE_END()
