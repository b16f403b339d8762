#pragma once
// The engine as a strategy sees it: place and cancel orders, read account state.

#include "domain/data/decimal.hpp"
#include "domain/engine/execution_settings.hpp"
#include "domain/engine/trade.hpp"

#include <cstdint>
#include <limits>
#include <optional>

namespace bt {

using order_id = std::int64_t;

enum class order_kind : std::uint8_t { market, limit, stop };

/// Bit h set: the order may fill on a bar opening in UTC hour h.
inline constexpr std::uint32_t all_hours = 0xFFFFFF;

/// An entry order with an optional bracket. Orders placed on bar t can fill
/// from bar t+1.
struct entry_order {
  bt::side side = side::long_side;
  order_kind kind = order_kind::limit;
  fixed price;    ///< limit or stop price (unused for market)
  fixed quantity; ///< positive
  /// Bracket distances from the actual fill price; none for no bracket.
  std::optional<fixed> stop_distance, target_distance;
  /// Extra depth a limit (entry or target) must be traded through to fill.
  fixed penetration;
  std::uint32_t fill_hours = all_hours;
  /// Last bar index on which the order may fill; -1: until cancelled.
  std::int64_t good_till_bar = -1;
  /// The entry does not fill while this many trades are open.
  std::size_t max_open_trades = std::numeric_limits<std::size_t>::max();
  std::optional<zone_ref> zone;
};

enum class order_status : std::uint8_t {
  working,
  open,   ///< filled; its trade is still open
  closed, ///< filled; its trade has been closed
  cancelled,
  expired
};

class broker {
public:
  virtual ~broker() = default;
  virtual order_id submit(const entry_order& order) = 0;
  virtual void cancel(order_id id) = 0;
  virtual order_status status(order_id id) const = 0;
  /// Changes whenever any order changes state (fill, close, expiry,
  /// cancellation): a strategy with many orders can skip status queries on
  /// the many bars where nothing happened.
  virtual std::uint64_t order_events() const = 0;
  /// Market order to reach a signed net position at the next bar's open:
  /// opposite trades are closed (reason `signal`) and the rest opened at the
  /// same price and time.
  virtual void target_position(fixed signed_quantity) = 0;
  /// Equity marked to market at the current bar's close.
  virtual fixed equity() const = 0;
  virtual std::size_t open_trade_count() const = 0;
  /// A signal was dropped because it sized below one quantity step.
  virtual void skip_signal() = 0;
  virtual const execution_settings& execution() const = 0;
};

} // namespace bt
