#include "domain/research/monte_carlo.hpp"

#include "domain/data/large_block.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/research/parallel.hpp"
#include "domain/research/random_stream.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bt {

field_errors parse_monte_carlo_spec(const boost::json::value& given, monte_carlo_spec& out) {
  if (!given.is_object())
    return {{"", "the Monte Carlo specification must be a JSON object"}};
  const auto& o = given.as_object();
  for (const auto& kv : o)
    if (kv.key() != "simulations" && kv.key() != "method" && kv.key() != "seed"
        && kv.key() != "block_days" && kv.key() != "ruin_drawdown_pct")
      return {{std::string(kv.key()), "unknown field"}};
  auto whole = [&](const char* key, std::int64_t lo, std::int64_t hi,
                   std::int64_t& v) -> std::optional<field_error> {
    const auto* x = o.if_contains(key);
    if (!x)
      return std::nullopt;
    if (!x->is_int64() || x->as_int64() < lo || x->as_int64() > hi)
      return field_error{key, "must be a whole number from " + std::to_string(lo) + " to "
                                  + std::to_string(hi)};
    v = x->as_int64();
    return std::nullopt;
  };
  std::int64_t n = static_cast<std::int64_t>(out.simulations);
  if (auto e = whole("simulations", 1, max_monte_carlo_simulations, n))
    return {*e};
  out.simulations = static_cast<std::size_t>(n);
  if (!o.contains("seed"))
    return {{"seed", "required: the same seed gives the same simulations"}};
  std::int64_t seed = 0;
  if (auto e = whole("seed", 0, INT64_MAX, seed))
    return {*e};
  out.seed = static_cast<std::uint64_t>(seed);
  if (const auto* m = o.if_contains("method")) {
    if (!m->is_string())
      return {{"method", "must be shuffle, bootstrap or block_bootstrap"}};
    const auto& s = m->as_string();
    if (s == "shuffle")
      out.method = monte_carlo_method::shuffle;
    else if (s == "bootstrap")
      out.method = monte_carlo_method::bootstrap;
    else if (s == "block_bootstrap")
      out.method = monte_carlo_method::block_bootstrap;
    else
      return {{"method", "must be shuffle, bootstrap or block_bootstrap"}};
  }
  std::int64_t block = static_cast<std::int64_t>(out.block_days);
  if (auto e = whole("block_days", 1, 365, block))
    return {*e};
  out.block_days = static_cast<std::size_t>(block);
  if (o.contains("block_days") && out.method != monte_carlo_method::block_bootstrap)
    return {{"block_days", "only for method block_bootstrap"}};
  if (const auto* r = o.if_contains("ruin_drawdown_pct")) {
    const double v = r->is_int64()    ? static_cast<double>(r->as_int64())
                     : r->is_double() ? r->as_double()
                                      : -1;
    if (!(v > 0 && v <= 100))
      return {{"ruin_drawdown_pct", "must be a number above 0 and at most 100"}};
    out.ruin_drawdown_pct = v;
  }
  return {};
}

namespace {

/// One simulation's path statistics, gathered step by step. The deepest
/// drawdown below a peak is at its lowest equity, so the ratio is taken once
/// per peak (when it is left behind for good, or at the end), not per step.
struct path_stats {
  double peak, trough, worst_drawdown = 0; // fraction of the peak
  std::size_t since_peak = 0, longest = 0;
  bool ruined = false;

  explicit path_stats(double initial_capital) : peak(initial_capital), trough(initial_capital) {}
  void step(double equity) {
    if (equity <= 0)
      ruined = true;
    if (equity >= peak) {
      close_peak();
      peak = trough = equity;
      since_peak = 0;
      return;
    }
    trough = std::min(trough, equity);
    longest = std::max(longest, ++since_peak);
  }
  void close_peak() {
    if (trough < peak && peak > 0)
      worst_drawdown = std::max(worst_drawdown, (peak - trough) / peak);
  }
};

/// Selects the order statistics `at[first..last)` (ascending ranks) of
/// v[a, b) of the n values, and beside each the next one up: the middle rank
/// first, then each side within its own part, so every selection works on a
/// shrinking range. A part's end b is n or a rank already selected.
void select_ranks(double* v, std::size_t n, std::size_t a, std::size_t b, const std::size_t* at,
                  std::size_t first, std::size_t last, double* value, double* next) {
  if (first >= last)
    return;
  const std::size_t mid = first + (last - first) / 2, m = at[mid];
  std::nth_element(v + a, v + m, v + b);
  value[mid] = v[m];
  // What lies in [m + 1, b) is at least v[m] and at most v[b]: the next order
  // statistic is the least of it, or, when that is empty, v[b] itself.
  next[mid] = m + 1 < b ? *std::min_element(v + m + 1, v + b) : b < n ? v[b] : v[m];
  select_ranks(v, n, a, m, at, first, mid, value, next);
  select_ranks(v, n, m + 1, b, at, mid + 1, last, value, next);
}

template <std::size_t N>
std::array<double, N> percentiles_of(double* v, std::size_t n, const std::array<int, N>& percents) {
  std::array<double, N> out{};
  bt::percentiles_of(v, n, percents.data(), N, out.data());
  return out;
}

/// Uninitialised doubles in large pages: the fan chart's matrix is tens of
/// megabytes, and zeroing and faulting it in page by page cost more than the
/// simulations (every cell is written before it is read).
class large_doubles {
public:
  explicit large_doubles(std::size_t n)
      : n_(n), p_(n ? static_cast<double*>(allocate_large(n * sizeof(double))) : nullptr) {}
  ~large_doubles() {
    if (p_)
      free_large(p_, n_ * sizeof(double));
  }
  large_doubles(const large_doubles&) = delete;
  large_doubles& operator=(const large_doubles&) = delete;
  double* data() { return p_; }

private:
  std::size_t n_;
  double* p_;
};

/// The steps the fan chart samples: 0, then m evenly spaced steps up to n.
std::vector<std::size_t> fan_steps(std::size_t steps, std::size_t simulations) {
  const std::size_t by_memory = std::max<std::size_t>(1, max_fan_values / simulations);
  const std::size_t m = std::min({steps, max_fan_steps, by_memory});
  std::vector<std::size_t> out{0};
  for (std::size_t k = 1; k <= m; ++k)
    out.push_back((k * steps + m - 1) / m); // ceil: the last is `steps`
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// The values' counts in equal bins between their least and greatest, the
/// edges rounded to `places` as the percentiles are.
monte_carlo_result::histogram histogram_of(const std::vector<double>& values, int places) {
  monte_carlo_result::histogram h;
  if (values.empty())
    return h;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const std::size_t bins = *hi > *lo ? monte_carlo_histogram_bins : 1;
  const double width = (*hi - *lo) / static_cast<double>(bins);
  h.from = round_places(*lo, places);
  h.width = round_places(width, places);
  h.counts.assign(bins, 0);
  for (double v : values) {
    const auto bin = width > 0 ? static_cast<std::size_t>((v - *lo) / width) : 0;
    ++h.counts[std::min(bin, bins - 1)];
  }
  return h;
}

/// Runs `simulate(k, record)` for every simulation, where `record(step,
/// equity)` is called for every step 1..steps in order, and reduces.
template <class Simulate>
monte_carlo_result reduce(std::size_t steps, double initial, const monte_carlo_spec& spec,
                          unsigned threads, Simulate simulate) {
  monte_carlo_result r;
  r.simulations = spec.simulations;
  r.steps = steps;
  const std::vector<std::size_t> sampled = fan_steps(steps, spec.simulations);
  // Row k holds simulation k's equity at each sampled step after 0: written
  // in order while it runs, read a block of columns at a time afterwards.
  const std::size_t columns = sampled.size() - 1;
  large_doubles fan(columns * spec.simulations);
  std::vector<double> finals(spec.simulations), returns(spec.simulations),
      drawdowns(spec.simulations), longest(spec.simulations);
  std::vector<std::uint8_t> ruined(spec.simulations), losing(spec.simulations);
  // Simulation k draws from its own stream and writes only its own slots.
  for_each_range(spec.simulations, threads, [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to; ++k) {
      path_stats p(initial);
      std::size_t next_sample = 1;
      double equity = initial;
      double* row = fan.data() + k * columns;
      simulate(k, [&](std::size_t step, double e) {
        equity = e;
        p.step(e);
        if (next_sample < sampled.size() && sampled[next_sample] == step)
          row[next_sample++ - 1] = e;
      });
      p.close_peak();
      finals[k] = equity;
      returns[k] = initial > 0 ? (equity - initial) / initial * 100.0 : 0.0;
      drawdowns[k] = p.worst_drawdown * 100.0;
      longest[k] = static_cast<double>(p.longest);
      ruined[k] = p.ruined || drawdowns[k] >= spec.ruin_drawdown_pct;
      losing[k] = equity < initial;
    }
  });
  // Before the percentiles, which reorder the values.
  r.final_equity_histogram = histogram_of(finals, 8);
  r.max_drawdown_histogram = histogram_of(drawdowns, 10);
  auto fill = [](std::vector<double>& values, std::array<double, 7>& out, int places) {
    out = percentiles_of(values.data(), values.size(), monte_carlo_percentiles);
    for (double& v : out)
      v = round_places(v, places);
  };
  fill(finals, r.final_equity, 8);
  fill(returns, r.total_return_pct, 10);
  fill(drawdowns, r.max_drawdown_pct, 10);
  fill(longest, r.longest_drawdown_steps, 10);
  const auto count = [](const std::vector<std::uint8_t>& flags) {
    return static_cast<double>(std::count(flags.begin(), flags.end(), std::uint8_t{1}));
  };
  r.probability_of_ruin = round_places(count(ruined) / static_cast<double>(spec.simulations), 10);
  r.probability_of_loss = round_places(count(losing) / static_cast<double>(spec.simulations), 10);
  r.fan.resize(columns + 1);
  r.fan[0] = {0, {initial, initial, initial, initial, initial}};
  // Blocks of columns, each thread its own; a block's columns are gathered
  // in one pass over the rows.
  constexpr std::size_t block = 8;
  const std::size_t blocks = (columns + block - 1) / block;
  for_each_range(blocks, threads, [&](std::size_t from, std::size_t to) {
    std::vector<std::vector<double>> gathered(block, std::vector<double>(spec.simulations));
    for (std::size_t b = from; b < to; ++b) {
      const std::size_t c0 = b * block, width = std::min(block, columns - c0);
      for (std::size_t k = 0; k < spec.simulations; ++k)
        for (std::size_t c = 0; c < width; ++c)
          gathered[c][k] = fan.data()[k * columns + c0 + c];
      for (std::size_t c = 0; c < width; ++c) {
        monte_carlo_result::fan_step& f = r.fan[c0 + c + 1];
        f.step = sampled[c0 + c + 1];
        f.equity = percentiles_of(gathered[c].data(), gathered[c].size(), fan_bands);
        for (double& v : f.equity)
          v = round_places(v, 8);
      }
    }
  });
  return r;
}

} // namespace

void percentiles_of(double* v, std::size_t n, const int* percents, std::size_t count, double* out) {
  std::fill(out, out + count, 0.0);
  if (n == 0 || count == 0)
    return;
  std::vector<std::size_t> lo(count), ranks;
  std::vector<double> h(count);
  for (std::size_t i = 0; i < count; ++i) {
    h[i] = (static_cast<double>(n) - 1) * percents[i] / 100.0;
    lo[i] = static_cast<std::size_t>(std::floor(h[i]));
    if (ranks.empty() || ranks.back() != lo[i]) // equal ranks (few values) selected once
      ranks.push_back(lo[i]);
  }
  std::vector<double> rank_value(ranks.size()), rank_next(ranks.size());
  select_ranks(v, n, 0, n, ranks.data(), 0, ranks.size(), rank_value.data(), rank_next.data());
  for (std::size_t i = 0, r = 0; i < count; ++i) {
    while (ranks[r] != lo[i])
      ++r;
    const double value = rank_value[r];
    const double next = lo[i] + 1 < n ? rank_next[r] : value;
    out[i] = value + (h[i] - static_cast<double>(lo[i])) * (next - value);
  }
}

monte_carlo_result simulate_trades(const std::vector<fixed>& pnl, fixed initial_capital,
                                   const monte_carlo_spec& spec, unsigned threads) {
  const std::size_t n = pnl.size();
  return reduce(n, initial_capital.to_double(), spec, threads, [&](std::size_t k, auto&& record) {
    // Each thread its own order, rewritten whole by every simulation.
    thread_local std::vector<std::size_t> order;
    order.resize(n);
    random_stream rng = random_stream::of(spec.seed, k);
    if (spec.method == monte_carlo_method::shuffle) {
      std::iota(order.begin(), order.end(), std::size_t{0});
      for (std::size_t i = n; i > 1; --i) // Fisher-Yates
        std::swap(order[i - 1], order[rng.below(i)]);
    } else {
      for (auto& i : order)
        i = rng.below(n);
    }
    fixed equity = initial_capital; // exact: checked sums of exact P&L
    for (std::size_t i = 0; i < n; ++i) {
      equity += pnl[order[i]];
      record(i + 1, equity.to_double());
    }
  });
}

monte_carlo_result simulate_daily_returns(const std::vector<double>& returns, fixed initial_capital,
                                          const monte_carlo_spec& spec, unsigned threads) {
  const std::size_t n = returns.size();
  return reduce(n, initial_capital.to_double(), spec, threads, [&](std::size_t k, auto&& record) {
    random_stream rng = random_stream::of(spec.seed, k);
    double equity = initial_capital.to_double();
    std::size_t day = 0;
    while (day < n) {
      std::size_t from = rng.below(n);
      for (std::size_t j = 0; j < spec.block_days && day < n; ++j, ++day) {
        equity *= 1.0 + returns[(from + j) % n];
        record(day + 1, equity);
      }
    }
  });
}

void write_monte_carlo(json_writer& w, const monte_carlo_spec& spec, const monte_carlo_result& r) {
  auto distribution = [&](const std::array<double, 7>& values) {
    w.begin_object();
    for (std::size_t i = 0; i < monte_carlo_percentiles.size(); ++i)
      w.key("p" + std::to_string(monte_carlo_percentiles[i])).number(values[i]);
    w.end_object();
  };
  w.begin_object();
  w.key("method").string(spec.method == monte_carlo_method::shuffle     ? "shuffle"
                         : spec.method == monte_carlo_method::bootstrap ? "bootstrap"
                                                                        : "block_bootstrap");
  w.key("simulations").number(static_cast<std::uint64_t>(r.simulations));
  w.key("seed").number(static_cast<std::uint64_t>(spec.seed));
  if (spec.method == monte_carlo_method::block_bootstrap)
    w.key("block_days").number(static_cast<std::uint64_t>(spec.block_days));
  w.key("ruin_drawdown_pct").number(spec.ruin_drawdown_pct);
  w.key("steps").number(static_cast<std::uint64_t>(r.steps));
  w.key("step_unit").string(spec.method == monte_carlo_method::block_bootstrap ? "day" : "trade");
  w.key("final_equity");
  distribution(r.final_equity);
  w.key("total_return_pct");
  distribution(r.total_return_pct);
  w.key("max_drawdown_pct");
  distribution(r.max_drawdown_pct);
  w.key("longest_drawdown_steps");
  distribution(r.longest_drawdown_steps);
  w.key("probability_of_ruin").number(r.probability_of_ruin);
  w.key("probability_of_loss").number(r.probability_of_loss);
  auto histogram = [&](const char* key, const monte_carlo_result::histogram& h) {
    w.key(key).begin_object().key("from").number(h.from).key("width").number(h.width);
    w.key("counts").begin_array();
    for (auto c : h.counts)
      w.number(c);
    w.end_array().end_object();
  };
  histogram("final_equity_histogram", r.final_equity_histogram);
  histogram("max_drawdown_histogram", r.max_drawdown_histogram);
  w.key("fan").begin_array();
  for (const auto& f : r.fan) {
    w.begin_object();
    w.key("step").number(static_cast<std::uint64_t>(f.step));
    for (std::size_t b = 0; b < fan_bands.size(); ++b)
      w.key("p" + std::to_string(fan_bands[b])).number(f.equity[b]);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

} // namespace bt
