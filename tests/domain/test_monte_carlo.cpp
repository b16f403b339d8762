#include "domain/research/monte_carlo.hpp"

#include "bars.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/research/random_stream.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

using namespace bt;
using bt::test::px;

namespace {

monte_carlo_spec spec_of(const std::string& json) {
  monte_carlo_spec s;
  const auto e = parse_monte_carlo_spec(boost::json::parse(json), s);
  BOOST_REQUIRE_MESSAGE(e.empty(), describe(e));
  return s;
}

std::string document(const monte_carlo_spec& s, const monte_carlo_result& r) {
  json_writer w;
  write_monte_carlo(w, s, r);
  return w.take();
}

std::vector<fixed> mixed_trades() {
  std::vector<fixed> pnl;
  for (int i = 0; i < 200; ++i)
    pnl.push_back(px(i % 3 == 0 ? "-123.45" : i % 3 == 1 ? "80.10000001" : "61.5"));
  return pnl;
}

} // namespace

BOOST_AUTO_TEST_SUITE(monte_carlo)

BOOST_AUTO_TEST_CASE(percentiles_interpolate_between_order_statistics) {
  std::vector<double> v{4, 1, 3, 2}; // any order: the selection reorders it
  const int percents[] = {0, 25, 50, 100};
  double out[4];
  percentiles_of(v.data(), v.size(), percents, 4, out);
  BOOST_TEST(out[0] == 1.0);
  BOOST_TEST(out[1] == 1.75); // numpy.percentile([1,2,3,4], 25)
  BOOST_TEST(out[2] == 2.5);
  BOOST_TEST(out[3] == 4.0);
  // Against a full sort, on every size from 1 to 60 and with ties: adjacent
  // ranks (small n) must still find each one's next order statistic.
  random_stream rng = random_stream::of(5, 0);
  const int all[] = {1, 5, 25, 50, 75, 95, 99};
  for (std::size_t n = 1; n <= 60; ++n) {
    std::vector<double> values(n);
    for (auto& x : values)
      x = static_cast<double>(rng.below(20)); // ties on purpose
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    double got[7];
    percentiles_of(values.data(), n, all, 7, got);
    for (std::size_t i = 0; i < 7; ++i) {
      const double h = (static_cast<double>(n) - 1) * all[i] / 100.0;
      const auto lo = static_cast<std::size_t>(std::floor(h));
      const double next = lo + 1 < n ? sorted[lo + 1] : sorted[lo];
      BOOST_TEST(got[i] == sorted[lo] + (h - static_cast<double>(lo)) * (next - sorted[lo]),
                 "n " << n << " p" << all[i]);
    }
  }
  std::vector<double> one{7};
  const int p99[] = {99};
  percentiles_of(one.data(), 1, p99, 1, out);
  BOOST_TEST(out[0] == 7.0);
}

BOOST_AUTO_TEST_CASE(a_shuffle_keeps_the_final_equity_and_moves_the_drawdowns) {
  const auto pnl = mixed_trades();
  fixed total;
  for (auto p : pnl)
    total += p;
  const auto s = spec_of(R"({"simulations": 2000, "method": "shuffle", "seed": 9})");
  const auto r = simulate_trades(pnl, px("10000"), s);
  BOOST_TEST(r.steps == 200u);
  for (double v : r.final_equity) // identical in every simulation: a sum does not care for order
    BOOST_TEST(v == (px("10000") + total).to_double());
  BOOST_TEST(r.max_drawdown_pct[0] < r.max_drawdown_pct[6]);
  BOOST_TEST(r.longest_drawdown_steps[0] <= r.longest_drawdown_steps[6]);
  BOOST_TEST(r.fan.front().step == 0u);
  BOOST_TEST(r.fan.front().equity[2] == 10000.0);
  BOOST_TEST(r.fan.back().step == 200u);
  BOOST_TEST(r.fan.size() == 201u);                             // every step: fewer than 500
  BOOST_TEST(r.fan.back().equity[0] == r.fan.back().equity[4]); // the end is fixed too
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_document_and_another_seed_another) {
  const auto pnl = mixed_trades();
  for (const char* method : {"shuffle", "bootstrap"}) {
    const auto a =
        spec_of(std::string(R"({"simulations": 300, "seed": 4, "method": ")") + method + "\"}");
    auto b = a;
    b.seed = 5;
    const std::string first = document(a, simulate_trades(pnl, px("10000"), a));
    BOOST_TEST(first == document(a, simulate_trades(pnl, px("10000"), a)));
    BOOST_TEST(first != document(b, simulate_trades(pnl, px("10000"), b)));
    // Shared out over threads, the simulations are the same ones.
    for (unsigned threads : {2u, 3u, 7u})
      BOOST_TEST(first == document(a, simulate_trades(pnl, px("10000"), a, threads)));
  }
  std::vector<double> returns;
  for (int i = 0; i < 300; ++i)
    returns.push_back((i % 7 - 3) * 0.001);
  const auto blocks = spec_of(R"({"simulations": 500, "seed": 9, "method": "block_bootstrap"})");
  BOOST_TEST(document(blocks, simulate_daily_returns(returns, px("10000"), blocks))
             == document(blocks, simulate_daily_returns(returns, px("10000"), blocks, 2)));
}

BOOST_AUTO_TEST_CASE(identical_trades_leave_nothing_to_chance) {
  const std::vector<fixed> pnl(50, px("10"));
  const auto s = spec_of(R"({"simulations": 100, "method": "bootstrap", "seed": 1})");
  const auto r = simulate_trades(pnl, px("1000"), s);
  for (std::size_t i = 0; i < 7; ++i) {
    BOOST_TEST(r.final_equity[i] == 1500.0);
    BOOST_TEST(r.total_return_pct[i] == 50.0);
    BOOST_TEST(r.max_drawdown_pct[i] == 0.0);
    BOOST_TEST(r.longest_drawdown_steps[i] == 0.0);
  }
  BOOST_TEST(r.probability_of_ruin == 0.0);
  BOOST_TEST(r.probability_of_loss == 0.0);
  // Every simulation the same: one bin holding them all.
  BOOST_TEST(r.final_equity_histogram.counts == std::vector<std::uint64_t>{100});
  BOOST_TEST(r.final_equity_histogram.from == 1500.0);
  BOOST_TEST(r.final_equity_histogram.width == 0.0);
}

BOOST_AUTO_TEST_CASE(histograms_count_every_simulation_from_least_to_greatest) {
  const auto pnl = mixed_trades();
  const auto s = spec_of(R"({"simulations": 1000, "method": "bootstrap", "seed": 3})");
  const auto r = simulate_trades(pnl, px("10000"), s);
  for (const auto* h : {&r.final_equity_histogram, &r.max_drawdown_histogram}) {
    BOOST_TEST(h->counts.size() == monte_carlo_histogram_bins);
    std::uint64_t sum = 0;
    for (auto c : h->counts)
      sum += c;
    BOOST_TEST(sum == 1000u);
    BOOST_TEST(h->counts.front() > 0u); // the least value is in the first bin
    BOOST_TEST(h->counts.back() > 0u);  // and the greatest in the last
    BOOST_TEST(h->width > 0.0);
  }
  // The range is the percentiles' own: p1 and p99 lie inside it.
  const auto& f = r.final_equity_histogram;
  BOOST_TEST(f.from <= r.final_equity[0]);
  BOOST_TEST(f.from + f.width * monte_carlo_histogram_bins >= r.final_equity[6] - 1e-6);
  const std::string doc = document(s, r);
  BOOST_TEST(doc.find(R"("final_equity_histogram":{"from":)") != std::string::npos);
  BOOST_TEST(doc.find(R"("max_drawdown_histogram":{"from":)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ruin_is_the_share_of_paths_that_fall_that_far) {
  // -600 first is a 60% drawdown (ruin at 50%); +600 first peaks at 1,600
  // and falls back to 1,000, a 37.5% drawdown. Half the orders of each.
  const std::vector<fixed> pnl{px("-600"), px("600")};
  const auto s = spec_of(R"({"simulations": 4000, "seed": 2, "ruin_drawdown_pct": 50})");
  const auto r = simulate_trades(pnl, px("1000"), s);
  BOOST_TEST(std::abs(r.probability_of_ruin - 0.5) < 0.05, r.probability_of_ruin);
  BOOST_TEST(r.max_drawdown_pct[0] == 37.5);
  BOOST_TEST(r.max_drawdown_pct[6] == 60.0);
  BOOST_TEST(r.probability_of_loss == 0.0); // both end at 1,000
}

BOOST_AUTO_TEST_CASE(a_block_bootstrap_compounds_whole_blocks_of_days) {
  const std::vector<double> flat(30, 0.01);
  const auto s = spec_of(R"({"simulations": 50, "method": "block_bootstrap", "block_days": 7,
                             "seed": 3})");
  const auto r = simulate_daily_returns(flat, px("1000"), s);
  double expected = 1000;
  for (int i = 0; i < 30; ++i)
    expected *= 1.01;
  BOOST_TEST(r.steps == 30u);
  BOOST_TEST(r.final_equity[3] == round_places(expected, 8));
  BOOST_TEST(r.max_drawdown_pct[6] == 0.0);
  // Wrapping blocks of a rising then falling series still use every day once
  // per pass: a 7-day block from day 28 takes days 28, 29, 0, ..., 4.
  std::vector<double> wave;
  for (int i = 0; i < 30; ++i)
    wave.push_back(i < 15 ? 0.02 : -0.02);
  const auto w = simulate_daily_returns(wave, px("1000"), s);
  BOOST_TEST(w.max_drawdown_pct[0] < w.max_drawdown_pct[6]);
}

BOOST_AUTO_TEST_CASE(specifications_are_checked) {
  auto first_field = [](const std::string& json) {
    monte_carlo_spec s;
    const auto e = parse_monte_carlo_spec(boost::json::parse(json), s);
    return e.empty() ? std::string() : e[0].field;
  };
  BOOST_TEST(first_field(R"({"simulations": 10})") == "seed");
  BOOST_TEST(first_field(R"({"simulations": 0, "seed": 1})") == "simulations");
  BOOST_TEST(first_field(R"({"simulations": 100001, "seed": 1})") == "simulations");
  BOOST_TEST(first_field(R"({"seed": 1, "method": "dice"})") == "method");
  BOOST_TEST(first_field(R"({"seed": 1, "block_days": 3})") == "block_days"); // shuffle
  BOOST_TEST(first_field(R"({"seed": 1, "ruin_drawdown_pct": 0})") == "ruin_drawdown_pct");
  BOOST_TEST(first_field(R"({"seed": 1, "sims": 5})") == "sims");
  BOOST_TEST(first_field(R"({"seed": 1})").empty()); // 1,000 shuffles by default
}

BOOST_AUTO_TEST_CASE(the_fan_chart_is_bounded) {
  const std::vector<fixed> pnl(5000, px("1"));
  auto s = spec_of(R"({"simulations": 10, "seed": 1})");
  auto r = simulate_trades(pnl, px("1000"), s);
  BOOST_TEST(r.fan.size() == max_fan_steps + 1);
  BOOST_TEST(r.fan.back().step == 5000u);
  s.simulations = 100'000; // 1,000,000 values at most: 10 steps
  r = simulate_trades(std::vector<fixed>(1000, px("1")), px("1000"), s);
  BOOST_TEST(r.fan.size() == 11u);
  BOOST_TEST(r.fan.back().step == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
