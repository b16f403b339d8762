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
/// in the bar series), so an update is one add and one subtract.
///
/// Exact at any magnitude: 2,000 values of the fixed range's largest
/// magnitude need 74 bits. The sum is kept in 64 bits while it fits (market
/// prices: a 2,000-bar sum of GC closes is below 2^49), each step checked,
/// and moves to 128 bits for good at the first step that would not fit. The
/// 64-bit path is a third of the instructions of a 128-bit one.
class rolling_sum {
public:
  explicit rolling_sum(int period) : period_(static_cast<std::size_t>(period)) {}

  /// `recent[size - 1]` is the newest value; once `period` values have
  /// been seen, `recent` must also hold the one that leaves the window
  /// (size > period).
  void update(const fixed* recent, std::size_t size) {
    const fixed in = recent[size - 1];
    if (count_ < period_) {
      ++count_;
      return add(in.units);
    }
    if (size <= period_)
      throw std::logic_error("rolling_sum: the value leaving the window was not passed");
    slide(in, recent[size - 1 - period_]);
  }
  /// Once ready(): `in` enters the window and `out`, the value `period`
  /// steps before it, leaves.
  void slide(fixed in, fixed out) {
    std::int64_t step;
    if (__builtin_sub_overflow(in.units, out.units, &step))
      return add_wide(static_cast<__int128>(in.units) - out.units);
    add(step);
  }
  bool ready() const { return count_ == period_; }
  /// Sum in 1e-8 units (exact).
  __int128 sum() const { return wide_ ? wide_sum_ : narrow_; }
  /// True when the sum is held in 64 bits (then sum() == narrow()).
  bool narrow_fits() const { return !wide_; }
  std::int64_t narrow() const { return narrow_; }
  int period() const { return static_cast<int>(period_); }

private:
  void add(std::int64_t step) {
    std::int64_t next;
    if (wide_ || __builtin_add_overflow(narrow_, step, &next))
      return add_wide(step);
    narrow_ = next;
  }
  void add_wide(__int128 step) {
    if (!wide_) {
      wide_sum_ = narrow_;
      wide_ = true;
    }
    wide_sum_ += step;
  }

  std::size_t period_;
  std::size_t count_ = 0;
  std::int64_t narrow_ = 0;
  bool wide_ = false;
  __int128 wide_sum_ = 0;
};

/// sign(sum_a / period_a - sum_b / period_b), exactly: in 64 bits when both
/// sums and both products fit, else in 128 (each product below 2^85 for
/// periods up to 2,000).
inline int compare_sma(const rolling_sum& a, const rolling_sum& b) {
  std::int64_t lhs64, rhs64;
  if (a.narrow_fits() && b.narrow_fits()
      && !__builtin_mul_overflow(a.narrow(), static_cast<std::int64_t>(b.period()), &lhs64)
      && !__builtin_mul_overflow(b.narrow(), static_cast<std::int64_t>(a.period()), &rhs64))
    return (lhs64 > rhs64) - (lhs64 < rhs64);
  const __int128 lhs = a.sum() * b.period();
  const __int128 rhs = b.sum() * a.period();
  return (lhs > rhs) - (lhs < rhs);
}

} // namespace bt
