#include "domain/engine/backtest.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/strategies/registry.hpp"

#include <chrono>

namespace bt {

std::vector<run_warning> run_warnings(const run_config& config, const engine_output& output) {
  std::vector<run_warning> warnings;
  const std::int64_t skipped = output.skipped_signals;
  if (skipped == 0)
    return warnings;
  const auto& ex = config.execution;
  std::string why = "one quantity step (" + to_string(ex.quantity_step)
                    + ") at the stop distance risks more than "
                      "the allowed share of equity (initial_capital "
                    + to_string(ex.initial_capital) + ")";
  std::string fix =
      "raise execution.initial_capital or the risk per trade, or lower execution.quantity_step";
  if (output.trades.empty())
    warnings.push_back({"all_signals_skipped",
                        "every one of the " + std::to_string(skipped)
                            + " signals was skipped and no trade was made: " + why + "; " + fix,
                        skipped});
  else
    warnings.push_back({"signals_skipped",
                        std::to_string(skipped) + " signals were skipped: " + why + "; " + fix,
                        skipped});
  return warnings;
}

void write_warnings(json_writer& w, const std::vector<run_warning>& warnings) {
  w.begin_array();
  for (const auto& x : warnings) {
    w.begin_object();
    w.key("code").string(x.code);
    w.key("message").string(x.message);
    w.key("count").number(x.count);
    w.end_object();
  }
  w.end_array();
}

backtest_result run_backtest(const run_config& config, const bar_series& bars,
                             run_observer* observer) {
  std::string checksum = data_checksum(bars);
  backtest_result r = run_backtest_unhashed(config, bars, observer);
  r.data_checksum = std::move(checksum);
  return r;
}

backtest_result run_backtest_unhashed(const run_config& config, const bar_series& bars,
                                      run_observer* observer) {
  backtest_result r;
  r.config_hash = config_hash(config);
  auto start = std::chrono::steady_clock::now();
  auto strat = make_strategy(*config.strategy, config.params);
  r.output = run_engine(bars, *strat, config.execution, observer);
  r.zones = strat->take_zones();
  try {
    r.metrics = compute_metrics(r.output, config.execution.initial_capital,
                                seconds_of(bars.timeframe()), &r.daily_returns);
  } catch (const fixed_overflow& e) {
    throw backtest_error(std::string("the run's metrics cannot be computed exactly: ") + e.what());
  }
  r.warnings = run_warnings(config, r.output);
  r.engine_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return r;
}

} // namespace bt
