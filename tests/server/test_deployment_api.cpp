// Paper deployments through the API, on a server whose program pass runs
// every 200 ms: a manual program's candidates deployed by a trader (403
// for analysts and viewers), the admission rules' outcomes (redundancy
// naming the pair, the capacity), deployments advancing as bars arrive
// under the risk rules, their equity, trades, alerts, correlations and
// daily reports (JSON and CSV), an override with its reason, the decision
// history with every decision, other users' 404s and the metrics.
#include "event_stream.hpp"
#include "server_process.hpp"

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"
#include "domain/report/result_report.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

using bt::test::http_result;
using bt::test::server_process;

namespace {

const std::string program = R"({"name": "GC deployments", "symbol": "GC",
  "templates": [{"strategy": "dual_sma", "params": {},
    "space": {"fast_period": {"from": 5, "to": 40, "step": 5},
              "slow_period": {"from": 60, "to": 200, "step": 20}}}],
  "generator": {"method": "grid"}, "windows": {"train": 2000, "test": 1000},
  "gate": {"top_pct": 50, "days": 1, "max_allocation_pct": 20}, "capital": 500000,
  "deployment": {"mode": "manual", "max_active": 3, "max_type_pct": 100},
  "risk": {"drawdown_pct": 1}, "benchmark": {"basket": [{"symbol": "GC", "weight": 2}]}})";

} // namespace

BOOST_AUTO_TEST_SUITE(deployment_api)

BOOST_AUTO_TEST_CASE(deployments_are_promoted_advanced_judged_reported_and_overridden) {
  server_process s;
  const std::string trader = s.create_key("dana");
  const std::string analyst = s.create_key("dana", "analyst");
  const std::string viewer = s.create_key("dana", "viewer");
  const std::string other = s.create_key("erin");
  const std::string root = s.create_key("root", "admin");
  s.start({"--program-interval-ms", "200"});
  const auto all = bt::generate_bars(bt::synthetic_spec{});
  auto upload_until = [&](std::size_t bars) {
    const auto part = all.slice(all.times()[0], all.times()[bars - 1]);
    auto r = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", trader, bt::to_csv(part),
                       "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  };
  auto get = [&](const std::string& path, const std::string& key) {
    auto r = s.request("GET", path, key);
    BOOST_REQUIRE_MESSAGE(r.status == 200u, path + " -> " + r.body);
    return r.json();
  };
  auto post = [&](const std::string& path, const std::string& key, const std::string& body) {
    return s.request("POST", path, key, body, "application/json");
  };
  upload_until(8000);
  // A benchmark basket names uploaded series only.
  std::string unknown = program;
  unknown.replace(unknown.find(R"("symbol": "GC", "weight")"), 15, R"("symbol": "SPX",)");
  auto refused = post("/v1/programs", trader, unknown);
  BOOST_TEST(refused.status == 422u, refused.body);
  BOOST_TEST(refused.json().at("error").at("details").at(0).at("field").as_string()
             == "benchmark.basket[0].symbol");
  auto created = post("/v1/programs", trader, program);
  BOOST_REQUIRE_MESSAGE(created.status == 201u, created.body);
  const std::string id(created.json().at("program_id").as_string());
  const std::string base = "/v1/programs/" + id;
  auto scored = [&](int cycle) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    for (;;) {
      auto doc = get(base + "/scorecards/" + std::to_string(cycle), trader);
      if (doc.at("status").as_string() == "completed")
        return doc;
      BOOST_REQUIRE(std::chrono::steady_clock::now() < until);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  BOOST_REQUIRE(post(base + "/cycles", trader, "").status == 202u);
  scored(1);
  upload_until(8046); // two more days: the grid is evaluated again on them
  BOOST_REQUIRE(post(base + "/cycles", trader, "").status == 202u);
  const auto second = scored(2);
  // GET .../scorecards lists both cycles with their best configuration.
  const auto cards = get(base + "/scorecards", trader);
  BOOST_REQUIRE(cards.at("scorecards").as_array().size() == 2u);
  BOOST_TEST(cards.at("scorecards").at(1).at("best").at("params")
             == second.at("entries").at(0).at("params"));

  // A manual program deploys nothing by itself.
  BOOST_TEST(get(base + "/deployments", trader).at("items").as_array().empty());
  const auto candidates = get(base + "/candidates", trader).at("candidates").as_array();
  BOOST_REQUIRE(candidates.size() >= 2u);
  auto body_of = [](const boost::json::value& c) {
    return R"({"strategy": "dual_sma", "params": )" + boost::json::serialize(c.at("params")) + "}";
  };
  // Analysts and viewers see deployments but never change them.
  for (const auto* key : {&analyst, &viewer}) {
    auto r = post(base + "/deployments", *key, body_of(candidates[0]));
    BOOST_TEST(r.status == 403u, r.body);
    BOOST_TEST(r.body.find("missing: deploy") != std::string::npos, r.body);
  }
  auto bad = post(base + "/deployments", trader,
                  R"({"strategy": "dual_sma", "params": {"fast_period": 7, "slow_period": 61}})");
  BOOST_TEST(bad.status == 422u, bad.body);
  BOOST_TEST(bad.json().at("error").at("details").at(0).at("field").as_string() == "params");

  auto first = post(base + "/deployments", trader, body_of(candidates[0]));
  BOOST_REQUIRE_MESSAGE(first.status == 201u, first.body);
  const auto outcome = first.json().at("outcomes").at(0);
  BOOST_TEST(outcome.at("outcome").as_string() == "deployed");
  const std::string deployed(outcome.at("deployment_id").as_string());
  BOOST_TEST(outcome.at("capital") == candidates[0].at("allocation"));
  auto again = post(base + "/deployments", trader, body_of(candidates[0]));
  BOOST_REQUIRE_MESSAGE(again.status == 409u, again.body);
  // A refusal is an error naming the rule's outcome in its details.
  BOOST_TEST(again.json().at("error").at("details").at(0).at("reason").as_string()
             == "already_deployed");
  // The rest, in rank order: each deployed or refused by a rule that says why.
  std::map<std::string, int> outcomes;
  std::set<std::string> active{deployed};
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    auto r = post(base + "/deployments", trader, body_of(candidates[i]));
    BOOST_REQUIRE_MESSAGE(r.status == 201u || r.status == 409u, r.body);
    const auto doc = r.json();
    if (r.status == 201u) {
      const auto o = doc.at("outcomes").at(0);
      ++outcomes["deployed"];
      active.insert(std::string(o.at("deployment_id").as_string()));
      if (o.as_object().contains("demoted"))
        active.erase(std::string(o.at("demoted").as_string()));
      continue;
    }
    const std::string what(doc.at("error").at("details").at(0).at("reason").as_string());
    const std::string message(doc.at("error").at("message").as_string());
    ++outcomes[what];
    if (what == "redundant") {
      // The pair is named: an active deployment, above the 0.8 limit.
      BOOST_TEST(message.find("with active deployment") != std::string::npos, message);
    } else {
      BOOST_TEST((what == "full" || what == "no_capital"), what);
    }
  }
  BOOST_TEST(active.size() <= 3u); // max_active
  const auto listed = get(base + "/deployments?status=active", trader);
  BOOST_TEST(listed.at("items").as_array().size() == active.size());
  for (const auto& d : listed.at("items").as_array())
    BOOST_TEST(active.count(std::string(d.at("deployment_id").as_string())) == 1u);
  // Every redundancy flag is an alert naming the pair with its correlation.
  const auto alerts = get(base + "/alerts", trader).at("items").as_array();
  int redundant_alerts = 0;
  for (const auto& a : alerts)
    if (a.at("kind").as_string() == "redundant") {
      ++redundant_alerts;
      BOOST_TEST(a.at("value").to_number<double>() > 0.8);
      BOOST_TEST(a.at("details").at("correlated_with") == a.at("deployment_id"));
      BOOST_TEST(a.at("details").at("data_checksum").as_string().size() == 64u);
    }
  BOOST_TEST(redundant_alerts == outcomes["redundant"]);

  // Ten more days of bars: the program pass advances the deployments.
  upload_until(8276);
  const auto dataset = get("/v1/market-data/GC/1h", trader);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  boost::json::value one;
  for (;;) {
    one = get(base + "/deployments/" + deployed, trader);
    if (one.at("data_checksum") == dataset.at("checksum"))
      break;
    BOOST_REQUIRE(std::chrono::steady_clock::now() < until);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_TEST(one.at("deployed_at") == second.at("as_of"));
  const std::string first_day =
      std::string(one.at("deployed_at").as_string()).substr(0, 10); // it trades from the next
  const auto& equity = one.at("equity").as_array();
  BOOST_REQUIRE(equity.size() >= 8u); // the start and the days since
  BOOST_TEST(std::string(equity.at(0).at("day").as_string()).substr(0, 10) == first_day);
  BOOST_TEST(equity.at(0).at("equity").to_number<double>()
             == one.at("capital").to_number<double>());
  // The basket is GC alone: its value follows GC's last close of each day
  // from the last close before the deployment traded.
  BOOST_TEST(get(base + "/deployments", trader).at("benchmark").as_string() == "basket: GC 1h x2");
  for (std::size_t k = 1; k < equity.size(); ++k)
    BOOST_TEST(equity.at(k).at("benchmark").to_number<double>() > 0.0);
  for (const auto& t : one.at("trades").as_array())
    BOOST_TEST(std::string(t.at("entry_time").as_string()).substr(0, 10) > first_day);
  BOOST_TEST(one.at("summary").at("trades").as_int64()
             == static_cast<std::int64_t>(one.at("trades").as_array().size()));
  BOOST_TEST(!one.at("judged_through").is_null());
  // A 1 % drawdown limit: each breach halved the size from the next day,
  // with an alert and an audit entry holding the same figures.
  const auto decisions = get(base + "/decisions?limit=500", trader).at("entries").as_array();
  std::map<std::string, int> actions;
  for (const auto& e : decisions)
    ++actions[std::string(e.at("action").as_string())];
  int drawdowns = 0;
  const auto every = get(base + "/deployments", trader);
  for (const auto& d : every.at("items").as_array()) {
    const std::string did(d.at("deployment_id").as_string());
    const auto mine = get(base + "/alerts?deployment=" + did, trader).at("items").as_array();
    std::size_t halvings = 0;
    for (const auto& a : mine)
      if (a.at("kind").as_string() == "drawdown") {
        ++halvings;
        BOOST_TEST(a.at("value").to_number<double>() >= 1.0);
        BOOST_TEST(a.at("details").at("rules").at("drawdown_pct").to_number<double>() == 1.0);
      }
    BOOST_TEST(d.at("sizing").as_array().size() == halvings);
    drawdowns += static_cast<int>(halvings);
  }
  BOOST_TEST(drawdowns >= 1);
  BOOST_TEST(actions["deployment.size_halved"] == drawdowns);
  BOOST_TEST(actions["deployment.promoted"] == static_cast<int>(outcomes["deployed"] + 1));
  BOOST_TEST(actions["deployment.redundant"] == outcomes["redundant"]);

  // The correlation matrix of the active deployments: symmetric, 1 on its diagonal.
  const auto corr = get(base + "/correlations", trader);
  const auto& m = corr.at("matrix").as_array();
  BOOST_REQUIRE(m.size() == corr.at("deployments").as_array().size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    BOOST_TEST(m[i].at(i).to_number<double>() == 1.0);
    for (std::size_t j = 0; j < m.size(); ++j)
      BOOST_TEST(m[i].at(j) == m[j].at(i));
  }

  // The daily report of the last full day, in JSON and CSV.
  const std::string day =
      std::string(equity.at(equity.size() - 2).at("day").as_string()).substr(0, 10);
  const auto report = get(base + "/reports/" + day, trader);
  bool found = false;
  for (const auto& r : report.at("deployments").as_array())
    if (r.at("deployment_id").as_string() == deployed) {
      found = true;
      BOOST_TEST(r.at("equity").to_number<double>()
                 == equity.at(equity.size() - 2).at("equity").to_number<double>());
    }
  BOOST_TEST(found);
  const auto csv = s.request("GET", base + "/reports/" + day + "?format=csv", trader);
  BOOST_TEST(csv.status == 200u);
  BOOST_TEST(csv.body.rfind("date,deployment_id,strategy,symbol,params,status,capital,equity,", 0)
             == 0u);
  BOOST_TEST(csv.body.find(day + "," + deployed + ",dual_sma,GC,") != std::string::npos);
  BOOST_TEST(s.request("GET", base + "/reports/yesterday", trader).status == 400u);

  // Override: a trader deactivates at once, with a reason; nobody else may.
  const std::string deactivate = base + "/deployments/" + deployed + "/deactivate";
  BOOST_TEST(post(deactivate, analyst, R"({"reason": "no"})").status == 403u);
  BOOST_TEST(post(deactivate, viewer, R"({"reason": "no"})").status == 403u);
  BOOST_TEST(post(deactivate, trader, "{}").status == 422u);
  // The deployments' stream: a snapshot, then the change as it happens.
  auto stream = std::async(std::launch::async, [&] {
    return bt::test::read_sse(s.port(), base + "/deployments/events", {{"X-API-Key", viewer}},
                              [&](const std::vector<bt::test::sse_event>& events) {
                                for (const auto& e : events)
                                  if (e.type == "progress")
                                    for (const auto& d : e.data.at("items").as_array())
                                      if (d.at("deployment_id").as_string() == deployed
                                          && d.at("status").as_string() == "deactivated")
                                        return true;
                                return false;
                              });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300)); // subscribed by then
  auto off = post(deactivate, trader, R"({"reason": "desk limit reached"})");
  BOOST_REQUIRE_MESSAGE(off.status == 200u, off.body);
  BOOST_TEST(off.json().at("status").as_string() == "deactivated");
  BOOST_TEST(off.json().at("ended_at") == get("/v1/market-data/GC/1h", trader).at("to"));
  BOOST_TEST(off.json().at("end_reason").as_string().find("desk limit reached")
             != std::string::npos);
  BOOST_TEST(post(deactivate, trader, R"({"reason": "twice"})").status == 409u);
  const auto events = stream.get();
  BOOST_REQUIRE(events.status == 200);
  BOOST_REQUIRE(events.events.size() >= 2u);
  BOOST_TEST(events.events.front().type == "snapshot");
  BOOST_TEST(events.events.back().type == "progress");
  bool override_audited = false;
  const auto history = get(base + "/decisions?limit=500", trader);
  for (const auto& e : history.at("entries").as_array())
    if (e.at("action").as_string() == "deployment.deactivated")
      override_audited = e.at("details").at("reason").as_string() == "desk limit reached"
                         && e.at("actor").as_string() == "dana";
  BOOST_TEST(override_audited);

  // Another user's program does not exist for them.
  for (const std::string& path :
       std::vector<std::string>{"/deployments", "/alerts", "/correlations", "/decisions",
                                "/deployments/" + deployed, "/reports/" + day})
    BOOST_TEST(s.request("GET", base + path, other).status == 404u, path);
  BOOST_TEST(post(deactivate, other, R"({"reason": "x"})").status == 404u);

  const std::string metrics = s.request("GET", "/metrics", root).body;
  BOOST_TEST(metrics.find("backtestd_deployment_decisions_total{action=\"deployment.promoted\"} "
                          + std::to_string(outcomes["deployed"] + 1))
                 != std::string::npos,
             metrics.substr(0, 300));
  BOOST_TEST(
      metrics.find("backtestd_deployment_decisions_total{action=\"deployment.deactivated\"} 1")
      != std::string::npos);
  BOOST_TEST(metrics.find("backtestd_deployments{status=\"active\"}") != std::string::npos);
  BOOST_TEST(metrics.find("backtestd_deployment_alerts_total{kind=\"override\"} 1")
             != std::string::npos);
  BOOST_TEST(metrics.find("backtestd_deployment_alerts_total{kind=\"drawdown\"} "
                          + std::to_string(drawdowns))
             != std::string::npos);
  s.stop();
}

BOOST_AUTO_TEST_CASE(a_replay_backtests_the_promotion_process_and_repeats_itself) {
  server_process s;
  const std::string key = s.create_key("fay");
  const std::string other = s.create_key("gus");
  s.start({"--program-interval-ms", "200"});
  const auto bars = bt::generate_bars(bt::synthetic_spec{});
  auto up = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key, bt::to_csv(bars),
                      "text/csv");
  BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  auto created = s.request("POST", "/v1/programs", key, R"({"name": "replayed", "symbol": "GC",
      "templates": [{"strategy": "dual_sma", "params": {},
        "space": {"fast_period": {"from": 4, "to": 24, "step": 4},
                  "slow_period": {"from": 30, "to": 120, "step": 10}}}],
      "generator": {"method": "grid"}, "windows": {"train": 400, "test": 200},
      "lookback_days": 60, "schedule": {"every": "4w"},
      "gate": {"top_pct": 50, "days": 30, "max_allocation_pct": 20},
      "deployment": {"max_active": 5}})",
                           "application/json");
  BOOST_REQUIRE_MESSAGE(created.status == 201u, created.body);
  const std::string base =
      "/v1/programs/" + std::string(created.json().at("program_id").as_string());
  // A program with a schedule starts its own cycles: none is needed here.
  auto replay = [&](const std::string& body) {
    return s.request("POST", base + "/replay", key, body, "application/json");
  };
  auto refused = replay(R"({"from": "2023-06-01", "until": "2024-01-01"})");
  BOOST_TEST(refused.status == 422u, refused.body);
  BOOST_TEST(refused.json().at("error").at("details").at(0).at("field").as_string() == "until");
  BOOST_TEST(replay(R"({"from": "2020-01-01"})").status == 422u); // before the data
  BOOST_TEST(replay(R"({"to": "2024-01-01"})").status == 422u);   // from is required
  auto run = [&] {
    auto r = replay(R"({"from": "2023-04-03"})");
    BOOST_REQUIRE_MESSAGE(r.status == 202u, r.body);
    const std::string id(r.json().at("replay_id").as_string());
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      auto doc = s.request("GET", base + "/replays/" + id, key).json();
      if (doc.at("status").as_string() == "completed" || doc.at("status").as_string() == "failed") {
        BOOST_REQUIRE_MESSAGE(doc.at("status").as_string() == "completed",
                              boost::json::serialize(doc));
        BOOST_TEST(doc.at("cycles_done") == doc.at("cycles_total"));
        BOOST_TEST(s.request("GET", base + "/replays/" + id, other).status == 404u);
        return doc;
      }
      BOOST_REQUIRE(std::chrono::steady_clock::now() < until);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  const auto first = run();
  const auto& result = first.at("result");
  const auto& cycles = result.at("cycles").as_array();
  BOOST_REQUIRE(cycles.size() == static_cast<std::size_t>(first.at("cycles_total").as_int64()));
  BOOST_TEST(cycles.size() >= 20u);
  for (const auto& c : cycles) // no cycle read a bar after its as-of time
    BOOST_TEST(c.at("last_bar_used").as_string() <= c.at("as_of").as_string());
  BOOST_TEST(result.at("promotions").as_int64() > 0);
  BOOST_TEST(result.at("survived_90_days").as_int64() <= result.at("judged_promotions").as_int64());
  const auto second = run();
  BOOST_TEST(second.at("result").at("digest") == result.at("digest"));
  BOOST_TEST(boost::json::serialize(second.at("result")) == boost::json::serialize(result));
  const auto listed = s.request("GET", base + "/replays", key).json();
  BOOST_TEST(listed.at("items").as_array().size() == 2u);
  s.stop();
}

BOOST_AUTO_TEST_CASE(a_program_of_two_symbols_ranks_and_deploys_on_each) {
  server_process s;
  const std::string key = s.create_key("kim");
  s.start({"--program-interval-ms", "200"});
  bt::synthetic_spec si_spec;
  si_spec.symbol = "SI";
  si_spec.seed = 7;
  si_spec.start_price = 24;
  const auto gc = bt::generate_bars(bt::synthetic_spec{}), si = bt::generate_bars(si_spec);
  auto upload = [&](const char* symbol, const bt::bar_series& all, std::size_t bars) {
    auto r =
        s.request("POST", std::string("/v1/market-data?symbol=") + symbol + "&timeframe=1h", key,
                  bt::to_csv(all.slice(all.times()[0], all.times()[bars - 1])), "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  };
  upload("GC", gc, 8000);
  auto post = [&](const std::string& path, const std::string& body) {
    return s.request("POST", path, key, body, body.empty() ? "" : "application/json");
  };
  const std::string two = R"({"name": "metals", "symbols": ["GC", "SI"],
      "templates": [{"strategy": "dual_sma", "params": {},
        "space": {"fast_period": {"from": 5, "to": 40, "step": 5},
                  "slow_period": {"from": 60, "to": 200, "step": 20}}}],
      "generator": {"method": "grid"}, "windows": {"train": 2000, "test": 1000},
      "gate": {"top_pct": 25, "days": 1, "max_allocation_pct": 10}, "capital": 500000,
      "deployment": {"mode": "manual", "max_type_pct": 100}})";
  // Every symbol must be uploaded: the one missing is named.
  auto refused = post("/v1/programs", two);
  BOOST_TEST(refused.status == 422u, refused.body);
  BOOST_TEST(refused.json().at("error").at("details").at(0).at("field").as_string()
             == "symbols[1]");
  upload("SI", si, 8000);
  auto created = post("/v1/programs", two);
  BOOST_REQUIRE_MESSAGE(created.status == 201u, created.body);
  const std::string base =
      "/v1/programs/" + std::string(created.json().at("program_id").as_string());
  auto scored = [&](int n) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    for (;;) {
      auto doc = s.request("GET", base + "/scorecards/" + std::to_string(n), key).json();
      if (doc.at("status").as_string() == "completed")
        return doc;
      BOOST_REQUIRE(std::chrono::steady_clock::now() < until);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  auto cycle = post(base + "/cycles", "");
  BOOST_REQUIRE_MESSAGE(cycle.status == 202u, cycle.body);
  BOOST_TEST(cycle.json().at("configurations").as_int64() == 128); // 64 on each
  BOOST_TEST(cycle.json().at("symbols").as_array().size() == 2u);
  const auto first = scored(1);
  std::map<std::string, int> per_symbol;
  for (const auto& e : first.at("entries").as_array())
    ++per_symbol[std::string(e.at("symbol").as_string())];
  BOOST_TEST(per_symbol["GC"] == 64);
  BOOST_TEST(per_symbol["SI"] == 64);
  // New bars of one symbol: only its configurations are evaluated again.
  upload("SI", si, 8046);
  auto second = post(base + "/cycles", "");
  BOOST_REQUIRE_MESSAGE(second.status == 202u, second.body);
  BOOST_TEST(second.json().at("configurations").as_int64() == 64);
  BOOST_TEST(second.json().at("skipped").as_int64() == 64);
  const auto card = scored(2);
  // GC's data did not change: its evaluations from cycle 1 are ranked again.
  std::size_t carried = 0;
  for (const auto& e : card.at("entries").as_array())
    if (e.as_object().contains("carried_from_cycle")) {
      ++carried;
      BOOST_TEST(e.at("symbol").as_string() == "GC");
      BOOST_TEST(e.at("carried_from_cycle").as_int64() == 1);
    }
  BOOST_TEST(carried == 64u);
  BOOST_TEST(card.at("entries").as_array().size() == 128u);
  // Candidates name their symbol; a trader deploys one on its symbol.
  const auto candidates =
      s.request("GET", base + "/candidates", key).json().at("candidates").as_array();
  BOOST_REQUIRE(!candidates.empty());
  for (const auto& c : candidates)
    BOOST_TEST((c.at("symbol").as_string() == "GC" || c.at("symbol").as_string() == "SI"));
  const std::string symbol(candidates[0].at("symbol").as_string());
  const std::string params = boost::json::serialize(candidates[0].at("params"));
  auto missing =
      post(base + "/deployments", R"({"strategy": "dual_sma", "params": )" + params + "}");
  BOOST_TEST(missing.status == 422u, missing.body); // which symbol?
  auto deployed = post(base + "/deployments", R"({"strategy": "dual_sma", "symbol": ")" + symbol
                                                  + R"(", "params": )" + params + "}");
  BOOST_REQUIRE_MESSAGE(deployed.status == 201u, deployed.body);
  const std::string id(deployed.json().at("outcomes").at(0).at("deployment_id").as_string());
  // Two weeks more of both: it advances on its own symbol's bars.
  upload("GC", gc, 8300);
  upload("SI", si, 8300);
  const auto data = s.request("GET", "/v1/market-data/" + symbol + "/1h", key).json();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  boost::json::value one;
  for (;;) {
    one = s.request("GET", base + "/deployments/" + id, key).json();
    if (one.at("data_checksum") == data.at("checksum"))
      break;
    BOOST_REQUIRE(std::chrono::steady_clock::now() < until);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_TEST(one.at("equity").as_array().size() >= 10u);
  BOOST_TEST(one.at("symbol").as_string() == symbol);
  // Its trades are its symbol's: SI near 24, GC near 1,850.
  for (const auto& t : one.at("trades").as_array())
    BOOST_TEST((t.at("entry_price").to_number<double>() < 200.0) == (symbol == "SI"));
  s.stop();
}

BOOST_AUTO_TEST_SUITE_END()
