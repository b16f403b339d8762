#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/data/synthetic_bars.hpp"

#include <iostream>

namespace bt::app {

int gen_data_command(int argc, char** argv) {
  command_line args(argc, argv, 2, {"symbol", "bars", "seed", "start", "timeframe", "out"});
  synthetic_spec spec;
  spec.symbol = args.require("symbol");
  spec.bars = parse_count("bars", args.require("bars"), 50'000'000);
  if (spec.bars == 0)
    throw usage_error("--bars must be at least 1");
  spec.seed = parse_count("seed", args.require("seed"), UINT64_MAX);
  if (auto tf = args.get("timeframe")) {
    auto parsed = parse_timeframe(*tf);
    if (!parsed)
      throw usage_error("--timeframe must be one of " + timeframe_names());
    spec.timeframe = *parsed;
  }
  if (auto start = args.get("start")) {
    if (parse_timestamp(*start, spec.start) != timestamp_parse::ok)
      throw usage_error("--start '" + *start
                        + "' is not a UTC timestamp (e.g. 2023-01-02T00:00:00Z)");
  }
  std::string csv = to_csv(generate_bars(spec));
  if (auto out = args.get("out"))
    write_file_atomic(*out, csv);
  else
    std::cout << csv;
  return exit_ok;
}

} // namespace bt::app
