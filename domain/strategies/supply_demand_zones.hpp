#pragma once
// Supply and demand zones from confirmed swing pivots, traded with limit
// orders at the zone's proximal edge. The algorithm is specified in
// README.md in this folder.

#include "domain/indicators/atr.hpp"
#include "domain/strategies/param_schema.hpp"
#include "domain/strategies/strategy.hpp"

#include <climits>
#include <utility>
#include <vector>

namespace bt {

const strategy_schema& supply_demand_zones_schema();

/// Trading sessions as bit masks of UTC hours.
std::uint32_t session_hours(const std::vector<std::string>& sessions);

class supply_demand_zones final : public strategy {
public:
  explicit supply_demand_zones(const param_set& params);
  void prepare(std::size_t bars) override;
  void on_bar(const market_view& market, broker& orders) override;
  const zone_list& zones() const override { return zones_; }
  zone_list take_zones() override { return std::move(zones_); }

private:
  /// Per-zone trading state, indexed like zones_. Demand zones are stored
  /// with negated prices so one comparison serves both types: a zone is
  /// entered when reach' >= proximal and broken when close' > distal, where
  /// (reach', close') is (high, close) for supply and (-low, -close) for
  /// demand. Since close' <= reach' and proximal <= distal, a bar can only
  /// touch or break zones whose proximal is at most its reach'.
  struct zone_state {
    std::int64_t proximal = 0, distal = 0;
    std::int64_t created_bar = 0;
    fixed entry;         ///< limit price: proximal edge +- offset
    order_id order = -1; ///< working or filled-and-open order, else -1
    bool supply = false;
    bool inside = false;    ///< price was in the zone on the previous bar
    std::uint8_t ended = 0; ///< 1 broken, 2 expired (then it leaves every set)
  };
  /// Active zones of one type ordered by proximal: the bar's reach' visits
  /// only a prefix of it.
  using proximal_index = std::vector<std::pair<std::int64_t, std::uint32_t>>;

  void detect_pivot(const market_view& m, std::size_t i, double atr);
  /// The zones of a pivot detect_pivot found at bar i - swing_.
  void add_pivot_zones(const market_view& m, std::size_t i, double atr, bool is_high, bool is_low);
  /// Touches, breaks and expiries of bar i; zones that end go to ended_now_.
  void update_zones(std::int64_t i, fixed high, fixed low, fixed close);
  /// The zones of `index` up to `horizon`, the farther of this bar's and
  /// the previous bar's reach.
  void scan(proximal_index& index, std::int64_t i, std::int64_t reach, std::int64_t close,
            std::int64_t horizon);
  /// Whether scan() would visit any zone of `index` with this horizon.
  static bool reaches(const proximal_index& index, std::int64_t horizon) {
    return !index.empty() && index.front().first <= horizon;
  }
  /// Records the zones in ended_now_, cancels their orders and removes them
  /// from the active sets.
  void retire_zones(unix_time at, broker& orders);
  /// Moves zones whose order closed or was cancelled back to waiting_.
  void refresh_orders(broker& orders);
  /// Places the zone's entry order when the market allows; true when the
  /// zone stops waiting (order placed, or signal skipped).
  bool place_order(std::uint32_t id, std::size_t i, fixed close, double atr, broker& orders);

  atr_indicator atr_;
  std::size_t swing_;
  std::int64_t max_age_;
  double min_strength_;
  std::int64_t max_touches_;
  std::int64_t entry_offset_ticks_;
  std::int64_t penetration_ticks_;
  std::int64_t expiry_bars_;
  double stop_atr_mult_;
  double take_profit_r_;
  double risk_fraction_;
  std::size_t max_concurrent_;
  std::uint32_t hours_;
  bool trade_long_, trade_short_;

  fixed offset_, penetration_; ///< in price, from the tick size (first bar)
  std::uint64_t seen_events_ = ~std::uint64_t{0};

  zone_list zones_;
  std::vector<zone_state, large_allocator<zone_state>> state_; ///< parallel to zones_
  std::vector<std::uint32_t> active_;                          ///< active zone ids, oldest first
  /// Active, tradable zones without an order, oldest first: the only ones
  /// that can place an order on a bar without order events.
  std::vector<std::uint32_t> waiting_;
  proximal_index supply_index_, demand_index_;
  std::vector<std::uint32_t> ended_now_; ///< zones that ended on this bar
  std::int64_t previous_reach_up_ = INT64_MIN, previous_reach_down_ = INT64_MIN;
};

} // namespace bt
