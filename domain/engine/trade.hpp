#pragma once
// What the engine produces: trades and the equity curve.

#include "domain/data/decimal.hpp"
#include "domain/data/large_block.hpp"
#include "domain/data/timestamp.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace bt {

enum class side : std::int8_t { long_side = 1, short_side = -1 };

/// How an entry was filled.
enum class fill_type : std::uint8_t {
  market,    ///< next bar's open plus slippage
  limit,     ///< at the limit price, the bar traded through it
  limit_gap, ///< at the open, which was already beyond the limit
  stop,      ///< at the stop price plus slippage
  stop_gap   ///< at the open, which gapped through the stop, plus slippage
};

enum class exit_reason : std::uint8_t { stop_loss, take_profit, signal, end_of_data };

std::string_view to_string(side s);
std::string_view to_string(fill_type f);
std::string_view to_string(exit_reason r);

/// The value of `all` whose to_string() is `text`; false when none is. The
/// names are the only spelling, so reading is the exact inverse of writing.
template <class E, std::size_t N>
bool from_name(std::string_view text, const E (&all)[N], E& out) {
  for (E e : all)
    if (to_string(e) == text) {
      out = e;
      return true;
    }
  return false;
}
bool from_string(std::string_view text, side& out);
bool from_string(std::string_view text, fill_type& out);
bool from_string(std::string_view text, exit_reason& out);

/// Whether a trade came from a supply or a demand zone.
enum class zone_type : std::uint8_t { supply, demand };
std::string_view to_string(zone_type z);
bool from_string(std::string_view text, zone_type& out);

/// The zone a trade was entered from, as it was at entry.
struct zone_ref {
  std::int64_t id = -1;
  zone_type type = zone_type::demand;
  double strength = 0;
};

/// One closed round trip.
struct trade {
  std::int64_t trade_id = 0;
  bt::side side = side::long_side;
  unix_time entry_time = 0;
  unix_time exit_time = 0;
  std::int64_t entry_bar = 0;
  std::int64_t exit_bar = 0;
  fixed entry_price, exit_price, quantity;
  fixed pnl;          ///< net of commission on both sides
  double pnl_pct = 0; ///< of equity at entry
  std::optional<fixed> stop_price, target_price;
  std::optional<fixed> initial_risk; ///< stop distance * quantity * multiplier
  std::optional<double> r_multiple;  ///< pnl / initial_risk
  fixed mae, mfe;                    ///< price points, non-negative
  std::int64_t holding_bars = 0;
  bt::fill_type fill_type = fill_type::market;
  bt::exit_reason exit_reason = exit_reason::end_of_data;
  fixed commission;
  std::optional<zone_ref> zone;
};

/// Mark-to-market equity at a bar's close.
struct equity_point {
  unix_time time = 0;
  fixed equity;
  double drawdown_pct = 0; ///< below the running peak, as a non-negative percent
};

/// One point per bar: on a 20-year series about 3 MB, taken in huge pages
/// (large_block.hpp) so that the engine does not fault on every page.
using equity_curve = std::vector<equity_point, large_allocator<equity_point>>;

/// A run's trades, in exit order. The engine reserves room for a trade
/// every 8 bars (3 MB on a 20-year series), so they too come in huge pages.
using trade_list = std::vector<trade, large_allocator<trade>>;

} // namespace bt
