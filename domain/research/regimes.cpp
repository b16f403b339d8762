#include "domain/research/regimes.hpp"

#include "domain/data/decimal.hpp"
#include "domain/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace bt {

std::string_view to_string(volatility_regime r) {
  switch (r) {
  case volatility_regime::low:
    return "low";
  case volatility_regime::normal:
    return "normal";
  case volatility_regime::elevated:
    return "elevated";
  case volatility_regime::high:
    break;
  }
  return "high";
}

std::string_view to_string(regime_trigger t) {
  return t == regime_trigger::regime_change       ? "regime_change"
         : t == regime_trigger::volatility_change ? "volatility_change"
                                                  : "none";
}

namespace {

/// The p-th percentile of sorted values, interpolated as the Monte Carlo
/// percentiles are: (n - 1) * p / 100 between order statistics.
double percentile(const std::vector<double>& sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const double next = lo + 1 < sorted.size() ? sorted[lo + 1] : sorted[lo];
  return sorted[lo] + (h - static_cast<double>(lo)) * (next - sorted[lo]);
}

} // namespace

std::vector<regime_day> classify_regimes(const bar_series& bars, const regime_settings& s) {
  std::vector<regime_day> days;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const unix_time day = utc_day(bars.times()[i]);
    if (days.empty() || days.back().day != day)
      days.push_back({day, 0, {}, {}, {}, {}, regime_trigger::none});
    days.back().close = bars.closes()[i].to_double(); // the day's last close
  }
  std::vector<double> history; // every volatility so far, sorted
  std::vector<double> window;  // the returns of one day's trailing window
  std::size_t first = 1;       // the oldest return in the window
  std::optional<bool> was_high;
  std::optional<double> reference;
  for (std::size_t i = 1; i < days.size(); ++i) {
    if (days[i - 1].close > 0)
      days[i].return_pct = round_places((days[i].close / days[i - 1].close - 1.0) * 100.0);
    while (first <= i && days[first].day <= days[i].day - s.window_days * seconds_per_day)
      ++first;
    // Returns of the days in (day - window, day], each against its previous day.
    window.clear();
    for (std::size_t j = first; j <= i; ++j)
      if (days[j].return_pct)
        window.push_back(*days[j].return_pct / 100.0);
    if (window.size() < static_cast<std::size_t>(std::max(2, s.min_returns)))
      continue;
    const double variance = sample_variance(window, mean_of(window));
    const double vol = round_places(std::sqrt(variance * s.annualisation) * 100.0);
    days[i].volatility_pct = vol;
    history.insert(std::upper_bound(history.begin(), history.end(), vol), vol);
    if (history.size() < static_cast<std::size_t>(std::max(1, s.min_history)))
      continue;
    const std::array<double, 3> t{round_places(percentile(history, 25)),
                                  round_places(percentile(history, 50)),
                                  round_places(percentile(history, 75))};
    days[i].thresholds = t;
    days[i].regime = vol < t[0]   ? volatility_regime::low
                     : vol < t[1] ? volatility_regime::normal
                     : vol < t[2] ? volatility_regime::elevated
                                  : volatility_regime::high;
    const bool high = *days[i].regime == volatility_regime::high;
    if (was_high && *was_high != high)
      days[i].trigger = regime_trigger::regime_change;
    else if (reference && *reference > 0 && std::abs(vol / *reference - 1.0) > s.trigger_change)
      days[i].trigger = regime_trigger::volatility_change;
    if (!reference || days[i].trigger != regime_trigger::none)
      reference = vol;
    was_high = high;
  }
  return days;
}

} // namespace bt
