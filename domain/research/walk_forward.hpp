#pragma once
// Walk-forward analysis: the data cut into folds, each an in-sample (train)
// window and the out-of-sample (test) window that immediately follows it.
// Each fold sweeps the search space on its train window, keeps the best
// configuration by the objective, and runs it on its test window; the test
// windows, stitched, are one continuous account traded only by choices made
// on earlier data.
//
// Causality: a fold's train sweep sees only its train window's bars. Its
// test run sees the train window too, to warm indicators up, but nothing
// fills before the test window's first bar (run_engine's first_entry_bar)
// and whatever is open at the test window's last bar is closed at its close
// (end of data): no fold touches a bar outside its two windows.

#include "domain/data/bar_series.hpp"
#include "domain/engine/backtest_engine.hpp"
#include "domain/research/monte_carlo.hpp"
#include "domain/research/sweep.hpp"
#include "domain/research/sweep_run.hpp"

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bt {

class json_writer;

inline constexpr std::size_t max_walk_forward_folds = 500;
/// Folds x configurations: the sweeps a walk-forward may run in all.
inline constexpr std::size_t max_walk_forward_runs = 1'000'000;

struct walk_forward_windows {
  bool by_time = false; ///< lengths in seconds ("180d"), else in bars
  std::int64_t train = 0, test = 0, step = 0;
  bool anchored = false;       ///< every train window starts at the first bar
  std::int64_t min_trades = 0; ///< a train result trading less is not chosen
};

struct walk_forward_spec {
  sweep_spec sweep; ///< base configuration, space, objective, constraints
  walk_forward_windows windows;
  /// A Monte Carlo of the stitched out-of-sample account, when asked for.
  std::optional<monte_carlo_spec> monte_carlo;
};

/// A sweep specification (sweep.hpp) with "windows": {"train": N | "180d",
/// "test": N | "30d", "step" (default test), "anchored" (false),
/// "min_trades" (0)}, and optionally "monte_carlo": a Monte Carlo
/// specification (monte_carlo.hpp) run on the out-of-sample trades (or, for
/// block_bootstrap, daily returns). Durations are whole numbers of d, h or w.
field_errors
parse_walk_forward_spec(const boost::json::value& spec, walk_forward_spec& out,
                        std::size_t max_configurations = default_max_sweep_configurations);

/// The configuration text of a queued walk-forward: {"walk_forward": SPEC}.
std::string walk_forward_config_json(const std::string& spec_json);
bool is_walk_forward_config(std::string_view config_json);
/// The specification a configuration text holds, or why it does not.
std::optional<std::string> parse_walk_forward_config(const std::string& config_json,
                                                     walk_forward_spec& out);

/// Bar indices [begin, end) of a fold's windows; test_begin == train_end.
struct fold_window {
  std::size_t train_begin = 0, train_end = 0, test_end = 0;
};

/// The folds of `bars`: every fold whose test window ends within the data
/// (a last, partial test window is not a fold). Empty when not even one
/// fits.
std::vector<fold_window> plan_folds(const walk_forward_windows& w, const bar_series& bars);

struct fold_result {
  fold_window window;
  std::size_t completed = 0, skipped = 0, failed = 0, meeting = 0;
  std::optional<configuration_result> chosen; ///< none: nothing met the objective
  std::size_t chosen_index = 0;
  std::string reason; ///< why nothing was chosen
  fixed start_equity; ///< the account at the test window's start
  std::optional<bt::metrics> out_of_sample;
};

struct walk_forward_result {
  fixed initial_capital; ///< the account's, from the base configuration
  std::vector<fold_result> folds;
  engine_output out_of_sample; ///< the test windows stitched: one account
  bt::metrics out_of_sample_metrics;
  /// Annualised out-of-sample return over the mean annualised in-sample
  /// return of the chosen configurations (simple annualisation: return %
  /// x 365.25 days / the window's span); none when the latter is 0 or no
  /// fold chose.
  std::optional<double> efficiency;
  double profitable_folds_pct = 0;               ///< of the folds that chose
  std::optional<monte_carlo_result> monte_carlo; ///< when the specification asks
  bool cancelled = false;                        ///< stopped between two folds: not a result
};

/// Runs every fold (its train sweep on `threads` threads; `done`, when
/// given, counts the train configurations as they finish; `after_fold`,
/// when given, is told each finished fold's number and stops the analysis,
/// cancelled, by returning false). Throws backtest_error when a test run
/// cannot be computed exactly.
walk_forward_result run_walk_forward(const walk_forward_spec& spec, const bar_series& bars,
                                     const std::vector<fold_window>& folds, unsigned threads,
                                     std::atomic<std::size_t>* done = nullptr,
                                     const std::function<bool(std::size_t)>& after_fold = nullptr);

void write_walk_forward(json_writer& w, const walk_forward_spec& spec, const bar_series& bars,
                        const walk_forward_result& r);

} // namespace bt
