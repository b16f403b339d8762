#pragma once
// Exact moving sums of fixed-point values, for SMA comparisons without
// floating point.

#include "domain/data/decimal.hpp"

#include <cstdint>
#include <vector>

namespace bt {

/// Sum of the last `period` values; SMA = sum / period, compared exactly by
/// cross-multiplying (see compare_sma).
class rolling_sum {
public:
  explicit rolling_sum(int period) : window_(static_cast<std::size_t>(period)) {}

  void update(fixed v) {
    sum_ += v.units - window_[next_].units;
    window_[next_] = v;
    if (++next_ == window_.size())
      next_ = 0;
    if (count_ < window_.size())
      ++count_;
  }
  bool ready() const { return count_ == window_.size(); }
  /// Sum in 1e-8 units (exact).
  std::int64_t sum() const { return sum_; }
  int period() const { return static_cast<int>(window_.size()); }

private:
  std::vector<fixed> window_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::int64_t sum_ = 0;
};

/// sign(sum_a / period_a - sum_b / period_b), exactly.
inline int compare_sma(const rolling_sum& a, const rolling_sum& b) {
  __int128 lhs = static_cast<__int128>(a.sum()) * b.period();
  __int128 rhs = static_cast<__int128>(b.sum()) * a.period();
  return (lhs > rhs) - (lhs < rhs);
}

} // namespace bt
