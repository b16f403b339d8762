#include "domain/evaluation/paper_deployment.hpp"

#include "domain/metrics/metrics.hpp"
#include "domain/strategies/registry.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace bt {

namespace {

fixed scaled(fixed quantity, fixed factor, fixed step) {
  return floor_to_step(mul(quantity, factor), step);
}

/// The broker a sized strategy sees: every quantity it asks for times the
/// factor of the bar it decides on.
class scaled_broker final : public broker {
public:
  scaled_broker(broker& inner, fixed factor) : inner_(inner), factor_(factor) {}
  order_id submit(const entry_order& order) override {
    entry_order o = order;
    o.quantity = scaled(order.quantity, factor_, inner_.execution().quantity_step);
    if (o.quantity < inner_.execution().quantity_step) {
      inner_.skip_signal();
      return -1; // no such order: its status reads cancelled
    }
    return inner_.submit(o);
  }
  void cancel(order_id id) override { inner_.cancel(id); }
  order_status status(order_id id) const override { return inner_.status(id); }
  std::uint64_t order_events() const override { return inner_.order_events(); }
  void target_position(fixed signed_quantity) override {
    const bool short_side = signed_quantity.units < 0;
    const fixed q = scaled(short_side ? -signed_quantity : signed_quantity, factor_,
                           inner_.execution().quantity_step);
    if (signed_quantity.units != 0 && q.units == 0)
      inner_.skip_signal(); // flat instead: the halved size is below one step
    inner_.target_position(short_side ? -q : q);
  }
  fixed equity() const override { return inner_.equity(); }
  std::size_t open_trade_count() const override { return inner_.open_trade_count(); }
  void skip_signal() override { inner_.skip_signal(); }
  const execution_settings& execution() const override { return inner_.execution(); }

private:
  broker& inner_;
  fixed factor_;
};

class sized final : public strategy {
public:
  sized(std::unique_ptr<strategy> inner, std::vector<size_change> schedule)
      : inner_(std::move(inner)), schedule_(std::move(schedule)) {}
  void prepare(std::size_t bars) override { inner_->prepare(bars); }
  void on_bar(const market_view& market, broker& orders) override {
    const unix_time now = market.time(market.size() - 1);
    double factor = 1;
    for (const auto& c : schedule_)
      if (c.from <= now)
        factor = c.factor;
    if (factor == 1) {
      inner_->on_bar(market, orders);
      return;
    }
    scaled_broker scaled_orders(orders, fixed::from_double(factor));
    inner_->on_bar(market, scaled_orders);
  }
  const zone_list& zones() const override { return inner_->zones(); }
  zone_list take_zones() override { return inner_->take_zones(); }

private:
  std::unique_ptr<strategy> inner_;
  std::vector<size_change> schedule_;
};

/// The first bar the deployment trades: the first of the UTC day after the
/// one it was deployed on (a decision made on a day's data acts from the
/// next day, so a deployment's days are whole days).
unix_time first_trading_time(const paper_deployment& d) {
  return utc_day(d.deployed_at) + seconds_per_day;
}

} // namespace

std::unique_ptr<strategy> sized_strategy(std::unique_ptr<strategy> inner,
                                         std::vector<size_change> schedule) {
  return std::make_unique<sized>(std::move(inner), std::move(schedule));
}

namespace {

/// The last close of `bars` at or before `t`, if any.
std::optional<double> close_at(const bar_series& bars, unix_time t) {
  const unix_time* times = bars.times();
  const auto it = std::upper_bound(times, times + bars.size(), t);
  if (it == times)
    return std::nullopt;
  return bars.closes()[it - times - 1].to_double();
}

} // namespace

forward_run run_forward(const bar_series& all, const paper_deployment& d,
                        const benchmark_basket* benchmark) {
  forward_run r;
  r.initial = d.config.execution.initial_capital;
  const unix_time trade_from = first_trading_time(d);
  const unix_time to = d.ended_at.value_or(std::numeric_limits<unix_time>::max());
  const bar_series bars = all.slice(d.history_from, to);
  const unix_time* t = bars.times();
  const std::size_t first =
      static_cast<std::size_t>(std::lower_bound(t, t + bars.size(), trade_from) - t);
  r.complete_last_day = d.ended_at.has_value()
                        || (bars.size() > 0 && all.size() > 0
                            && utc_day(all.times()[all.size() - 1]) > utc_day(t[bars.size() - 1]));
  const double capital = r.initial.to_double();
  r.days.push_back({utc_day(d.deployed_at), capital, capital});
  if (first >= bars.size())
    return r;
  // Buy and hold from the last price before it trades.
  const double reference = (first > 0 ? bars.closes()[first - 1] : bars.opens()[first]).to_double();
  auto strat = sized_strategy(make_strategy(*d.config.strategy, d.config.params), d.sizing);
  engine_output whole = run_engine(bars, *strat, d.config.execution, nullptr, first);
  r.output.trades = std::move(whole.trades);
  r.output.equity.assign(whole.equity.begin() + static_cast<std::ptrdiff_t>(first),
                         whole.equity.end());
  r.output.skipped_signals = whole.skipped_signals;
  r.output.bars_in_market = whole.bars_in_market;
  fill_drawdowns(r.output.equity, r.initial);
  // A basket's legs from their last closes before trading began.
  std::vector<std::pair<double, double>> legs; // reference close, weight
  double weights = 0;
  bool basket_known = true;
  if (benchmark && !benchmark->empty())
    for (const auto& leg : *benchmark) {
      const auto ref = close_at(leg.bars, trade_from - 1);
      basket_known = basket_known && ref && *ref > 0;
      legs.emplace_back(ref.value_or(0), leg.weight);
      weights += leg.weight;
    }
  auto basket_value = [&](unix_time day) {
    if (!basket_known || weights <= 0)
      return 0.0;
    double v = 0;
    for (std::size_t k = 0; k < legs.size(); ++k) {
      const auto now = close_at((*benchmark)[k].bars, day + seconds_per_day - 1);
      v += legs[k].second * now.value_or(legs[k].first) / legs[k].first;
    }
    return capital * v / weights;
  };
  for (std::size_t i = first; i < bars.size(); ++i) {
    const unix_time day = utc_day(t[i]);
    const double equity = r.output.equity[i - first].equity.to_double();
    const double bench =
        !legs.empty() ? (i + 1 == bars.size() || utc_day(t[i + 1]) != day ? basket_value(day) : 0.0)
        : reference > 0 ? capital * bars.closes()[i].to_double() / reference
                        : 0;
    if (r.days.back().day == day)
      r.days.back() = {day, equity, bench};
    else
      r.days.push_back({day, equity, bench});
  }
  return r;
}

advance_result advance(const bar_series& bars, paper_deployment& d, risk_state& state,
                       unix_time& judged_through, const risk_settings& s,
                       const benchmark_basket* benchmark) {
  advance_result out;
  out.run = run_forward(bars, d, benchmark);
  if (d.ended_at)
    return out;
  std::size_t k = 1; // the start is never judged: it is the capital
  for (;;) {
    const auto& days = out.run.days;
    const std::size_t closed = out.run.complete_last_day ? days.size() : days.size() - 1;
    while (k < closed && days[k].day <= judged_through)
      ++k;
    if (k >= closed || !state.active)
      break;
    const std::vector<deployment_day> seen(days.begin(), days.begin() + static_cast<long>(k) + 1);
    const auto decisions = judge_day(seen, d.expected_sharpe, state, s);
    judged_through = days[k].day;
    bool rerun = false;
    for (const auto& decision : decisions) {
      out.decisions.push_back(decision);
      if (decision.action == risk_action::halve_size) {
        d.sizing.push_back({days[k].day + seconds_per_day, state.size_factor});
        rerun = true;
      } else if (decision.action == risk_action::deactivate) {
        d.ended_at = days[k].day + seconds_per_day - 1;
        rerun = true;
      }
    }
    if (rerun) // the days up to this one are unchanged: sizes change from tomorrow
      out.run = run_forward(bars, d, benchmark);
    ++k;
  }
  return out;
}

std::vector<std::pair<unix_time, double>>
configuration_daily_returns(const bar_series& bars, const paper_deployment& d, unix_time from) {
  paper_deployment probe = d;
  probe.deployed_at = from - seconds_per_day; // trades from the day of `from`
  probe.sizing.clear();
  probe.ended_at.reset();
  const forward_run run = run_forward(bars, probe);
  std::vector<std::pair<unix_time, double>> out;
  for (std::size_t i = 1; i < run.days.size(); ++i)
    if (run.days[i - 1].equity > 0)
      out.emplace_back(run.days[i].day, run.days[i].equity / run.days[i - 1].equity - 1.0);
  return out;
}

} // namespace bt
