// A cycle's scorecard: ranked by score (ties by index), each entry with its
// components and out-of-sample metrics, the unfinished ones after, unranked;
// and the facts a walk-forward's result gives.
#include "domain/evaluation/scorecard.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace bt;

BOOST_AUTO_TEST_SUITE(scorecard)

BOOST_AUTO_TEST_CASE(configurations_are_ranked_by_score_and_the_unfinished_listed_last) {
  std::vector<evaluation_facts> f(4);
  for (std::size_t i = 0; i < 4; ++i) {
    f[i].index = i;
    f[i].strategy = "dual_sma";
    f[i].params_json = R"({"fast_period":)" + std::to_string(10 + i) + "}";
    f[i].walk_forward_id = "wf" + std::to_string(i);
    f[i].status = "completed";
  }
  // 2 dominates (best Sharpe, drawdown, volatility, persistence); 0 is the worst.
  f[0] = {0,   "dual_sma", "{}", "wf0", "completed", 0.1,  40.0, 30.0,
          0.2, -100.0,     50.0, {},    {},          "GC", {}};
  f[1] = {1, "dual_sma", "{}", "wf1", "failed", {}, {}, {}, {}, {}, {}, {}, {}, "GC", {}};
  f[2] = {2,   "dual_sma", "{}", "wf2", "completed", 1.5,  10.0, 12.0,
          0.9, 900.0,      40.0, {},    {},          "GC", {}};
  f[3] = {3,   "dual_sma", "{}", "wf3", "completed", 0.8,  20.0, 20.0,
          0.5, 300.0,      45.0, {},    {},          "GC", {}};
  const auto doc =
      boost::json::parse(scorecard_json({"p1", 3, "2025-01-01T00:00:00Z", "abc", 7}, f, {}));
  BOOST_TEST(doc.at("configurations").as_int64() == 4);
  BOOST_TEST(doc.at("completed").as_int64() == 3);
  BOOST_TEST(doc.at("skipped").as_int64() == 7);
  const auto& e = doc.at("entries").as_array();
  BOOST_TEST(e[0].at("index").as_int64() == 2);
  BOOST_TEST(e[0].at("rank").as_int64() == 1);
  BOOST_TEST(e[0].at("score").to_number<double>() == 1.0);
  BOOST_TEST(e[1].at("index").as_int64() == 3);
  BOOST_TEST(e[1].at("score").to_number<double>() == 0.5);
  BOOST_TEST(e[2].at("index").as_int64() == 0);
  BOOST_TEST(e[2].at("components").at("sharpe").to_number<double>() == 0.0);
  BOOST_TEST(e[3].at("index").as_int64() == 1); // failed: last, unranked
  BOOST_TEST(e[3].at("rank").is_null());
  BOOST_TEST(e[3].at("status").as_string() == "failed");
  BOOST_TEST(e[0].at("oos").at("net_profit").to_number<double>() == 900.0);
}

BOOST_AUTO_TEST_CASE(out_of_sample_trades_are_broken_down_by_their_entry_days_regime) {
  evaluation_facts f;
  f.status = "completed";
  f.params_json = "{}";
  read_walk_forward_result(R"({"out_of_sample": {"metrics": {"sharpe_ratio": 1.0},
      "trades": [{"entry_time": "2024-03-01T10:00:00Z", "pnl": 100.5},
                 {"entry_time": "2024-03-01T15:00:00Z", "pnl": -40.25},
                 {"entry_time": "2024-03-04T09:00:00Z", "pnl": 10.00000001},
                 {"entry_time": "2024-03-05T09:00:00Z", "pnl": 5}]}})",
                           f);
  BOOST_REQUIRE(f.oos_trades.size() == 4u);
  const regime_days regimes{{1'709'251'200, volatility_regime::high},    // 2024-03-01
                            {1'709'510'400, volatility_regime::normal}}; // 2024-03-04
  const auto doc = boost::json::parse(
      scorecard_json({"p", 1, "2024-03-06T00:00:00Z", "c", 0}, {f}, {}, &regimes));
  const auto& by = doc.at("entries").at(0).at("by_regime");
  BOOST_TEST(by.at("high").at("trades").as_int64() == 2);
  BOOST_TEST(by.at("high").at("net_profit").to_number<double>() == 60.25); // exact decimals
  BOOST_TEST(by.at("high").at("win_rate").to_number<double>() == 50.0);
  BOOST_TEST(by.at("normal").at("net_profit").to_number<double>() == 10.00000001);
  BOOST_TEST(by.at("unclassified").at("trades").as_int64() == 1); // 2024-03-05 has no regime
  BOOST_TEST(!by.as_object().contains("low"));
  BOOST_TEST(by.at("high").at("profit_factor").to_number<double>()
             == 2.4968944099); // 100.5 / 40.25
  BOOST_TEST(by.at("high").at("average_trade").to_number<double>() == 30.125);
  BOOST_TEST(by.at("normal").at("profit_factor").is_null()); // no loss
  // Without regimes, no breakdown.
  BOOST_TEST(!boost::json::parse(scorecard_json({"p", 1, "x", "c", 0}, {f}, {}))
                  .at("entries")
                  .at(0)
                  .as_object()
                  .contains("by_regime"));
}

BOOST_AUTO_TEST_CASE(out_of_sample_days_are_measured_within_each_regime) {
  evaluation_facts f;
  f.status = "completed";
  f.params_json = "{}";
  // Two high days (+10 %, then -5 %) around a normal one (+1 %), then one
  // without a regime.
  read_walk_forward_result(R"({"out_of_sample": {"daily_returns": [
      ["2024-03-01T00:00:00Z", 0.1], ["2024-03-04T00:00:00Z", 0.01],
      ["2024-03-05T00:00:00Z", -0.05], ["2024-03-06T00:00:00Z", 0.02]]}})",
                           f);
  BOOST_REQUIRE(f.oos_daily.size() == 4u);
  const regime_days regimes{{1'709'251'200, volatility_regime::high},   // 2024-03-01
                            {1'709'510'400, volatility_regime::normal}, // 2024-03-04
                            {1'709'596'800, volatility_regime::high}};  // 2024-03-05
  const auto doc = boost::json::parse(
      scorecard_json({"p", 1, "2024-03-07T00:00:00Z", "c", 0}, {f}, {}, &regimes));
  const auto& high = doc.at("entries").at(0).at("by_regime").at("high");
  BOOST_TEST(high.at("days").as_int64() == 2);
  BOOST_TEST(high.at("return_pct").to_number<double>() == 4.5); // 1.1 x 0.95
  BOOST_TEST(high.at("max_drawdown_pct").to_number<double>() == 5.0);
  // Mean 0.025, sample deviation 0.075 x sqrt(2): x sqrt(252) a year.
  const double sd = 0.075 * std::sqrt(2.0);
  BOOST_TEST(high.at("sharpe_ratio").to_number<double>() == 0.025 / sd * std::sqrt(252.0),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(high.at("volatility_pct").to_number<double>() == sd * std::sqrt(252.0) * 100,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(high.at("trades").as_int64() == 0);
  BOOST_TEST(high.at("win_rate").is_null());
  const auto& normal = doc.at("entries").at(0).at("by_regime").at("normal");
  BOOST_TEST(normal.at("days").as_int64() == 1);
  BOOST_TEST(normal.at("sharpe_ratio").is_null()); // one day: no deviation
  BOOST_TEST(doc.at("entries").at(0).at("by_regime").at("unclassified").at("days").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(a_walk_forwards_result_gives_its_out_of_sample_facts) {
  evaluation_facts f;
  read_walk_forward_result(R"({"out_of_sample": {"metrics": {"sharpe_ratio": 1.25,
      "max_drawdown_pct": 12.5, "net_profit": 1000.0, "total_trades": 40},
      "walk_forward_efficiency": 0.75, "volatility_pct": 18.0}})",
                           f);
  BOOST_TEST(*f.sharpe == 1.25);
  BOOST_TEST(*f.max_drawdown_pct == 12.5);
  BOOST_TEST(*f.volatility_pct == 18.0);
  BOOST_TEST(*f.efficiency == 0.75);
  BOOST_TEST(*f.total_trades == 40.0);
  evaluation_facts none;
  read_walk_forward_result("not json", none);
  BOOST_TEST(!none.sharpe);
}

BOOST_AUTO_TEST_SUITE_END()
