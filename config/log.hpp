#pragma once
// Structured logs: one JSON object per line on stderr
// ({"ts": ..., "level": ..., "event": ..., ...fields}).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace bt::log {

using value = std::variant<std::string_view, std::int64_t, double, bool>;

struct field {
  std::string_view name;
  value v;
  field(std::string_view n, std::string_view s) : name(n), v(s) {}
  field(std::string_view n, const std::string& s) : name(n), v(std::string_view(s)) {}
  field(std::string_view n, const char* s) : name(n), v(std::string_view(s)) {}
  field(std::string_view n, std::int64_t i) : name(n), v(i) {}
  field(std::string_view n, int i) : name(n), v(static_cast<std::int64_t>(i)) {}
  field(std::string_view n, std::uint64_t i) : name(n), v(static_cast<std::int64_t>(i)) {}
  field(std::string_view n, double d) : name(n), v(d) {}
  field(std::string_view n, bool b) : name(n), v(b) {}
};

/// While it lives, every line this thread writes carries `trace_id` (a
/// request's, set where the request is handled); scopes nest.
class trace_scope {
public:
  explicit trace_scope(std::string trace_id);
  ~trace_scope();
  trace_scope(const trace_scope&) = delete;
  trace_scope& operator=(const trace_scope&) = delete;

private:
  std::string previous_;
};

void write(std::string_view level, std::string_view event, std::initializer_list<field> fields);
inline void info(std::string_view event, std::initializer_list<field> fields = {}) {
  write("info", event, fields);
}
inline void warn(std::string_view event, std::initializer_list<field> fields = {}) {
  write("warn", event, fields);
}
inline void error(std::string_view event, std::initializer_list<field> fields = {}) {
  write("error", event, fields);
}

} // namespace bt::log
