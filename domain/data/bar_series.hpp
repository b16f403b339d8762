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

/// The columns live in one block (see large_block.hpp): a 20-year series
/// is one allocation in 2 MiB pages instead of six vectors faulted in page
/// by page.
class bar_series {
public:
  bar_series() = default;
  bar_series(std::string symbol, timeframe tf) : symbol_(std::move(symbol)), timeframe_(tf) {}
  bar_series(const bar_series& other);
  bar_series& operator=(const bar_series& other);
  bar_series(bar_series&& other) noexcept;
  bar_series& operator=(bar_series&& other) noexcept;
  ~bar_series();

  const std::string& symbol() const { return symbol_; }
  bt::timeframe timeframe() const { return timeframe_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void reserve(std::size_t n);
  void push_back(const bar& b) {
    if (size_ == capacity_)
      reallocate(capacity_ < 16 ? 16 : capacity_ * 2);
    time_[size_] = b.time;
    column(open_column)[size_] = b.open;
    column(high_column)[size_] = b.high;
    column(low_column)[size_] = b.low;
    column(close_column)[size_] = b.close;
    column(volume_column)[size_] = b.volume;
    ++size_;
  }
  bar at(std::size_t i) const {
    return bar{time_[i], opens()[i], highs()[i], lows()[i], closes()[i], volumes()[i]};
  }

  /// The bars with time in [from, to], both inclusive.
  bar_series slice(unix_time from, unix_time to) const;

  const unix_time* times() const { return time_; }
  const fixed* opens() const { return column(open_column); }
  const fixed* highs() const { return column(high_column); }
  const fixed* lows() const { return column(low_column); }
  const fixed* closes() const { return column(close_column); }
  const fixed* volumes() const { return column(volume_column); }

private:
  // The block: `capacity_` times, then `capacity_` of each price column.
  enum price_column { open_column, high_column, low_column, close_column, volume_column };
  static constexpr std::size_t bytes_per_bar = sizeof(unix_time) + 5 * sizeof(fixed);
  // Kept as pointers, not computed from the block: strategies read
  // columns inside their inner loops.
  fixed* column(price_column c) const { return columns_[c]; }
  void point_columns() noexcept;
  void reallocate(std::size_t capacity);
  void copy_columns(const bar_series& from);
  void release() noexcept;

  std::string symbol_;
  bt::timeframe timeframe_ = timeframe::h1;
  unix_time* time_ = nullptr; ///< the block's start
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  fixed* columns_[5] = {};
};

/// The first line of the canonical CSV text.
inline constexpr std::string_view canonical_csv_header = "timestamp,open,high,low,close,volume\n";

/// The canonical CSV text of a series: header
/// `timestamp,open,high,low,close,volume`, ISO-8601 UTC times, 8-decimal
/// numbers, `\n` line ends. It is what exports write and what checksums hash.
std::string to_csv(const bar_series& bars);

/// SHA-256 (lowercase hex) of `to_csv(bars)`: the `data_checksum` of a run.
std::string data_checksum(const bar_series& bars);

} // namespace bt
