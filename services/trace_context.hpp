#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the trace a
// request belongs to, continued from an incoming `traceparent` header or
// begun here, and the ids of the spans within it. Plain values, so that a
// run's trace travels through the queue and to worker nodes.

#include <optional>
#include <string>
#include <string_view>

namespace bt {

struct trace_context {
  std::string trace_id; ///< 32 lowercase hex digits, not all zero
  std::string span_id;  ///< 16 lowercase hex digits: the current span
  bool sampled = true;

  bool valid() const { return trace_id.size() == 32 && span_id.size() == 16; }
  /// "00-<trace_id>-<span_id>-01"
  std::string traceparent() const;
};

/// The context of a valid `traceparent` header (version 00, or a later
/// version read as 00 would be); nothing for anything else.
std::optional<trace_context> parse_traceparent(std::string_view header);

/// A new random trace id (32 hex) and span id (16 hex).
std::string new_trace_id();
std::string new_span_id();

/// A child of `parent` in the same trace (a new span id); a new trace when
/// the parent is not valid.
trace_context child_of(const trace_context& parent);

} // namespace bt
