#pragma once
// Minimal `--name value` / `--name=value` option parsing for the subcommands.

#include "domain/data/timestamp.hpp"
#include "domain/engine/field_error.hpp"

#include <boost/json/fwd.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bt::app {

/// A usage mistake: reported on stderr, exit code 2.
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class command_line {
public:
  /// Parses argv[first..]. `flags` take no value; every other option must
  /// have one. Options not in `flags` or `valued` are a usage_error.
  command_line(int argc, char** argv, int first, const std::set<std::string>& valued,
               const std::set<std::string>& flags = {});

  std::optional<std::string> get(const std::string& name) const;
  std::string require(const std::string& name) const;
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }

private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
};

/// The option `--name`, else the environment's BACKTESTD_NAME (upper case,
/// '-' as '_'), as `serve` reads its settings; nothing when neither is set.
std::optional<std::string> setting(const command_line& args, const std::string& name);

/// Exit codes shared by all subcommands.
/// "backtestd COMMAND: message" (usage) or "backtestd COMMAND: error:
/// message" on standard error.
void report_error(const char* command, const char* message, bool usage);

enum exit_code : int { exit_ok = 0, exit_failure = 1, exit_usage = 2, exit_bad_data = 3 };

/// A whole input file, read-only. A regular file is mapped (no copy, no
/// zero-filled buffer: the bytes are the page cache's); anything else (a
/// pipe, /dev/stdin) is read into memory.
class file_text {
public:
  explicit file_text(const std::string& path); ///< throws usage_error naming the path
  ~file_text();
  file_text(const file_text&) = delete;
  file_text& operator=(const file_text&) = delete;

  std::string_view text() const { return {data_, size_}; }

private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  void* mapping_ = nullptr;
  std::string read_;
};
/// The value of --NAME as a whole number from 0 to `max`; usage_error otherwise.
std::uint64_t parse_count(const std::string& name, const std::string& text, std::uint64_t max);
/// --NAME as a JSON object (null when absent); usage_error otherwise.
boost::json::value parse_json_option(const command_line& args, const std::string& name);
/// --NAME as a range bound (`--to` as an end: a date alone means its whole
/// day); usage_error otherwise.
std::optional<unix_time> parse_time_option(const command_line& args, const std::string& name);
/// A file's JSON (a specification); usage_error naming the path otherwise.
boost::json::value read_json_file(const std::string& path);
/// "backtestd COMMAND: [WHERE: ][FIELD: ]message" on standard error, one line
/// an error (WHERE names the file the fields are in, or is empty).
void report_field_errors(const char* command, const std::string& where, const field_errors& errors);
/// --threads (default: every core) and --max-configurations (default
/// 100,000): the options of the research commands; usage_error otherwise.
unsigned threads_option(const command_line& args);
std::size_t max_configurations_option(const command_line& args);
/// --out DIR, created if need be (std::runtime_error when it cannot be).
std::optional<std::filesystem::path> output_directory(const command_line& args);
/// Writes `content` to `path` atomically (temporary file, fsync, rename).
void write_file_atomic(const std::string& path, const std::string& content);
/// Milliseconds since `start` (a command's timing figures).
double ms_since(std::chrono::steady_clock::time_point start);
/// Prints a command's JSON document and a newline: as written, or re-indented
/// with --pretty.
void print_document(const command_line& args, std::string compact);
/// Re-indents compact JSON for people.
std::string pretty_json(const std::string& compact);

} // namespace bt::app
