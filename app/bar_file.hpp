#pragma once
// What the commands that run the engine on a file (run, sweep, monte-carlo)
// share: the run options as a configuration, and the bars from a CSV file,
// read, validated with the upload's rules, resampled to the run's timeframe
// and limited to its range.

#include "app/command_line.hpp"
#include "domain/data/bar_import.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/report/result_report.hpp"

#include <optional>
#include <string>

namespace bt::app {

/// The run options (--symbol, --timeframe, --strategy, --params, --execution,
/// --from, --to) as a configuration, or nothing after printing each error
/// ("backtestd COMMAND: field: message"): exit_usage.
std::optional<run_config> run_config_option(const char* command, const command_line& args);

/// The timeframe of the file's bars: --data-timeframe when given (it must
/// divide the run's timeframe), else the run's own.
timeframe file_timeframe_option(const command_line& args, timeframe run_timeframe);

struct bar_file {
  import_result imported;    ///< the report (its bars moved to `bars`)
  upload_storage file_range; ///< what the whole file covers, before resampling
  bar_series bars;           ///< resampled and limited to the range
  double load_ms = 0;        ///< reading and validating the file
  /// data_checksum(bars) when it came from the file's own bytes: the file
  /// is the canonical text of `bars` (see import_result::canonical_text).
  std::optional<std::string> text_checksum;
};

/// Whether load_bar_file hashes a canonical file's bytes for its data
/// checksum (bar_file::text_checksum), on a second thread while it parses:
/// for commands that print the checksum; the others would waste the core.
enum class hash_file_text { no, when_canonical };

/// The bars, or nothing after printing why on standard error ("backtestd
/// COMMAND: ..."): the file was rejected (row-numbered errors) or no bar
/// lies in the range. Either is exit_bad_data.
std::optional<bar_file> load_bar_file(const char* command, const std::string& path,
                                      const std::string& symbol, timeframe file_timeframe,
                                      timeframe run_timeframe, std::optional<unix_time> from,
                                      std::optional<unix_time> to, hash_file_text hash);

/// data_checksum(file.bars), from the file's bytes when they were hashed.
std::string data_checksum(const bar_file& file);

} // namespace bt::app
