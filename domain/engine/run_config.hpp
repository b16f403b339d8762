#pragma once
// A run's full configuration: what a client asked for, with every default
// filled in, and its identity hash.

#include "domain/data/timestamp.hpp"
#include "domain/engine/execution_settings.hpp"
#include "domain/strategies/param_schema.hpp"

#include <optional>
#include <string>

namespace boost::json {
class value;
}

namespace bt {

/// Inputs as received (JSON values may be null or absent).
struct run_request {
  std::string symbol;
  std::string timeframe = "1h";
  std::string strategy = "supply_demand_zones";
  const boost::json::value* params = nullptr;
  const boost::json::value* execution = nullptr;
  std::optional<unix_time> from, to; ///< both inclusive
};

struct run_config {
  std::string symbol;
  bt::timeframe timeframe = timeframe::h1;
  const strategy_schema* strategy = nullptr;
  param_set params;
  execution_settings execution;
  std::optional<unix_time> from, to;
};

/// Validates a request and applies defaults (instrument table, then the
/// request's execution settings; schema defaults, then its parameters).
field_errors resolve_config(const run_request& request, run_config& out);

/// Canonical JSON: keys sorted, no spaces, numbers in fixed notation.
std::string canonical_json(const run_config& config);
void write_config(json_writer& w, const run_config& config);

/// SHA-256 of canonical_json(config).
std::string config_hash(const run_config& config);

/// The engine's version (project version + git describe at build time).
const char* engine_version();

} // namespace bt
