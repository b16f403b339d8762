// Evaluation programs: the specification's checks (named fields, the 60
// to max_configurations bounds), a cycle's configurations (counts shared
// over templates, a function of the cycle, other cycles other draws), and
// the walk-forward each configuration becomes.
#include "domain/evaluation/program.hpp"

#include "domain/research/walk_forward.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

using namespace bt;

namespace {

const char* two_templates = R"({
  "name": "GC hourly", "symbol": "GC", "timeframe": "1h",
  "templates": [
    {"strategy": "dual_sma", "params": {"mode": "long_only"},
     "space": {"fast_period": {"min": 5, "max": 40}, "slow_period": {"min": 50, "max": 200}}},
    {"strategy": "supply_demand_zones", "params": {},
     "space": {"atr_period": {"min": 5, "max": 40}, "take_profit_r": {"min": 1, "max": 4}}}],
  "generator": {"method": "latin_hypercube", "samples": 61, "seed": 9},
  "windows": {"train": "180d", "test": "60d"}})";

program_spec parse_ok(const std::string& json) {
  program_spec p;
  const auto e = parse_program_spec(boost::json::parse(json), p);
  BOOST_REQUIRE_MESSAGE(e.empty(), describe(e));
  return p;
}

std::string refusal(const std::string& json) {
  program_spec p;
  const auto e = parse_program_spec(boost::json::parse(json), p);
  return e.empty() ? "" : e[0].field + ": " + e[0].message;
}

std::string with(const char* json, const std::string& from, const std::string& to) {
  std::string s = json;
  s.replace(s.find(from), from.size(), to);
  return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(program)

BOOST_AUTO_TEST_CASE(a_cycle_shares_its_samples_over_the_templates) {
  const auto p = parse_ok(two_templates);
  const auto c = cycle_configurations(p, 1);
  BOOST_REQUIRE(c.size() == 61u);
  std::size_t sma = 0;
  std::set<std::string> seen;
  for (const auto& x : c) {
    sma += x.template_index == 0;
    seen.insert(boost::json::serialize(x.params) + std::to_string(x.template_index));
  }
  BOOST_TEST(sma == 31u); // 61 in turn: 31 and 30
  BOOST_TEST(seen.size() == 61u);
  BOOST_TEST(c[0].params.at("mode").as_string() == "long_only"); // the base kept
  // The same cycle again: the same; the next cycle: other draws.
  const auto again = cycle_configurations(p, 1), next = cycle_configurations(p, 2);
  int same = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    BOOST_TEST(boost::json::serialize(again[i].params) == boost::json::serialize(c[i].params));
    same += boost::json::serialize(next[i].params) == boost::json::serialize(c[i].params);
  }
  BOOST_TEST(same < 5);
}

BOOST_AUTO_TEST_CASE(each_configuration_becomes_a_walk_forward_of_itself) {
  const auto p = parse_ok(two_templates);
  const auto c = cycle_configurations(p, 1);
  const auto body = configuration_walk_forward(p, c.back(), 1'672'531'200, 1'735'603'200);
  walk_forward_spec w;
  const auto e = parse_walk_forward_spec(body, w);
  BOOST_REQUIRE_MESSAGE(e.empty(), describe(e));
  BOOST_TEST(configuration_count(w.sweep) == 1u);
  BOOST_TEST(w.sweep.strategy == "supply_demand_zones"); // the second template's come last
  BOOST_TEST(body.at("start").as_string() == "2023-01-01T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(specifications_are_checked_naming_the_field) {
  BOOST_TEST(refusal(with(two_templates, "\"samples\": 61", "\"samples\": 59"))
                 .rfind("generator.samples: 59 configurations a cycle; from 60 to 200", 0)
             == 0u);
  BOOST_TEST(refusal(with(two_templates, "\"samples\": 61", "\"samples\": 201"))
                 .rfind("generator.samples", 0)
             == 0u);
  BOOST_TEST(refusal(with(two_templates, "\"min\": 5, \"max\": 40}, \"slow",
                          "\"min\": 1, \"max\": 40}, \"slow"))
                 .rfind("templates[0].space.params.fast_period", 0)
             == 0u);
  BOOST_TEST(refusal(with(two_templates, "\"train\": \"180d\"", "\"train\": \"soon\""))
                 .rfind("windows.train", 0)
             == 0u);
  BOOST_TEST(
      refusal(with(two_templates, "\"latin_hypercube\"", "\"sobol\"")).rfind("generator.method", 0)
      == 0u);
  BOOST_TEST(refusal(with(two_templates, "\"name\": \"GC hourly\", ", "")) == "name: required");
  BOOST_TEST(refusal(with(two_templates, "\"timeframe\": \"1h\",", "\"colour\": 1,"))
             == "colour: unknown field");
  BOOST_TEST(refusal(with(two_templates, "\"generator\"",
                          "\"schedule\": {\"every\": \"30m\"}, \"generator\""))
                 .rfind("schedule.every: must be a duration from 1h to 365d", 0)
             == 0u);
  const auto scheduled = parse_ok(
      with(two_templates, "\"generator\"",
           "\"schedule\": {\"every\": \"2d\", \"on_regime_change\": true}, \"generator\""));
  BOOST_TEST(*scheduled.every == 2 * 86'400);
  BOOST_TEST(scheduled.on_regime_change);
  BOOST_TEST(!parse_ok(two_templates).every);
  BOOST_TEST(refusal(with(two_templates, "\"generator\"", "\"gate\": {\"days\": 0}, \"generator\""))
             == "gate.days: must be a whole number from 1 to 365");
  const auto gated =
      parse_ok(with(two_templates, "\"generator\"",
                    "\"gate\": {\"top_pct\": 5, \"days\": 7}, \"capital\": 250000, \"generator\""));
  BOOST_TEST(gated.top_pct == 5.0);
  BOOST_TEST(gated.gate_days == 7);
  BOOST_TEST(gated.capital == 250'000);
  // Deployments, their risk rules, the benchmark and an upload trigger.
  const auto deployed = parse_ok(with(
      two_templates, "\"generator\"",
      "\"schedule\": {\"on_upload\": true}, \"deployment\": {\"mode\": \"manual\", "
      "\"max_active\": 10, \"max_type_pct\": 50, \"max_correlation\": 0.7}, \"risk\": "
      "{\"drawdown_pct\": 25, \"rollback_pct\": 10, \"rollback_days\": 20, \"drift_days\": 60}, "
      "\"benchmark\": {\"basket\": [{\"symbol\": \"SPX\", \"timeframe\": \"1d\", \"weight\": "
      "2}, {\"symbol\": \"GC\"}]}, \"generator\""));
  BOOST_TEST(deployed.on_upload);
  BOOST_TEST(!deployed.automatic_deployment);
  BOOST_TEST(deployed.admission.max_active == 10u);
  BOOST_TEST(deployed.admission.max_type_share == 0.5);
  BOOST_TEST(deployed.admission.max_correlation == 0.7);
  BOOST_TEST(deployed.risk.drawdown_limit_pct == 25.0);
  BOOST_TEST(deployed.risk.rollback_underperformance_pct == 10.0);
  BOOST_TEST(deployed.risk.rollback_days == 20);
  BOOST_TEST(deployed.risk.drift_days == 60);
  BOOST_REQUIRE(deployed.benchmark.size() == 2u);
  BOOST_TEST(deployed.benchmark[0].timeframe == "1d");
  BOOST_TEST(deployed.benchmark[1].timeframe == "1h"); // the program's
  BOOST_TEST(deployed.benchmark[0].weight == 2.0);
  BOOST_TEST(parse_ok(two_templates).automatic_deployment); // the default
  BOOST_TEST(refusal(with(two_templates, "\"generator\"",
                          "\"deployment\": {\"max_active\": 36}, \"generator\""))
             == "deployment.max_active: must be a whole number from 1 to 35");
  BOOST_TEST(refusal(with(two_templates, "\"generator\"",
                          "\"risk\": {\"drawdown_pct\": 0}, \"generator\""))
             == "risk.drawdown_pct: must be a number from 1 to 99");
  BOOST_TEST(refusal(with(two_templates, "\"generator\"",
                          "\"benchmark\": {\"basket\": [{\"weight\": 1}]}, \"generator\""))
             == "benchmark.basket[0].symbol: required");
  BOOST_TEST(refusal(with(two_templates, "\"generator\"",
                          "\"benchmark\": {\"basket\": [{\"symbol\": \"X\", \"weight\": 0}]}, "
                          "\"generator\""))
             == "benchmark.basket[0].weight: must be a number above 0, at most 100");
  // A grid counts its combinations: 8 x 8 = 64 of one template.
  const auto grid = parse_ok(R"({"name": "grid", "symbol": "GC",
      "templates": [{"strategy": "dual_sma", "params": {},
        "space": {"fast_period": {"from": 5, "to": 40, "step": 5},
                  "slow_period": {"from": 60, "to": 200, "step": 20}}}],
      "generator": {"method": "grid"}, "windows": {"train": 2000, "test": 500}})");
  BOOST_TEST(cycle_configurations(grid, 1).size() == 64u);
  BOOST_TEST(cycle_configurations(grid, 7).size() == 64u); // a grid is the same every cycle
}

BOOST_AUTO_TEST_SUITE_END()
