#include "domain/research/sweep_chunk.hpp"

#include "domain/data/synthetic_bars.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace bt;

namespace {

const char* grid = R"({"symbol": "GC", "strategy": "dual_sma",
  "space": {"params": {"fast_period": [5, 10], "slow_period": [20, 40, 80]}}})";

std::vector<stored_configuration> results_of(const sweep_chunk& chunk) {
  synthetic_spec s;
  s.bars = 1500;
  const auto bars = generate_bars(s);
  std::vector<stored_configuration> out;
  for (std::size_t i = chunk.first; i < chunk.last; ++i)
    out.push_back(to_stored(chunk.spec, i, run_configuration(chunk.spec, i, bars, {0, true})));
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sweep_chunk)

BOOST_AUTO_TEST_CASE(a_chunk_configuration_names_its_range_of_its_sweep) {
  const std::string text = chunk_config_json(grid, 2, 5);
  BOOST_TEST(is_chunk_config(text));
  BOOST_TEST(!is_chunk_config(R"({"symbol":"GC"})"));
  bt::sweep_chunk chunk;
  BOOST_REQUIRE(!parse_chunk_config(text, chunk));
  BOOST_TEST(chunk.first == 2u);
  BOOST_TEST(chunk.last == 5u);
  BOOST_TEST(configuration_count(chunk.spec) == 6u);
  BOOST_TEST(parse_chunk_config(chunk_config_json(grid, 4, 7), chunk).has_value()); // past the end
  BOOST_TEST(parse_chunk_config(chunk_config_json(grid, 3, 3), chunk).has_value()); // empty
  BOOST_TEST(parse_chunk_config("{\"sweep_chunk\": 1}", chunk).has_value());
  // A sweep accepted under a larger limit than the default still reads back.
  const std::string big = R"({"symbol": "GC", "strategy": "dual_sma", "space": {"params":
      {"fast_period": {"from": 2, "to": 300, "step": 1}, "slow_period": {"from": 3, "to": 1000,
       "step": 1}}}})";
  BOOST_TEST(!parse_chunk_config(chunk_config_json(big, 0, 100), chunk));
  BOOST_TEST(configuration_count(chunk.spec) == 299u * 998u);
}

BOOST_AUTO_TEST_CASE(results_travel_bit_for_bit_and_are_checked_against_the_range) {
  bt::sweep_chunk chunk;
  BOOST_REQUIRE(!parse_chunk_config(chunk_config_json(grid, 1, 6), chunk));
  const auto sent = results_of(chunk);
  BOOST_REQUIRE(sent.size() == 5u);
  BOOST_TEST(sent[0].status == "completed");
  BOOST_TEST(!sent[0].daily_returns.empty());
  const std::string doc = encode_chunk_results(sent);
  std::vector<stored_configuration> got;
  BOOST_REQUIRE_MESSAGE(!decode_chunk_results(doc, 1, 6, got), "decoded");
  BOOST_REQUIRE(got.size() == sent.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST(got[i].index == sent[i].index);
    BOOST_TEST(got[i].status == sent[i].status);
    BOOST_TEST(got[i].metrics_json == sent[i].metrics_json);
    BOOST_TEST(got[i].params_json == sent[i].params_json);
    BOOST_TEST((got[i].objective == sent[i].objective)); // the same bits
    BOOST_TEST((got[i].daily_returns == sent[i].daily_returns));
  }
  // Another range, a missing or repeated configuration, a broken field.
  BOOST_TEST(decode_chunk_results(doc, 0, 5, got).has_value());
  BOOST_TEST(decode_chunk_results(doc, 1, 7, got).has_value());
  auto tampered = boost::json::parse(doc).as_object();
  auto& items = tampered.at("results").as_array();
  items[1] = items[0];
  BOOST_TEST(decode_chunk_results(boost::json::serialize(tampered), 1, 6, got).has_value());
  auto bad_returns = boost::json::parse(doc).as_object();
  bad_returns.at("results").as_array()[0].as_object()["returns"] = "00zz";
  BOOST_TEST(decode_chunk_results(boost::json::serialize(bad_returns), 1, 6, got).has_value());
  auto bad_metrics = boost::json::parse(doc).as_object();
  bad_metrics.at("results").as_array()[0].as_object()["metrics"] = "{not json";
  BOOST_TEST(decode_chunk_results(boost::json::serialize(bad_metrics), 1, 6, got).has_value());
  BOOST_TEST(decode_chunk_results("[]", 1, 6, got).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
