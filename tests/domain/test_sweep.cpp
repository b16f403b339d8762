#include "domain/research/sweep.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

using namespace bt;

namespace {

sweep_spec parse_ok(const std::string& json, std::size_t max = default_max_sweep_configurations) {
  sweep_spec s;
  const field_errors e = parse_sweep_spec(boost::json::parse(json), s, max);
  BOOST_REQUIRE_MESSAGE(e.empty(), describe(e));
  return s;
}

field_errors parse_bad(const std::string& json,
                       std::size_t max = default_max_sweep_configurations) {
  sweep_spec s;
  return parse_sweep_spec(boost::json::parse(json), s, max);
}

std::string swept(const sweep_point& p) {
  return boost::json::serialize(p.params) + boost::json::serialize(p.execution);
}

} // namespace

BOOST_AUTO_TEST_SUITE(sweep)

BOOST_AUTO_TEST_CASE(a_grid_enumerates_every_combination_the_last_axis_fastest) {
  const auto s = parse_ok(R"({"symbol": "GC", "strategy": "dual_sma", "space": {
      "params": {"fast_period": [5, 10], "slow_period": {"from": 20, "to": 40, "step": 10}},
      "execution": {"slippage_ticks": [0, 2]}}})");
  BOOST_TEST(configuration_count(s) == 12u);
  BOOST_TEST(swept(configuration_at(s, 0))
             == R"({"fast_period":5,"slow_period":20}{"slippage_ticks":0})");
  BOOST_TEST(swept(configuration_at(s, 1))
             == R"({"fast_period":5,"slow_period":20}{"slippage_ticks":2})");
  BOOST_TEST(swept(configuration_at(s, 2))
             == R"({"fast_period":5,"slow_period":30}{"slippage_ticks":0})");
  BOOST_TEST(swept(configuration_at(s, 11))
             == R"({"fast_period":10,"slow_period":40}{"slippage_ticks":2})");
  std::set<std::string> all;
  for (std::size_t i = 0; i < 12; ++i)
    all.insert(swept(configuration_at(s, i)));
  BOOST_TEST(all.size() == 12u);
}

BOOST_AUTO_TEST_CASE(decimal_steps_are_exact) {
  // 0.5 + 0.1 + 0.1 + ... in binary floating point drifts; the grid's steps
  // are exact decimals, so the last value is 1.0 and there are six.
  const auto s = parse_ok(R"({"symbol": "GC", "strategy": "supply_demand_zones", "space": {
      "params": {"stop_atr_mult": {"from": 0.5, "to": 1.0, "step": 0.1}}}})");
  BOOST_REQUIRE(configuration_count(s) == 6u);
  const double expected[] = {0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  for (std::size_t i = 0; i < 6; ++i)
    BOOST_TEST(configuration_at(s, i).params.at("stop_atr_mult").as_double() == expected[i]);
}

BOOST_AUTO_TEST_CASE(random_samples_depend_only_on_the_seed_and_the_index) {
  const std::string spec = R"({"symbol": "GC", "strategy": "supply_demand_zones", "space": {
      "method": "random", "samples": 500, "seed": 11,
      "params": {"atr_period": {}, "stop_atr_mult": {"min": 0.5, "max": 3}}}})";
  const auto a = parse_ok(spec), b = parse_ok(spec);
  BOOST_TEST(configuration_count(a) == 500u);
  std::set<std::int64_t> periods;
  for (std::size_t i = 500; i-- > 0;) { // any order gives the same configurations
    const auto p = configuration_at(a, i);
    BOOST_TEST(swept(p) == swept(configuration_at(b, i)));
    const auto& period = p.params.at("atr_period");
    BOOST_REQUIRE(period.is_int64()); // integer parameters as integers
    BOOST_TEST(period.as_int64() >= 2);
    BOOST_TEST(period.as_int64() <= 200);
    periods.insert(period.as_int64());
    const double mult = p.params.at("stop_atr_mult").as_double();
    BOOST_TEST(mult >= 0.5);
    BOOST_TEST(mult <= 3.0);
  }
  BOOST_TEST(periods.size() > 100u); // spread over the range, not stuck
  const auto other = parse_ok(R"({"symbol": "GC", "strategy": "supply_demand_zones", "space": {
      "method": "random", "samples": 500, "seed": 12,
      "params": {"atr_period": {}, "stop_atr_mult": {"min": 0.5, "max": 3}}}})");
  BOOST_TEST(swept(configuration_at(other, 0)) != swept(configuration_at(a, 0)));
}

BOOST_AUTO_TEST_CASE(a_latin_hypercube_draws_every_stratum_of_every_axis_once) {
  // fast_period 2..101 (100 values) and swing_strength-like 10 strata:
  // each tenth of each axis's range holds exactly one configuration.
  const std::string spec = R"({"symbol": "GC", "strategy": "dual_sma", "space": {
      "method": "latin_hypercube", "samples": 10, "seed": SEED,
      "params": {"fast_period": {"min": 2, "max": 101}, "slow_period": {"min": 600, "max": 1599},
                 "mode": {}}}})";
  auto with_seed = [&](int seed) {
    std::string json = spec;
    json.replace(json.find("SEED"), 4, std::to_string(seed));
    return parse_ok(json);
  };
  const auto s = with_seed(3);
  BOOST_TEST(configuration_count(s) == 10u);
  BOOST_TEST(std::string(sweep_method_name(s)) == "latin_hypercube");
  std::multiset<std::int64_t> fast_tenths, slow_tenths;
  int long_only = 0;
  std::vector<std::string> first;
  for (std::size_t i = 0; i < 10; ++i) {
    const auto p = configuration_at(s, i);
    fast_tenths.insert((p.params.at("fast_period").as_int64() - 2) / 10);
    slow_tenths.insert((p.params.at("slow_period").as_int64() - 600) / 100);
    long_only += p.params.at("mode").as_string() == "long_only";
    first.push_back(swept(p));
    BOOST_TEST(swept(configuration_at(s, i)) == first.back()); // the same every time
  }
  for (std::int64_t tenth = 0; tenth < 10; ++tenth) {
    BOOST_TEST(fast_tenths.count(tenth) == 1u);
    BOOST_TEST(slow_tenths.count(tenth) == 1u);
  }
  BOOST_TEST(long_only == 5); // two choices in ten strata: five each
  // Another seed, other configurations (the strata still each drawn once).
  const auto other = with_seed(4);
  int same = 0;
  for (std::size_t i = 0; i < 10; ++i)
    same += swept(configuration_at(other, i)) == first[i];
  BOOST_TEST(same < 10);
  // Its samples and seed are required as a random space's are.
  BOOST_TEST(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma", "space": {
      "method": "latin_hypercube", "seed": 1, "params": {"fast_period": {}}}})")
                 .at(0)
                 .field
             == "space.samples");
}

BOOST_AUTO_TEST_CASE(out_of_range_values_and_oversized_spaces_are_refused_naming_the_field) {
  auto first_field = [](const field_errors& e) { return e.empty() ? std::string() : e[0].field; };
  BOOST_TEST(first_field(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": [1, 5]}}})"))
             == "space.params.fast_period"); // 1 is below the minimum of 2
  BOOST_TEST(first_field(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"no_such": [1]}}})"))
             == "space.params.no_such");
  BOOST_TEST(first_field(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"execution": {"slippage_ticks": [-1]}}})"))
             == "space.execution.slippage_ticks");
  BOOST_TEST(first_field(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": {"from": 2, "to": 10, "step": 0}}}})"))
             == "space.params.fast_period.step");
  BOOST_TEST(first_field(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"method": "random", "samples": 10, "params": {"fast_period": {}}}})"))
             == "space.seed");
  BOOST_TEST(first_field(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma",
      "objective": "luck", "space": {"params": {"fast_period": [5]}}})"))
             == "objective");
  BOOST_TEST(first_field(parse_bad(R"({"symbol": "GC", "strategy": "dual_sma", "space": {}})"))
             == "space");
  // 499 x 1,998 combinations: refused with the count, before anything runs.
  const auto big = parse_bad(R"({"symbol": "GC", "strategy": "dual_sma", "space": {"params": {
      "fast_period": {"from": 2, "to": 500, "step": 1},
      "slow_period": {"from": 3, "to": 2000, "step": 1}}}})");
  BOOST_REQUIRE(!big.empty());
  BOOST_TEST(big[0].field == "space");
  BOOST_TEST(big[0].message.find("997002 configurations") != std::string::npos, big[0].message);
  BOOST_TEST(!parse_bad(R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": [5, 6, 7]}}})",
                        2)
                  .empty()); // a configured limit
  // from and to at opposite ends of the fixed-point range: sized in 128 bits
  // (a 64-bit difference would wrap) and refused for its size.
  const auto wide = parse_bad(R"({"symbol": "GC", "strategy": "dual_sma", "space": {"execution":
      {"initial_capital": {"from": -90000000000, "to": 90000000000, "step": 0.00000001}}}})");
  BOOST_REQUIRE(!wide.empty());
  BOOST_TEST(wide[0].field == "space.execution.initial_capital");
  BOOST_TEST(wide[0].message.find("18000000000000000001 values") != std::string::npos,
             wide[0].message);
}

BOOST_AUTO_TEST_CASE(objective_order_and_constraints_rank_metrics) {
  auto s = parse_ok(R"({"symbol": "GC", "strategy": "dual_sma", "objective": "net_profit",
      "order": "min", "constraints": {"total_trades": {"min": 30}, "max_drawdown_pct": {"max": 25}},
      "space": {"params": {"fast_period": [5]}}})");
  metrics a, b, empty;
  a.net_profit = fixed::from_int(100);
  b.net_profit = fixed::from_int(-50);
  BOOST_TEST(ranks_before(s, b, a)); // min: the smaller first
  BOOST_TEST(!ranks_before(s, a, b));
  BOOST_TEST(!ranks_before(s, a, a)); // ties: neither
  s.maximise = true;
  BOOST_TEST(ranks_before(s, a, b));
  s.objective = "sharpe_ratio"; // empty in `empty`: ranks last
  a.sharpe_ratio = -3.0;
  BOOST_TEST(ranks_before(s, a, empty));
  BOOST_TEST(!ranks_before(s, empty, a));
  a.total_trades = 30;
  a.max_drawdown_pct = 25;
  BOOST_TEST(meets_constraints(s, a)); // bounds are inclusive
  a.max_drawdown_pct = 25.01;
  BOOST_TEST(!meets_constraints(s, a));
  a.max_drawdown_pct = 10;
  a.total_trades = 29;
  BOOST_TEST(!meets_constraints(s, a));
}

BOOST_AUTO_TEST_CASE(a_configuration_request_lays_the_swept_values_over_the_base) {
  const auto s = parse_ok(R"({"symbol": "GC", "strategy": "dual_sma",
      "params": {"fast_period": 7, "quantity": 3}, "execution": {"slippage_ticks": 2},
      "space": {"params": {"fast_period": [5]}, "execution": {"commission_per_contract": [0]}}})");
  sweep_request_storage storage;
  const run_request r = configuration_request(s, configuration_at(s, 0), storage);
  BOOST_TEST(boost::json::serialize(*r.params) == R"({"fast_period":5,"quantity":3})");
  BOOST_TEST(boost::json::serialize(*r.execution)
             == R"({"slippage_ticks":2,"commission_per_contract":0})");
  BOOST_TEST(r.strategy == "dual_sma");
  run_config c;
  BOOST_TEST(resolve_config(r, c).empty());
}

BOOST_AUTO_TEST_SUITE_END()
