#pragma once
// Average True Range, Wilder's smoothing, updated one bar at a time.

#include "domain/data/decimal.hpp"

#include <optional>

namespace bt {

/// ATR(period): the first value is the mean of the first `period` true
/// ranges (bar 0's true range is high - low) and appears on bar period-1;
/// then atr = (atr * (period - 1) + tr) / period.
class atr_indicator {
public:
  explicit atr_indicator(int period) : period_(period) {}

  /// Feeds the next bar; returns the ATR once it is defined.
  std::optional<double> update(fixed high, fixed low, fixed close) {
    fixed tr = high - low;
    if (count_ > 0) {
      fixed up = high - prev_close_;
      fixed down = prev_close_ - low;
      if (up > tr)
        tr = up;
      if (down > tr)
        tr = down;
    }
    prev_close_ = close;
    ++count_;
    if (count_ <= period_) {
      seed_ += tr;
      if (count_ < period_)
        return std::nullopt;
      value_ = seed_.to_double() / period_;
      return value_;
    }
    value_ = (value_ * (period_ - 1) + tr.to_double()) / period_;
    return value_;
  }

  std::optional<double> value() const {
    return count_ >= period_ ? std::optional<double>(value_) : std::nullopt;
  }

private:
  int period_;
  int count_ = 0;
  fixed prev_close_;
  fixed seed_;
  double value_ = 0;
};

} // namespace bt
