#pragma once
// Series for charts: downsampled equity and candles, a buy-and-hold
// benchmark and monthly returns.

#include "domain/data/bar_series.hpp"
#include "domain/engine/trade.hpp"

#include <vector>

namespace bt {

/// At most `max_points` points (at least 4), keeping the first and last
/// points and, from each of the equal buckets in between, its lowest and
/// highest equity in time order: drawdowns and peaks survive.
equity_curve downsample_equity(const equity_curve& curve, std::size_t max_points);

/// At most `max_points` candles: consecutive bars merged (first open, max
/// high, min low, last close, summed volume).
bar_series downsample_candles(const bar_series& bars, std::size_t max_points);

/// The time of the candle that holds instant `t`: the last candle opening at
/// or before it (the first candle for an earlier `t`). Trade markers are
/// placed on the candles actually drawn, merged or not.
unix_time candle_time_of(const bar_series& candles, unix_time t);

/// Buy-and-hold of the same capital: invested at the first bar's open,
/// valued at every bar's close (initial * close / first open).
std::vector<std::pair<unix_time, double>> buy_and_hold(const bar_series& bars, fixed initial);

struct monthly_return {
  int year;
  unsigned month;
  double return_pct; ///< month-end equity over previous month-end (or initial) equity
};

/// Calendar-month (UTC) returns of an equity curve.
std::vector<monthly_return> monthly_returns(const equity_curve& curve, fixed initial);

} // namespace bt
