#pragma once
// The interface every strategy implements.

#include "domain/engine/broker.hpp"
#include "domain/engine/market_view.hpp"

#include <vector>

namespace bt {

enum class zone_status : std::uint8_t { active, broken, expired };
std::string_view to_string(zone_status s);
bool from_string(std::string_view text, zone_status& out);

/// A supply or demand zone as the strategy saw it.
struct zone_record {
  std::int64_t id = 0;
  zone_type type = zone_type::demand;
  unix_time created_at = 0; ///< the bar that confirmed it
  fixed top, bottom;
  double strength = 0;
  std::int64_t touches = 0;
  zone_status status = zone_status::active;
  std::optional<unix_time> ended_at;
};

class strategy {
public:
  virtual ~strategy() = default;
  /// Called once per bar after it closed. Orders placed here can fill from
  /// the next bar on.
  virtual void on_bar(const market_view& market, broker& orders) = 0;
  /// The zones seen so far (empty for strategies without zones).
  virtual const std::vector<zone_record>& zones() const {
    static const std::vector<zone_record> none;
    return none;
  }
  /// Hands the zones over at the end of a run (no copy).
  virtual std::vector<zone_record> take_zones() { return {}; }
};

} // namespace bt
