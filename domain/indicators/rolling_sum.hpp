#pragma once
// Exact moving sums of fixed-point values, for SMA comparisons without
// floating point.

#include "domain/data/decimal.hpp"

#include <cstdint>
#include <stdexcept>

namespace bt {

/// Sum of the last `period` values; SMA = sum / period, compared exactly by
/// cross-multiplying (see compare_sma). It keeps no copy of the window: the
/// caller passes the recent values it already holds (a strategy's closes are
/// in the bar series), so an update is one add and one subtract. The sum is
/// held in 128 bits: 2,000 values of the fixed range's largest magnitude
/// need 74, so it can neither overflow nor be refused.
class rolling_sum {
public:
  explicit rolling_sum(int period) : period_(static_cast<std::size_t>(period)) {}

  /// `recent[size - 1]` is the newest value; once `period` values have
  /// been seen, `recent` must also hold the one that leaves the window
  /// (size > period).
  void update(const fixed* recent, std::size_t size) {
    const fixed in = recent[size - 1];
    if (count_ < period_) {
      sum_ += in.units;
      ++count_;
      return;
    }
    if (size <= period_)
      throw std::logic_error("rolling_sum: the value leaving the window was not passed");
    sum_ += in.units - static_cast<__int128>(recent[size - 1 - period_].units);
  }
  bool ready() const { return count_ == period_; }
  /// Sum in 1e-8 units (exact).
  __int128 sum() const { return sum_; }
  int period() const { return static_cast<int>(period_); }

private:
  std::size_t period_;
  std::size_t count_ = 0;
  __int128 sum_ = 0;
};

/// sign(sum_a / period_a - sum_b / period_b), exactly (each product below
/// 2^85 for periods up to 2,000).
inline int compare_sma(const rolling_sum& a, const rolling_sum& b) {
  const __int128 lhs = a.sum() * b.period();
  const __int128 rhs = b.sum() * a.period();
  return (lhs > rhs) - (lhs < rhs);
}

} // namespace bt
