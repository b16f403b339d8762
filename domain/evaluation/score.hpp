#pragma once
// The unified score of an evaluation cycle's configurations: a weighted
// combination of four components, each a configuration's percentile rank
// within the cycle (0 the worst, 1 the best; ties share their mean rank),
// so that weights of different units can be compared:
//   sharpe       OOS Sharpe ratio, higher is better
//   drawdown     OOS max drawdown %, lower is better
//   volatility   OOS volatility % (annualised daily returns), lower is better
//   persistence  forward persistence: OOS over IS across the folds (the
//                walk-forward efficiency), higher is better
// score = sum(weight * component) / sum(weight), in [0, 1]. A component
// that is absent (no OOS trades, no efficiency) ranks below every present
// one. Each component is reported beside the score.

#include "domain/engine/field_error.hpp"

#include <boost/json/fwd.hpp>

#include <optional>
#include <vector>

namespace bt {

struct score_weights {
  double sharpe = 0.4, drawdown = 0.25, volatility = 0.1, persistence = 0.25;
};

/// {"sharpe", "drawdown", "volatility", "persistence"}: each a number from
/// 0 to 100 (relative weights), at least one above 0; absent keys keep
/// their defaults.
field_errors parse_score_weights(const boost::json::value& given, score_weights& out);

struct score_inputs {
  std::optional<double> oos_sharpe, oos_max_drawdown_pct, oos_volatility_pct, persistence;
};

struct score_components {
  double sharpe = 0, drawdown = 0, volatility = 0, persistence = 0;
  double score = 0; ///< rounded to 10 places
};

/// The components and score of each configuration, in the order given.
std::vector<score_components> score_configurations(const std::vector<score_inputs>& configs,
                                                   const score_weights& weights);

/// Percentile ranks in [0, 1] (n = 1: 1), higher values ranking higher;
/// absent values 0 and below every present one; ties their mean rank.
std::vector<double> percentile_ranks(const std::vector<std::optional<double>>& values);

} // namespace bt
