#pragma once
// Market regimes by volatility: the realised volatility of daily returns
// over a trailing window, classified by its own percentiles so far into
// low, normal, elevated and high, with the days that should trigger a
// re-evaluation. Causal: a day's volatility, thresholds and regime use no
// bar after that day.

#include "domain/data/bar_series.hpp"

#include <array>
#include <optional>
#include <string_view>
#include <vector>

namespace bt {

enum class volatility_regime { low, normal, elevated, high };
std::string_view to_string(volatility_regime r);

struct regime_settings {
  int window_days = 30;        ///< calendar days of daily returns in the trailing window
  int min_returns = 15;        ///< fewer returns in the window: no volatility that day
  int min_history = 30;        ///< fewer volatility days so far: no thresholds, no regime
  double trigger_change = 0.2; ///< a relative change of volatility that triggers
  double annualisation = 252;  ///< trading days a year: volatility * sqrt(252)
};

enum class regime_trigger { none, regime_change, volatility_change };
std::string_view to_string(regime_trigger t);

struct regime_day {
  unix_time day = 0;                    ///< 00:00 UTC of the calendar day
  double close = 0;                     ///< the day's last close
  std::optional<double> return_pct;     ///< close over the previous day's, in percent
  std::optional<double> volatility_pct; ///< annualised, in percent, rounded to 10 places
  /// The 25th, 50th and 75th percentiles of every volatility up to and
  /// including this day (linear interpolation between order statistics).
  std::optional<std::array<double, 3>> thresholds;
  std::optional<volatility_regime> regime;
  /// regime_change: the volatility crossed the 75th percentile (either
  /// way) since the last classified day; volatility_change: it moved by
  /// more than trigger_change from the last trigger's (or the first
  /// classified day's) volatility.
  regime_trigger trigger = regime_trigger::none;
};

/// One entry per calendar day that has bars, in time order.
std::vector<regime_day> classify_regimes(const bar_series& bars, const regime_settings& s = {});

} // namespace bt
