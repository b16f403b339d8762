#include "domain/data/synthetic_bars.hpp"

#include "domain/data/instrument.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace bt {
namespace {

class normal_source {
public:
  explicit normal_source(std::uint64_t seed) : rng_(seed) {}
  double uniform() {
    return (static_cast<double>(rng_() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform(), u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2 * M_PI * u2);
  }

private:
  std::mt19937_64 rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Relative activity by UTC hour: quiet Asia, busier London, busiest NY.
double seasonality(unix_time t) {
  int h = static_cast<int>(floor_div(t, 3600) % 24);
  if (h >= 13 && h < 17)
    return 1.6;
  if (h >= 7 && h < 13)
    return 1.15;
  if (h >= 17 && h < 21)
    return 0.9;
  return 0.65;
}

} // namespace

bar_series generate_bars(const synthetic_spec& spec) {
  const instrument inst = lookup_instrument(spec.symbol);
  const trading_calendar calendar(inst.calendar);
  const unix_time step = seconds_of(spec.timeframe);
  const double tick = inst.tick_size.to_double();
  const double bar_scale = std::sqrt(static_cast<double>(step) / 3600.0);
  normal_source rnd(spec.seed);

  bar_series out(spec.symbol, spec.timeframe);
  out.reserve(spec.bars);
  constexpr double target_var = 0.0021 * 0.0021; // ~0.21% per hour
  constexpr double alpha = 0.06, beta = 0.92;
  const double omega = target_var * (1 - alpha - beta);
  double var = target_var, last_shock = 0;
  double price = spec.start_price;
  double drift = 0;
  int regime_left = 0;
  auto to_tick = [&](double p) { return std::max(tick, std::round(p / tick) * tick); };
  auto to_fixed = [&](double p) { return round_to_step(fixed::from_double(p), inst.tick_size); };

  unix_time t = floor_div(spec.start, step) * step;
  unix_time previous = t - step;
  while (out.size() < spec.bars) {
    if (!calendar.expects_bar(t, step)) {
      t = std::max(t + step, floor_div(calendar.next_open(t), step) * step);
      continue;
    }
    if (--regime_left <= 0) {
      regime_left = 80 + static_cast<int>(rnd.uniform() * 400);
      drift = (rnd.uniform() - 0.5) * 0.0006;
    }
    var = omega + alpha * last_shock * last_shock + beta * var;
    const double sigma = std::sqrt(var) * seasonality(t) * bar_scale;
    // A session reopening after a break starts with a gap.
    double open = price;
    if (t - previous > step)
      open = price * (1 + rnd.next() * sigma * 0.8);
    open = to_tick(open);
    double p = open, hi = open, lo = open;
    constexpr int steps = 12;
    double shock = 0;
    for (int k = 0; k < steps; ++k) {
      double z = rnd.next();
      shock += z;
      p *= 1 + drift / steps + sigma * z / std::sqrt(static_cast<double>(steps));
      hi = std::max(hi, p);
      lo = std::min(lo, p);
    }
    last_shock = std::sqrt(var) * shock / std::sqrt(static_cast<double>(steps));
    double close = to_tick(p);
    hi = std::max(to_tick(hi), std::max(open, close));
    lo = std::min(to_tick(lo), std::min(open, close));
    double volume =
        std::round(std::exp(6.5 + 0.45 * rnd.next()) * seasonality(t) * (1 + 40 * sigma));
    out.push_back(bar{t, to_fixed(open), to_fixed(hi), to_fixed(lo), to_fixed(close),
                      fixed::from_int(static_cast<std::int64_t>(volume))});
    price = close;
    previous = t;
    t += step;
  }
  return out;
}

} // namespace bt
