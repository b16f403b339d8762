#include "domain/strategies/supply_demand_zones.hpp"

#include <algorithm>
#include <cmath>

namespace bt {

const strategy_schema& supply_demand_zones_schema() {
  static const strategy_schema schema{
      "supply_demand_zones",
      "1.0.0",
      "Supply zones at confirmed swing highs and demand zones at confirmed swing lows; enters "
      "with a limit order at the zone's proximal edge, stop at a multiple of ATR, target at a "
      "multiple of the initial risk.",
      {
          {"atr_period", param_type::integer, "Bars in the ATR (Wilder).", 14, 2, 200, {}, {}},
          {"swing_strength",
           param_type::integer,
           "Bars on each side of a swing pivot; a zone is confirmed this many bars after its "
           "pivot.",
           3,
           1,
           20,
           {},
           {}},
          {"max_zone_age_bars",
           param_type::integer,
           "Bars after confirmation a zone stays tradable.",
           500,
           10,
           10000,
           {},
           {}},
          {"min_zone_strength",
           param_type::number,
           "Minimum departure move from the pivot, in ATR, for a zone to be kept.",
           0,
           0,
           10,
           {},
           {}},
          {"max_touches",
           param_type::integer,
           "A zone touched more often than this is expired.",
           3,
           1,
           20,
           {},
           {}},
          {"entry_offset_ticks",
           param_type::integer,
           "Ticks the entry limit sits in front of the proximal edge (negative: inside the zone).",
           0,
           -50,
           50,
           {},
           {}},
          {"fill_penetration_ticks",
           param_type::integer,
           "Ticks a bar must trade through a limit price for it to fill (0: a touch fills).",
           0,
           0,
           50,
           {},
           {}},
          {"order_expiry_bars",
           param_type::integer,
           "Bars an entry order works before it is cancelled (0: while the zone is valid).",
           0,
           0,
           10000,
           {},
           {}},
          {"stop_atr_mult",
           param_type::number,
           "Stop distance from the entry, in ATR.",
           1.5,
           0.25,
           10,
           {},
           {}},
          {"take_profit_r",
           param_type::number,
           "Target distance from the entry, in initial risk.",
           2.0,
           0.25,
           20,
           {},
           {}},
          {"risk_per_trade_pct",
           param_type::number,
           "Percent of current equity risked per trade.",
           2.0,
           0.05,
           10,
           {},
           {}},
          {"max_concurrent_trades", param_type::integer, "Open trades at most.", 1, 1, 20, {}, {}},
          {"sessions",
           param_type::choice_set,
           "Sessions (UTC) in which entries may fill: asia 18:00-02:00, europe 02:00-08:00, "
           "ny_am 08:00-12:00, ny_pm 12:00-18:00.",
           0,
           0,
           0,
           {"asia", "europe", "ny_am", "ny_pm"},
           {"asia", "europe", "ny_am", "ny_pm"}},
          {"direction",
           param_type::choice,
           "Which zones are traded.",
           0,
           0,
           0,
           {"both", "long_only", "short_only"},
           {"both"}},
      },
      nullptr};
  return schema;
}

std::uint32_t session_hours(const std::vector<std::string>& sessions) {
  auto range = [](unsigned from, unsigned to) { // [from, to) in UTC hours, wrapping
    std::uint32_t mask = 0;
    for (unsigned h = from; h != to; h = (h + 1) % 24)
      mask |= 1u << h;
    return mask;
  };
  std::uint32_t mask = 0;
  for (const auto& s : sessions) {
    if (s == "asia")
      mask |= range(18, 2);
    else if (s == "europe")
      mask |= range(2, 8);
    else if (s == "ny_am")
      mask |= range(8, 12);
    else if (s == "ny_pm")
      mask |= range(12, 18);
  }
  return mask;
}

supply_demand_zones::supply_demand_zones(const param_set& p)
    : atr_(static_cast<int>(p.integer("atr_period"))),
      swing_(static_cast<std::size_t>(p.integer("swing_strength"))),
      max_age_(p.integer("max_zone_age_bars")), min_strength_(p.number("min_zone_strength")),
      max_touches_(p.integer("max_touches")), entry_offset_ticks_(p.integer("entry_offset_ticks")),
      penetration_ticks_(p.integer("fill_penetration_ticks")),
      expiry_bars_(p.integer("order_expiry_bars")), stop_atr_mult_(p.number("stop_atr_mult")),
      take_profit_r_(p.number("take_profit_r")),
      risk_fraction_(p.number("risk_per_trade_pct") / 100.0),
      max_concurrent_(static_cast<std::size_t>(p.integer("max_concurrent_trades"))),
      hours_(session_hours(p.list("sessions"))), trade_long_(p.text("direction") != "short_only"),
      trade_short_(p.text("direction") != "long_only") {}

void supply_demand_zones::prepare(std::size_t bars) {
  // A bar may confirm a swing high and a swing low, but zones come one
  // every 5 or 6 bars on GC hours: room for one every 4, and a series with
  // more regrows as before. Reserving maps address space only; pages are
  // touched as zones are added.
  const std::size_t expected = bars / 4 + 16;
  zones_.reserve(expected);
  state_.reserve(expected);
}

inline void supply_demand_zones::update_zones(std::int64_t i, fixed high, fixed low, fixed close) {
  // Zones beyond both this bar's and the previous bar's reach cannot be
  // touched or broken now, nor have been inside before: nothing to do. Most
  // bars reach no zone of a type: checked here, such a bar does not pay for
  // the call (its register saves cost more than the check).
  const std::int64_t horizon_up = std::max(high.units, previous_reach_up_);
  const std::int64_t horizon_down = std::max(-low.units, previous_reach_down_);
  if (reaches(supply_index_, horizon_up))
    scan(supply_index_, i, high.units, close.units, horizon_up);
  if (reaches(demand_index_, horizon_down))
    scan(demand_index_, i, -low.units, -close.units, horizon_down);
  previous_reach_up_ = high.units;
  previous_reach_down_ = -low.units;
  // Ages grow in creation order: only the oldest zones can reach the limit.
  for (std::uint32_t id : active_) {
    zone_state& z = state_[id];
    if (i - z.created_bar < max_age_)
      break;
    if (z.ended == 0) {
      z.ended = 2;
      ended_now_.push_back(id);
    }
  }
}

inline void supply_demand_zones::detect_pivot(const market_view& m, std::size_t i, double atr) {
  if (i < 2 * swing_)
    return;
  // The pivot candidate p sits swing_ bars back: w[k] with k = swing_.
  const auto w = m.last(2 * swing_ + 1);
  const std::size_t k = swing_;
  // Swing high: strictly above the bars before, at least as high as the
  // bars after (equal highs: the first one is the pivot). Mirrored for lows.
  bool is_high = true, is_low = true;
  const fixed ph = w.high[k], pl = w.low[k];
  // All k steps, without short-circuits: the comparisons' outcomes follow
  // the market and mispredict as branches; as bitwise ands they cannot.
  for (std::size_t j = 1; j <= k; ++j) {
    is_high &= (w.high[k - j] < ph) & (w.high[k + j] <= ph);
    is_low &= (w.low[k - j] > pl) & (w.low[k + j] >= pl);
  }
  // Four bars in five are no pivot: the test is inlined into on_bar, and
  // only a pivot pays for a call.
  if (is_high || is_low)
    add_pivot_zones(m, i, atr, is_high, is_low);
}

void supply_demand_zones::on_bar(const market_view& m, broker& orders) {
  const std::size_t i = m.current();
  const fixed close = m.close(i), high = m.high(i), low = m.low(i);
  const std::optional<double> atr = atr_.update(high, low, close);
  if (i == 0) {
    const fixed tick = orders.execution().tick_size;
    offset_ = mul(fixed::from_int(entry_offset_ticks_), tick);
    penetration_ = mul(fixed::from_int(penetration_ticks_), tick);
  }
  update_zones(static_cast<std::int64_t>(i), high, low, close);
  if (!ended_now_.empty())
    retire_zones(m.time(i), orders);
  if (!atr || *atr <= 0)
    return;
  detect_pivot(m, i, *atr);
  // Order states can only have changed if the broker reports an event
  // (placing an order below is none).
  const std::uint64_t events = orders.order_events();
  if (events != seen_events_)
    refresh_orders(orders);
  std::size_t keep = 0;
  for (std::uint32_t id : waiting_)
    if (!place_order(id, i, close, *atr, orders))
      waiting_[keep++] = id;
  waiting_.resize(keep);
  seen_events_ = events;
}

void supply_demand_zones::refresh_orders(broker& orders) {
  bool changed = false;
  for (std::uint32_t id : active_) {
    zone_state& z = state_[id];
    if (z.order < 0)
      continue;
    switch (orders.status(z.order)) {
    case order_status::working:
    case order_status::open:
      break;
    case order_status::expired:
      z.order = -1; // an expired order spends the zone: it does not wait again
      break;
    case order_status::closed:
    case order_status::cancelled:
      z.order = -1; // the zone may be traded again on a later touch
      waiting_.push_back(id);
      changed = true;
      break;
    }
  }
  if (changed)
    std::sort(waiting_.begin(), waiting_.end()); // ids are creation order
}

void supply_demand_zones::scan(proximal_index& index, std::int64_t i, std::int64_t reach,
                               std::int64_t close, std::int64_t horizon) {
  for (const auto& [proximal, id] : index) {
    if (proximal > horizon)
      break;
    zone_state& z = state_[id];
    if (z.created_bar >= i)
      continue; // a zone starts on the bar after it was confirmed
    if (close > z.distal) {
      z.ended = 1; // broken: a close beyond the distal edge
      ended_now_.push_back(id);
      continue;
    }
    const bool in = reach >= proximal;
    if (in && !z.inside && ++zones_[id].touches > max_touches_) {
      z.ended = 2; // one touch per visit, however many bars it lasts
      ended_now_.push_back(id);
    }
    z.inside = in;
  }
}

namespace {
/// a < b, as bitwise operations (std::pair's < short-circuits).
inline bool before(std::uint32_t a, std::uint32_t b) {
  return a < b;
}
inline bool before(const std::pair<std::int64_t, std::uint32_t>& a,
                   const std::pair<std::int64_t, std::uint32_t>& b) {
  return (a.first < b.first) | ((a.first == b.first) & (a.second < b.second));
}

/// std::lower_bound without branches on the comparisons: each step halves
/// the range with a select, so a search costs no misprediction (the
/// comparisons' outcomes are as random as the ids and prices searched).
template <class Vector, class T>
typename Vector::iterator lower_bound_branchless(Vector& v, const T& value) {
  std::size_t first = 0, n = v.size();
  while (n > 1) {
    const std::size_t half = n / 2;
    // A mask, not a conditional: the compiler made the select a branch.
    first += half & (0 - static_cast<std::size_t>(before(v[first + half - 1], value)));
    n -= half;
  }
  return v.begin() + static_cast<std::ptrdiff_t>(first + (n == 1 && before(v[first], value)));
}

/// Removes `value` from a sorted vector that may not hold it.
template <class Vector, class T>
void erase_sorted(Vector& v, const T& value) {
  auto at = lower_bound_branchless(v, value);
  if (at != v.end() && *at == value)
    v.erase(at);
}
} // namespace

void supply_demand_zones::retire_zones(unix_time at, broker& orders) {
  // The order of cancellations does not matter: each removes only its own
  // order from the broker's working set. A bar ends a zone or two: each is
  // found by binary search in the sets, all sorted (active_ and waiting_ by
  // id, which is creation order; the indexes by proximal, then id), instead
  // of a pass over every active zone's state. Even a bar that ends many
  // moves each set's tail once per zone, which is cheaper per element than
  // that pass.
  for (std::uint32_t id : ended_now_) {
    const zone_state& z = state_[id];
    zone_record& rec = zones_[id];
    rec.status = z.ended == 1 ? zone_status::broken : zone_status::expired;
    rec.ended_at = at;
    if (z.order >= 0)
      orders.cancel(z.order); // an open trade keeps its bracket
    erase_sorted(active_, id);
    erase_sorted(waiting_, id);
    erase_sorted(z.supply ? supply_index_ : demand_index_, std::make_pair(z.proximal, id));
  }
  ended_now_.clear();
}

void supply_demand_zones::add_pivot_zones(const market_view& m, std::size_t i, double atr,
                                          bool is_high, bool is_low) {
  const auto w = m.last(2 * swing_ + 1);
  const std::size_t k = swing_;
  const fixed ph = w.high[k], pl = w.low[k];
  // The range after the pivot, for its strength: only on a pivot (about one
  // bar in five), and as selects, which do not mispredict as min and max did.
  std::int64_t lowest_after = w.low[k + 1].units, highest_after = w.high[k + 1].units;
  for (std::size_t j = 2; j <= k; ++j) {
    const std::int64_t low = w.low[k + j].units, high = w.high[k + j].units;
    lowest_after = low < lowest_after ? low : lowest_after;
    highest_after = high > highest_after ? high : highest_after;
  }
  const std::size_t p = i - swing_;
  auto add = [&](zone_type type, fixed top, fixed bottom, double strength) {
    if (strength < min_strength_)
      return;
    zone_record rec;
    rec.id = static_cast<std::int64_t>(zones_.size() + 1);
    rec.type = type;
    rec.created_at = m.time(i);
    rec.top = top;
    rec.bottom = bottom;
    rec.strength = round_places(strength, 4);
    zones_.push_back(rec);
    const bool supply = type == zone_type::supply;
    zone_state z;
    z.proximal = supply ? bottom.units : -top.units;
    z.distal = supply ? top.units : -bottom.units;
    z.created_bar = static_cast<std::int64_t>(i);
    z.entry = supply ? bottom - offset_ : top + offset_;
    z.supply = supply;
    // Being inside when the zone is confirmed is not a touch.
    z.inside = supply ? m.high(i) >= bottom : m.low(i) <= top;
    const auto id = static_cast<std::uint32_t>(zones_.size() - 1);
    state_.push_back(z);
    active_.push_back(id);
    if (supply ? trade_short_ : trade_long_)
      waiting_.push_back(id);
    proximal_index& index = supply ? supply_index_ : demand_index_;
    const std::pair<std::int64_t, std::uint32_t> entry{z.proximal, id};
    index.insert(std::upper_bound(index.begin(), index.end(), entry), entry);
  };
  if (is_high) {
    const fixed body_top = std::max(m.open(p), m.close(p));
    add(zone_type::supply, ph, body_top, (ph - fixed::from_units(lowest_after)).to_double() / atr);
  }
  if (is_low) {
    const fixed body_bottom = std::min(m.open(p), m.close(p));
    add(zone_type::demand, body_bottom, pl,
        (fixed::from_units(highest_after) - pl).to_double() / atr);
  }
}

bool supply_demand_zones::place_order(std::uint32_t id, std::size_t i, fixed close, double atr,
                                      broker& orders) {
  zone_state& z = state_[id];
  const bool supply = z.supply;
  // A resting limit only: the market must be on the far side of the entry.
  if (z.entry.units <= 0 || (supply ? close >= z.entry : close <= z.entry))
    return false;
  const execution_settings& exec = orders.execution();
  fixed stop_distance = round_to_step(fixed::from_double(stop_atr_mult_ * atr), exec.tick_size);
  if (stop_distance < exec.tick_size)
    stop_distance = exec.tick_size;
  fixed target_distance =
      round_to_step(fixed::from_double(take_profit_r_ * stop_distance.to_double()), exec.tick_size);
  if (target_distance < exec.tick_size)
    target_distance = exec.tick_size;
  const fixed risk_money = fixed::from_double(orders.equity().to_double() * risk_fraction_);
  const fixed per_contract = mul(stop_distance, exec.multiplier);
  fixed quantity = per_contract.units > 0 && risk_money.units > 0
                       ? floor_to_step(div_trunc(risk_money, per_contract), exec.quantity_step)
                       : fixed{};
  if (quantity < exec.quantity_step) {
    orders.skip_signal();
    return true; // stops waiting: the zone is not signalled again
  }
  const zone_record& rec = zones_[id];
  entry_order o;
  o.side = supply ? side::short_side : side::long_side;
  o.kind = order_kind::limit;
  o.price = z.entry;
  o.quantity = quantity;
  o.stop_distance = stop_distance;
  o.target_distance = target_distance;
  o.penetration = penetration_;
  o.fill_hours = hours_;
  o.good_till_bar = expiry_bars_ > 0 ? static_cast<std::int64_t>(i) + expiry_bars_ : -1;
  o.max_open_trades = max_concurrent_;
  o.zone = zone_ref{rec.id, rec.type, rec.strength};
  z.order = orders.submit(o);
  return true;
}

} // namespace bt
