#include "domain/evaluation/score.hpp"

#include "domain/data/decimal.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bt {

field_errors parse_score_weights(const boost::json::value& given, score_weights& out) {
  if (!given.is_object())
    return {{"score.weights", "must be an object of sharpe, drawdown, volatility, persistence"}};
  score_weights w = out;
  for (const auto& kv : given.as_object()) {
    const std::string key(kv.key());
    double* slot = key == "sharpe"        ? &w.sharpe
                   : key == "drawdown"    ? &w.drawdown
                   : key == "volatility"  ? &w.volatility
                   : key == "persistence" ? &w.persistence
                                          : nullptr;
    if (!slot)
      return {{"score.weights." + key,
               "unknown component (sharpe, drawdown, volatility, persistence)"}};
    if (!kv.value().is_number())
      return {{"score.weights." + key, "must be a number from 0 to 100"}};
    const double v = kv.value().to_number<double>();
    if (!(v >= 0 && v <= 100))
      return {{"score.weights." + key, "must be a number from 0 to 100"}};
    *slot = v;
  }
  if (w.sharpe + w.drawdown + w.volatility + w.persistence <= 0)
    return {{"score.weights", "at least one weight must be above 0"}};
  out = w;
  return {};
}

std::vector<double> percentile_ranks(const std::vector<std::optional<double>>& values) {
  const std::size_t n = values.size();
  std::vector<double> out(n, 0.0);
  std::vector<std::size_t> present;
  for (std::size_t i = 0; i < n; ++i)
    if (values[i] && std::isfinite(*values[i]))
      present.push_back(i);
  if (present.empty())
    return out;
  std::stable_sort(present.begin(), present.end(),
                   [&](std::size_t a, std::size_t b) { return *values[a] < *values[b]; });
  // Positions among all n: the absent ones take the bottom places.
  const std::size_t absent = n - present.size();
  for (std::size_t i = 0; i < present.size();) {
    std::size_t j = i;
    while (j + 1 < present.size() && *values[present[j + 1]] == *values[present[i]])
      ++j;
    const double mean_position = static_cast<double>(absent) + (static_cast<double>(i + j)) / 2.0;
    const double rank = n == 1 ? 1.0 : mean_position / static_cast<double>(n - 1);
    for (std::size_t k = i; k <= j; ++k)
      out[present[k]] = rank;
    i = j + 1;
  }
  return out;
}

std::vector<score_components> score_configurations(const std::vector<score_inputs>& configs,
                                                   const score_weights& w) {
  auto column = [&](auto member, bool lower_is_better) {
    std::vector<std::optional<double>> v;
    for (const auto& c : configs) {
      const auto& x = c.*member;
      v.push_back(x && lower_is_better ? std::optional<double>(-*x) : x);
    }
    return percentile_ranks(v);
  };
  const auto sharpe = column(&score_inputs::oos_sharpe, false);
  const auto drawdown = column(&score_inputs::oos_max_drawdown_pct, true);
  const auto volatility = column(&score_inputs::oos_volatility_pct, true);
  const auto persistence = column(&score_inputs::persistence, false);
  const double total = w.sharpe + w.drawdown + w.volatility + w.persistence;
  std::vector<score_components> out(configs.size());
  for (std::size_t i = 0; i < configs.size(); ++i) {
    auto& o = out[i];
    o.sharpe = round_places(sharpe[i]);
    o.drawdown = round_places(drawdown[i]);
    o.volatility = round_places(volatility[i]);
    o.persistence = round_places(persistence[i]);
    const double s = (w.sharpe * sharpe[i] + w.drawdown * drawdown[i] + w.volatility * volatility[i]
                      + w.persistence * persistence[i])
                     / total;
    o.score = round_places(s);
  }
  return out;
}

} // namespace bt
