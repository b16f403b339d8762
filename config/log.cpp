#include "config/log.hpp"

#include "domain/report/json_writer.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include <unistd.h>

namespace bt::log {

namespace {
thread_local std::string current_trace;
} // namespace

trace_scope::trace_scope(std::string trace_id) : previous_(std::move(current_trace)) {
  current_trace = std::move(trace_id);
}

trace_scope::~trace_scope() {
  current_trace = std::move(previous_);
}

void write(std::string_view level, std::string_view event, std::initializer_list<field> fields) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  std::string ts = format_timestamp(ms / 1000);
  // Milliseconds matter in logs: 2024-01-02T13:00:00.123Z.
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  ts.pop_back();
  ts += frac;
  json_writer w;
  w.begin_object();
  w.key("ts").string(ts);
  w.key("level").string(level);
  w.key("event").string(event);
  for (const auto& f : fields) {
    w.key(f.name);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>)
            w.string(v);
          else if constexpr (std::is_same_v<T, bool>)
            w.boolean(v);
          else
            w.number(v);
        },
        f.v);
  }
  // A line written while a request is handled names its trace, unless the
  // line names one itself.
  if (!current_trace.empty() && std::none_of(fields.begin(), fields.end(), [](const field& f) {
        return f.name == "trace_id";
      }))
    w.key("trace_id").string(current_trace);
  w.end_object();
  std::string line = w.take();
  line += '\n';
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(2, p, left);
    if (n <= 0)
      break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

} // namespace bt::log
