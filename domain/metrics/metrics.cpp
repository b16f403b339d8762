#include "domain/metrics/metrics.hpp"

#include "domain/report/json_writer.hpp"

#include <cmath>
#include <vector>

namespace bt {
namespace {

// Mean of `sum` over `n` items, rounded to 8 decimals.
fixed mean(fixed sum, std::int64_t n) {
  return fixed{static_cast<std::int64_t>(std::llround(static_cast<long double>(sum.units) / n))};
}

void round_ratios(metrics& m) {
  for (std::optional<double>* v :
       {&m.win_rate, &m.avg_r_multiple, &m.profit_factor, &m.cagr_pct, &m.sharpe_ratio,
        &m.sortino_ratio, &m.calmar_ratio, &m.avg_holding_bars})
    if (*v)
      **v = round_places(**v);
  m.total_return_pct = round_places(m.total_return_pct);
  m.max_drawdown_pct = round_places(m.max_drawdown_pct);
  m.exposure_pct = round_places(m.exposure_pct);
}

} // namespace

double mean_of(const std::vector<double>& r) {
  double sum = 0;
  for (double x : r)
    sum += x;
  return sum / static_cast<double>(r.size());
}

double sample_variance(const std::vector<double>& r, double mean) {
  double squares = 0;
  for (double x : r)
    squares += (x - mean) * (x - mean);
  return squares / static_cast<double>(r.size() - 1);
}

namespace {

/// Calls f(day, return) for each UTC day of the curve: from one day's last
/// equity to the next's, the first from `initial`.
template <class F>
void each_daily_return(const equity_curve& curve, fixed initial, F&& f) {
  if (curve.empty())
    return;
  // A point is its day's last when the next one opens at or after the end
  // of the day: one comparison a point, a division a day.
  auto end_of_day = [](unix_time t) {
    return (floor_div(t, seconds_per_day) + 1) * seconds_per_day;
  };
  double previous = initial.to_double();
  unix_time day_end = end_of_day(curve[0].time);
  for (std::size_t i = 0; i < curve.size(); ++i) {
    if (i + 1 < curve.size() && curve[i + 1].time < day_end)
      continue;
    const double close = curve[i].equity.to_double();
    f(day_end - seconds_per_day, previous > 0 ? close / previous - 1.0 : 0.0);
    previous = close;
    if (i + 1 < curve.size())
      day_end = end_of_day(curve[i + 1].time);
  }
}

std::size_t days_spanned(const equity_curve& curve) {
  return curve.empty()
             ? 0
             : static_cast<std::size_t>((curve.back().time - curve.front().time) / seconds_per_day)
                   + 2;
}

} // namespace

std::vector<double> daily_returns(const equity_curve& curve, fixed initial) {
  std::vector<double> r;
  r.reserve(days_spanned(curve));
  each_daily_return(curve, initial, [&](unix_time, double x) { r.push_back(x); });
  return r;
}

std::vector<std::pair<unix_time, double>> daily_returns_by_day(const equity_curve& curve,
                                                               fixed initial) {
  std::vector<std::pair<unix_time, double>> r;
  r.reserve(days_spanned(curve));
  each_daily_return(curve, initial, [&](unix_time day, double x) { r.emplace_back(day, x); });
  return r;
}

metrics compute_metrics(const engine_output& run, fixed initial, unix_time bar_seconds,
                        std::vector<double>* returns_out) {
  metrics m;
  m.skipped_signals = run.skipped_signals;
  m.total_trades = static_cast<std::int64_t>(run.trades.size());
  std::int64_t streak = 0, with_r = 0, holding = 0;
  double r_sum = 0;
  fixed pnl_sum;
  for (const auto& t : run.trades) {
    pnl_sum += t.pnl;
    m.total_commission += t.commission;
    holding += t.holding_bars;
    if (t.r_multiple) {
      r_sum += *t.r_multiple;
      ++with_r;
    }
    if (t.pnl.units > 0) {
      ++m.winning_trades;
      m.gross_profit += t.pnl;
      if (!m.largest_win || t.pnl > *m.largest_win)
        m.largest_win = t.pnl;
      streak = 0;
    } else if (t.pnl.units < 0) {
      ++m.losing_trades;
      m.gross_loss += t.pnl;
      if (!m.largest_loss || t.pnl < *m.largest_loss)
        m.largest_loss = t.pnl;
      m.max_consecutive_losses = std::max(m.max_consecutive_losses, ++streak);
    }
  }
  if (m.total_trades > 0) {
    m.win_rate =
        100.0 * static_cast<double>(m.winning_trades) / static_cast<double>(m.total_trades);
    m.expectancy = mean(pnl_sum, m.total_trades);
    m.avg_holding_bars = static_cast<double>(holding) / static_cast<double>(m.total_trades);
  }
  if (with_r > 0)
    m.avg_r_multiple = r_sum / static_cast<double>(with_r);
  if (m.gross_loss.units < 0)
    m.profit_factor = m.gross_profit.to_double() / -m.gross_loss.to_double();
  if (m.winning_trades > 0)
    m.avg_win = mean(m.gross_profit, m.winning_trades);
  if (m.losing_trades > 0)
    m.avg_loss = mean(m.gross_loss, m.losing_trades);

  const auto& curve = run.equity;
  m.final_equity = curve.empty() ? initial : curve.back().equity;
  m.net_profit = m.final_equity - initial;
  m.total_return_pct = m.net_profit.to_double() / initial.to_double() * 100.0;
  if (!curve.empty())
    m.exposure_pct =
        100.0 * static_cast<double>(run.bars_in_market) / static_cast<double>(curve.size());

  // Max drawdown, peak-to-trough, with the initial capital as the first
  // peak: the engine already measured each point's drawdown from that peak.
  fixed peak = initial;
  unix_time peak_time = curve.empty() ? 0 : curve.front().time;
  double worst = 0;
  fixed worst_peak_value;
  for (const auto& p : curve) {
    if (p.equity > peak) {
      peak = p.equity;
      peak_time = p.time;
    }
    if (p.drawdown_pct > worst) {
      worst = p.drawdown_pct;
      worst_peak_value = peak;
      m.max_drawdown_peak = peak_time;
      m.max_drawdown_trough = p.time;
      m.max_drawdown_recovery.reset();
    } else if (m.max_drawdown_trough && !m.max_drawdown_recovery && p.time > *m.max_drawdown_trough
               && p.equity >= worst_peak_value) {
      m.max_drawdown_recovery = p.time;
    }
  }
  m.max_drawdown_pct = worst;

  std::vector<double> r = daily_returns(curve, initial);
  if (r.size() >= 2) {
    const double mu = mean_of(r);
    double down = 0;
    for (double x : r)
      if (x < 0)
        down += x * x;
    double sd = std::sqrt(sample_variance(r, mu));
    double dd = std::sqrt(down / static_cast<double>(r.size()));
    if (sd > 0)
      m.sharpe_ratio = mu / sd * std::sqrt(252.0);
    if (dd > 0)
      m.sortino_ratio = mu / dd * std::sqrt(252.0);

    double years = static_cast<double>(curve.back().time + bar_seconds - curve.front().time)
                   / (365.25 * seconds_per_day);
    double growth = m.final_equity.to_double() / initial.to_double();
    m.cagr_pct = growth > 0 ? (std::pow(growth, 1.0 / years) - 1.0) * 100.0 : -100.0;
    if (worst > 0)
      m.calmar_ratio = *m.cagr_pct / worst;
  }
  round_ratios(m);
  if (returns_out)
    *returns_out = std::move(r);
  return m;
}

void write_metrics(json_writer& w, const metrics& m) {
  w.begin_object();
  w.key("total_trades").number(m.total_trades);
  w.key("winning_trades").number(m.winning_trades);
  w.key("losing_trades").number(m.losing_trades);
  w.key("win_rate").optional(m.win_rate);
  w.key("avg_r_multiple").optional(m.avg_r_multiple);
  w.key("expectancy").optional(m.expectancy);
  w.key("profit_factor").optional(m.profit_factor);
  w.key("gross_profit").number(m.gross_profit);
  w.key("gross_loss").number(m.gross_loss);
  w.key("net_profit").number(m.net_profit);
  w.key("final_equity").number(m.final_equity);
  w.key("total_return_pct").number(m.total_return_pct);
  w.key("cagr_pct").optional(m.cagr_pct);
  w.key("sharpe_ratio").optional(m.sharpe_ratio);
  w.key("sortino_ratio").optional(m.sortino_ratio);
  w.key("max_drawdown_pct").number(m.max_drawdown_pct);
  w.key("max_drawdown_peak").timestamp(m.max_drawdown_peak);
  w.key("max_drawdown_trough").timestamp(m.max_drawdown_trough);
  w.key("max_drawdown_recovery").timestamp(m.max_drawdown_recovery);
  w.key("calmar_ratio").optional(m.calmar_ratio);
  w.key("avg_win").optional(m.avg_win);
  w.key("avg_loss").optional(m.avg_loss);
  w.key("largest_win").optional(m.largest_win);
  w.key("largest_loss").optional(m.largest_loss);
  w.key("max_consecutive_losses").number(m.max_consecutive_losses);
  w.key("avg_holding_bars").optional(m.avg_holding_bars);
  w.key("exposure_pct").number(m.exposure_pct);
  w.key("total_commission").number(m.total_commission);
  w.key("skipped_signals").number(m.skipped_signals);
  w.end_object();
}

namespace {

template <class T>
std::optional<double> as_number(const std::optional<T>& v) {
  if (!v)
    return std::nullopt;
  if constexpr (std::is_same_v<T, fixed>)
    return v->to_double();
  else
    return static_cast<double>(*v);
}

/// Every numeric metric of the document by its key, in document order.
struct named_metric {
  std::string_view name;
  std::optional<double> (*value)(const metrics&);
};

const std::vector<named_metric>& numeric_metrics() {
  static const std::vector<named_metric> all{
      {"total_trades",
       [](const metrics& m) -> std::optional<double> {
         return static_cast<double>(m.total_trades);
       }},
      {"winning_trades",
       [](const metrics& m) -> std::optional<double> {
         return static_cast<double>(m.winning_trades);
       }},
      {"losing_trades",
       [](const metrics& m) -> std::optional<double> {
         return static_cast<double>(m.losing_trades);
       }},
      {"win_rate", [](const metrics& m) -> std::optional<double> { return m.win_rate; }},
      {"avg_r_multiple",
       [](const metrics& m) -> std::optional<double> { return m.avg_r_multiple; }},
      {"expectancy",
       [](const metrics& m) -> std::optional<double> { return as_number(m.expectancy); }},
      {"profit_factor", [](const metrics& m) -> std::optional<double> { return m.profit_factor; }},
      {"gross_profit",
       [](const metrics& m) -> std::optional<double> { return m.gross_profit.to_double(); }},
      {"gross_loss",
       [](const metrics& m) -> std::optional<double> { return m.gross_loss.to_double(); }},
      {"net_profit",
       [](const metrics& m) -> std::optional<double> { return m.net_profit.to_double(); }},
      {"final_equity",
       [](const metrics& m) -> std::optional<double> { return m.final_equity.to_double(); }},
      {"total_return_pct",
       [](const metrics& m) -> std::optional<double> { return m.total_return_pct; }},
      {"cagr_pct", [](const metrics& m) -> std::optional<double> { return m.cagr_pct; }},
      {"sharpe_ratio", [](const metrics& m) -> std::optional<double> { return m.sharpe_ratio; }},
      {"sortino_ratio", [](const metrics& m) -> std::optional<double> { return m.sortino_ratio; }},
      {"max_drawdown_pct",
       [](const metrics& m) -> std::optional<double> { return m.max_drawdown_pct; }},
      {"calmar_ratio", [](const metrics& m) -> std::optional<double> { return m.calmar_ratio; }},
      {"avg_win", [](const metrics& m) -> std::optional<double> { return as_number(m.avg_win); }},
      {"avg_loss", [](const metrics& m) -> std::optional<double> { return as_number(m.avg_loss); }},
      {"largest_win",
       [](const metrics& m) -> std::optional<double> { return as_number(m.largest_win); }},
      {"largest_loss",
       [](const metrics& m) -> std::optional<double> { return as_number(m.largest_loss); }},
      {"max_consecutive_losses",
       [](const metrics& m) -> std::optional<double> {
         return static_cast<double>(m.max_consecutive_losses);
       }},
      {"avg_holding_bars",
       [](const metrics& m) -> std::optional<double> { return m.avg_holding_bars; }},
      {"exposure_pct", [](const metrics& m) -> std::optional<double> { return m.exposure_pct; }},
      {"total_commission",
       [](const metrics& m) -> std::optional<double> { return m.total_commission.to_double(); }},
      {"skipped_signals",
       [](const metrics& m) -> std::optional<double> {
         return static_cast<double>(m.skipped_signals);
       }},
  };
  return all;
}

const named_metric* find_metric(std::string_view name) {
  for (const auto& m : numeric_metrics())
    if (m.name == name)
      return &m;
  return nullptr;
}

} // namespace

std::optional<double> metric_value(const metrics& m, std::string_view name) {
  const named_metric* found = find_metric(name);
  return found ? found->value(m) : std::nullopt;
}

bool is_metric(std::string_view name) {
  return find_metric(name) != nullptr;
}

const std::vector<std::string>& numeric_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& m : numeric_metrics())
      out.emplace_back(m.name);
    return out;
  }();
  return names;
}

} // namespace bt
