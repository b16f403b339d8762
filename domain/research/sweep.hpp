#pragma once
// A parameter sweep: one base configuration and a search space over strategy
// parameters and execution settings, enumerated configuration by
// configuration, and the objective and constraints that rank the results.
//
// Every configuration is a pure function of the specification and its index
// (a grid in mixed radix, a random sample from a generator seeded with the
// seed and the index), so any part of a sweep can be run anywhere, in any
// order, and give the same configurations.

#include "domain/engine/field_error.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/metrics/metrics.hpp"
#include "domain/research/overfitting.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bt {

/// The most configurations one sweep may have unless configured otherwise.
inline constexpr std::size_t default_max_sweep_configurations = 100'000;
/// The most any setting may allow (--max-configurations, the server's
/// --max-sweep-configurations): what a queued sweep's stored specification
/// is read back with, whatever limit it was accepted under.
inline constexpr std::size_t absolute_max_sweep_configurations = 10'000'000;

/// One swept strategy parameter or execution setting.
struct sweep_axis {
  std::string name;
  bool execution = false; ///< an execution setting, not a strategy parameter
  /// grid: the values in order. random: empty.
  std::vector<boost::json::value> values;
  /// random: the range sampled, inclusive (integers for integer parameters,
  /// multiples of 1e-8 otherwise); `choices` for a choice parameter.
  double min = 0, max = 0;
  bool integer = false;
  std::vector<std::string> choices;
};

struct metric_bound {
  std::optional<double> min, max; ///< inclusive
};

struct sweep_spec {
  std::string symbol, timeframe = "1h", strategy;
  boost::json::object params, execution; ///< the base configuration's
  std::optional<unix_time> from, to;
  bool random = false; ///< random or latin_hypercube: `samples` drawn with `seed`
  /// Latin hypercube: each axis's range cut into `samples` equal strata,
  /// every stratum of every axis drawn exactly once; strata[k][i] is the
  /// stratum of axis k in configuration i (a permutation per axis).
  bool latin_hypercube = false;
  std::vector<std::vector<std::uint32_t>> strata;
  std::vector<sweep_axis> axes; ///< ordered as given (the grid's last axis varies fastest)
  std::size_t samples = 0;      ///< random, latin_hypercube
  std::uint64_t seed = 0;       ///< random, latin_hypercube
  std::string objective = "sharpe_ratio";
  bool maximise = true;
  std::vector<std::pair<std::string, metric_bound>> constraints;
  std::size_t cscv_blocks = default_cscv_blocks; ///< the overfitting statistics'
};

/// Reads a specification:
///   {"symbol", "timeframe", "strategy", "start", "end", "params", "execution",
///    "space": {"method": "grid", "params": {NAME: [v, ...] | {"from", "to", "step"}},
///              "execution": {NAME: [v, ...] | {"from", "to", "step"}}}
///           | {"method": "random" | "latin_hypercube", "samples": N, "seed": S,
///              "params": {NAME: {} | {"min", "max"}}, "execution": {NAME: {"min", "max"}}},
///    "objective": METRIC, "order": "max" | "min",
///    "constraints": {METRIC: {"min": x, "max": y}},
///    "overfitting": {"blocks": S}}
/// Every swept value is checked against its parameter's range here, so that
/// a configuration can only be refused by a rule across parameters (such as
/// fast_period < slow_period), which skips it. A space of more than
/// `max_configurations` is an error naming its size.
field_errors parse_sweep_spec(const boost::json::value& spec, sweep_spec& out,
                              std::size_t max_configurations = default_max_sweep_configurations);

/// "grid", "random" or "latin_hypercube".
inline const char* sweep_method_name(const sweep_spec& s) {
  return s.latin_hypercube ? "latin_hypercube" : s.random ? "random" : "grid";
}

/// How many configurations the space has (grid: the product of its axes).
std::size_t configuration_count(const sweep_spec& spec);

/// The swept values of configuration `index` (< configuration_count).
struct sweep_point {
  boost::json::object params, execution;
};
sweep_point configuration_at(const sweep_spec& spec, std::size_t index);

/// The request of a configuration: the base with its swept values over it.
/// The returned request points into `storage`, which must outlive it.
struct sweep_request_storage {
  boost::json::value params, execution;
};
run_request configuration_request(const sweep_spec& spec, const sweep_point& point,
                                  sweep_request_storage& storage);

/// Whether a run's metrics meet every constraint (an empty metric meets none).
bool meets_constraints(const sweep_spec& spec, const metrics& m);

/// Whether metrics `a` rank before `b` by the objective (ties: neither). A
/// run whose objective is empty ranks after every run whose is not.
bool ranks_before(const sweep_spec& spec, const metrics& a, const metrics& b);

} // namespace bt
