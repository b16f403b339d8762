#pragma once
// An evaluation program: what it evaluates every cycle (strategy
// templates, each a strategy with base parameters and a search space as in
// sweeps), how each cycle's configurations are generated (grid, random or
// latin_hypercube with a seed), the walk-forward windows every
// configuration is tested with, the history a cycle looks back over, and
// the score's weights. A cycle's configurations are a function of the
// specification and the cycle's number alone.

#include "domain/data/timestamp.hpp"
#include "domain/engine/field_error.hpp"
#include "domain/evaluation/promotion.hpp"
#include "domain/evaluation/risk_rules.hpp"
#include "domain/evaluation/score.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace bt {

/// A cycle evaluates at least this many configurations (the orchestration
/// specification's floor) and at most max_configurations (200 by default,
/// 1,000 at most).
inline constexpr std::size_t min_cycle_configurations = 60;
inline constexpr std::size_t default_cycle_configurations = 200;
inline constexpr std::size_t max_cycle_configurations = 1000;

struct program_template {
  std::string strategy;
  boost::json::object params; ///< base values
  boost::json::object space;  ///< parameter -> [values] | {from, to, step} | {} | {min, max}
};

struct program_spec {
  std::string name, symbol, timeframe = "1h";
  /// Every symbol the program evaluates (the first is `symbol`): each
  /// configuration is walk-forward tested on each, and ranked with the rest.
  std::vector<std::string> symbols;
  std::vector<program_template> templates;
  std::string method = "latin_hypercube";         ///< grid | random | latin_hypercube
  std::size_t samples = min_cycle_configurations; ///< random, latin_hypercube: per cycle
  std::uint64_t seed = 0;
  std::size_t max_configurations = default_cycle_configurations;
  boost::json::object windows; ///< as a walk-forward's (train, test, step, anchored, min_trades)
  int lookback_days = 730;     ///< each cycle's history, ending at its as-of time
  score_weights weights;
  /// Cycles the server starts itself: when the data's last bar is `every`
  /// (market-data time) past the last cycle's as-of time, and, when
  /// `on_regime_change`, when a day after it triggers a re-evaluation
  /// (regimes.hpp: crossing the 75th percentile, or volatility moving more
  /// than 20 %).
  std::optional<unix_time> every;
  bool on_regime_change = false;
  /// A cycle whenever an upload extends the data past the last cycle's
  /// as-of time (the first one as soon as there is data).
  bool on_upload = false;
  /// The promotion gate (promotion.hpp): the top `top_pct` % of every
  /// cycle for `days` of market-data time; candidates share `capital` in
  /// proportion to their scores, none above `max_allocation_pct` % of it.
  double top_pct = 10;
  int gate_days = 30;
  double max_allocation_pct = 10;
  std::int64_t capital = 100'000;
  /// Candidates become paper deployments by themselves ("automatic") or
  /// when a user with the deploy permission deploys them ("manual"); either
  /// way under the admission rules.
  bool automatic_deployment = true;
  /// What deployments are measured against (the rollback rule): a
  /// weighted basket of uploaded series, each from the last price before a
  /// deployment began trading; empty: buy and hold of the program's symbol.
  struct benchmark_leg {
    std::string symbol, timeframe;
    double weight = 1;
  };
  std::vector<benchmark_leg> benchmark;
  admission_settings admission;
  risk_settings risk;
};

/// {"name", "symbol" (or "symbols": 1 to 10 of them), "timeframe",
/// "templates": [{"strategy", "params",
/// "space"}], "generator": {"method", "samples", "seed"}, "windows",
/// "lookback_days" (60 to 3,650), "max_configurations" (60 to 1,000),
/// "score": {"weights": {...}}, "schedule": {"every": "1d" (1h to 365d, in
/// h, d or w), "on_regime_change": false, "on_upload": false}, "gate": {"top_pct" (1 to 50),
/// "days" (1 to 365), "max_allocation_pct" (1 to 100)}, "capital" (1,000 to
/// 1,000,000,000), "deployment": {"mode": "automatic" | "manual",
/// "max_active" (1 to 35), "max_type_pct" (1 to 100), "max_correlation"
/// (0 to 1)}, "risk": {"rollback_pct" (1 to 100), "rollback_days" (5 to
/// 365), "drawdown_pct" (1 to 99), "drift_fraction" (0 to 1),
/// "drift_days" (20 to 365)}, "benchmark": {"basket": [{"symbol",
/// "timeframe" (the program's by default), "weight" (above 0, at most 100)}]
/// (1 to 10 series)}}. Every template's space is checked as a
/// sweep's; the windows as a walk-forward's. Errors name their field.
field_errors parse_program_spec(const boost::json::value& given, program_spec& out);

struct cycle_configuration {
  std::size_t index = 0; ///< within the cycle
  std::size_t template_index = 0;
  boost::json::object params; ///< the base with the drawn values laid over it
};

/// Cycle `cycle` (1, 2, ...)'s configurations, template by template: a
/// grid's every combination of every template; random and latin_hypercube
/// draw `samples`, shared out over the templates (the first ones one more
/// when they do not divide), with the seed moved on by the cycle's number
/// (so that cycles do not repeat one another).
std::vector<cycle_configuration> cycle_configurations(const program_spec& spec, int cycle);

/// The walk-forward that tests one configuration over [from, to] of
/// `symbol` (the program's first when empty): its
/// values as the base, one of them as a one-value space (a walk-forward
/// sweeps something), the program's windows.
boost::json::object configuration_walk_forward(const program_spec& spec,
                                               const cycle_configuration& c, unix_time from,
                                               unix_time to, const std::string& symbol = {});

} // namespace bt
