#include "domain/strategies/dual_sma.hpp"

#include <algorithm>

namespace bt {

namespace {
field_errors check_periods(const param_set& p) {
  if (p.integer("slow_period") <= p.integer("fast_period"))
    return {{"params.slow_period", "must be greater than fast_period ("
                                       + std::to_string(p.integer("fast_period")) + ")"}};
  return {};
}
} // namespace

const strategy_schema& dual_sma_schema() {
  static const strategy_schema schema{
      "dual_sma",
      "1.0.0",
      "Dual SMA crossover: long when SMA(fast) crosses above SMA(slow), short (or flat in "
      "long_only mode) when it crosses below. Market orders at the next bar's open.",
      {
          {"fast_period",
           param_type::integer,
           "Bars in the fast SMA of closes.",
           10,
           2,
           500,
           {},
           {}},
          {"slow_period",
           param_type::integer,
           "Bars in the slow SMA; greater than fast_period.",
           30,
           3,
           2000,
           {},
           {}},
          {"mode",
           param_type::choice,
           "long_short: stop-and-reverse between +quantity and -quantity; long_only: +quantity or "
           "flat.",
           0,
           0,
           0,
           {"long_short", "long_only"},
           {"long_short"}},
          {"quantity", param_type::integer, "Contracts per position.", 1, 1, 10000, {}, {}},
      },
      &check_periods};
  return schema;
}

dual_sma::dual_sma(const param_set& p)
    : fast_(static_cast<int>(p.integer("fast_period"))),
      slow_(static_cast<int>(p.integer("slow_period"))),
      fast_period_(static_cast<std::size_t>(p.integer("fast_period"))),
      slow_period_(static_cast<std::size_t>(p.integer("slow_period"))),
      long_only_(p.text("mode") == "long_only"), quantity_(fixed::from_int(p.integer("quantity"))) {
}

void dual_sma::on_bar(const market_view& market, broker& orders) {
  const std::size_t i = market.current();
  int d;
  if (i + 1 > slow_period_) {
    // Both windows are full: this close enters each, and one leaves each.
    const fixed* closes = market.last(slow_period_ + 1).close; // closes[slow_period_] is bar i
    fast_.slide(closes[slow_period_], closes[slow_period_ - fast_period_]);
    slow_.slide(closes[slow_period_], closes[0]);
    d = compare_sma(fast_, slow_);
  } else {
    // The closes up to this bar, and the one leaving the fast window.
    const auto recent = market.last(std::min(i + 1, fast_period_ + 1));
    const fixed* all = market.last(i + 1).close;
    fast_.update(recent.close, recent.size);
    slow_.update(all, i + 1);
    if (i + 1 < slow_period_)
      return;
    last_sign_ = compare_sma(fast_, slow_); // the seed, which may be 0
    return;
  }
  if (last_sign_ < 0 && d > 0)
    orders.target_position(quantity_);
  else if (last_sign_ > 0 && d < 0)
    orders.target_position(long_only_ ? fixed{} : -quantity_);
  if (d != 0)
    last_sign_ = d; // a tie neither fires nor changes m
}

} // namespace bt
