// The backtest journey over real HTTP: submission, queue, workers, results.

#include "server_process.hpp"

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <set>

using bt::test::http_result;
using bt::test::server_process;

namespace {

const char* gc_start = "2023-01-02T00:00:00Z";
const char* gc_end = "2024-12-31T16:00:00Z";

std::string body(const std::string& extra = "", const char* start = gc_start,
                 const char* end = gc_end, const std::string& symbol = "GC") {
  return "{\"symbol\":\"" + symbol + "\",\"timeframe\":\"1h\",\"start\":\"" + start
         + "\",\"end\":\"" + end + "\"" + (extra.empty() ? "" : "," + extra) + "}";
}

struct api {
  server_process& s;
  std::string key;
  http_result submit(const std::string& json,
                     const std::map<std::string, std::string>& headers = {}) const {
    return s.request("POST", "/v1/backtest", key, json, "application/json", headers);
  }
  http_result get(const std::string& path) const { return s.request("GET", path, key); }
  boost::json::value run(const std::string& id) const {
    return bt::test::run_client{s, key}.run(id);
  }
  boost::json::value wait(const std::string& id,
                          std::set<std::string> states = {"completed", "failed", "cancelled"},
                          double seconds = 60) const {
    return bt::test::run_client{s, key}.wait(id, states, seconds);
  }
  void upload(const std::string& symbol, const std::string& csv) const {
    auto r = s.request("POST", "/v1/market-data?symbol=" + symbol + "&timeframe=1h", key, csv,
                       "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  }
};

std::string id_of(const http_result& r) {
  return std::string(r.json().at("run_id").as_string());
}

struct shared_server : bt::test::two_user_server {
  shared_server() { api{server, alice}.upload("GC", bt::test::gc_hourly_csv()); }
};

shared_server& shared() {
  static shared_server s;
  return s;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(backtest_api)

BOOST_AUTO_TEST_CASE(full_journey_matches_the_command_line) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  auto sub = a.submit(body());
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  auto accepted = sub.json();
  BOOST_TEST(accepted.at("status").as_string() == "queued");
  BOOST_TEST(accepted.at("queue_position").to_number<int>() >= 1);
  BOOST_TEST(accepted.as_object().contains("eta_seconds"));
  const std::string id = id_of(sub);
  auto run = a.wait(id);
  BOOST_REQUIRE_MESSAGE(run.at("status").as_string() == "completed", boost::json::serialize(run));
  BOOST_TEST(run.at("progress").to_number<double>() == 100.0);
  BOOST_TEST(run.at("attempts").to_number<int>() == 1);
  BOOST_TEST(run.at("strategy").at("name").as_string() == "supply_demand_zones");
  BOOST_TEST(run.at("params").at("atr_period").to_number<int>() == 14); // defaults stored
  BOOST_TEST(run.at("execution").at("multiplier").to_number<double>() == 100.0);
  BOOST_TEST(std::string(run.at("worker_id").as_string()).find("worker") != std::string::npos);
  BOOST_TEST(run.at("start").as_string() == gc_start);

  // The command line on the same bars and configuration gives the same
  // metrics, trades and equity, byte for byte.
  const std::string dir = sh.server.data_dir() + "/cli";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/gc.csv") << bt::test::gc_hourly_csv();
  auto [code, out] = bt::test::run_command(std::string(BACKTESTD_BINARY) + " run --data " + dir
                                           + "/gc.csv --symbol GC --from " + gc_start + " --to "
                                           + gc_end + " --out " + dir);
  BOOST_REQUIRE(code == 0);
  auto cli = boost::json::parse(out);
  BOOST_TEST(run.at("config_hash") == cli.at("config_hash"));
  BOOST_TEST(run.at("data_checksum") == cli.at("data_checksum"));
  // The workers remember a range's checksum: another configuration on the
  // same range reports the same one, another range its own.
  auto again = a.wait(id_of(a.submit(body("\"params\":{\"atr_period\":10}"))));
  BOOST_TEST(again.at("status").as_string() == "completed");
  BOOST_TEST(again.at("data_checksum") == cli.at("data_checksum"));
  auto later =
      a.wait(id_of(a.submit(body("\"params\":{\"atr_period\":10}", "2023-06-01T00:00:00Z"))));
  BOOST_TEST(later.at("status").as_string() == "completed");
  BOOST_TEST(later.at("data_checksum") != cli.at("data_checksum"));
  auto metrics = a.get("/v1/backtest/" + id + "/metrics");
  BOOST_TEST(metrics.status == 200u);
  BOOST_TEST(metrics.json() == cli.at("metrics"));
  BOOST_TEST(metrics.json().at("total_trades").to_number<int>() > 10);
  auto trades_csv = a.get("/v1/backtest/" + id + "/trades?format=csv");
  BOOST_TEST(trades_csv.body == read(dir + "/trades.csv"));
  auto equity_csv = a.get("/v1/backtest/" + id + "/equity?format=csv");
  BOOST_TEST(equity_csv.body == read(dir + "/equity.csv"));
  auto zones = a.get("/v1/backtest/" + id + "/zones").json();
  BOOST_TEST(zones.at("count").to_number<std::size_t>() == cli.at("zones").as_array().size());

  // Equity: one point per bar; downsampled for charts.
  auto equity = a.get("/v1/backtest/" + id + "/equity").json();
  BOOST_TEST(equity.at("count").to_number<int>() == 12000);
  auto small = a.get("/v1/backtest/" + id + "/equity?max_points=100").json();
  BOOST_TEST(small.at("count").to_number<int>() <= 100);

  // Trades: paging, filters, sorting.
  auto page = a.get("/v1/backtest/" + id + "/trades?limit=5&offset=5&sort=pnl&order=desc").json();
  const int total = page.at("total").to_number<int>();
  BOOST_TEST(total == metrics.json().at("total_trades").to_number<int>());
  BOOST_TEST(page.at("trades").as_array().size() == 5u);
  double previous = 1e18;
  for (const auto& t : page.at("trades").as_array()) {
    BOOST_TEST(t.at("pnl").to_number<double>() <= previous);
    previous = t.at("pnl").to_number<double>();
  }
  auto wins = a.get("/v1/backtest/" + id + "/trades?outcome=win&side=short&limit=1000").json();
  for (const auto& t : wins.at("trades").as_array()) {
    BOOST_TEST(t.at("pnl").to_number<double>() > 0);
    BOOST_TEST(t.at("side").as_string() == "short");
  }
  BOOST_TEST(a.get("/v1/backtest/" + id + "/trades?sort=colour").status == 400u);
  // Any column sorts, the web's trades table among them: MAE descending.
  auto by_mae = a.get("/v1/backtest/" + id + "/trades?sort=mae&order=desc&limit=1000").json();
  previous = 1e18;
  for (const auto& t : by_mae.at("trades").as_array()) {
    BOOST_TEST(t.at("mae").to_number<double>() <= previous);
    previous = t.at("mae").to_number<double>();
  }

  auto chart = a.get("/v1/backtest/" + id + "/chart?max_points=200").json();
  for (const char* k :
       {"candles", "zones", "markers", "equity", "drawdown", "benchmark", "monthly_returns"})
    BOOST_TEST(chart.as_object().contains(k), k);
  BOOST_TEST(chart.at("candles").as_array().size() <= 200u);
  BOOST_TEST(chart.at("markers").as_array().size() == 2u * static_cast<std::size_t>(total));
  // Every marker sits on a candle that is drawn (was: 28 of 512 did).
  std::set<std::string> candle_times;
  for (const auto& c : chart.at("candles").as_array())
    candle_times.insert(std::string(c.at("time").as_string()));
  for (const auto& m : chart.at("markers").as_array())
    BOOST_TEST_REQUIRE(candle_times.count(std::string(m.at("time").as_string())) == 1u);
  BOOST_TEST(chart.at("monthly_returns").as_array().size() == 24u);

  auto history = a.get("/v1/backtest?status=completed&sort=sharpe_ratio&order=desc").json();
  BOOST_TEST(history.at("total").to_number<int>() >= 1);
  BOOST_TEST(a.get("/v1/backtest/history").status == 200u);
  auto strategies = a.get("/v1/strategies").json();
  BOOST_TEST(strategies.at("strategies").as_array().size() == 2u);

  // Finished runs cannot be cancelled; they can be deleted with their results.
  auto cancel = sh.server.request("POST", "/v1/backtest/" + id + "/cancel", sh.alice);
  BOOST_TEST(cancel.status == 409u);
  BOOST_TEST(std::string(cancel.json().at("error").at("message").as_string())
                 .find("completed runs cannot be cancelled")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(zero_trade_run_has_a_flat_curve) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  std::string csv = "timestamp,open,high,low,close,volume\n";
  for (int i = 0; i < 300; ++i) // rising without swings: no zones, no trades
    csv += bt::format_timestamp(1'704'153'600 + i * 3600) + "," + std::to_string(1000 + i) + ","
           + std::to_string(1001 + i) + "," + std::to_string(1000 + i) + ","
           + std::to_string(1001 + i) + ",1\n";
  a.upload("ZT", csv);
  auto sub = a.submit(body("", "2024-01-02T00:00:00Z", "2024-01-14T11:00:00Z", "ZT"));
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id = id_of(sub);
  BOOST_REQUIRE(a.wait(id).at("status").as_string() == "completed");
  auto m = a.get("/v1/backtest/" + id + "/metrics").json();
  BOOST_TEST(m.at("total_trades").to_number<int>() == 0);
  BOOST_TEST(m.at("win_rate").is_null());
  auto eq = a.get("/v1/backtest/" + id + "/equity").json();
  BOOST_TEST(eq.at("count").to_number<int>() == 300);
  for (const auto& p : eq.at("points").as_array()) {
    BOOST_TEST(p.at("equity").to_number<double>() == 50000.0);
    BOOST_TEST(p.at("drawdown_pct").to_number<double>() == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(identical_submissions_share_one_run) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  const std::string b = body(R"("params":{"atr_period":21})");
  auto first = a.submit(b);
  BOOST_REQUIRE(first.status == 202u || first.status == 200u);
  auto again = a.submit(b);
  BOOST_TEST(again.status == 200u);
  BOOST_TEST(again.json().at("idempotent_replay").as_bool());
  BOOST_TEST(id_of(again) == id_of(first));
  // Fully-defaulted parameters decide identity: spelling a default out changes nothing.
  auto spelled =
      a.submit(body(R"("params":{"atr_period":21,"swing_strength":3},"priority":"normal")"));
  BOOST_TEST(id_of(spelled) == id_of(first));

  // Twenty concurrent identical submissions: one run.
  const std::string c = body(R"("params":{"atr_period":33})");
  std::vector<std::future<http_result>> calls;
  for (int i = 0; i < 20; ++i)
    calls.push_back(std::async(std::launch::async, [&] { return a.submit(c); }));
  std::set<std::string> ids;
  int created = 0;
  for (auto& f : calls) {
    auto r = f.get();
    BOOST_REQUIRE_MESSAGE(r.status == 202u || r.status == 200u, r.body);
    created += r.status == 202u;
    ids.insert(id_of(r));
  }
  BOOST_TEST(ids.size() == 1u);
  BOOST_TEST(created == 1);

  // Idempotency-Key: a repeat returns the run, a different body is refused.
  auto k1 = a.submit(body(R"("params":{"atr_period":40})"), {{"Idempotency-Key", "order-7"}});
  auto k2 = a.submit(body(R"("params":{"atr_period":40})"), {{"Idempotency-Key", "order-7"}});
  BOOST_TEST(id_of(k1) == id_of(k2));
  auto k3 = a.submit(body(R"("params":{"atr_period":41})"), {{"Idempotency-Key", "order-7"}});
  BOOST_TEST(k3.status == 422u);
}

BOOST_AUTO_TEST_CASE(submissions_are_validated_before_queueing) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  auto field = [](const http_result& r) {
    return std::string(r.json().at("error").at("details").as_array()[0].at("field").as_string());
  };
  auto unknown = a.submit(body(R"("strategy":"martingale")"));
  BOOST_TEST(unknown.status == 422u);
  BOOST_TEST(field(unknown) == "strategy");
  auto range = a.submit(body(R"("params":{"atr_period":1})"));
  BOOST_TEST(range.status == 422u);
  BOOST_TEST(field(range) == "params.atr_period");
  auto name = a.submit(body(R"("params":{"nonsense":1})"));
  BOOST_TEST(field(name) == "params.nonsense");
  BOOST_TEST(field(a.submit(body("", gc_end, gc_start))) == "start");
  BOOST_TEST(field(a.submit(body("", "2020-01-01T00:00:00Z", "2024-01-01T00:00:00Z")))
             == "end"); // > 3 years
  auto uncovered = a.submit(body("", "2022-06-01T00:00:00Z", "2023-06-01T00:00:00Z"));
  BOOST_TEST(uncovered.status == 422u);
  BOOST_TEST(uncovered.body.find("available") != std::string::npos);
  BOOST_TEST(uncovered.body.find("GC/1h 2023-01-02T00:00:00Z") != std::string::npos);
  BOOST_TEST(a.submit(body("", gc_start, gc_end, "ES")).status == 422u);
  BOOST_TEST(a.submit(R"({"symbol":"GC",)").status == 400u);
  BOOST_TEST(a.submit(body(R"("colour":"red")")).status == 422u);
  BOOST_TEST(sh.server.request("POST", "/v1/backtest", sh.alice, body(), "text/plain").status
             == 415u);
  // 4h is resampled from stored 1h bars.
  auto h4 = a.submit(
      R"({"symbol":"GC","timeframe":"4h","start":"2023-01-02T00:00:00Z","end":"2023-12-29T16:00:00Z"})");
  BOOST_REQUIRE_MESSAGE(h4.status == 202u, h4.body);
  auto done = a.wait(id_of(h4));
  BOOST_TEST(done.at("status").as_string() == "completed");
  BOOST_TEST(done.at("source_timeframe").as_string() == "1h");
}

BOOST_AUTO_TEST_CASE(other_users_get_404_for_every_run_endpoint) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  auto sub = a.submit(body(R"("params":{"atr_period":15})"));
  const std::string id = id_of(sub);
  a.wait(id);
  for (const std::string suffix : {"", "/metrics", "/equity", "/trades", "/zones", "/chart"})
    BOOST_TEST(sh.server.request("GET", "/v1/backtest/" + id + suffix, sh.bob).status == 404u,
               suffix);
  BOOST_TEST(sh.server.request("POST", "/v1/backtest/" + id + "/cancel", sh.bob).status == 404u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/backtest/" + id, sh.bob).status == 404u);
  BOOST_TEST(sh.server
                 .request("POST", "/v1/backtest/" + id + "/monte-carlo", sh.bob, R"({"seed": 1})",
                          "application/json")
                 .status
             == 404u);
  BOOST_TEST(
      sh.server.request("GET", "/v1/backtest/compare?ids=" + id + "," + id_of(sub), sh.bob).status
      == 400u);
  auto list = sh.server.request("GET", "/v1/backtest", sh.bob).json();
  BOOST_TEST(list.at("total").to_number<int>() == 0);
  BOOST_TEST(sh.server.request("GET", "/v1/backtest/" + id, sh.alice).status == 200u);
}

BOOST_AUTO_TEST_CASE(monte_carlo_of_a_stored_run_is_the_command_lines) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  const std::string params = R"("strategy":"dual_sma","params":{"fast_period":8,"slow_period":40})";
  const std::string id = id_of(a.submit(body(params)));
  BOOST_REQUIRE(a.wait(id).at("status").as_string() == "completed");
  auto post = [&](const std::string& spec) {
    return sh.server.request("POST", "/v1/backtest/" + id + "/monte-carlo", sh.alice, spec,
                             "application/json");
  };
  // The command line's monte-carlo on the same bars and configuration: the
  // same simulations byte for byte, for each method.
  const std::string dir = sh.server.data_dir() + "/cli-mc";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/gc.csv") << bt::test::gc_hourly_csv();
  for (const std::string method : {"shuffle", "bootstrap", "block_bootstrap"}) {
    const std::string spec = R"({"simulations": 400, "method": ")" + method + R"(", "seed": 77)"
                             + (method == "block_bootstrap" ? R"(, "block_days": 3})" : "}");
    std::ofstream(dir + "/mc.json") << spec;
    std::string err;
    auto [code, out] = bt::test::run_command(
        std::string(BACKTESTD_BINARY) + " monte-carlo --data " + dir + "/gc.csv --symbol GC "
            + "--from " + gc_start + " --to " + gc_end
            + " --strategy dual_sma --params '{\"fast_period\":8,\"slow_period\":40}' --spec " + dir
            + "/mc.json",
        &err);
    BOOST_REQUIRE_MESSAGE(code == 0, err);
    const auto cli = boost::json::parse(out);
    const auto served = post(spec);
    BOOST_REQUIRE_MESSAGE(served.status == 200u, served.body);
    BOOST_TEST(boost::json::serialize(served.json().at("monte_carlo"))
                   == boost::json::serialize(cli.at("monte_carlo")),
               method);
    BOOST_TEST(post(spec).body == served.body); // the seed reproduces it
  }
  // A shuffle keeps the final equity: every percentile is the run's.
  const auto shuffled = post(R"({"simulations": 300, "seed": 5})").json();
  const auto final_equity = a.get("/v1/backtest/" + id + "/metrics").json().at("final_equity");
  for (const char* p : {"p1", "p50", "p99"})
    BOOST_TEST(shuffled.at("monte_carlo").at("final_equity").at(p).to_number<double>()
               == final_equity.to_number<double>());
  // Refused before anything runs, naming the field.
  auto missing_seed = post(R"({"simulations": 10})");
  BOOST_TEST(missing_seed.status == 422u);
  BOOST_TEST(missing_seed.body.find("\"seed\"") != std::string::npos, missing_seed.body);
  BOOST_TEST(post(R"({"seed": 1, "simulations": 100001})").status == 422u);
  BOOST_TEST(post("{\"seed\": \xff").status == 400u);
  BOOST_TEST(sh.server
                 .request("POST", "/v1/backtest/" + id + "/monte-carlo", sh.alice, R"({"seed": 1})",
                          "text/plain")
                 .status
             == 415u);
  BOOST_TEST(sh.server.request("GET", "/v1/backtest/" + id + "/monte-carlo", sh.alice).status
             == 405u);
}

BOOST_AUTO_TEST_CASE(compare_and_delete) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  const std::string x = id_of(a.submit(body(R"("params":{"atr_period":10})")));
  const std::string y =
      id_of(a.submit(body(R"("params":{"atr_period":30},"execution":{"slippage_ticks":2})")));
  a.wait(x);
  a.wait(y);
  auto cmp = a.get("/v1/backtest/compare?ids=" + x + "," + y).json();
  bool atr_differs = false, swing_differs = true;
  for (const auto& p : cmp.at("params").as_array()) {
    if (p.at("name").as_string() == "atr_period")
      atr_differs = p.at("differs").as_bool();
    if (p.at("name").as_string() == "swing_strength")
      swing_differs = p.at("differs").as_bool();
  }
  BOOST_TEST(atr_differs);
  BOOST_TEST(!swing_differs);
  BOOST_TEST(cmp.at("metrics").as_object().size() == 2u);
  const auto& series = cmp.at("equity").at("series").as_object();
  BOOST_TEST(series.at(x).as_array().size() == cmp.at("equity").at("times").as_array().size());
  BOOST_TEST(a.get("/v1/backtest/compare?ids=" + x).status == 400u);
  // The shared axis thinned to max_points, a value out of range refused.
  auto thin = a.get("/v1/backtest/compare?ids=" + x + "," + y + "&max_points=50").json();
  BOOST_TEST(thin.at("equity").at("times").as_array().size() == 50u);
  BOOST_TEST(a.get("/v1/backtest/compare?ids=" + x + "," + y + "&max_points=5").status == 400u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/backtest/" + y, sh.alice).status == 204u);
  BOOST_TEST(a.get("/v1/backtest/" + y).status == 404u);
  BOOST_TEST(sh.server.sql("SELECT count(*) FROM run_trade_lists WHERE run_id = '" + y + "'")
             == "0");
  BOOST_TEST(sh.server.sql("SELECT count(*) FROM run_equity WHERE run_id = '" + y + "'") == "0");
}

BOOST_AUTO_TEST_CASE(a_range_inside_a_gap_is_refused_with_the_data_around_it) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  // A 24/7 symbol with bars on Jan 1-9 and Jan 20-30, none in between.
  std::string csv = "timestamp,open,high,low,close,volume\n";
  for (int day : {1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
    for (int h = 0; h < 24; ++h) {
      char row[96];
      std::snprintf(row, sizeof row, "2024-01-%02dT%02d:00:00Z,100,101,99,100,1\n", day, h);
      csv += row;
    }
  a.upload("GAPPY", csv);
  auto r = a.submit(body("", "2024-01-12T00:00:00Z", "2024-01-15T00:00:00Z", "GAPPY"));
  BOOST_TEST_REQUIRE(r.status == 422u, r.body);
  BOOST_TEST(r.body.find("inside a gap") != std::string::npos, r.body);
  BOOST_TEST(r.body.find("2024-01-01T00:00:00Z to 2024-01-09T23:00:00Z") != std::string::npos,
             r.body);
  BOOST_TEST(r.body.find("2024-01-20T00:00:00Z to 2024-01-30T23:00:00Z") != std::string::npos,
             r.body);
  // Nothing was queued for it.
  BOOST_TEST(sh.server.sql("SELECT count(*) FROM runs WHERE symbol = 'GAPPY'") == "0");
}

BOOST_AUTO_TEST_CASE(a_date_alone_as_end_means_the_whole_day) {
  auto& sh = shared();
  api a{sh.server, sh.bob};
  a.upload("GC", bt::test::gc_hourly_csv());
  auto r = a.submit(body("\"strategy\":\"dual_sma\"", "2024-06-03", "2024-06-28"));
  BOOST_TEST_REQUIRE(r.status == 202u, r.body);
  auto done = a.wait(id_of(r));
  BOOST_TEST(done.at("status").as_string() == "completed");
  BOOST_TEST(done.at("start").as_string() == "2024-06-03T00:00:00Z");
  BOOST_TEST(done.at("end").as_string() == "2024-06-28T23:59:59Z");
  // The equity curve ends with the day's last bar (GC closes 16:00 CT = 21:00 UTC).
  auto eq = a.get("/v1/backtest/" + id_of(r) + "/equity?format=csv");
  BOOST_TEST(eq.body.find("2024-06-28T20:00:00Z") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_engine_error_fails_at_once_and_is_not_retried) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  // 10,000 contracts at a 1,000,000 multiplier: P&L beyond the exact range.
  auto r = a.submit(body("\"strategy\":\"dual_sma\",\"params\":{\"quantity\":10000},"
                         "\"execution\":{\"multiplier\":1000000}"));
  BOOST_TEST_REQUIRE(r.status == 202u, r.body);
  auto done = a.wait(id_of(r));
  BOOST_TEST(done.at("status").as_string() == "failed");
  BOOST_TEST(done.at("attempts").to_number<int>() == 1);
  BOOST_TEST(std::string(done.at("error").as_string()).find("exactly") != std::string::npos);
  BOOST_TEST(sh.server.sql("SELECT count(*) FROM dead_letters WHERE run_id = '" + id_of(r) + "'")
             == "0");
  BOOST_TEST(a.get("/v1/backtest/" + id_of(r) + "/trades").status
             == 409u); // no half-written result
}

BOOST_AUTO_TEST_CASE(a_run_whose_signals_were_all_skipped_says_why) {
  auto& sh = shared();
  api a{sh.server, sh.alice};
  // GC 1d from 1h bars with the defaults: one contract is too large.
  auto r = a.submit(
      "{\"symbol\":\"GC\",\"timeframe\":\"1d\",\"start\":\"2023-01-02\",\"end\":\"2024-12-30\"}");
  BOOST_TEST_REQUIRE(r.status == 202u, r.body);
  auto done = a.wait(id_of(r));
  BOOST_TEST_REQUIRE(done.at("status").as_string() == "completed");
  const auto& warnings = done.at("warnings").as_array();
  BOOST_TEST_REQUIRE(warnings.size() == 1u);
  BOOST_TEST(warnings[0].at("code").as_string() == "all_signals_skipped");
  BOOST_TEST(warnings[0].at("count").to_number<std::int64_t>()
             == done.at("metrics").at("skipped_signals").to_number<std::int64_t>());
}

BOOST_AUTO_TEST_SUITE_END()
