#pragma once
// The interface every strategy implements.

#include "domain/data/large_block.hpp"
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

/// The zones of a run: a long series has hundreds of thousands, so they
/// live in large blocks (huge pages) like the trades and the equity curve.
using zone_list = std::vector<zone_record, large_allocator<zone_record>>;

class strategy {
public:
  virtual ~strategy() = default;
  /// Called once before the first bar with the number of bars the run will
  /// see (never their values): room to reserve, so that buffers are not
  /// regrown and copied while the run goes.
  virtual void prepare(std::size_t bars) { (void)bars; }
  /// Called once per bar after it closed. Orders placed here can fill from
  /// the next bar on.
  virtual void on_bar(const market_view& market, broker& orders) = 0;
  /// True when the decisions are a function of the bars alone: on_bar only
  /// sets market targets (and may skip signals and read the execution
  /// settings), never reads the account or places orders. The engine then
  /// asks for a block of bars' decisions before running their fills (each
  /// decision still made on a view that ends at its bar), which keeps the
  /// fill loop free of calls. A strategy that says so and then reads the
  /// account fails its run (std::logic_error).
  virtual bool decides_from_bars_only() const { return false; }
  /// The zones seen so far (empty for strategies without zones).
  virtual const zone_list& zones() const {
    static const zone_list none;
    return none;
  }
  /// Hands the zones over at the end of a run (no copy).
  virtual zone_list take_zones() { return {}; }
};

} // namespace bt
