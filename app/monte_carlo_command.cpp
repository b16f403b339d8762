// backtestd monte-carlo: one backtest on a CSV file (the options of `run`),
// then a Monte Carlo of its trades or daily returns (--spec, the API's
// specification). The engine runs once; the simulations reuse its output.

#include "app/bar_file.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/research/monte_carlo.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace bt::app {

int monte_carlo_command(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  command_line args(argc, argv, 2,
                    {"data", "data-timeframe", "symbol", "timeframe", "strategy", "params",
                     "execution", "from", "to", "spec", "threads"},
                    {"pretty"});
  const std::string path = args.require("data");
  const std::string spec_path = args.require("spec");
  const unsigned threads = threads_option(args);
  const auto resolved = run_config_option("monte-carlo", args);
  if (!resolved)
    return exit_usage;
  const run_config& config = *resolved;
  monte_carlo_spec spec;
  if (field_errors errors = parse_monte_carlo_spec(read_json_file(spec_path), spec);
      !errors.empty()) {
    report_field_errors("monte-carlo", spec_path, errors);
    return exit_usage;
  }
  auto file = load_bar_file("monte-carlo", path, config.symbol,
                            file_timeframe_option(args, config.timeframe), config.timeframe,
                            config.from, config.to, hash_file_text::when_canonical);
  if (!file)
    return exit_bad_data;
  const backtest_result result = run_backtest_unhashed(config, file->bars);

  const auto simulation_start = std::chrono::steady_clock::now();
  monte_carlo_result mc;
  try {
    if (spec.method == monte_carlo_method::block_bootstrap) {
      mc = simulate_daily_returns(result.daily_returns, config.execution.initial_capital, spec,
                                  threads);
    } else {
      std::vector<fixed> pnl;
      pnl.reserve(result.output.trades.size());
      for (const auto& t : result.output.trades)
        pnl.push_back(t.pnl);
      mc = simulate_trades(pnl, config.execution.initial_capital, spec, threads);
    }
  } catch (const fixed_overflow& e) {
    // Exact or refused: a resampled path left the fixed-point range.
    throw std::runtime_error(std::string("a simulated equity cannot be computed exactly: ")
                             + e.what());
  }
  const double simulation_ms = ms_since(simulation_start);

  json_writer w;
  w.begin_object();
  w.key("run").begin_object();
  w.key("config");
  write_config(w, config);
  w.key("config_hash").string(result.config_hash);
  w.key("data_checksum").string(data_checksum(*file));
  w.key("engine_version").string(engine_version());
  w.key("trades").number(static_cast<std::uint64_t>(result.output.trades.size()));
  w.key("metrics");
  write_metrics(w, result.metrics);
  w.end_object();
  w.key("monte_carlo");
  write_monte_carlo(w, spec, mc);
  w.key("timing").begin_object();
  w.key("load_ms").number(file->load_ms);
  w.key("engine_ms").number(result.engine_ms);
  w.key("simulation_ms").number(simulation_ms);
  w.key("total_ms").number(ms_since(started));
  w.end_object();
  w.end_object();
  print_document(args, w.take());
  return exit_ok;
}

} // namespace bt::app
