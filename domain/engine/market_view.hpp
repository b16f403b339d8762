#pragma once
// What a strategy may see on bar t: bars 0..t and nothing after.
//
// Causality is structural: the view is built by the engine with the count of
// bars that have closed, and every accessor rejects an index at or beyond
// it. A strategy has no other way to reach the series.

#include "domain/data/bar_series.hpp"

#include <stdexcept>

namespace bt {

/// Thrown when a strategy asks for a bar that has not closed yet.
class lookahead_error : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// The errors of market_view's checks, out of line: the accessors stay
/// small enough to inline into a strategy's per-bar code.
[[noreturn]] void throw_window_lookahead(std::size_t count, std::size_t closed);
[[noreturn]] void throw_bar_lookahead(std::size_t index, std::size_t closed);

class market_view {
public:
  market_view(const bar_series& series, std::size_t visible) : series_(&series), n_(visible) {}

  /// Number of closed bars; the current bar is `size() - 1`.
  std::size_t size() const { return n_; }
  std::size_t current() const { return n_ - 1; }
  const std::string& symbol() const { return series_->symbol(); }
  bt::timeframe timeframe() const { return series_->timeframe(); }

  unix_time time(std::size_t i) const { return series_->times()[check(i)]; }
  fixed open(std::size_t i) const { return series_->opens()[check(i)]; }
  fixed high(std::size_t i) const { return series_->highs()[check(i)]; }
  fixed low(std::size_t i) const { return series_->lows()[check(i)]; }
  fixed close(std::size_t i) const { return series_->closes()[check(i)]; }
  fixed volume(std::size_t i) const { return series_->volumes()[check(i)]; }

  /// The `count` most recent closed bars as columns, checked once: index 0
  /// is bar current()-count+1, index count-1 the current bar. For loops over
  /// recent history; it ends at the current bar like every other accessor.
  struct window {
    const unix_time* time;
    const fixed *open, *high, *low, *close;
    std::size_t size;
  };
  window last(std::size_t count) const {
    if (count == 0 || count > n_)
      throw_window_lookahead(count, n_);
    const std::size_t first = n_ - count;
    return window{series_->times() + first, series_->opens() + first,  series_->highs() + first,
                  series_->lows() + first,  series_->closes() + first, count};
  }

private:
  std::size_t check(std::size_t i) const {
    if (i >= n_)
      throw_bar_lookahead(i, n_);
    return i;
  }
  const bar_series* series_;
  std::size_t n_;
};

} // namespace bt
