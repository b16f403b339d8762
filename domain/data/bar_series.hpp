#pragma once
// One symbol's OHLCV bars at one timeframe, stored column-wise.
//
// Columns (struct of arrays) keep the engine's inner loop on contiguous
// memory: an SMA touches only `close`, a swing detector only `high`/`low`.

#include "domain/data/decimal.hpp"
#include "domain/data/timestamp.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace bt {

/// One bar as a value, for building series and for tests.
struct bar {
  unix_time time = 0; ///< opening time, UTC
  fixed open, high, low, close, volume;
};

class bar_series {
public:
  bar_series() = default;
  bar_series(std::string symbol, timeframe tf) : symbol_(std::move(symbol)), timeframe_(tf) {}

  const std::string& symbol() const { return symbol_; }
  bt::timeframe timeframe() const { return timeframe_; }
  std::size_t size() const { return time_.size(); }
  bool empty() const { return time_.empty(); }

  void reserve(std::size_t n);
  void push_back(const bar& b);
  bar at(std::size_t i) const {
    return bar{time_[i], open_[i], high_[i], low_[i], close_[i], volume_[i]};
  }

  /// The bars with time in [from, to], both inclusive.
  bar_series slice(unix_time from, unix_time to) const;

  const unix_time* times() const { return time_.data(); }
  const fixed* opens() const { return open_.data(); }
  const fixed* highs() const { return high_.data(); }
  const fixed* lows() const { return low_.data(); }
  const fixed* closes() const { return close_.data(); }
  const fixed* volumes() const { return volume_.data(); }

private:
  std::string symbol_;
  bt::timeframe timeframe_ = timeframe::h1;
  std::vector<unix_time> time_;
  std::vector<fixed> open_, high_, low_, close_, volume_;
};

/// The canonical CSV text of a series: header
/// `timestamp,open,high,low,close,volume`, ISO-8601 UTC times, 8-decimal
/// numbers, `\n` line ends. It is what exports write and what checksums hash.
std::string to_csv(const bar_series& bars);

/// SHA-256 (lowercase hex) of `to_csv(bars)`: the `data_checksum` of a run.
std::string data_checksum(const bar_series& bars);

} // namespace bt
