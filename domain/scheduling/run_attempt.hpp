#pragma once
// One attempt of a run as it is dispatched: what a worker, here or on
// another node, needs to execute it. The same value goes from the claim in
// the database to the worker and comes back with its outcome, so the
// scheduler, the workers and the repository never copy it field by field.

#include "domain/data/timestamp.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bt {

/// Where a run stands (stored as its name in the runs table).
enum class run_status : std::uint8_t { queued, running, completed, failed, cancelled };

/// How one attempt of a run ended.
enum class attempt_result : std::uint8_t {
  completed,
  failed,
  cancelled,
  stale ///< the run was cancelled or given to another attempt meanwhile: nothing stored
};

constexpr std::string_view to_string(run_status s) {
  switch (s) {
  case run_status::queued:
    return "queued";
  case run_status::running:
    return "running";
  case run_status::completed:
    return "completed";
  case run_status::failed:
    return "failed";
  case run_status::cancelled:
    return "cancelled";
  }
  return "queued";
}

constexpr std::string_view to_string(attempt_result r) {
  switch (r) {
  case attempt_result::completed:
    return "completed";
  case attempt_result::failed:
    return "failed";
  case attempt_result::cancelled:
    return "cancelled";
  case attempt_result::stale:
    return "stale";
  }
  return "failed";
}

/// The status a name stands for (nothing for an unknown name).
constexpr std::optional<run_status> parse_run_status(std::string_view name) {
  for (auto s : {run_status::queued, run_status::running, run_status::completed, run_status::failed,
                 run_status::cancelled})
    if (to_string(s) == name)
      return s;
  return std::nullopt;
}

/// Completed, failed and cancelled runs never change again.
constexpr bool is_finished(run_status s) {
  return s == run_status::completed || s == run_status::failed || s == run_status::cancelled;
}

struct run_attempt {
  std::string run_id;
  std::int64_t user_id = 0;
  std::int32_t attempt = 0; ///< 1-based; a late message of an older attempt is stale
  std::string symbol, timeframe, source_timeframe, config_json, config_hash;
  unix_time start = 0, end = 0;
  /// The run's trace: its trace id, its submission's span (the attempt's
  /// parent) and this attempt's span, whose id the server chose when it
  /// claimed the run, so that the spans of a worker node join the same
  /// trace. Empty for runs submitted before traces were kept.
  std::string trace_id, submit_span_id, attempt_span_id;
  std::int64_t claimed_ns = 0;  ///< Unix nanoseconds: the attempt span's start
  std::string strategy_id;      ///< name@version, for span attributes
  std::int64_t eligible_ns = 0; ///< since when the run waited in the queue
  std::string worker_id;        ///< who claimed it
};

} // namespace bt
