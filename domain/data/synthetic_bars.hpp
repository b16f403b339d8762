#pragma once
// Realistic synthetic OHLCV for demos, tests and benchmarks.

#include "domain/data/bar_series.hpp"

#include <cstdint>

namespace bt {

struct synthetic_spec {
  std::string symbol = "GC";
  bt::timeframe timeframe = timeframe::h1;
  std::size_t bars = 12'000;
  std::uint64_t seed = 42;
  unix_time start = 1'672'617'600; ///< 2023-01-02T00:00:00Z
  double start_price = 1'850.0;
};

/// Bars on the symbol's trading calendar (CME hours for GC: no weekend or
/// daily-break bars), prices on the instrument's tick. Returns follow a
/// GARCH(1,1) process (volatility clustering) with intraday seasonality and
/// slowly switching drift regimes; each bar's high and low come from a
/// 12-step path inside the bar. The same spec gives the same bars on every
/// machine (mt19937_64 and a hand-written normal transform).
bar_series generate_bars(const synthetic_spec& spec);

} // namespace bt
