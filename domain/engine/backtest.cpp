#include "domain/engine/backtest.hpp"

#include "domain/strategies/registry.hpp"

#include <chrono>

namespace bt {

backtest_result run_backtest(const run_config& config, const bar_series& bars,
                             run_observer* observer) {
  backtest_result r;
  r.config_hash = config_hash(config);
  r.data_checksum = data_checksum(bars);
  auto start = std::chrono::steady_clock::now();
  auto strat = make_strategy(*config.strategy, config.params);
  r.output = run_engine(bars, *strat, config.execution, observer);
  r.zones = strat->take_zones();
  r.metrics = compute_metrics(r.output, config.execution.initial_capital, seconds_of(bars.timeframe()));
  r.engine_ms =
    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

} // namespace bt
