#pragma once
// One complete backtest: strategy + engine + metrics, with result identity.

#include "domain/engine/backtest_engine.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/metrics/metrics.hpp"
#include "domain/strategies/strategy.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace bt {

/// A backtest that cannot give an exact result (an exact value out of the
/// fixed-point range). Deterministic: the same inputs fail the same way, so
/// a run that throws it fails at once and is never retried.
class backtest_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Something a trader must know about a completed run (it is not an error:
/// the numbers are exact, but they may not be what was meant).
struct run_warning {
  std::string code;    ///< machine-readable: all_signals_skipped, signals_skipped
  std::string message; ///< what happened, why, and what to change
  std::int64_t count = 0;
};

/// The warnings of a finished run, derived from its output and settings.
std::vector<run_warning> run_warnings(const run_config& config, const engine_output& output);
void write_warnings(json_writer& w, const std::vector<run_warning>& warnings);

struct backtest_result {
  std::string config_hash;
  std::string data_checksum;
  engine_output output;
  zone_list zones;
  bt::metrics metrics;
  std::vector<double> daily_returns; ///< what the Sharpe and Sortino ratios are computed from
  std::vector<run_warning> warnings;
  double engine_ms = 0; ///< strategy + engine + metrics, wall clock
};

/// Runs `config` over `bars` (already limited to the requested range).
/// Throws backtest_error when a value leaves the exact range.
backtest_result run_backtest(const run_config& config, const bar_series& bars,
                             run_observer* observer = nullptr);

/// run_backtest with `data_checksum` left empty for the caller, who may
/// compute data_checksum(bars) on another core meanwhile (the CLI does: on
/// a 20-year series hashing the canonical text costs as much as the run).
backtest_result run_backtest_unhashed(const run_config& config, const bar_series& bars,
                                      run_observer* observer = nullptr);

} // namespace bt
