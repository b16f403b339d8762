#include "domain/metrics/metrics.hpp"

#include "bars.hpp"
#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace bt;
using bt::test::px;

namespace {
constexpr unix_time day0 = 1'704'153'600; // 2024-01-02T00:00:00Z

trade closed(const char* pnl, std::optional<double> r = std::nullopt) {
  trade t;
  t.pnl = px(pnl);
  t.r_multiple = r;
  t.commission = px("5");
  t.holding_bars = 2;
  return t;
}

// Daily points with drawdown measured as the engine does (from a running
// peak that starts at the initial capital of 1000).
engine_output curve(std::initializer_list<const char*> equities) {
  engine_output out;
  unix_time t = day0;
  double peak = 1000;
  for (const char* e : equities) {
    const double v = px(e).to_double();
    peak = std::max(peak, v);
    out.equity.push_back({t, px(e), round_places((peak - v) / peak * 100)});
    t += seconds_per_day;
  }
  return out;
}
} // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(trade_statistics_by_hand) {
  engine_output out = curve({"1100", "990", "1050", "1200"});
  out.trades = {closed("100", 1.0), closed("-50", -0.5), closed("-30"), closed("200", 2.0),
                closed("0")};
  out.bars_in_market = 2;
  out.skipped_signals = 3;
  auto m = compute_metrics(out, px("1000"), seconds_per_day);
  BOOST_TEST(m.total_trades == 5);
  BOOST_TEST(m.winning_trades == 2);
  BOOST_TEST(m.losing_trades == 2);
  BOOST_TEST(*m.win_rate == 40.0);
  BOOST_TEST(*m.avg_r_multiple == 0.8333333333); // reported to 10 places
  BOOST_TEST(to_string(*m.expectancy) == "44.00000000");
  BOOST_TEST(to_string(m.gross_profit) == "300.00000000");
  BOOST_TEST(to_string(m.gross_loss) == "-80.00000000");
  BOOST_TEST(*m.profit_factor == 3.75);
  BOOST_TEST(to_string(*m.avg_win) == "150.00000000");
  BOOST_TEST(to_string(*m.avg_loss) == "-40.00000000");
  BOOST_TEST(to_string(*m.largest_win) == "200.00000000");
  BOOST_TEST(to_string(*m.largest_loss) == "-50.00000000");
  BOOST_TEST(m.max_consecutive_losses == 2);
  BOOST_TEST(*m.avg_holding_bars == 2.0);
  BOOST_TEST(to_string(m.total_commission) == "25.00000000");
  BOOST_TEST(m.exposure_pct == 50.0);
  BOOST_TEST(m.skipped_signals == 3);
}

BOOST_AUTO_TEST_CASE(curve_statistics_by_hand) {
  // Daily closes 1100, 990, 1050, 1200 from 1000: returns .1, -.1, .0606, .1429.
  auto m = compute_metrics(curve({"1100", "990", "1050", "1200"}), px("1000"), seconds_per_day);
  BOOST_TEST(to_string(m.final_equity) == "1200.00000000");
  BOOST_TEST(to_string(m.net_profit) == "200.00000000");
  BOOST_TEST(m.total_return_pct == 20.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(m.max_drawdown_pct == 10.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(*m.max_drawdown_peak == day0);
  BOOST_TEST(*m.max_drawdown_trough == day0 + seconds_per_day);
  BOOST_TEST(*m.max_drawdown_recovery == day0 + 3 * seconds_per_day);
  BOOST_TEST(*m.sharpe_ratio == 7.614933778675136, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*m.sortino_ratio == 16.14939111948517, boost::test_tools::tolerance(1e-9));
  const double cagr = (std::pow(1.2, 365.25 / 4) - 1) * 100;
  BOOST_TEST(*m.cagr_pct == cagr, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*m.calmar_ratio == cagr / 10.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(meaningless_metrics_are_null) {
  auto flat = compute_metrics(curve({"1000"}), px("1000"), 3600);
  BOOST_TEST(flat.total_trades == 0);
  BOOST_TEST(!flat.win_rate);
  BOOST_TEST(!flat.avg_r_multiple);
  BOOST_TEST(!flat.expectancy);
  BOOST_TEST(!flat.profit_factor);
  BOOST_TEST(!flat.sharpe_ratio);
  BOOST_TEST(!flat.sortino_ratio);
  BOOST_TEST(!flat.cagr_pct);
  BOOST_TEST(!flat.calmar_ratio);
  BOOST_TEST(!flat.avg_win);
  BOOST_TEST(!flat.largest_loss);
  BOOST_TEST(!flat.avg_holding_bars);
  BOOST_TEST(!flat.max_drawdown_peak);
  BOOST_TEST(flat.max_drawdown_pct == 0.0);
  // Only winners: no profit factor; a flat multi-day curve: no Sharpe.
  engine_output winners = curve({"1000", "1000", "1000"});
  winners.trades = {closed("10")};
  auto w = compute_metrics(winners, px("1000"), seconds_per_day);
  BOOST_TEST(!w.profit_factor);
  BOOST_TEST(!w.avg_loss);
  BOOST_TEST(!w.sharpe_ratio);
  BOOST_TEST(w.cagr_pct.has_value());
  json_writer j;
  write_metrics(j, flat);
  BOOST_TEST(j.str().find("\"profit_factor\":null") != std::string::npos);
  BOOST_TEST(j.str().find("nan") == std::string::npos);
  BOOST_TEST(j.str().find("inf") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_numeric_metric_reads_by_its_document_name) {
  // metric_value must agree with the document for every key: objectives and
  // constraints name metrics as the document does.
  engine_output out = curve({"1100", "990", "1050", "1200"});
  out.trades = {closed("100", 1.0), closed("-50", -0.5), closed("200", 2.0)};
  const auto m = compute_metrics(out, px("1000"), seconds_per_day);
  json_writer w;
  write_metrics(w, m);
  const auto doc = boost::json::parse(w.str()).as_object();
  int numeric = 0;
  for (const auto& kv : doc) {
    const auto name = std::string(kv.key());
    if (kv.value().is_string()) { // a time: not something to rank by
      BOOST_TEST(!is_metric(name), name);
      continue;
    }
    BOOST_TEST(is_metric(name), name);
    const auto v = metric_value(m, name);
    if (kv.value().is_null()) {
      BOOST_TEST(!v.has_value(), name);
      continue;
    }
    BOOST_REQUIRE_MESSAGE(v.has_value(), name);
    BOOST_TEST(*v == kv.value().to_number<double>(), name);
    ++numeric;
  }
  BOOST_TEST(numeric >= 20);
  BOOST_TEST(!is_metric("luck"));
  BOOST_TEST(!metric_value(m, "luck").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
