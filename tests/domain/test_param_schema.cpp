#include "domain/strategies/param_schema.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/strategies/registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace bt;

namespace {
field_errors resolve(const char* json, param_set& out) {
  boost::json::value v = boost::json::parse(json);
  return resolve_params(*find_strategy("supply_demand_zones"), &v, out);
}
} // namespace

BOOST_AUTO_TEST_SUITE(param_schema)

BOOST_AUTO_TEST_CASE(defaults_fill_every_parameter) {
  param_set p;
  BOOST_TEST(resolve_params(*find_strategy("supply_demand_zones"), nullptr, p).empty());
  BOOST_TEST(p.integer("atr_period") == 14);
  BOOST_TEST(p.number("stop_atr_mult") == 1.5);
  BOOST_TEST(p.text("direction") == "both");
  BOOST_TEST(p.list("sessions").size() == 4u);
  BOOST_TEST(p.values().size() == 14u);
}

BOOST_AUTO_TEST_CASE(errors_name_the_parameter_and_range) {
  param_set p;
  auto e =
      resolve(R"({"atr_period": 1, "bogus": 3, "stop_atr_mult": "x", "swing_strength": 2.5})", p);
  BOOST_REQUIRE(e.size() == 4u);
  BOOST_TEST(e[0].field == "params.atr_period");
  BOOST_TEST(e[0].message == "must be an integer from 2 to 200");
  BOOST_TEST(e[1].field == "params.bogus");
  BOOST_TEST(e[1].message.find("unknown parameter") == 0u);
  BOOST_TEST(e[2].field == "params.stop_atr_mult");
  BOOST_TEST(e[2].message == "must be a number from 0.25 to 10");
  BOOST_TEST(e[3].field == "params.swing_strength");
}

BOOST_AUTO_TEST_CASE(choices_and_sets) {
  param_set p;
  BOOST_TEST(resolve(R"({"direction": "long_only", "sessions": ["ny_pm", "asia"]})", p).empty());
  BOOST_TEST(p.text("direction") == "long_only");
  BOOST_TEST((p.list("sessions") == std::vector<std::string>{"asia", "ny_pm"})); // schema order
  param_set q;
  auto e = resolve(R"({"direction": "sideways", "sessions": []})", q);
  BOOST_REQUIRE(e.size() == 2u);
  BOOST_TEST(e[0].message == "must be one of: both, long_only, short_only");
  param_set r;
  BOOST_TEST(resolve(R"({"sessions": ["lunch"]})", r)[0].message.find("'lunch' is not allowed")
             == 0u);
}

BOOST_AUTO_TEST_CASE(schema_exports_as_json) {
  json_writer w;
  write_schema(w, *find_strategy("dual_sma"));
  auto v = boost::json::parse(w.str());
  BOOST_TEST(v.at("name").as_string() == "dual_sma");
  auto& params = v.at("parameters").as_array();
  BOOST_TEST(params.size() == 4u);
  BOOST_TEST(params[0].at("name").as_string() == "fast_period");
  BOOST_TEST(params[0].at("default").to_number<double>() == 10);
  BOOST_TEST(params[0].at("min").to_number<double>() == 2);
  BOOST_TEST(params[0].at("max").to_number<double>() == 500);
  BOOST_TEST(params[2].at("choices").as_array().size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
