#include "domain/engine/run_config.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace bt;

namespace {
run_request request(const boost::json::value* params = nullptr,
                    const boost::json::value* exec = nullptr) {
  run_request r;
  r.symbol = "GC";
  r.params = params;
  r.execution = exec;
  return r;
}
} // namespace

BOOST_AUTO_TEST_SUITE(run_config)

BOOST_AUTO_TEST_CASE(instrument_defaults_then_overrides) {
  bt::run_config c;
  BOOST_TEST(resolve_config(request(), c).empty());
  BOOST_TEST(to_string(c.execution.multiplier) == "100.00000000");
  BOOST_TEST(to_string(c.execution.tick_size) == "0.10000000");
  BOOST_TEST(to_string(c.execution.initial_capital) == "50000.00000000");
  BOOST_TEST(to_string(c.execution.commission_per_contract) == "2.50000000");
  boost::json::value exec = boost::json::parse(R"({"multiplier": 10, "initial_capital": 25000})");
  bt::run_config d;
  BOOST_TEST(resolve_config(request(nullptr, &exec), d).empty());
  BOOST_TEST(to_string(d.execution.multiplier) == "10.00000000");
  BOOST_TEST(to_string(d.execution.tick_size) == "0.10000000");
}

BOOST_AUTO_TEST_CASE(execution_keys_are_exactly_the_six) {
  boost::json::value exec = boost::json::parse(
      R"({"initial_capital": 500, "slippage": 1, "tick_size": 0, "commission_per_contract": -1})");
  bt::run_config c;
  auto e = resolve_config(request(nullptr, &exec), c);
  BOOST_REQUIRE(e.size() == 4u);
  BOOST_TEST(e[0].field == "execution.initial_capital");
  BOOST_TEST(e[0].message == "must be a number from 1000 to 10000000");
  BOOST_TEST(e[1].field == "execution.slippage");
  BOOST_TEST(e[2].field == "execution.tick_size");
  BOOST_TEST(e[3].field == "execution.commission_per_contract");
}

BOOST_AUTO_TEST_CASE(bad_request_fields) {
  run_request r = request();
  r.symbol = "gc!";
  r.timeframe = "2h";
  r.strategy = "martingale";
  r.from = 100;
  r.to = 50;
  bt::run_config c;
  auto e = resolve_config(r, c);
  BOOST_REQUIRE(e.size() == 4u);
  BOOST_TEST(e[0].field == "symbol");
  BOOST_TEST(e[1].field == "timeframe");
  BOOST_TEST(e[2].field == "strategy");
  BOOST_TEST(e[2].message.find("dual_sma") != std::string::npos);
  BOOST_TEST(e[3].field == "from");
}

BOOST_AUTO_TEST_CASE(hash_covers_the_fully_defaulted_config) {
  bt::run_config a, b, c;
  resolve_config(request(), a);
  boost::json::value explicit_default =
      boost::json::parse(R"({"atr_period": 14, "sessions": ["ny_pm","asia","europe","ny_am"]})");
  resolve_config(request(&explicit_default), b);
  BOOST_TEST(config_hash(a) == config_hash(b));
  BOOST_TEST(canonical_json(a) == canonical_json(b));
  boost::json::value other = boost::json::parse(R"({"atr_period": 15})");
  resolve_config(request(&other), c);
  BOOST_TEST(config_hash(a) != config_hash(c));
  BOOST_TEST(canonical_json(a).find("\"atr_period\":14") != std::string::npos);
  BOOST_TEST(canonical_json(a).find("\"tick_size\":0.10000000") != std::string::npos);
  // Keys are sorted at every level.
  auto v = boost::json::parse(canonical_json(a));
  std::string previous;
  for (const auto& kv : v.as_object()) {
    BOOST_TEST((std::string(kv.key()) > previous));
    previous = std::string(kv.key());
  }
}

BOOST_AUTO_TEST_SUITE_END()
