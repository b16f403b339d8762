#include "app/bar_file.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/data/bar_import.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/report/sha256.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <iostream>

namespace bt::app {
int run_command(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  command_line args(argc, argv, 2,
                    {"data", "data-timeframe", "symbol", "timeframe", "strategy", "params",
                     "execution", "from", "to", "out"},
                    {"pretty"});
  const std::string path = args.require("data");
  const auto resolved = run_config_option("run", args);
  if (!resolved)
    return exit_usage;
  const run_config& config = *resolved;

  // The file may hold finer bars than the run's timeframe (1h resampled to
  // 4h or 1d).
  const timeframe file_timeframe = file_timeframe_option(args, config.timeframe);
  auto file = load_bar_file("run", path, config.symbol, file_timeframe, config.timeframe,
                            config.from, config.to, hash_file_text::when_canonical);
  if (!file)
    return exit_bad_data;
  const bar_series& bars = file->bars;
  const import_result& imported = file->imported;
  const upload_storage& file_range = file->file_range;
  const double load_ms = file->load_ms;

  // The data checksum, unless the file's own bytes gave it, on the second
  // core while the engine runs and the document is written: on a 20-year
  // series hashing the canonical text takes as long as the run. Its place
  // in the document is filled last.
  std::future<std::string> checksum =
      std::async(file->text_checksum ? std::launch::deferred : std::launch::async,
                 [&file] { return data_checksum(*file); });
  backtest_result result = run_backtest_unhashed(config, bars);

  json_writer w;
  // About 560 bytes a trade and 200 a zone: written without regrowing.
  w.reserve(16'384 + result.output.trades.size() * 640 + result.zones.size() * 240);
  w.begin_object();
  w.key("config");
  write_config(w, config);
  w.key("config_hash").string(result.config_hash);
  const std::size_t checksum_at = w.key("data_checksum").string_placeholder(sha256_hex_chars);
  w.key("engine_version").string(engine_version());
  w.key("strategy").begin_object();
  w.key("name").string(config.strategy->name).key("version").string(config.strategy->version);
  w.end_object();
  w.key("bars").begin_object();
  w.key("count").number(static_cast<std::uint64_t>(bars.size()));
  w.key("from").timestamp(bars.times()[0]);
  w.key("to").timestamp(bars.times()[bars.size() - 1]);
  w.end_object();
  w.key("validation").begin_object();
  write_import_report_fields(w, imported.report, file_range);
  w.end_object();
  w.key("metrics");
  write_metrics(w, result.metrics);
  w.key("warnings");
  write_warnings(w, result.warnings);
  w.key("trades").begin_array();
  for (const auto& t : result.output.trades)
    write_trade(w, t);
  w.end_array();
  w.key("zones").begin_array();
  for (const auto& z : result.zones)
    write_zone(w, z);
  w.end_array();
  w.key("equity_summary");
  write_equity_summary(w, result.output.equity, config.execution.initial_capital);
  // Everything above is deterministic; timing is the only part that varies.
  w.key("timing").begin_object();
  w.key("load_ms").number(load_ms);
  w.key("engine_ms").number(result.engine_ms);
  w.key("total_ms").number(ms_since(started));
  w.end_object();
  w.end_object();
  result.data_checksum = checksum.get();
  w.fill(checksum_at, result.data_checksum);
  std::string document = args.flag("pretty") ? pretty_json(w.str()) : w.take();
  document += '\n'; // in place: the document is megabytes

  if (auto dir = output_directory(args)) {
    write_file_atomic((*dir / "trades.csv").string(), trades_csv(result.output.trades));
    write_file_atomic((*dir / "equity.csv").string(), equity_csv(result.output.equity));
    write_file_atomic((*dir / "zones.csv").string(), zones_csv(result.zones));
    write_file_atomic((*dir / "result.json").string(), document);
  }
  std::cout << document;
  return exit_ok;
}

} // namespace bt::app
