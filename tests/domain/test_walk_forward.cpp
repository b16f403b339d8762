#include "domain/research/walk_forward.hpp"

#include "domain/data/synthetic_bars.hpp"
#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace bt;

namespace {

walk_forward_spec spec_of(const std::string& json) {
  walk_forward_spec s;
  const auto e = parse_walk_forward_spec(boost::json::parse(json), s);
  BOOST_REQUIRE_MESSAGE(e.empty(), describe(e));
  return s;
}

std::string error_of(const std::string& json) {
  walk_forward_spec s;
  return describe(parse_walk_forward_spec(boost::json::parse(json), s));
}

const char* dual_sma_space = R"("symbol": "GC", "strategy": "dual_sma",
  "space": {"params": {"fast_period": [5, 10, 20], "slow_period": [30, 60, 120]}})";

bar_series gc_bars(std::size_t n, std::uint64_t seed = 11) {
  synthetic_spec s;
  s.bars = n;
  s.seed = seed;
  return generate_bars(s);
}

/// `bars` with every price of the bars outside [begin, end) moved: a future
/// (or a past) that a fold must not see.
bar_series perturbed_outside(const bar_series& bars, std::size_t begin, std::size_t end) {
  bar_series out(bars.symbol(), bars.timeframe());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    bar b = bars.at(i);
    if (i < begin || i >= end) {
      const fixed shift = fixed::from_int(i % 7 == 0 ? 37 : -23);
      b.open += shift;
      b.high += shift;
      b.low += shift;
      b.close += shift;
    }
    out.push_back(b);
  }
  return out;
}

std::string trades_of(const walk_forward_result& r, std::size_t fold) {
  // The fold's trades: those entered in its test window.
  const auto& w = r.folds[fold].window;
  std::string text;
  for (const auto& t : r.out_of_sample.trades)
    if (t.entry_bar >= static_cast<std::int64_t>(w.train_end)
        && t.entry_bar < static_cast<std::int64_t>(w.test_end))
      text += std::to_string(t.entry_time) + " " + std::to_string(t.exit_time) + " "
              + to_string(t.entry_price) + " " + to_string(t.exit_price) + " " + to_string(t.pnl)
              + "\n";
  return text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(walk_forward)

BOOST_AUTO_TEST_CASE(folds_of_bars_roll_and_anchor_and_drop_a_partial_last_window) {
  const auto bars = gc_bars(1000);
  walk_forward_windows w;
  w.train = 300;
  w.test = 100;
  w.step = 100;
  auto folds = plan_folds(w, bars);
  BOOST_REQUIRE(folds.size() == 7u); // test windows end at 400, 500, ..., 1000
  for (std::size_t k = 0; k < folds.size(); ++k) {
    BOOST_TEST(folds[k].train_begin == k * 100);
    BOOST_TEST(folds[k].train_end == 300 + k * 100);
    BOOST_TEST(folds[k].test_end == 400 + k * 100);
  }
  w.anchored = true;
  w.step = 150; // test windows with gaps between them
  folds = plan_folds(w, bars);
  BOOST_REQUIRE(folds.size() == 5u); // ends 400, 550, 700, 850, 1000
  for (const auto& f : folds)
    BOOST_TEST(f.train_begin == 0u);
  BOOST_TEST(folds.back().test_end == 1000u);
  w.train = 950;
  BOOST_TEST(plan_folds(w, bars).empty());
}

BOOST_AUTO_TEST_CASE(folds_of_durations_follow_the_clock_across_closures) {
  // GC trades 23 hours a day, 5 days a week: 30-day windows hold fewer bars
  // than 720 and every window still starts at its first bar in time.
  const auto bars = gc_bars(3000);
  const auto spec = spec_of(std::string("{") + dual_sma_space
                            + R"(, "windows": {"train": "30d", "test": "1w"}})");
  BOOST_TEST(spec.windows.by_time);
  BOOST_TEST(spec.windows.train == 30 * 86'400);
  BOOST_TEST(spec.windows.step == 7 * 86'400);
  const auto folds = plan_folds(spec.windows, bars);
  BOOST_REQUIRE(!folds.empty());
  const unix_time first = bars.times()[0];
  for (std::size_t k = 0; k < folds.size(); ++k) {
    const unix_time start = first + static_cast<unix_time>(k) * 7 * 86'400;
    BOOST_TEST(bars.times()[folds[k].train_begin] >= start);
    BOOST_TEST((folds[k].train_begin == 0 || bars.times()[folds[k].train_begin - 1] < start));
    BOOST_TEST(bars.times()[folds[k].train_end - 1] < start + 30 * 86'400);
    BOOST_TEST(bars.times()[folds[k].train_end] >= start + 30 * 86'400);
    BOOST_TEST(bars.times()[folds[k].test_end - 1] < start + 37 * 86'400);
    BOOST_TEST(folds[k].train_end - folds[k].train_begin < 720u);
  }
  // The last test window ends within the data.
  BOOST_TEST(first + static_cast<unix_time>(folds.size() - 1) * 7 * 86'400 + 37 * 86'400
             <= bars.times()[bars.size() - 1] + 3600);
}

BOOST_AUTO_TEST_CASE(windows_are_checked) {
  const std::string base = std::string("{") + dual_sma_space + ", ";
  BOOST_TEST(error_of(base + R"("x": 1})").find("windows") != std::string::npos);
  BOOST_TEST(error_of(base + R"("windows": {"test": 10}})").find("windows.train")
             != std::string::npos);
  BOOST_TEST(error_of(base + R"("windows": {"train": 100, "test": "5d"}})").find("all be bars")
             != std::string::npos);
  BOOST_TEST(
      error_of(base + R"("windows": {"train": 100, "test": 50, "step": 20}})").find("windows.step")
      != std::string::npos);
  BOOST_TEST(error_of(base + R"("windows": {"train": "10y", "test": 5}})").find("windows.train")
             != std::string::npos);
  BOOST_TEST(error_of(base + R"("windows": {"train": 0, "test": 5}})").find("windows.train")
             != std::string::npos);
  BOOST_TEST(error_of(base + R"("windows": {"train": 10, "test": 5, "anchor": true}})")
                 .find("windows.anchor")
             != std::string::npos);
  BOOST_TEST(error_of(base + R"("windows": {"train": 10, "test": 5, "min_trades": -1}})")
                 .find("windows.min_trades")
             != std::string::npos);
  // The sweep's own checks still apply.
  BOOST_TEST(error_of(R"({"symbol": "GC", "strategy": "dual_sma", "space": {"params":
      {"fast_period": [1]}}, "windows": {"train": 10, "test": 5}})")
                 .find("space.params.fast_period")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_fold_chooses_its_train_windows_best_and_trades_only_its_test_window) {
  const auto bars = gc_bars(4000);
  const auto spec =
      spec_of(std::string("{") + dual_sma_space + R"(, "windows": {"train": 1500, "test": 500}})");
  const auto folds = plan_folds(spec.windows, bars);
  BOOST_REQUIRE(folds.size() == 5u);
  const auto r = run_walk_forward(spec, bars, folds, 2);
  BOOST_REQUIRE(r.folds.size() == 5u);
  std::size_t trades = 0;
  for (std::size_t k = 0; k < r.folds.size(); ++k) {
    const auto& f = r.folds[k];
    BOOST_REQUIRE(f.chosen);
    // The choice is the train window's sweep's best.
    const bar_series train =
        bars.slice(bars.times()[f.window.train_begin], bars.times()[f.window.train_end - 1]);
    const auto sweep = run_configurations(spec.sweep, train, 1, 0);
    BOOST_TEST(f.chosen_index == best_configuration(spec.sweep, sweep));
    BOOST_TEST(f.chosen->metrics_json == sweep[f.chosen_index].metrics_json);
    trades += static_cast<std::size_t>(f.out_of_sample->total_trades);
  }
  // Every out-of-sample trade opens and closes inside its fold's test window.
  BOOST_TEST(r.out_of_sample.trades.size() == trades);
  std::size_t fold = 0;
  for (const auto& t : r.out_of_sample.trades) {
    while (t.entry_bar >= static_cast<std::int64_t>(r.folds[fold].window.test_end))
      ++fold;
    BOOST_TEST(t.entry_bar >= static_cast<std::int64_t>(r.folds[fold].window.train_end));
    BOOST_TEST(t.exit_bar < static_cast<std::int64_t>(r.folds[fold].window.test_end));
    BOOST_TEST(t.entry_time == bars.times()[static_cast<std::size_t>(t.entry_bar)]);
  }
  // One account: each fold starts where the previous one ended, and the
  // stitched curve has a point per test bar.
  BOOST_TEST(r.out_of_sample.equity.size() == 5u * 500);
  for (std::size_t k = 1; k < r.folds.size(); ++k)
    BOOST_TEST(r.folds[k].start_equity == r.out_of_sample.equity[k * 500 - 1].equity);
  BOOST_TEST(r.out_of_sample_metrics.total_trades == static_cast<std::int64_t>(trades));
  BOOST_TEST(r.out_of_sample_metrics.final_equity == r.out_of_sample.equity.back().equity);
}

BOOST_AUTO_TEST_CASE(no_fold_sees_a_bar_outside_its_windows) {
  // The truncation property of the engine's no-lookahead test, per fold:
  // change every bar after a fold's test window and the fold (and every one
  // before it) is unchanged; change every bar before its train window and
  // its choice, in-sample metrics and trades are unchanged.
  const auto bars = gc_bars(4000, 23);
  const auto spec =
      spec_of(std::string("{") + dual_sma_space + R"(, "windows": {"train": 1500, "test": 500}})");
  const auto folds = plan_folds(spec.windows, bars);
  const auto reference = run_walk_forward(spec, bars, folds, 2);
  for (std::size_t k : {std::size_t{1}, std::size_t{3}}) {
    const auto& w = folds[k];
    BOOST_TEST_CONTEXT("fold " << k + 1) {
      const auto future = run_walk_forward(spec, perturbed_outside(bars, 0, w.test_end), folds, 2);
      for (std::size_t j = 0; j <= k; ++j) {
        BOOST_TEST(future.folds[j].chosen_index == reference.folds[j].chosen_index);
        BOOST_TEST(future.folds[j].start_equity == reference.folds[j].start_equity);
        BOOST_TEST(trades_of(future, j) == trades_of(reference, j));
      }
      const auto past =
          run_walk_forward(spec, perturbed_outside(bars, w.train_begin, bars.size()), folds, 2);
      BOOST_TEST(past.folds[k].chosen_index == reference.folds[k].chosen_index);
      BOOST_TEST(past.folds[k].chosen->metrics_json == reference.folds[k].chosen->metrics_json);
      BOOST_TEST(trades_of(past, k) == trades_of(reference, k));
      BOOST_TEST(!trades_of(reference, k).empty());
    }
  }
  // And the perturbation does reach a fold it covers.
  const auto moved =
      run_walk_forward(spec, perturbed_outside(bars, 0, folds[0].test_end), folds, 2);
  BOOST_TEST(trades_of(moved, 4) != trades_of(reference, 4));
}

BOOST_AUTO_TEST_CASE(a_fold_with_no_eligible_configuration_stands_still) {
  const auto bars = gc_bars(3000);
  auto spec = spec_of(std::string("{") + dual_sma_space
                      + R"(, "windows": {"train": 1000, "test": 500, "min_trades": 1000000}})");
  const auto folds = plan_folds(spec.windows, bars);
  const auto r = run_walk_forward(spec, bars, folds, 1);
  for (const auto& f : r.folds) {
    BOOST_TEST(!f.chosen);
    BOOST_TEST(f.reason.find("min_trades") != std::string::npos);
  }
  BOOST_TEST(r.out_of_sample.trades.empty());
  BOOST_TEST(r.out_of_sample_metrics.net_profit == fixed{});
  BOOST_TEST(!r.efficiency);
}

BOOST_AUTO_TEST_CASE(document_is_deterministic_and_names_every_fold) {
  const auto bars = gc_bars(3000);
  const auto spec =
      spec_of(std::string("{") + dual_sma_space + R"(, "windows": {"train": 1000, "test": 500}})");
  const auto folds = plan_folds(spec.windows, bars);
  auto document = [&](unsigned threads) {
    json_writer w;
    write_walk_forward(w, spec, bars, run_walk_forward(spec, bars, folds, threads));
    return w.take();
  };
  const std::string one = document(1);
  BOOST_TEST(one == document(2));
  const auto doc = boost::json::parse(one).as_object();
  BOOST_TEST(doc.at("folds").as_array().size() == folds.size());
  const auto& stability = doc.at("parameter_stability").as_object();
  BOOST_TEST(stability.at("fast_period").at("values").as_array().size() == folds.size());
  BOOST_TEST(doc.at("out_of_sample").at("trades").as_array().size()
             == static_cast<std::size_t>(
                 doc.at("out_of_sample").at("metrics").at("total_trades").as_int64()));
}

BOOST_AUTO_TEST_CASE(a_monte_carlo_of_the_out_of_sample_trades) {
  const auto bars = gc_bars(3000);
  const auto spec =
      spec_of(std::string("{") + dual_sma_space + R"(, "windows": {"train": 1000, "test": 500},
                  "monte_carlo": {"simulations": 200, "method": "shuffle", "seed": 4}})");
  BOOST_REQUIRE(spec.monte_carlo);
  const auto r = run_walk_forward(spec, bars, plan_folds(spec.windows, bars), 2);
  BOOST_REQUIRE(r.monte_carlo);
  BOOST_TEST(r.monte_carlo->steps == r.out_of_sample.trades.size());
  // A shuffle keeps the final equity of the stitched account.
  for (double v : r.monte_carlo->final_equity)
    BOOST_TEST(v == r.out_of_sample_metrics.final_equity.to_double());
  json_writer w;
  write_walk_forward(w, spec, bars, r);
  const auto doc = boost::json::parse(w.take()).as_object();
  BOOST_TEST(doc.at("monte_carlo").at("simulations").as_int64() == 200);
  BOOST_TEST(error_of(std::string("{") + dual_sma_space
                      + R"(, "windows": {"train": 10, "test": 5}, "monte_carlo": {}})")
                 .find("monte_carlo.seed")
             != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
