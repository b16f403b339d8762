#pragma once
// Supply and demand zones from confirmed swing pivots, traded with limit
// orders at the zone's proximal edge. The algorithm is specified in
// README.md in this folder.

#include "domain/indicators/atr.hpp"
#include "domain/strategies/param_schema.hpp"
#include "domain/strategies/strategy.hpp"

#include <vector>

namespace bt {

const strategy_schema& supply_demand_zones_schema();

/// Trading sessions as bit masks of UTC hours.
std::uint32_t session_hours(const std::vector<std::string>& sessions);

class supply_demand_zones final : public strategy {
public:
  explicit supply_demand_zones(const param_set& params);
  void on_bar(const market_view& market, broker& orders) override;
  std::vector<zone_record> zones() const override { return zones_; }

private:
  /// The hot state of an active zone, compact for the per-bar loop.
  struct live_zone {
    fixed top, bottom;
    fixed entry;              ///< limit price: proximal edge +- offset
    std::int64_t created_bar;
    std::int64_t touches = 0; ///< mirrored into zones_ when it changes
    std::uint32_t index;      ///< into zones_
    bool supply;
    bool inside;              ///< price was in the zone on the previous bar
    bool spent = false;       ///< its order expired or its signal was skipped
    order_id order = -1;      ///< working or filled-and-open order, else -1
  };

  void detect_pivot(const market_view& m, std::size_t i, double atr);
  /// The current bar's values the zone loop reads.
  struct bar_now {
    std::int64_t index;
    unix_time time;
    fixed high, low, close;
  };
  /// Applies the bar to a zone created before it; false when the zone ended.
  bool update_zone(live_zone& z, const bar_now& b, broker& orders);
  void manage_order(live_zone& z, std::size_t i, fixed close, double atr, bool check_status,
                    broker& orders);
  void end_zone(live_zone& z, zone_status status, unix_time at, broker& orders);

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

  std::vector<zone_record> zones_;
  std::vector<live_zone> live_; ///< active zones, oldest first
};

} // namespace bt
