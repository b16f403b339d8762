// Evaluation programs through the API: a program of 60 Latin-hypercube
// configurations, a cycle that tests each with its own walk-forward and
// ranks them in a scorecard, a second cycle that repeats none of them, a
// grid program whose second cycle on the same data has nothing new,
// refusals naming their field, other users' 404s, and the audit trail.
#include "server_process.hpp"

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"
#include "domain/report/result_report.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <thread>

using bt::test::http_result;
using bt::test::server_process;

namespace {

struct shared_server : bt::test::two_user_server {
  shared_server() {
    auto r = server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", alice,
                            bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  }
};

shared_server& shared() {
  static shared_server s;
  return s;
}

const std::string lhs_program = R"({"name": "GC crossovers", "symbol": "GC",
  "templates": [{"strategy": "dual_sma", "params": {},
                 "space": {"fast_period": {"min": 5, "max": 40}, "slow_period": {"min": 50, "max": 200}}}],
  "generator": {"method": "latin_hypercube", "samples": 60, "seed": 4},
  "windows": {"train": 2000, "test": 1000}, "lookback_days": 400})";

http_result post(const std::string& path, const std::string& body = "") {
  return shared().server.request("POST", path, shared().alice, body,
                                 body.empty() ? "" : "application/json");
}

boost::json::value scorecard(const std::string& program, int cycle) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    auto r = shared().server.request(
        "GET", "/v1/programs/" + program + "/scorecards/" + std::to_string(cycle), shared().alice);
    BOOST_REQUIRE_MESSAGE(r.status == 200u, r.body);
    auto doc = r.json();
    if (doc.at("status").as_string() == "completed")
      return doc;
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until, r.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

/// The program's document once its cycle n has its scorecard.
boost::json::value program_when_cycles(server_process& s, const std::string& key,
                                       const std::string& id, std::size_t n) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    auto doc = s.request("GET", "/v1/programs/" + id, key).json();
    const auto& cycles = doc.at("cycles").as_array();
    if (cycles.size() >= n && cycles.at(n - 1).at("status").as_string() == "completed")
      return doc;
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < until, boost::json::serialize(doc));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string id_of(const http_result& r) {
  BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  return std::string(r.json().at("program_id").as_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(program_api)

BOOST_AUTO_TEST_CASE(a_cycle_walk_forward_tests_every_configuration_and_ranks_them) {
  auto& sh = shared();
  const std::string id = id_of(post("/v1/programs", lhs_program));
  auto started = post("/v1/programs/" + id + "/cycles");
  BOOST_REQUIRE_MESSAGE(started.status == 202u, started.body);
  BOOST_TEST(started.json().at("configurations").as_int64() == 60);
  // As of the data's last bar (market-data time).
  BOOST_TEST(started.json().at("as_of")
             == sh.server.request("GET", "/v1/market-data/GC/1h", sh.alice).json().at("to"));
  const auto card = scorecard(id, 1);
  BOOST_TEST(card.at("completed").as_int64() == 60);
  const auto& entries = card.at("entries").as_array();
  BOOST_REQUIRE(entries.size() == 60u);
  double previous = 2;
  std::set<std::string> first_params, walk_forwards;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    BOOST_TEST(e.at("rank").as_int64() == static_cast<std::int64_t>(i + 1));
    const double score = e.at("score").to_number<double>();
    BOOST_TEST(score <= previous);
    previous = score;
    for (const char* c : {"sharpe", "drawdown", "volatility", "persistence"})
      BOOST_TEST(e.at("components").at(c).to_number<double>() >= 0.0);
    BOOST_TEST(e.at("oos").at("volatility_pct").is_number());
    first_params.insert(boost::json::serialize(e.at("params")));
    walk_forwards.insert(std::string(e.at("walk_forward_id").as_string()));
  }
  BOOST_TEST(walk_forwards.size() == 60u);
  // Each configuration's out-of-sample trades by their entry day's regime.
  for (const auto& e : entries) {
    std::int64_t trades = 0;
    for (const auto& r : e.at("by_regime").as_object())
      trades += r.value().at("trades").as_int64();
    BOOST_TEST(trades == e.at("oos").at("total_trades").to_number<std::int64_t>());
  }
  // Each walk-forward is the user's own, with the configuration's values.
  const auto& best = entries[0];
  auto wf = sh.server.request(
      "GET", "/v1/walk-forwards/" + std::string(best.at("walk_forward_id").as_string()), sh.alice);
  BOOST_REQUIRE_MESSAGE(wf.status == 200u, wf.body);
  BOOST_TEST(wf.json().at("result").at("out_of_sample").at("metrics").at("sharpe_ratio")
             == best.at("oos").at("sharpe_ratio"));
  // Read again: the same stored document.
  BOOST_TEST(boost::json::serialize(scorecard(id, 1)) == boost::json::serialize(card));

  // The next cycle draws other configurations: none repeats.
  BOOST_REQUIRE(post("/v1/programs/" + id + "/cycles").status == 202u);
  const auto second = scorecard(id, 2);
  BOOST_TEST(second.at("skipped").as_int64() == 0);
  for (const auto& e : second.at("entries").as_array())
    BOOST_TEST(!first_params.count(boost::json::serialize(e.at("params"))));
  auto program = sh.server.request("GET", "/v1/programs/" + id, sh.alice).json();
  BOOST_TEST(program.at("cycles").as_array().size() == 2u);
  BOOST_TEST(program.at("cycles").at(1).at("status").as_string() == "completed");

  // The audit trail: created, each cycle started and scored.
  BOOST_TEST(sh.server.sql("SELECT count(*) FROM audit_log WHERE object LIKE 'program:" + id
                           + "%' AND action IN ('program.created', 'program.cycle_started', "
                             "'program.scorecard')")
             == "5");
  // Another user's program is not found anywhere.
  BOOST_TEST(sh.server.request("GET", "/v1/programs/" + id, sh.bob).status == 404u);
  BOOST_TEST(sh.server.request("POST", "/v1/programs/" + id + "/cycles", sh.bob).status == 404u);
  BOOST_TEST(sh.server.request("GET", "/v1/programs/" + id + "/scorecards/1", sh.bob).status
             == 404u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/programs/" + id, sh.bob).status == 404u);
  // Only a cycle's number names a cycle.
  for (const char* bad : {"1abc", "0", "-1", "99"})
    BOOST_TEST(
        sh.server.request("GET", "/v1/programs/" + id + "/scorecards/" + bad, sh.alice).status
            == 404u,
        bad);
}

BOOST_AUTO_TEST_CASE(a_grid_has_nothing_new_on_the_same_data) {
  const std::string id = id_of(post("/v1/programs", R"({"name": "grid", "symbol": "GC",
      "templates": [{"strategy": "dual_sma", "params": {},
        "space": {"fast_period": {"from": 5, "to": 40, "step": 5},
                  "slow_period": {"from": 60, "to": 200, "step": 20}}}],
      "generator": {"method": "grid"}, "windows": {"train": 2000, "test": 1000}})"));
  BOOST_REQUIRE(post("/v1/programs/" + id + "/cycles").status == 202u);
  scorecard(id, 1);
  auto again = post("/v1/programs/" + id + "/cycles");
  BOOST_TEST(again.status == 409u);
  BOOST_TEST(again.body.find("evaluated on the same data") != std::string::npos, again.body);
  BOOST_TEST(shared().server.request("DELETE", "/v1/programs/" + id, shared().alice).status
             == 204u);
  BOOST_TEST(shared().server.request("GET", "/v1/programs/" + id, shared().alice).status == 404u);
}

BOOST_AUTO_TEST_CASE(programs_are_checked_before_anything_is_stored) {
  auto refused = [](const std::string& body) {
    auto r = post("/v1/programs", body);
    BOOST_TEST(r.status == 422u, r.body);
    return std::string(r.json().at("error").at("details").at(0).at("field").as_string());
  };
  std::string few = lhs_program;
  few.replace(few.find("\"samples\": 60"), 13, "\"samples\": 20");
  BOOST_TEST(refused(few) == "generator.samples");
  std::string none = lhs_program;
  none.replace(none.find("\"symbol\": \"GC\""), 14, "\"symbol\": \"SI\"");
  BOOST_TEST(refused(none) == "symbol");
  std::string bad_range = lhs_program;
  bad_range.replace(bad_range.find("\"min\": 5"), 8, "\"min\": 1");
  BOOST_TEST(refused(bad_range) == "templates[0].space.params.fast_period");
  BOOST_TEST(post("/v1/programs", "{").status == 400u);
}

BOOST_AUTO_TEST_CASE(the_server_runs_scheduled_and_regime_triggered_cycles_as_data_arrives) {
  server_process s;
  const std::string key = s.create_key("carol");
  const std::string root = s.create_key("root", "admin");
  s.start({"--program-interval-ms", "200"});
  auto upload = [&](const bt::bar_series& bars) {
    auto r = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key, bt::to_csv(bars),
                       "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  };
  bt::synthetic_spec first;
  first.bars = 8000;
  upload(bt::generate_bars(first));
  std::string body = lhs_program;
  body.replace(body.find("\"lookback_days\""), 15,
               R"("schedule": {"every": "1w", "on_regime_change": true}, "lookback_days")");
  auto created = s.request("POST", "/v1/programs", key, body, "application/json");
  BOOST_REQUIRE_MESSAGE(created.status == 201u, created.body);
  const std::string id(created.json().at("program_id").as_string());
  // The schedule starts the first cycle and writes its scorecard unasked.
  auto cycles_when = [&](std::size_t n) { return program_when_cycles(s, key, id, n); };
  auto doc = cycles_when(1);
  const auto one = doc.at("cycles").at(0);
  BOOST_TEST(one.at("reason").as_string() == "schedule");
  BOOST_TEST(one.at("trigger_to_scorecard_seconds").to_number<double>() >= 0.0);
  BOOST_TEST(one.at("trigger_to_scorecard_seconds").to_number<double>() < 120.0);
  // Two more weeks of bars: a week of market-data time has passed.
  bt::synthetic_spec more;
  more.bars = 460;
  more.seed = 43;
  const auto first_bars = bt::generate_bars(first);
  more.start = first_bars.times()[first_bars.size() - 1] + 3600;
  upload(bt::generate_bars(more));
  doc = cycles_when(2);
  const auto two = doc.at("cycles").at(1); // a copy: doc is read again below
  BOOST_TEST(two.at("reason").as_string() == "schedule");
  BOOST_TEST(two.at("as_of") == s.request("GET", "/v1/market-data/GC/1h", key).json().at("to"));
  // Nothing more is due: a third cycle does not start by itself.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  BOOST_TEST(s.request("GET", "/v1/programs/" + id, key).json().at("cycles").as_array().size()
             == 2u);
  // A few more days: not a week, so only a regime trigger in them starts a
  // cycle, exactly when GET /v1/regimes shows one after the last cycle.
  bt::synthetic_spec days;
  days.bars = 70;
  days.seed = 44;
  days.start_price = 1'000; // a gap down: its day's return lifts the volatility
  const auto more_bars = bt::generate_bars(more);
  days.start = more_bars.times()[more_bars.size() - 1] + 3600;
  upload(bt::generate_bars(days));
  doc = cycles_when(3);
  const std::string reason(doc.at("cycles").at(2).at("reason").as_string());
  BOOST_TEST((reason == "regime_change" || reason == "volatility_change"), reason);
  // GET /v1/regimes shows that trigger on a day that ended after the last cycle.
  const auto regimes = s.request("GET", "/v1/regimes?symbol=GC&timeframe=1h", key).json();
  bool shown = false;
  for (const auto& d : regimes.at("series").as_array())
    shown |= d.at("trigger") == boost::json::value(reason)
             && d.at("date").as_string() >= two.at("as_of").as_string().subview(0, 10);
  BOOST_TEST(shown);
  // The metrics count the cycles by reason and time each from its data.
  const std::string metrics = s.request("GET", "/metrics", root).body;
  BOOST_TEST(metrics.find("backtestd_program_cycles_total{reason=\"schedule\"} 2")
                 != std::string::npos,
             metrics.substr(0, 300));
  BOOST_TEST(metrics.find("backtestd_program_cycles_total{reason=\"" + reason + "\"} 1")
             != std::string::npos);
  BOOST_TEST(metrics.find("backtestd_program_trigger_to_scorecard_seconds_count 3")
             != std::string::npos);
  s.stop();
}

BOOST_AUTO_TEST_CASE(a_program_can_run_a_cycle_on_every_upload_that_extends_its_data) {
  server_process s;
  const std::string key = s.create_key("ida");
  const std::string root = s.create_key("root", "admin");
  s.start({"--program-interval-ms", "200"});
  const auto all = bt::generate_bars(bt::synthetic_spec{});
  auto upload = [&](std::size_t bars) {
    auto r = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key,
                       bt::to_csv(all.slice(all.times()[0], all.times()[bars - 1])), "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  };
  upload(6000);
  std::string body = lhs_program;
  body.replace(body.find("\"lookback_days\""), 15,
               R"("schedule": {"on_upload": true}, "lookback_days")");
  auto created = s.request("POST", "/v1/programs", key, body, "application/json");
  BOOST_REQUIRE_MESSAGE(created.status == 201u, created.body);
  const std::string id(created.json().at("program_id").as_string());
  auto cycles_when = [&](std::size_t n) { return program_when_cycles(s, key, id, n); };
  // The data is there: the first cycle starts by itself.
  auto doc = cycles_when(1);
  BOOST_TEST(doc.at("cycles").at(0).at("reason").as_string() == "upload");
  // Nothing new: no cycle.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  BOOST_TEST(s.request("GET", "/v1/programs/" + id, key).json().at("cycles").as_array().size()
             == 1u);
  // A few more bars: a cycle as of the new last bar.
  upload(6010);
  doc = cycles_when(2);
  const auto two = doc.at("cycles").at(1);
  BOOST_TEST(two.at("reason").as_string() == "upload");
  BOOST_TEST(two.at("as_of") == s.request("GET", "/v1/market-data/GC/1h", key).json().at("to"));
  BOOST_TEST(two.at("trigger_to_scorecard_seconds").to_number<double>() < 120.0);
  BOOST_TEST_MESSAGE("upload to scorecard: " << two.at("trigger_to_scorecard_seconds") << " s");
  const std::string metrics = s.request("GET", "/metrics", root).body;
  BOOST_TEST(metrics.find("backtestd_program_cycles_total{reason=\"upload\"} 2")
             != std::string::npos);
  s.stop();
}

BOOST_AUTO_TEST_CASE(a_running_cycle_is_cancelled_and_scores_what_ended) {
  // Walk-forwards slowed (30 ms per percent: about 3 s each), one worker.
  server_process s;
  const std::string key = s.create_key("jo");
  s.start({"--workers", "1"}, {{"BACKTESTD_FAULTS", "slow_ms_per_pct=30"}});
  auto up = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key,
                      bt::test::gc_hourly_csv(), "text/csv");
  BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  auto created = s.request("POST", "/v1/programs", key, lhs_program, "application/json");
  BOOST_REQUIRE_MESSAGE(created.status == 201u, created.body);
  const std::string base =
      "/v1/programs/" + std::string(created.json().at("program_id").as_string());
  BOOST_REQUIRE(s.request("POST", base + "/cycles", key).status == 202u);
  auto cancel = s.request("POST", base + "/cycles/1/cancel", key);
  BOOST_REQUIRE_MESSAGE(cancel.status == 200u, cancel.body);
  BOOST_TEST(cancel.json().at("cancelled").as_int64() >= 59); // one may have started
  BOOST_TEST(s.request("POST", base + "/cycles/2/cancel", key).status == 404u);
  // Once the one running has stopped, the scorecard lists every
  // configuration, the cancelled ones unranked.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  boost::json::value card;
  for (;;) {
    card = s.request("GET", base + "/scorecards/1", key).json();
    if (card.at("status").as_string() == "completed")
      break;
    BOOST_REQUIRE(std::chrono::steady_clock::now() < until);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::size_t cancelled = 0;
  for (const auto& e : card.at("entries").as_array())
    cancelled += e.at("status").as_string() == "cancelled" && e.at("rank").is_null();
  BOOST_TEST(cancelled >= 59u);
  BOOST_TEST(card.at("entries").as_array().size() == 60u);
  BOOST_TEST(s.request("POST", base + "/cycles/1/cancel", key).status == 409u); // ended
  s.stop();
}

BOOST_AUTO_TEST_CASE(the_gate_promotes_what_stayed_in_the_top_and_shares_the_capital) {
  auto& sh = shared();
  const std::string id = id_of(post("/v1/programs", R"({"name": "gated", "symbol": "GC",
      "templates": [{"strategy": "dual_sma", "params": {},
        "space": {"fast_period": {"from": 5, "to": 40, "step": 5},
                  "slow_period": {"from": 60, "to": 200, "step": 20}}}],
      "generator": {"method": "grid"}, "windows": {"train": 2000, "test": 1000},
      "gate": {"top_pct": 50, "days": 1, "max_allocation_pct": 20}, "capital": 500000})"));
  auto candidates = [&] {
    auto r = sh.server.request("GET", "/v1/programs/" + id + "/candidates", sh.alice);
    BOOST_REQUIRE_MESSAGE(r.status == 200u, r.body);
    return r.json();
  };
  BOOST_REQUIRE(post("/v1/programs/" + id + "/cycles").status == 202u);
  scorecard(id, 1);
  BOOST_TEST(candidates().at("candidates").as_array().empty()); // one cycle: no day in the top yet
  // Two more days of bars: the grid is evaluated again on the new data.
  bt::synthetic_spec more;
  more.bars = 46;
  more.seed = 5;
  more.start_price = 2'000;
  const auto all = bt::generate_bars(bt::synthetic_spec{});
  more.start = all.times()[all.size() - 1] + 3600;
  auto up = sh.server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", sh.alice,
                              bt::to_csv(bt::generate_bars(more)), "text/csv");
  BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  BOOST_REQUIRE(post("/v1/programs/" + id + "/cycles").status == 202u);
  const auto second = scorecard(id, 2);
  const auto doc = candidates();
  const auto& chosen = doc.at("candidates").as_array();
  // Expected: the configurations in the top half (32 of 64) of both cycles.
  auto top_half = [](const boost::json::value& card) {
    std::set<std::string> out;
    for (const auto& e : card.at("entries").as_array())
      if (e.at("rank").is_int64() && e.at("rank").as_int64() <= 32)
        out.insert(boost::json::serialize(e.at("params")));
    return out;
  };
  const auto before = top_half(scorecard(id, 1)), after = top_half(second);
  std::set<std::string> both, promoted;
  for (const auto& k : after)
    if (before.count(k))
      both.insert(k);
  BOOST_REQUIRE(!both.empty());
  double total = 0;
  for (const auto& c : chosen) {
    promoted.insert(boost::json::serialize(c.at("params")));
    BOOST_TEST(c.at("in_top_since") == scorecard(id, 1).at("as_of"));
    const double a = c.at("allocation").to_number<double>();
    BOOST_TEST(a <= 100'000.0); // 20 % of the capital at most
    total += a;
  }
  BOOST_TEST(promoted == both);
  BOOST_TEST(total <= 500'000.0);
  BOOST_TEST(doc.at("as_of") == second.at("as_of"));
  // The program deploys automatically (its default): the second scorecard
  // deployed candidates at once, each with its allocation, the rest
  // refused by an admission rule with an alert saying which.
  const auto deployments =
      sh.server.request("GET", "/v1/programs/" + id + "/deployments", sh.alice).json();
  const auto& items = deployments.at("items").as_array();
  BOOST_TEST(deployments.at("mode").as_string() == "automatic");
  BOOST_REQUIRE(!items.empty());
  double committed = 0;
  for (const auto& d : items) {
    BOOST_TEST(promoted.count(boost::json::serialize(d.at("params"))) == 1u);
    BOOST_TEST(d.at("deployed_at") == second.at("as_of"));
    committed += d.at("capital").to_number<double>();
  }
  BOOST_TEST(committed <= 500'000.0);
  const auto alerts =
      sh.server.request("GET", "/v1/programs/" + id + "/alerts?limit=500", sh.alice).json();
  BOOST_TEST(items.size() + alerts.at("total").as_int64() == chosen.size());
}

BOOST_AUTO_TEST_SUITE_END()
