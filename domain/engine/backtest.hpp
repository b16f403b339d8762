#pragma once
// One complete backtest: strategy + engine + metrics, with result identity.

#include "domain/engine/backtest_engine.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/metrics/metrics.hpp"
#include "domain/strategies/strategy.hpp"

namespace bt {

struct backtest_result {
  std::string config_hash;
  std::string data_checksum;
  engine_output output;
  std::vector<zone_record> zones;
  bt::metrics metrics;
  double engine_ms = 0; ///< strategy + engine + metrics, wall clock
};

/// Runs `config` over `bars` (already limited to the requested range).
backtest_result run_backtest(const run_config& config, const bar_series& bars,
                             run_observer* observer = nullptr);

} // namespace bt
