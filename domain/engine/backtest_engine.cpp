#include "domain/engine/backtest_engine.hpp"

#include "domain/engine/backtest.hpp"
#include "domain/engine/fill_model.hpp"
#include "domain/engine/market_view.hpp"
#include "domain/strategies/strategy.hpp"

#include <algorithm>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>

namespace bt {
namespace {

struct order_slot {
  entry_order order;
  order_status status = order_status::working;
};

struct open_trade {
  trade t;
  order_id from_order = -1; ///< -1 for market targets
  /// The lowest and highest prices seen while open (for MAE/MFE): the
  /// worst and best of a long, the best and worst of a short. Kept without
  /// regard to side, each bar's touch is one min and one max, no branch.
  fixed lowest, highest;
  fixed penetration;
  fixed equity_at_entry; ///< equity at the close before the fill
  /// quantity * multiplier as a whole number, when both are whole and it
  /// fits (the usual case: contracts times a contract multiplier): the
  /// mark to market on every bar is then one checked multiply.
  std::int64_t whole_size = 0;
  bool has_whole_size = false;
  bool has_bracket = false; ///< a stop or a target to check on each bar
};

/// The drawdown of each equity point below the running peak, which starts
/// at the initial capital: one division per new peak, and per point the
/// same operations in the same order wherever it is measured (the engine
/// as it marks each bar, fill_drawdowns over a stitched curve), so the same
/// bits.
class drawdown_meter {
public:
  explicit drawdown_meter(fixed initial) : peak_(initial), scale_(scale_of(initial)) {}
  double operator()(fixed equity) {
    if (equity > peak_) {
      peak_ = equity;
      scale_ = scale_of(peak_);
    }
    return equity < peak_ ? round_ten_places((peak_ - equity).to_double() * scale_) : 0.0;
  }

private:
  static double scale_of(fixed peak) { return peak.units > 0 ? 100.0 / peak.to_double() : 0.0; }
  fixed peak_;
  double scale_;
};

/// Bounds over the working entry orders, exact after each pass over them
/// and widened by each order placed (a cancellation leaves them wider than
/// needed, which only costs a pass): the most open trades any entry allows,
/// the earliest last bar of any that expires, and the prices at which any
/// limit entry fills (fill_limit's levels).
struct entry_bounds {
  static constexpr std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  static constexpr std::int64_t highest = std::numeric_limits<std::int64_t>::max();
  std::size_t most_open = 0;
  std::int64_t earliest_expiry = highest;
  /// A market or stop entry, or a limit whose touch level does not fit:
  /// any bar may fill one.
  bool any_bar = false;
  std::int64_t long_limit = lowest, long_touch = lowest;     ///< highest limit, limit - penetration
  std::int64_t short_limit = highest, short_touch = highest; ///< lowest limit, limit + penetration

  void add(const entry_order& o) {
    most_open = std::max(most_open, o.max_open_trades);
    if (o.good_till_bar >= 0)
      earliest_expiry = std::min(earliest_expiry, o.good_till_bar);
    std::int64_t touch;
    if (o.kind != order_kind::limit) {
      any_bar = true;
    } else if (o.side == side::long_side) {
      long_limit = std::max(long_limit, o.price.units);
      if (detail::difference_fits(o.price.units, o.penetration.units, touch))
        long_touch = std::max(long_touch, touch);
      else
        any_bar = true; // fill_limit refuses it when a bar reaches it
    } else {
      short_limit = std::min(short_limit, o.price.units);
      if (detail::sum_fits(o.price.units, o.penetration.units, touch))
        short_touch = std::min(short_touch, touch);
      else
        any_bar = true;
    }
  }
  /// No working entry can fill or expire on bar `bar`, with `open` trades
  /// open and prices `b`: the trades block every entry, or no limit is
  /// reached (fill_limit's tests against the extreme levels).
  bool all_blocked(std::size_t open, std::size_t bar, const bar_prices& b) const {
    if (static_cast<std::int64_t>(bar) > earliest_expiry)
      return false;
    if (open >= most_open)
      return true;
    return !any_bar && b.open.units >= long_limit && b.low.units > long_touch
           && b.open.units <= short_limit && b.high.units < short_touch;
  }
};

/// A market target a bars-only strategy set on a bar (the last one it set
/// there): it executes at the next bar's open.
struct decided_target {
  std::size_t bar;
  fixed target;
};

/// The broker a bars-only strategy decides a block of bars against: it keeps
/// the targets and refuses everything that reads or changes the account,
/// which such a strategy has promised not to touch.
class decision_recorder final : public broker {
public:
  explicit decision_recorder(const execution_settings& exec) : exec_(exec) {}

  std::size_t bar = 0;              ///< the bar being decided
  std::vector<decided_target> made; ///< in bar order, one per bar at most
  std::int64_t skipped = 0;

  void target_position(fixed q) override {
    if (!made.empty() && made.back().bar == bar)
      made.back().target = q;
    else
      made.push_back({bar, q});
  }
  void skip_signal() override { ++skipped; }
  const execution_settings& execution() const override { return exec_; }
  order_id submit(const entry_order&) override { refuse("placed an order"); }
  void cancel(order_id) override { refuse("cancelled an order"); }
  order_status status(order_id) const override { refuse("read an order's status"); }
  std::uint64_t order_events() const override { refuse("read the order events"); }
  fixed equity() const override { refuse("read the equity"); }
  std::size_t open_trade_count() const override { refuse("read the open trades"); }

private:
  [[noreturn]] static void refuse(const char* what) {
    throw std::logic_error(std::string("a strategy that decides from bars alone ") + what);
  }
  const execution_settings& exec_;
};

class engine final : public broker {
public:
  engine(const bar_series& bars, const execution_settings& exec)
      : bars_(bars), exec_(exec), slippage_(exec.slippage()), cash_(exec.initial_capital),
        equity_(exec.initial_capital), drawdown_(exec.initial_capital), recorder_(exec) {}

  engine_output run(strategy& strat, run_observer* observer, std::size_t first_entry_bar) {
    const std::size_t n = bars_.size();
    // A point per bar, written in place: sized once (one fill of fresh
    // memory) rather than a capacity check and a size update per bar.
    out_.equity.resize(n);
    curve_ = out_.equity.data();
    // Room for a trade every 8 bars: reserving touches no memory, and a
    // 20-year dual-SMA run otherwise regrows (and copies) its trades 12 times.
    out_.trades.reserve(n / 8 + 16);
    strat.prepare(n);
    const std::size_t interval = observer ? std::max<std::size_t>(1, observer->interval()) : 0;
    try {
      if (first_entry_bar > 0)
        warm_up(strat, std::min(first_entry_bar, n));
      if (strat.decides_from_bars_only())
        simulate_in_blocks(strat, observer, n, interval);
      else
        simulate(strat, observer, n, interval);
    } catch (const fixed_overflow& e) {
      // Exact or refused: the run fails naming where, never a saturated value.
      throw backtest_error(
          "the run cannot be computed exactly at bar " + std::to_string(bar_ + 1) + " ("
          + format_timestamp(now()) + "): " + e.what()
          + "; lower the position size (quantity, risk, multiplier) or the prices' scale");
    }
    return std::move(out_);
  }

private:
  /// Bars [0, end) with no fill: nothing is open, so there are no brackets
  /// to check, and the equity is the initial capital.
  void warm_up(strategy& strat, std::size_t end) {
    for (std::size_t t = 0; t < end; ++t) {
      bar_ = t;
      has_target_ = false;
      mark_to_market(bars_.closes()[t]);
      market_view view(bars_, t + 1);
      strat.on_bar(view, *this);
    }
    first_bar_ = end;
  }

  void simulate(strategy& strat, run_observer* observer, std::size_t n, std::size_t interval) {
    for (std::size_t t = first_bar_; t < n; ++t) {
      fill_bar(t, n);
      market_view view(bars_, t + 1);
      strat.on_bar(view, *this);
      if (!carry_on(observer, interval, t + 1, n))
        break;
    }
  }

  /// After `done` bars: reports progress every `interval` bars and returns
  /// false when the observer cancels, the curve then cut to those bars.
  bool carry_on(run_observer* observer, std::size_t interval, std::size_t done, std::size_t n) {
    if (!interval || done % interval != 0 || observer->on_progress(progress(done, n)))
      return true;
    out_.cancelled = true;
    out_.equity.resize(done);
    return false;
  }

  bar_prices prices_at(std::size_t t) const {
    return {bars_.opens()[t], bars_.highs()[t], bars_.lows()[t], bars_.closes()[t]};
  }

  /// Bar t's fills and its equity point: everything before the strategy
  /// decides on t. Inlined into the bar loops: as a call it saved and
  /// restored six registers on every bar.
  __attribute__((always_inline)) void fill_bar(std::size_t t, std::size_t n) {
    bar_ = t;
    const bar_prices b = prices_at(t);
    if (has_target_)
      execute_target(b);
    if (!open_.empty())
      process_brackets(b);
    if (!working_.empty())
      process_entries(b);
    if (!open_.empty())
      ++out_.bars_in_market;
    if (t + 1 == n)
      close_all(b.close, exit_reason::end_of_data);
    mark_to_market(b.close);
  }

  /// For a strategy whose decisions are a function of the bars alone: it
  /// decides a block of bars (each on a view that ends at its bar, as
  /// always), then the block's fills run with its targets. The fills no
  /// longer wait on a call per bar, and the bars between two targets are
  /// one tight loop (hold). Blocks end where progress is reported, so the
  /// reports, and a cancellation, fall on the same bars as bar by bar.
  void simulate_in_blocks(strategy& strat, run_observer* observer, std::size_t n,
                          std::size_t interval) {
    const std::size_t block = interval ? interval : 4096;
    for (std::size_t start = first_bar_; start < n;) {
      const std::size_t end = std::min(n, (start / block + 1) * block);
      recorder_.made.clear();
      std::size_t t = start;
      std::exception_ptr failed;
      try {
        for (; t < end; ++t) {
          recorder_.bar = t;
          market_view view(bars_, t + 1);
          strat.on_bar(view, recorder_);
        }
      } catch (...) {
        // Bar by bar, the fills up to t would have run first, and one of
        // them may fail before the strategy does: run them, then fail.
        failed = std::current_exception();
      }
      out_.skipped_signals += recorder_.skipped;
      recorder_.skipped = 0;
      fill_decided(start, failed ? t + 1 : end, n);
      if (failed) {
        bar_ = t;
        std::rethrow_exception(failed);
      }
      start = end;
      if (!carry_on(observer, interval, end, n))
        break;
    }
  }

  /// The fills of bars [from, to) with the recorded targets.
  void fill_decided(std::size_t from, std::size_t to, std::size_t n) {
    const auto& made = recorder_.made;
    std::size_t next = 0; // the first target not yet set
    for (std::size_t t = from; t < to;) {
      if (!has_target_ && t + 1 < n && working_.empty() && no_brackets()) {
        // Nothing fills until the bar after the next target (or the last
        // bar, which closes what is open).
        std::size_t stop = std::min(to, n - 1);
        if (next < made.size())
          stop = std::min(stop, made[next].bar + 1);
        hold(t, stop);
        t = stop;
      } else {
        fill_bar(t, n);
        ++t;
      }
      if (next < made.size() && made[next].bar == t - 1)
        target_position(made[next++].target);
    }
  }

  bool no_brackets() const {
    for (const auto& o : open_)
      if (o.has_bracket)
        return false;
    return true;
  }

  /// Bars [from, to) on which nothing fills (no target, no working order, no
  /// bracket, not the last bar): fill_bar's steps reduce to each open
  /// trade's extremes and the equity point.
  void hold(std::size_t from, std::size_t to) {
    if (open_.empty()) {
      for (std::size_t t = from; t < to; ++t) {
        bar_ = t; // where a drawdown that does not fit is reported
        curve_[t] = {bars_.times()[t], cash_, drawdown_(cash_)};
      }
      equity_ = cash_;
      return;
    }
    std::size_t t = from;
    if (open_.size() == 1 && open_[0].has_whole_size)
      t = open_[0].t.side == side::long_side ? hold_one<true>(from, to) : hold_one<false>(from, to);
    // What hold_one left (a product that needs mul's general path, or an
    // overflow to report at its bar), or several trades: bar by bar.
    for (; t < to; ++t) {
      bar_ = t;
      for (auto& o : open_)
        touch_range(o, prices_at(t));
      ++out_.bars_in_market;
      mark_to_market(bars_.closes()[t]);
    }
  }

  /// hold() for one trade whose size is a whole number: mark_to_market's
  /// checked steps on 64-bit values. Returns the first bar it did not
  /// complete (to when all were).
  template <bool is_long>
  std::size_t hold_one(std::size_t from, std::size_t to) {
    open_trade& o = open_[0];
    const unix_time* times = bars_.times();
    const fixed *highs = bars_.highs(), *lows = bars_.lows(), *closes = bars_.closes();
    const std::int64_t entry = o.t.entry_price.units, size = o.whole_size, cash = cash_.units;
    std::int64_t lowest = o.lowest.units, highest = o.highest.units, eq = equity_.units;
    std::size_t t = from;
    for (; t < to; ++t) {
      const std::int64_t high = highs[t].units, low = lows[t].units, close = closes[t].units;
      std::int64_t diff, value, marked;
      if (!(is_long ? detail::difference_fits(close, entry, diff)
                    : detail::difference_fits(entry, close, diff))
          || !detail::times_whole(fixed::from_units(diff), size, value)
          || !detail::sum_fits(cash, value, marked))
        break;
      eq = marked;
      bar_ = t; // where a drawdown that does not fit is reported
      lowest = std::min(lowest, std::min(high, low));
      highest = std::max(highest, std::max(high, low));
      curve_[t] = {times[t], fixed::from_units(eq), drawdown_(fixed::from_units(eq))};
    }
    if (t > from) {
      o.lowest = fixed::from_units(lowest);
      o.highest = fixed::from_units(highest);
      equity_ = fixed::from_units(eq);
      out_.bars_in_market += static_cast<std::int64_t>(t - from);
    }
    return t;
  }

  // Only every interval() bars: the open trades are few and summed here.
  run_progress progress(std::size_t done, std::size_t total) const {
    run_progress p;
    p.bars_done = done;
    p.bars_total = total;
    p.trades = out_.trades.size();
    p.equity = equity_;
    for (const auto& o : open_)
      p.position += o.t.side == side::long_side ? o.t.quantity : -o.t.quantity;
    return p;
  }

public:
  // --- broker ---------------------------------------------------------------
  order_id submit(const entry_order& order) override {
    orders_.push_back({order, order_status::working});
    entry_bounds_.add(order);
    order_id id = static_cast<order_id>(orders_.size() - 1);
    working_.push_back(id);
    return id;
  }
  void cancel(order_id id) override {
    if (valid(id) && orders_[id].status == order_status::working) {
      set_status(id, order_status::cancelled);
      drop_working(id);
    }
  }
  order_status status(order_id id) const override {
    return valid(id) ? orders_[id].status : order_status::cancelled;
  }
  std::uint64_t order_events() const override { return order_events_; }
  void target_position(fixed q) override {
    target_ = q;
    has_target_ = true;
  }
  fixed equity() const override { return equity_; }
  std::size_t open_trade_count() const override { return open_.size(); }
  void skip_signal() override { ++out_.skipped_signals; }
  const execution_settings& execution() const override { return exec_; }

private:
  bool valid(order_id id) const { return id >= 0 && static_cast<std::size_t>(id) < orders_.size(); }
  void set_status(order_id id, order_status s) {
    orders_[id].status = s;
    ++order_events_;
  }
  void drop_working(order_id id) {
    working_.erase(std::remove(working_.begin(), working_.end(), id), working_.end());
  }
  unix_time now() const { return bars_.times()[bar_]; }

  static void touch(open_trade& o, fixed price) {
    o.lowest = std::min(o.lowest, price);
    o.highest = std::max(o.highest, price);
  }
  static void touch_range(open_trade& o, const bar_prices& b) {
    touch(o, b.high);
    touch(o, b.low);
  }

  fixed commission(fixed quantity) const { return mul(exec_.commission_per_contract, quantity); }

  void size_changed(open_trade& o) const {
    o.has_whole_size = detail::whole_factor(o.t.quantity, exec_.multiplier, o.whole_size);
  }
  /// mul(diff, quantity, multiplier): its whole-number path with the
  /// per-trade factor computed once, else mul itself.
  fixed position_value(const open_trade& o, fixed diff) const {
    std::int64_t r;
    if (o.has_whole_size && detail::times_whole(diff, o.whole_size, r))
      return fixed::from_units(r);
    return mul(diff, o.t.quantity, exec_.multiplier);
  }

  void open(side s, fixed price, fixed quantity, bt::fill_type how, order_id from,
            const entry_order* order) {
    open_trade o;
    o.t.side = s;
    o.t.entry_time = now();
    o.t.entry_bar = static_cast<std::int64_t>(bar_);
    o.t.entry_price = price;
    o.t.quantity = quantity;
    o.t.fill_type = how;
    o.from_order = from;
    o.lowest = o.highest = price;
    const fixed dir = s == side::long_side ? fixed::from_int(1) : fixed::from_int(-1);
    if (order) {
      if (order->stop_distance)
        o.t.stop_price = price - mul(dir, *order->stop_distance);
      if (order->target_distance)
        o.t.target_price = price + mul(dir, *order->target_distance);
      o.t.zone = order->zone;
      o.penetration = order->penetration;
    }
    o.has_bracket = o.t.stop_price || o.t.target_price;
    o.equity_at_entry = equity_;
    size_changed(o);
    cash_ -= commission(quantity);
    open_.push_back(o);
  }

  void close(std::size_t index, fixed price, exit_reason why, fixed quantity) {
    open_trade& o = open_[index];
    touch(o, price);
    trade t = o.t;
    t.quantity = quantity;
    t.exit_time = now();
    t.exit_bar = static_cast<std::int64_t>(bar_);
    t.exit_price = price;
    t.exit_reason = why;
    t.holding_bars = t.exit_bar - t.entry_bar;
    const bool is_long = t.side == side::long_side;
    fixed gross =
        mul(is_long ? price - t.entry_price : t.entry_price - price, quantity, exec_.multiplier);
    t.commission = commission(quantity) + commission(quantity);
    t.pnl = gross - t.commission;
    cash_ += gross - commission(quantity);
    t.pnl_pct = o.equity_at_entry.units > 0
                    ? round_places(t.pnl.to_double() / o.equity_at_entry.to_double() * 100.0)
                    : 0.0;
    t.mae = is_long ? t.entry_price - o.lowest : o.highest - t.entry_price;
    t.mfe = is_long ? o.highest - t.entry_price : t.entry_price - o.lowest;
    if (t.stop_price) {
      fixed distance = is_long ? t.entry_price - *t.stop_price : *t.stop_price - t.entry_price;
      t.initial_risk = mul(distance, quantity, exec_.multiplier);
      if (t.initial_risk->units > 0)
        t.r_multiple = round_places(t.pnl.to_double() / t.initial_risk->to_double());
    }
    t.trade_id = static_cast<std::int64_t>(out_.trades.size() + 1);
    out_.trades.push_back(t);
    if (o.from_order >= 0)
      set_status(o.from_order, order_status::closed);
    if (quantity == o.t.quantity)
      open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(index));
    else {
      o.t.quantity -= quantity;
      size_changed(o);
    }
  }

  void close_all(fixed price, exit_reason why) {
    while (!open_.empty())
      close(0, price, why, open_[0].t.quantity);
  }

  void execute_target(const bar_prices& b) {
    has_target_ = false;
    fixed net;
    for (const auto& o : open_)
      net += o.t.side == side::long_side ? o.t.quantity : -o.t.quantity;
    if (net == target_)
      return;
    const side want = target_.units > 0 ? side::long_side : side::short_side;
    const side direction = target_ > net ? side::long_side : side::short_side;
    const entry_fill f = fill_market(direction, b, slippage_);
    // Close trades against the target's direction; a reversal closes and
    // opens at the same price and time.
    for (std::size_t i = 0; i < open_.size();) {
      if (target_.units == 0 || open_[i].t.side != want) {
        net -= open_[i].t.side == side::long_side ? open_[i].t.quantity : -open_[i].t.quantity;
        close(i, f.price, exit_reason::signal, open_[i].t.quantity);
      } else {
        ++i;
      }
    }
    // Shrinking a same-side position closes trades first in, first out.
    while (!open_.empty() && (net.units > 0 ? net > target_ : net < target_)) {
      fixed excess = net.units > 0 ? net - target_ : target_ - net;
      fixed q = std::min(excess, open_[0].t.quantity);
      net -= open_[0].t.side == side::long_side ? q : -q;
      close(0, f.price, exit_reason::signal, q);
    }
    if (net != target_) {
      fixed q = target_ > net ? target_ - net : net - target_;
      open(want, f.price, q, fill_type::market, -1, nullptr);
      touch_range(open_.back(), b);
    }
  }

  void process_brackets(const bar_prices& b) {
    for (std::size_t i = 0; i < open_.size();) {
      open_trade& o = open_[i];
      if (o.t.entry_bar == static_cast<std::int64_t>(bar_)) {
        ++i;
        continue;
      }
      // A trade without stop and target (a market target's) has nothing to
      // check: only its extremes move.
      if (o.has_bracket) {
        exit_fill x = check_bracket(o.t.side, o.t.stop_price, o.t.target_price, slippage_,
                                    o.penetration, b, bracket_phase::whole_bar);
        if (x.filled) {
          touch(o, b.open);
          close(i, x.price, x.reason, o.t.quantity);
          continue;
        }
      }
      touch_range(o, b);
      ++i;
    }
  }

  void process_entries(const bar_prices& b) {
    // While the open trades block every working entry, or the bar reaches
    // none of their prices, and none expires, try_fill would return false
    // for each, changing nothing: a zones run skips its dozens of resting
    // limits on most bars.
    if (entry_bounds_.all_blocked(open_.size(), bar_, b))
      return;
    const unsigned hour = static_cast<unsigned>(floor_div(now(), 3600) % 24);
    // Fills and expiries only remove orders from `working_` (no strategy
    // code runs here), so it is compacted in place.
    std::size_t keep = 0;
    entry_bounds_ = {};
    for (std::size_t k = 0; k < working_.size(); ++k) {
      const order_id id = working_[k];
      if (!try_fill(id, b, hour)) {
        working_[keep++] = id;
        entry_bounds_.add(orders_[id].order);
      }
    }
    working_.resize(keep);
  }

  /// Returns true when the order left the working set (filled or expired).
  bool try_fill(order_id id, const bar_prices& b, unsigned hour) {
    const entry_order& order = orders_[id].order;
    if (order.good_till_bar >= 0 && static_cast<std::int64_t>(bar_) > order.good_till_bar) {
      set_status(id, order_status::expired);
      return true;
    }
    if (!(order.fill_hours >> hour & 1u) || open_.size() >= order.max_open_trades)
      return false;
    entry_fill f;
    switch (order.kind) {
    case order_kind::market:
      f = fill_market(order.side, b, slippage_);
      break;
    case order_kind::limit:
      f = fill_limit(order.side, order.price, order.penetration, b);
      break;
    case order_kind::stop:
      f = fill_stop(order.side, order.price, slippage_, b);
      break;
    }
    if (!f.filled)
      return false;
    set_status(id, order_status::open);
    open(order.side, f.price, order.quantity, f.type, id, &order);
    const bool at_open = f.type == fill_type::market || f.type == fill_type::limit_gap
                         || f.type == fill_type::stop_gap;
    open_trade& o = open_.back();
    exit_fill x =
        check_bracket(o.t.side, o.t.stop_price, o.t.target_price, slippage_, o.penetration, b,
                      at_open ? bracket_phase::from_open : bracket_phase::after_intrabar_fill);
    if (x.filled) {
      close(open_.size() - 1, x.price, x.reason, o.t.quantity);
    } else if (at_open) {
      touch_range(o, b);
    } else {
      // Entered inside the bar: its adverse extreme came through the fill;
      // of its favourable side only the close is known to follow the entry.
      touch(o, o.t.side == side::long_side ? b.low : b.high);
      touch(o, b.close);
    }
    return true;
  }

  void mark_to_market(fixed close) {
    fixed eq = cash_;
    for (const auto& o : open_) {
      fixed diff = o.t.side == side::long_side ? close - o.t.entry_price : o.t.entry_price - close;
      eq += position_value(o, diff);
    }
    equity_ = eq;
    curve_[bar_] = {now(), eq, drawdown_(eq)};
  }

  const bar_series& bars_;
  const execution_settings exec_;
  const fixed slippage_;
  fixed cash_, equity_;
  std::size_t bar_ = 0;
  std::size_t first_bar_ = 0; ///< the first bar simulate() runs (after a warm-up)
  std::vector<order_slot> orders_;
  std::vector<order_id> working_;
  entry_bounds entry_bounds_;
  std::uint64_t order_events_ = 0;
  std::vector<open_trade> open_;
  fixed target_;
  bool has_target_ = false;
  drawdown_meter drawdown_;
  decision_recorder recorder_;
  engine_output out_;
  equity_point* curve_ = nullptr; ///< out_.equity's points, one per bar
};

} // namespace

void fill_drawdowns(equity_curve& curve, fixed initial) {
  drawdown_meter drawdown(initial);
  for (equity_point& p : curve)
    p.drawdown_pct = drawdown(p.equity);
}

engine_output run_engine(const bar_series& bars, strategy& strat, const execution_settings& exec,
                         run_observer* observer, std::size_t first_entry_bar) {
  engine e(bars, exec);
  return e.run(strat, observer, first_entry_bar);
}

} // namespace bt
