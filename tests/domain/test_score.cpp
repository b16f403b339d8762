// The unified score on hand-computed configurations: percentile ranks
// (ties shared, absent values last), the direction of each component, the
// weighted mean, and the weights' checks.
#include "domain/evaluation/score.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace bt;

BOOST_AUTO_TEST_SUITE(score)

BOOST_AUTO_TEST_CASE(percentile_ranks_share_ties_and_put_absent_values_last) {
  const auto r = percentile_ranks({3.0, 1.0, std::nullopt, 3.0, 2.0});
  // Sorted: absent (position 0), 1.0 (1), 2.0 (2), 3.0 and 3.0 (3 and 4: 3.5).
  BOOST_TEST(r[2] == 0.0);
  BOOST_TEST(r[1] == 0.25);
  BOOST_TEST(r[4] == 0.5);
  BOOST_TEST(r[0] == 0.875);
  BOOST_TEST(r[3] == 0.875);
  BOOST_TEST(percentile_ranks({7.0}) == std::vector<double>{1.0});
}

BOOST_AUTO_TEST_CASE(three_configurations_scored_by_hand) {
  // A: best Sharpe, worst drawdown; B: middling; C: worst Sharpe, best
  // drawdown and volatility, no efficiency.
  const std::vector<score_inputs> in{
      {1.8, 30.0, 20.0, 0.7},
      {1.2, 20.0, 15.0, 0.9},
      {0.5, 10.0, 10.0, std::nullopt},
  };
  const auto out = score_configurations(in, score_weights{});
  // Ranks over 3: 0, 0.5, 1.
  BOOST_TEST(out[0].sharpe == 1.0);
  BOOST_TEST(out[0].drawdown == 0.0); // lower is better
  BOOST_TEST(out[0].volatility == 0.0);
  BOOST_TEST(out[0].persistence == 0.5);
  BOOST_TEST(out[1].persistence == 1.0);
  BOOST_TEST(out[2].persistence == 0.0); // absent: last
  // Default weights 0.4, 0.25, 0.1, 0.25 (sum 1).
  BOOST_TEST(out[0].score == 0.4 * 1 + 0.25 * 0 + 0.1 * 0 + 0.25 * 0.5);
  BOOST_TEST(out[1].score == 0.4 * 0.5 + 0.25 * 0.5 + 0.1 * 0.5 + 0.25 * 1);
  BOOST_TEST(out[2].score == 0.4 * 0 + 0.25 * 1 + 0.1 * 1 + 0.25 * 0);
  // Only the drawdown counts: C first, A last.
  const auto dd = score_configurations(in, {0, 1, 0, 0});
  BOOST_TEST(dd[2].score == 1.0);
  BOOST_TEST(dd[0].score == 0.0);
}

BOOST_AUTO_TEST_CASE(weights_are_checked_and_named) {
  score_weights w;
  BOOST_TEST(parse_score_weights(boost::json::parse(R"({"sharpe": 2, "drawdown": 1})"), w).empty());
  BOOST_TEST(w.sharpe == 2.0);
  BOOST_TEST(w.volatility == 0.1); // absent: kept
  BOOST_TEST(parse_score_weights(boost::json::parse(R"({"luck": 1})"), w).at(0).field
             == "score.weights.luck");
  BOOST_TEST(parse_score_weights(boost::json::parse(R"({"sharpe": -1})"), w).at(0).field
             == "score.weights.sharpe");
  BOOST_TEST(
      parse_score_weights(
          boost::json::parse(R"({"sharpe": 0, "drawdown": 0, "volatility": 0, "persistence": 0})"),
          w)
          .at(0)
          .field
      == "score.weights");
  BOOST_TEST(w.sharpe == 2.0); // a refused change leaves the weights as they were
}

BOOST_AUTO_TEST_SUITE_END()
