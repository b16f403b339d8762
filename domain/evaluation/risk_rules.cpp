#include "domain/evaluation/risk_rules.hpp"

#include "domain/data/decimal.hpp"
#include "domain/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace bt {

std::string_view to_string(risk_action a) {
  return a == risk_action::deactivate   ? "deactivate"
         : a == risk_action::halve_size ? "halve_size"
                                        : "drift_alert";
}

namespace {

/// The last day at or before `t`, if any.
const deployment_day* at_or_before(const std::vector<deployment_day>& days, unix_time t) {
  auto it = std::upper_bound(days.begin(), days.end(), t,
                             [](unix_time x, const deployment_day& d) { return x < d.day; });
  return it == days.begin() ? nullptr : &*(it - 1);
}

} // namespace

std::vector<double> day_drawdowns(const std::vector<deployment_day>& days) {
  std::vector<double> out;
  out.reserve(days.size());
  double peak = 0;
  for (const auto& d : days) {
    peak = std::max(peak, d.equity);
    out.push_back(peak > 0 ? (1.0 - d.equity / peak) * 100.0 : 0.0);
  }
  return out;
}

std::vector<risk_decision> judge_day(const std::vector<deployment_day>& days,
                                     double expected_sharpe, risk_state& state,
                                     const risk_settings& s) {
  std::vector<risk_decision> out;
  if (days.empty() || !state.active)
    return out;
  const deployment_day& today = days.back();

  // Rollback: the last rollback_days against the benchmark.
  if (const auto* then = at_or_before(days, today.day - s.rollback_days * seconds_per_day);
      then && then != &today && then->equity > 0 && then->benchmark > 0) {
    const double own = (today.equity / then->equity - 1.0) * 100.0;
    const double bench = (today.benchmark / then->benchmark - 1.0) * 100.0;
    if (own - bench < -s.rollback_underperformance_pct) {
      state.active = false;
      out.push_back({risk_action::deactivate, today.day, round_places(own - bench),
                     -s.rollback_underperformance_pct});
      return out; // nothing else applies to a deployment rolled back
    }
  }

  // Drawdown from the peak so far.
  const double drawdown = day_drawdowns(days).back();
  if (drawdown >= s.drawdown_limit_pct) {
    if (!state.in_drawdown_breach) {
      state.in_drawdown_breach = true;
      state.size_factor /= 2;
      out.push_back(
          {risk_action::halve_size, today.day, round_places(drawdown), s.drawdown_limit_pct});
    }
  } else {
    state.in_drawdown_breach = false;
  }

  // Drift: the Sharpe ratio of the daily returns of the last drift_days.
  if (expected_sharpe > 0) {
    const unix_time from = today.day - s.drift_days * seconds_per_day;
    std::vector<double> returns;
    for (std::size_t i = 1; i < days.size(); ++i)
      if (days[i].day > from && days[i - 1].equity > 0)
        returns.push_back(days[i].equity / days[i - 1].equity - 1.0);
    if (returns.size() >= 20) {
      const double mean = mean_of(returns);
      const double var = sample_variance(returns, mean);
      const double sharpe = var > 0 ? mean / std::sqrt(var) * std::sqrt(s.annualisation) : 0.0;
      const double limit = expected_sharpe * s.drift_fraction;
      if (sharpe < limit) {
        if (!state.in_drift) {
          state.in_drift = true;
          out.push_back(
              {risk_action::drift_alert, today.day, round_places(sharpe), round_places(limit)});
        }
      } else {
        state.in_drift = false;
      }
    }
  }
  return out;
}

} // namespace bt
