// backtestd walk-forward: the folds of a CSV file's bars, each a sweep on its
// train window and the best configuration run on the test window after it;
// one JSON document (the API's), and with --out the stitched out-of-sample
// trades and equity as CSV files.

#include "app/bar_file.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/progress_bar.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/research/walk_forward.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace bt::app {

int walk_forward_command(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  command_line args(argc, argv, 2,
                    {"data", "data-timeframe", "spec", "threads", "max-configurations", "out"},
                    {"pretty"});
  const std::string data_path = args.require("data");
  const std::string spec_path = args.require("spec");
  const std::size_t max_configurations = max_configurations_option(args);
  unsigned threads = threads_option(args);

  walk_forward_spec spec;
  if (field_errors errors =
          parse_walk_forward_spec(read_json_file(spec_path), spec, max_configurations);
      !errors.empty()) {
    report_field_errors("walk-forward", spec_path, errors);
    return exit_usage;
  }
  const timeframe run_timeframe = *parse_timeframe(spec.sweep.timeframe);
  auto file = load_bar_file("walk-forward", data_path, spec.sweep.symbol,
                            file_timeframe_option(args, run_timeframe), run_timeframe,
                            spec.sweep.from, spec.sweep.to,
                            hash_file_text::no); // its document hashes the bars
  if (!file)
    return exit_bad_data;
  const bar_series& bars = file->bars;
  const std::vector<fold_window> folds = plan_folds(spec.windows, bars);
  if (folds.empty())
    throw usage_error("windows: not one train and test window fits in the "
                      + std::to_string(bars.size()) + " bars from "
                      + format_timestamp(bars.times()[0]) + " to "
                      + format_timestamp(bars.times()[bars.size() - 1]));
  if (folds.size() > max_walk_forward_folds)
    throw usage_error("windows: more than " + std::to_string(max_walk_forward_folds)
                      + " folds; lengthen step or test");
  const std::size_t per_fold = configuration_count(spec.sweep);
  if (per_fold > max_walk_forward_runs / folds.size())
    throw usage_error(std::to_string(folds.size()) + " folds x " + std::to_string(per_fold)
                      + " configurations; at most " + std::to_string(max_walk_forward_runs)
                      + " runs in all");

  const auto run_start = std::chrono::steady_clock::now();
  walk_forward_result result;
  {
    std::atomic<std::size_t> done{0};
    progress_bar progress("fold configurations", folds.size() * per_fold, done);
    result = run_walk_forward(spec, bars, folds, threads, &done);
  }
  const double run_ms = ms_since(run_start);

  json_writer w;
  w.reserve(1 << 20);
  write_walk_forward(w, spec, bars, result);
  std::string document = w.take();
  // Everything above is deterministic; timing is the only part that varies.
  document.pop_back();
  json_writer timing;
  timing.begin_object();
  timing.key("load_ms").number(file->load_ms);
  timing.key("walk_forward_ms").number(run_ms);
  timing.key("threads").number(static_cast<std::uint64_t>(threads));
  timing.key("total_ms").number(ms_since(started));
  timing.end_object();
  document += ",\"timing\":" + timing.take() + "}";

  if (auto dir = output_directory(args)) {
    write_file_atomic((*dir / "trades.csv").string(), trades_csv(result.out_of_sample.trades));
    write_file_atomic((*dir / "equity.csv").string(), equity_csv(result.out_of_sample.equity));
    write_file_atomic((*dir / "walk_forward.json").string(), document);
  }
  print_document(args, std::move(document));
  return exit_ok;
}

} // namespace bt::app
