#include "domain/engine/fill_model.hpp"

namespace bt {

entry_fill fill_market(side s, const bar_prices& b, fixed slippage) {
  fixed price = s == side::long_side ? b.open + slippage : b.open - slippage;
  return {true, price, fill_type::market};
}

entry_fill fill_limit(side s, fixed limit, fixed penetration, const bar_prices& b) {
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

entry_fill fill_stop(side s, fixed stop, fixed slippage, const bar_prices& b) {
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

exit_fill check_bracket(side s, const std::optional<fixed>& stop, const std::optional<fixed>& target,
                        fixed slippage, fixed penetration, const bar_prices& b, bracket_phase phase) {
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
