#include "domain/report/chart.hpp"

#include <algorithm>

namespace bt {

equity_curve downsample_equity(const equity_curve& curve, std::size_t max_points) {
  max_points = std::max<std::size_t>(max_points, 4);
  if (curve.size() <= max_points)
    return curve;
  equity_curve out;
  out.reserve(max_points);
  out.push_back(curve.front());
  const std::size_t inner = curve.size() - 2;
  const std::size_t buckets = (max_points - 2) / 2;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t from = 1 + inner * b / buckets;
    const std::size_t to = 1 + inner * (b + 1) / buckets; // exclusive
    if (from >= to)
      continue;
    auto lo = from, hi = from;
    for (std::size_t i = from; i < to; ++i) {
      if (curve[i].equity < curve[lo].equity)
        lo = i;
      if (curve[i].equity > curve[hi].equity)
        hi = i;
    }
    out.push_back(curve[std::min(lo, hi)]);
    if (lo != hi)
      out.push_back(curve[std::max(lo, hi)]);
  }
  out.push_back(curve.back());
  return out;
}

bar_series downsample_candles(const bar_series& bars, std::size_t max_points) {
  max_points = std::max<std::size_t>(max_points, 1);
  if (bars.size() <= max_points)
    return bars;
  const std::size_t group = (bars.size() + max_points - 1) / max_points;
  bar_series out(bars.symbol(), bars.timeframe());
  out.reserve(max_points);
  for (std::size_t i = 0; i < bars.size(); i += group) {
    bar merged = bars.at(i);
    for (std::size_t j = i + 1; j < std::min(bars.size(), i + group); ++j) {
      merged.high = std::max(merged.high, bars.highs()[j]);
      merged.low = std::min(merged.low, bars.lows()[j]);
      merged.close = bars.closes()[j];
      merged.volume += bars.volumes()[j];
    }
    out.push_back(merged);
  }
  return out;
}

unix_time candle_time_of(const bar_series& candles, unix_time t) {
  if (candles.empty())
    return t;
  const unix_time* begin = candles.times();
  const unix_time* end = begin + candles.size();
  const unix_time* it = std::upper_bound(begin, end, t);
  return it == begin ? *begin : *(it - 1);
}

std::vector<std::pair<unix_time, double>> buy_and_hold(const bar_series& bars, fixed initial) {
  std::vector<std::pair<unix_time, double>> out;
  if (bars.empty() || bars.opens()[0].units <= 0)
    return out;
  out.reserve(bars.size());
  const double first = bars.opens()[0].to_double();
  for (std::size_t i = 0; i < bars.size(); ++i)
    out.emplace_back(bars.times()[i],
                     round_places(initial.to_double() * bars.closes()[i].to_double() / first, 8));
  return out;
}

std::vector<monthly_return> monthly_returns(const equity_curve& curve, fixed initial) {
  std::vector<monthly_return> out;
  double previous = initial.to_double();
  for (std::size_t i = 0; i < curve.size(); ++i) {
    const civil_date d = civil_from_days(floor_div(curve[i].time, seconds_per_day));
    const bool month_end = i + 1 == curve.size() || [&] {
      const civil_date n = civil_from_days(floor_div(curve[i + 1].time, seconds_per_day));
      return n.month != d.month || n.year != d.year;
    }();
    if (!month_end)
      continue;
    const double equity = curve[i].equity.to_double();
    out.push_back(
        {d.year, d.month, previous > 0 ? round_places((equity / previous - 1) * 100) : 0.0});
    previous = equity;
  }
  return out;
}

} // namespace bt
