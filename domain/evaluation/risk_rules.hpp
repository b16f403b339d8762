#pragma once
// The rules a paper deployment lives under, judged each market day on its
// own equity and its benchmark's value:
//   rollback   its return over the last 30 days trails the benchmark's by
//              more than 15 percentage points: deactivated, its capital
//              back to the program's reserve;
//   drawdown   20 % below its peak: its position size halved and an alert
//              (once per breach: again only after it has recovered);
//   drift      its Sharpe ratio over the last 90 days below half the
//              walk-forward's expectation: an alert and a re-backtest
//              scheduled (once until it recovers).
// Each decision carries the figure and the limit that caused it.

#include "domain/data/timestamp.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace bt {

struct risk_settings {
  double rollback_underperformance_pct = 15;
  int rollback_days = 30;
  double drawdown_limit_pct = 20;
  double drift_fraction = 0.5;
  int drift_days = 90;
  double annualisation = 252;
};

/// A market day's close of the deployment's equity and of its benchmark
/// (buy-and-hold, a series, or a basket: the caller values it).
struct deployment_day {
  unix_time day = 0;
  double equity = 0, benchmark = 0;
};

/// What the rules remember between days.
struct risk_state {
  bool active = true;
  double size_factor = 1; ///< of the position size the deployment started with
  bool in_drawdown_breach = false, in_drift = false;
};

/// Each day's drawdown below the running peak of equity, in percent (0
/// while the peak is not above 0): what the drawdown rule, the dashboards
/// and the daily report measure.
std::vector<double> day_drawdowns(const std::vector<deployment_day>& days);

enum class risk_action { deactivate, halve_size, drift_alert };
std::string_view to_string(risk_action a);

struct risk_decision {
  risk_action action;
  unix_time day = 0;
  double value = 0, limit = 0; ///< the figure (percent or Sharpe) and the limit it passed
};

/// The decisions on the last day of `days` (in day order, one per market
/// day), updating `state`; nothing once the deployment is inactive.
std::vector<risk_decision> judge_day(const std::vector<deployment_day>& days,
                                     double expected_sharpe, risk_state& state,
                                     const risk_settings& s = {});

} // namespace bt
