#pragma once
// Performance metrics of a finished run.
//
// A metric without meaning for the run (no trades, no losses, fewer than two
// days) is empty (JSON null), never 0, NaN or Infinity.

#include "domain/engine/backtest_engine.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bt {

class json_writer;

struct metrics {
  std::int64_t total_trades = 0, winning_trades = 0, losing_trades = 0;
  std::optional<double> win_rate;       ///< % of trades with pnl > 0
  std::optional<double> avg_r_multiple; ///< over trades that had a stop
  std::optional<fixed> expectancy;      ///< mean pnl per trade
  std::optional<double> profit_factor;  ///< gross_profit / -gross_loss
  fixed gross_profit;                   ///< sum of winning pnl (>= 0)
  fixed gross_loss;                     ///< sum of losing pnl (<= 0)
  fixed net_profit, final_equity;
  double total_return_pct = 0;
  std::optional<double> cagr_pct;
  std::optional<double> sharpe_ratio; ///< daily (end of UTC day) returns, sqrt(252)
  std::optional<double> sortino_ratio;
  double max_drawdown_pct = 0;
  std::optional<unix_time> max_drawdown_peak, max_drawdown_trough, max_drawdown_recovery;
  std::optional<double> calmar_ratio;
  std::optional<fixed> avg_win, avg_loss, largest_win, largest_loss;
  std::int64_t max_consecutive_losses = 0;
  std::optional<double> avg_holding_bars;
  double exposure_pct = 0;
  fixed total_commission;
  std::int64_t skipped_signals = 0;
};

/// The returns from one UTC day's last equity to the next's, the first from
/// the initial capital (what the Sharpe and Sortino ratios use, and what a
/// block bootstrap resamples).
std::vector<double> daily_returns(const equity_curve& curve, fixed initial);
/// The same returns keyed by their day (00:00 UTC).
std::vector<std::pair<unix_time, double>> daily_returns_by_day(const equity_curve& curve,
                                                               fixed initial);

/// The mean of `r`, and its sample variance about `mean` (n - 1; at least
/// two values): the one way ratios, volatilities and regimes measure
/// daily returns.
double mean_of(const std::vector<double>& r);
double sample_variance(const std::vector<double>& r, double mean);

/// With `returns_out`, the daily returns the ratios were computed from are
/// moved there (a sweep's overfitting statistics need them).
metrics compute_metrics(const engine_output& run, fixed initial_capital, unix_time bar_seconds,
                        std::vector<double>* returns_out = nullptr);

void write_metrics(json_writer& w, const metrics& m);

/// A metric by its name in the metrics document, as a number (fixed-point
/// values too): what objectives and constraints compare. Nothing for an
/// empty metric or a name that is not a numeric metric.
std::optional<double> metric_value(const metrics& m, std::string_view name);
/// Whether `name` names a numeric metric (times such as max_drawdown_peak do not).
bool is_metric(std::string_view name);
/// Every numeric metric's name, in the metrics document's order.
const std::vector<std::string>& numeric_metric_names();

} // namespace bt
