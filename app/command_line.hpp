#pragma once
// Minimal `--name value` / `--name=value` option parsing for the subcommands.

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

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

/// Exit codes shared by all subcommands.
enum exit_code : int { exit_ok = 0, exit_failure = 1, exit_usage = 2, exit_bad_data = 3 };

/// Reads a whole file; throws usage_error naming the path when it cannot.
std::string read_file(const std::string& path);
/// Writes `content` to `path` atomically (temporary file, fsync, rename).
void write_file_atomic(const std::string& path, const std::string& content);
/// Re-indents compact JSON for people.
std::string pretty_json(const std::string& compact);

} // namespace bt::app
