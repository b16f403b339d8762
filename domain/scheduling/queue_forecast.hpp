#pragma once
// When will a queued run start and finish? The queue's own rules, replayed:
// high before normal before low, first in first out, at most
// `per_user_limit` runs of one user at once, and only as many at a time as
// there are workers. The naive "position / workers x average" ignores the
// per-user limit (a user's second run waits for its first even when other
// workers are idle) and the time the running runs still need.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bt {

struct forecast_input {
  std::size_t workers = 0; ///< local and remote, alive
  int per_user_limit = 3;
  double run_seconds = 0; ///< expected duration of one run (recent average)
  struct running_run {
    std::int64_t user_id = 0;
    double remaining_seconds = 0;
  };
  std::vector<running_run> running;
  struct queued_run {
    std::string run_id;
    std::int64_t user_id = 0;
    double ready_in_seconds = 0; ///< retry backoff still to wait (0: due)
  };
  std::vector<queued_run> queued; ///< in dispatch order (priority, then FIFO)
};

struct run_forecast {
  std::int64_t position = 0; ///< 1 + queued runs that start before it
  double starts_in_seconds = 0;
  double eta_seconds = 0; ///< until it completes
};

/// The forecast of every queued run, in the order given. Empty when there
/// are no workers or no known run duration: the wait is then unknown, not 0.
std::vector<run_forecast> forecast_queue(const forecast_input& in);

/// The forecast of one queued run, if it is in the queue and a forecast exists.
std::optional<run_forecast> forecast_run(const forecast_input& in, const std::string& run_id);

} // namespace bt
