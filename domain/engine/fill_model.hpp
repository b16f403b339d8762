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

entry_fill fill_market(side s, const bar_prices& b, fixed slippage);
entry_fill fill_limit(side s, fixed limit, fixed penetration, const bar_prices& b);
entry_fill fill_stop(side s, fixed stop, fixed slippage, const bar_prices& b);

/// Which part of a bar a bracket can act on.
enum class bracket_phase {
  whole_bar,         ///< the trade was open before the bar opened
  from_open,         ///< entered at this bar's open: no opening gap to exploit
  after_intrabar_fill ///< entered inside this bar: only the stop may fill
};

struct exit_fill {
  bool filled = false;
  fixed price;
  bt::exit_reason reason = exit_reason::stop_loss;
};

/// Checks an open trade's stop-loss and take-profit against a bar.
exit_fill check_bracket(side s, const std::optional<fixed>& stop, const std::optional<fixed>& target,
                        fixed slippage, fixed penetration, const bar_prices& b, bracket_phase phase);

} // namespace bt
