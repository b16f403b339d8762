#include "app/bar_file.hpp"

#include "domain/report/sha256.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <iostream>

namespace bt::app {
namespace {

// SHA-256 of a file's bytes as data_checksum hashes the series it holds
// (with the last line end the text may lack), in pieces, so that `abandon`
// stops it within one: about a tenth of a millisecond.
std::string hash_text(std::string_view text, const std::atomic<bool>& abandon) {
  constexpr std::size_t piece = 256 * 1024;
  sha256_stream hash;
  for (std::size_t at = 0; at < text.size(); at += piece) {
    if (abandon.load(std::memory_order_relaxed))
      return {};
    hash.update(text.substr(at, piece));
  }
  if (text.empty() || text.back() != '\n')
    hash.update("\n");
  return hash.finish();
}

} // namespace

std::optional<run_config> run_config_option(const char* command, const command_line& args) {
  const boost::json::value params = parse_json_option(args, "params");
  const boost::json::value execution = parse_json_option(args, "execution");
  run_request request;
  request.symbol = args.require("symbol");
  request.timeframe = args.get("timeframe").value_or("1h");
  request.strategy = args.get("strategy").value_or("supply_demand_zones");
  request.params = &params;
  request.execution = &execution;
  request.from = parse_time_option(args, "from");
  request.to = parse_time_option(args, "to");
  run_config config;
  if (field_errors errors = resolve_config(request, config); !errors.empty()) {
    report_field_errors(command, "", errors);
    return std::nullopt;
  }
  return config;
}

timeframe file_timeframe_option(const command_line& args, timeframe run_timeframe) {
  auto text = args.get("data-timeframe");
  if (!text)
    return run_timeframe;
  auto tf = parse_timeframe(*text);
  if (!tf)
    throw usage_error("--data-timeframe must be one of " + timeframe_names());
  if (seconds_of(run_timeframe) < seconds_of(*tf)
      || seconds_of(run_timeframe) % seconds_of(*tf) != 0)
    throw usage_error("--timeframe " + std::string(to_string(run_timeframe))
                      + " cannot be resampled from --data-timeframe " + *text);
  return *tf;
}

std::optional<bar_file> load_bar_file(const char* command, const std::string& path,
                                      const std::string& symbol, timeframe file_timeframe,
                                      timeframe run_timeframe, std::optional<unix_time> from,
                                      std::optional<unix_time> to, hash_file_text hash) {
  const auto load_start = std::chrono::steady_clock::now();
  const file_text csv(path);
  // A file as the export writes it (gen-data's, a downloaded series) holds
  // its series' canonical text: its bytes are hashed on the second core
  // while it is parsed, instead of writing the text again from the bars
  // and hashing that after. The hash is kept only when the parse certifies
  // the text, and stopped as soon as it cannot be used.
  std::atomic<bool> abandon{false};
  std::future<std::string> text_hash;
  if (hash == hash_file_text::when_canonical && begins_as_canonical_csv(csv.text()))
    text_hash =
        std::async(std::launch::async, [&csv, &abandon] { return hash_text(csv.text(), abandon); });
  struct abandon_on_return {
    std::atomic<bool>& flag;
    ~abandon_on_return() { flag = true; } // before the future waits for the hash
  } abandon_guard{abandon};
  import_limits limits;
  limits.latest_bar_time = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()
                           + future_bar_tolerance;
  bar_file out;
  out.imported = import_bars_csv(csv.text(), symbol, file_timeframe, limits);
  import_result& imported = out.imported;
  if (!imported.accepted) {
    std::cerr << "backtestd " << command << ": " << path << " rejected (" << imported.error_count
              << (imported.error_count == 1 ? " error" : " errors") << "):\n";
    for (const auto& e : imported.errors)
      std::cerr << "  " << (e.row == 0 ? std::string("header") : "row " + std::to_string(e.row))
                << ": " << e.reason << '\n';
    if (imported.error_count > imported.errors.size())
      std::cerr << "  ... " << imported.error_count - imported.errors.size() << " more\n";
    return std::nullopt;
  }
  out.file_range = imported_whole(imported); // before resampling
  const std::size_t imported_bars = imported.bars.size();
  if (file_timeframe != run_timeframe)
    imported.bars = resample(imported.bars, run_timeframe);
  // The whole file unless a range was asked for: no copy of the series.
  out.bars = from || to ? imported.bars.slice(from.value_or(INT64_MIN), to.value_or(INT64_MAX))
                        : std::move(imported.bars);
  if (out.bars.empty()) {
    std::cerr << "backtestd " << command << ": no bars in the requested range";
    if (!imported.bars.empty())
      std::cerr << " (the file covers " << format_timestamp(imported.bars.times()[0]) << " to "
                << format_timestamp(imported.bars.times()[imported.bars.size() - 1]) << ")";
    std::cerr << '\n';
    return std::nullopt;
  }
  if (text_hash.valid()) {
    // The text is that of the run's bars when it is canonical and the run
    // takes every bar as it stands (a range may keep them all).
    if (!imported.canonical_text || file_timeframe != run_timeframe
        || out.bars.size() != imported_bars)
      abandon = true;
    std::string digest = text_hash.get();
    if (!abandon)
      out.text_checksum = std::move(digest);
  }
  out.load_ms = ms_since(load_start);
  return out;
}

std::string data_checksum(const bar_file& file) {
  return file.text_checksum ? *file.text_checksum : data_checksum(file.bars);
}

} // namespace bt::app
