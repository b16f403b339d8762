#include "services/trace_context.hpp"

#include "domain/report/hex.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace bt {
namespace {

bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

std::string random_hex(std::size_t bytes) {
  unsigned char b[16];
  if (RAND_bytes(b, static_cast<int>(bytes)) != 1)
    throw std::runtime_error("the system random number generator failed");
  return to_hex(b, bytes);
}

} // namespace

std::string trace_context::traceparent() const {
  return "00-" + trace_id + "-" + span_id + (sampled ? "-01" : "-00");
}

std::optional<trace_context> parse_traceparent(std::string_view h) {
  // version "-" trace-id "-" parent-id "-" flags; a later version may add
  // fields after a further "-", version ff is invalid.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-')
    return std::nullopt;
  const auto version = h.substr(0, 2), trace = h.substr(3, 32), span = h.substr(36, 16),
             flags = h.substr(53, 2);
  if (!lower_hex(version) || version == "ff" || !lower_hex(trace) || !lower_hex(span)
      || !lower_hex(flags) || all_zero(trace) || all_zero(span))
    return std::nullopt;
  if (version == "00" ? h.size() != 55 : (h.size() > 55 && h[55] != '-'))
    return std::nullopt;
  trace_context c;
  c.trace_id = std::string(trace);
  c.span_id = std::string(span);
  c.sampled = (std::stoi(std::string(flags), nullptr, 16) & 1) != 0;
  return c;
}

std::string new_trace_id() {
  return random_hex(16);
}

std::string new_span_id() {
  return random_hex(8);
}

trace_context child_of(const trace_context& parent) {
  trace_context c;
  c.trace_id = parent.valid() ? parent.trace_id : new_trace_id();
  c.span_id = new_span_id();
  c.sampled = parent.valid() ? parent.sampled : true;
  return c;
}

} // namespace bt
