#pragma once
// A paper deployment: one configuration run forward, bar by bar, from the
// moment it was deployed, on the bars as they are uploaded, under the risk
// rules (risk_rules.hpp). Everything it is can be recomputed from what is
// stored of it (its configuration, its start, the size changes the rules
// made, the day it ended) and the bars: the engine is deterministic and
// each decision only ever looks at days that have closed.

#include "domain/engine/backtest_engine.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/evaluation/risk_rules.hpp"
#include "domain/strategies/strategy.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace bt {

/// From `from` on (a bar time), the positions a deployment opens are
/// `factor` of what its strategy asks for. Factors are halvings (1, 0.5,
/// 0.25, ...), so every quantity is exact: the strategy's quantity times the
/// factor, rounded down to the quantity step. A signal that rounds below one
/// step is skipped, as the engine skips any signal sized below a step.
struct size_change {
  unix_time from = 0;
  double factor = 1;
};

/// The strategy of a deployment: `inner` with the size schedule applied to
/// every order it places (entries and market targets).
std::unique_ptr<strategy> sized_strategy(std::unique_ptr<strategy> inner,
                                         std::vector<size_change> schedule);

/// What a deployment is, as stored.
struct paper_deployment {
  run_config config;          ///< execution.initial_capital is its allocation
  unix_time history_from = 0; ///< the warm-up the strategy sees before it trades
  unix_time deployed_at = 0;  ///< it trades from the first bar after this time
  double expected_sharpe = 0; ///< the walk-forward's out-of-sample Sharpe ratio
  std::vector<size_change> sizing;
  /// Its last bar (inclusive) once it has ended: a rollback's is the end of
  /// its day, an override's the last bar stored when it was made.
  std::optional<unix_time> ended_at;
};

/// What a deployment is measured against, when not buy and hold of its
/// own symbol: a weighted basket of series, each valued from its last close
/// before the deployment began trading to its last close of each day (so a
/// day's benchmark is known when the day is). A leg without a close before
/// the start leaves the benchmark unknown (0), and the rollback rule then
/// judges nothing.
struct benchmark_leg {
  bar_series bars;
  double weight = 1;
};
using benchmark_basket = std::vector<benchmark_leg>;

/// A deployment's forward run over `bars` (every bar the program has): the
/// engine from history_from with trading from the first bar after
/// deployed_at, up to ended_at if it has ended.
struct forward_run {
  engine_output output;             ///< equity from the first traded bar on; trades of those bars
  std::vector<deployment_day> days; ///< one per closed UTC day, the start first
  fixed initial;
  bool complete_last_day = false; ///< the data goes past the last day listed
};
forward_run run_forward(const bar_series& bars, const paper_deployment& d,
                        const benchmark_basket* benchmark = nullptr);

/// What `advance` judged: each decision with the day it was made.
struct advance_result {
  std::vector<risk_decision> decisions;
  forward_run run; ///< with every size change made
};

/// Judges every closed day after `judged_through` (a day that has a bar of
/// a later day after it: the last day in the data may be partial), day by
/// day, updating `state`, `d.sizing` (a halving takes effect from the next
/// day) and `d.ended_at` (a rollback ends it on its day; its open trades
/// close at that day's last close). `judged_through` moves to the last day
/// judged.
advance_result advance(const bar_series& bars, paper_deployment& d, risk_state& state,
                       unix_time& judged_through, const risk_settings& s = {},
                       const benchmark_basket* benchmark = nullptr);

/// The daily returns of `d`'s configuration run over the bars from `from`
/// to the end of `bars` (with the same warm-up): what the correlation of two
/// configurations is measured on. Keyed by day, in day order.
std::vector<std::pair<unix_time, double>>
configuration_daily_returns(const bar_series& bars, const paper_deployment& d, unix_time from);

} // namespace bt
