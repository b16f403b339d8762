#pragma once
// Spans of a run's trace: the HTTP request, its submission, each queue
// wait, each attempt on a worker (local or on a node), the engine run and
// the result storage. Recorded as plain values and handed to a sink that
// app/ sets (net/'s OTLP exporter); without one, recording is a no-op.
// The ids come from trace_context: a run's trace travels in its row and in
// run_attempt, across the queue and to worker nodes.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bt {

/// One finished span, as OTLP describes it.
struct span_record {
  std::string trace_id, span_id, parent_span_id; ///< hex; no parent: empty
  std::string name;
  int kind = 1;                          ///< OTLP SpanKind: 1 internal, 2 server, 3 client
  std::int64_t start_ns = 0, end_ns = 0; ///< Unix nanoseconds
  std::vector<std::pair<std::string, std::string>> text;
  std::vector<std::pair<std::string, std::int64_t>> numbers;
  bool error = false;
  std::string status_message;
};

/// A span that begins when constructed and is recorded when destroyed (or
/// never, after discard()): a child of `parent_span_id` in `trace_id`. With
/// no trace id it is inert (no ids, nothing recorded).
class span_scope {
public:
  span_scope(std::string trace_id, std::string parent_span_id, std::string name, int kind = 1);
  ~span_scope();
  span_scope(const span_scope&) = delete;
  span_scope& operator=(const span_scope&) = delete;

  const std::string& span_id() const { return span_.span_id; }
  /// "00-<trace id>-<span id>-01", or empty when inert.
  std::string traceparent() const;
  span_scope& text(std::string key, std::string value);
  span_scope& number(std::string key, std::int64_t value);
  /// Marks the span failed, with why.
  void fail(std::string message);
  /// Starts the span at `start_ns` instead of at construction.
  void started_at(std::int64_t start_ns) { span_.start_ns = start_ns; }
  /// Records nothing (the operation turned out not to happen).
  void discard() { discarded_ = true; }

private:
  span_record span_;
  bool discarded_ = false;
};

struct run_attempt;

namespace tracing {

/// The claimed attempt's ids and queue wait: gives `job` its attempt span
/// (id and start) and records the span of its wait in the queue, from when
/// it became eligible to now.
void begin_attempt(run_attempt& job, const std::string& worker_id);
/// Records the attempt's span, from its claim to now (its outcome as
/// `result`; `error` non-empty: failed).
void end_attempt(const run_attempt& job, const std::string& worker_id, const std::string& result,
                 const std::string& error = {});
/// The attributes every span of an attempt carries.
void attempt_attributes(span_scope& span, const run_attempt& job, const std::string& worker_id);

/// Where finished spans go (set once at start-up; empty: nowhere).
void set_sink(std::function<void(span_record&&)> sink);
/// Whether a sink is set (callers skip building spans when not).
bool enabled();
/// Hands a finished span to the sink; never blocks on export.
void record(span_record&& span);
/// Now, in Unix nanoseconds.
std::int64_t now_ns();

} // namespace tracing
} // namespace bt
