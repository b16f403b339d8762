#pragma once
// Fill rules: when and at what price an order fills inside one bar.
//
// Bars carry no intrabar path, so every ambiguity is resolved against the
// trader (conservative), and the rule is named where it is applied:
//  - market orders fill at the open, moved `slippage` against the order;
//  - limit orders fill at the open when the bar opens beyond the limit,
//    otherwise at the limit when the bar trades through it by at least the
//    penetration depth (penetration 0: a touch fills);
//  - stop orders fill at the open when the bar gaps through the stop,
//    otherwise at the stop; both with slippage against the order;
//  - a bracket whose stop and target are both reached in one bar exits at
//    the stop;
//  - on the bar an entry fills, the stop can fill; the target can fill only
//    when the entry was at the open (the whole bar then lies after entry).

#include "domain/data/decimal.hpp"
#include "domain/engine/trade.hpp"

#include <optional>

namespace bt {

/// The prices of one bar the fill rules look at.
struct bar_prices {
  fixed open, high, low, close;
};

struct entry_fill {
  bool filled = false;
  fixed price;
  bt::fill_type type = fill_type::market;
};

// Defined inline below: they run for every working order on every bar.
entry_fill fill_market(side s, const bar_prices& b, fixed slippage);
entry_fill fill_limit(side s, fixed limit, fixed penetration, const bar_prices& b);
entry_fill fill_stop(side s, fixed stop, fixed slippage, const bar_prices& b);

/// Which part of a bar a bracket can act on.
enum class bracket_phase {
  whole_bar,          ///< the trade was open before the bar opened
  from_open,          ///< entered at this bar's open: no opening gap to exploit
  after_intrabar_fill ///< entered inside this bar: only the stop may fill
};

struct exit_fill {
  bool filled = false;
  fixed price;
  bt::exit_reason reason = exit_reason::stop_loss;
};

/// Checks an open trade's stop-loss and take-profit against a bar.
exit_fill check_bracket(side s, const std::optional<fixed>& stop,
                        const std::optional<fixed>& target, fixed slippage, fixed penetration,
                        const bar_prices& b, bracket_phase phase);

inline entry_fill fill_market(side s, const bar_prices& b, fixed slippage) {
  fixed price = s == side::long_side ? b.open + slippage : b.open - slippage;
  return {true, price, fill_type::market};
}

inline entry_fill fill_limit(side s, fixed limit, fixed penetration, const bar_prices& b) {
  if (s == side::long_side) {
    if (b.open < limit)
      return {true, b.open, fill_type::limit_gap};
    if (b.low <= limit - penetration)
      return {true, limit, fill_type::limit};
  } else {
    if (b.open > limit)
      return {true, b.open, fill_type::limit_gap};
    if (b.high >= limit + penetration)
      return {true, limit, fill_type::limit};
  }
  return {};
}

inline entry_fill fill_stop(side s, fixed stop, fixed slippage, const bar_prices& b) {
  if (s == side::long_side) {
    if (b.open >= stop)
      return {true, b.open + slippage, fill_type::stop_gap};
    if (b.high >= stop)
      return {true, stop + slippage, fill_type::stop};
  } else {
    if (b.open <= stop)
      return {true, b.open - slippage, fill_type::stop_gap};
    if (b.low <= stop)
      return {true, stop - slippage, fill_type::stop};
  }
  return {};
}

inline exit_fill check_bracket(side s, const std::optional<fixed>& stop,
                               const std::optional<fixed>& target, fixed slippage,
                               fixed penetration, const bar_prices& b, bracket_phase phase) {
  const bool is_long = s == side::long_side;
  // A protective stop is a sell stop for a long and a buy stop for a short.
  auto stop_reached = [&](fixed level) { return is_long ? b.low <= level : b.high >= level; };
  auto target_reached = [&](fixed level) {
    return is_long ? b.high >= level + penetration : b.low <= level - penetration;
  };
  auto slipped = [&](fixed price) { return is_long ? price - slippage : price + slippage; };

  if (phase == bracket_phase::whole_bar) {
    if (stop && (is_long ? b.open <= *stop : b.open >= *stop))
      return {true, slipped(b.open), exit_reason::stop_loss};
    if (target && (is_long ? b.open >= *target : b.open <= *target))
      return {true, b.open, exit_reason::take_profit};
  }
  // Stop before target when one bar reaches both: conservative.
  if (stop && stop_reached(*stop))
    return {true, slipped(*stop), exit_reason::stop_loss};
  if (phase != bracket_phase::after_intrabar_fill && target && target_reached(*target))
    return {true, *target, exit_reason::take_profit};
  return {};
}

} // namespace bt
