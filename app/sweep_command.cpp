// backtestd sweep: every configuration of a search space run over the same
// bars, read once, on as many threads as asked; one JSON document with each
// configuration's metrics and the best by the objective.

#include "app/bar_file.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/progress_bar.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/research/sweep_chunk.hpp"
#include "domain/strategies/registry.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace bt::app {

int sweep_command(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  command_line args(argc, argv, 2,
                    {"data", "data-timeframe", "spec", "threads", "max-configurations"},
                    {"pretty"});
  const std::string data_path = args.require("data");
  const std::string spec_path = args.require("spec");
  const std::size_t max_configurations = max_configurations_option(args);
  unsigned threads = threads_option(args);

  sweep_spec spec;
  if (field_errors errors = parse_sweep_spec(read_json_file(spec_path), spec, max_configurations);
      !errors.empty()) {
    report_field_errors("sweep", spec_path, errors);
    return exit_usage;
  }
  const timeframe run_timeframe = *parse_timeframe(spec.timeframe); // checked with the spec
  auto file =
      load_bar_file("sweep", data_path, spec.symbol, file_timeframe_option(args, run_timeframe),
                    run_timeframe, spec.from, spec.to, hash_file_text::when_canonical);
  if (!file)
    return exit_bad_data;
  const bar_series& bars = file->bars;

  const std::size_t total = configuration_count(spec);
  const auto sweep_start = std::chrono::steady_clock::now();
  std::vector<configuration_result> results;
  {
    std::atomic<std::size_t> done{0};
    progress_bar progress("configurations", total, done);
    results = run_configurations(spec, bars, threads, spec.cscv_blocks, &done);
  }
  const double sweep_ms = ms_since(sweep_start);
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, total));

  std::size_t completed = 0, skipped = 0, failed = 0, meeting = 0;
  for (const auto& r : results) {
    skipped += r.status == sweep_outcome::skipped;
    failed += r.status == sweep_outcome::failed;
    completed += r.status == sweep_outcome::completed;
    meeting += r.status == sweep_outcome::completed && r.meets_constraints;
  }
  const std::size_t best = best_configuration(spec, results);

  // The statistics count every completed configuration as a trial, not only
  // those meeting the constraints: the trader saw them all.
  const auto statistics_start = std::chrono::steady_clock::now();
  std::vector<const return_summary*> trials;
  trials.reserve(completed);
  for (const auto& r : results)
    if (r.status == sweep_outcome::completed)
      trials.push_back(&r.returns);
  deflated_sharpe_result dsr;
  if (best < total)
    dsr = deflated_sharpe(trials, results[best].returns);
  else
    dsr.reason = "no best configuration";
  const pbo_result pbo = probability_of_backtest_overfitting(trials, spec.cscv_blocks, threads);
  const double statistics_ms = ms_since(statistics_start);

  const strategy_schema* schema = find_strategy(spec.strategy);
  json_writer w;
  w.reserve(4096 + total * 1400);
  auto write_result = [&](std::size_t i) {
    write_configuration(w, to_stored(spec, i, results[i]));
  };
  w.begin_object();
  w.key("sweep").begin_object();
  w.key("strategy").begin_object();
  w.key("name").string(schema->name).key("version").string(schema->version);
  w.end_object();
  w.key("symbol").string(spec.symbol);
  w.key("timeframe").string(spec.timeframe);
  w.key("method").string(sweep_method_name(spec));
  if (spec.random)
    w.key("seed").number(static_cast<std::uint64_t>(spec.seed));
  w.key("objective").string(spec.objective);
  w.key("order").string(spec.maximise ? "max" : "min");
  w.key("configurations").number(static_cast<std::uint64_t>(total));
  w.key("completed").number(static_cast<std::uint64_t>(completed));
  w.key("skipped").number(static_cast<std::uint64_t>(skipped));
  w.key("failed").number(static_cast<std::uint64_t>(failed));
  w.key("meeting_constraints").number(static_cast<std::uint64_t>(meeting));
  w.end_object();
  w.key("engine_version").string(engine_version());
  w.key("data_checksum").string(data_checksum(*file));
  w.key("bars").begin_object();
  w.key("count").number(static_cast<std::uint64_t>(bars.size()));
  w.key("from").timestamp(bars.times()[0]);
  w.key("to").timestamp(bars.times()[bars.size() - 1]);
  w.end_object();
  w.key("best");
  if (best < total)
    write_result(best);
  else
    w.null();
  w.key("overfitting");
  write_overfitting(w, dsr, pbo);
  w.key("results").begin_array();
  for (std::size_t i = 0; i < total; ++i)
    write_result(i);
  w.end_array();
  // Everything above is deterministic; timing is the only part that varies.
  w.key("timing").begin_object();
  w.key("load_ms").number(file->load_ms);
  w.key("sweep_ms").number(sweep_ms);
  w.key("configurations_per_second").number(sweep_ms > 0 ? total / (sweep_ms / 1000.0) : 0.0);
  w.key("statistics_ms").number(statistics_ms);
  w.key("threads").number(static_cast<std::uint64_t>(threads));
  w.key("total_ms").number(ms_since(started));
  w.end_object();
  w.end_object();
  print_document(args, w.take());
  return exit_ok;
}

} // namespace bt::app
