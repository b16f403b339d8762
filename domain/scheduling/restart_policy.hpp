#pragma once
// How a supervisor restarts a crashed worker: the first restart after
// `base`, each further one after twice the previous delay up to `cap`, and
// back to `base` once a worker has stayed up for `stable_after` (so that a
// worker that crashes once a day is not restarted 30 s late forever).

#include <algorithm>
#include <chrono>

namespace bt {

class restart_policy {
public:
  using ms = std::chrono::milliseconds;
  restart_policy(ms base, ms cap, ms stable_after)
      : base_(base), cap_(cap), stable_after_(stable_after) {}

  /// The delay before restarting a worker that just crashed, given the
  /// delay used for its previous restart (0: it has not crashed since it
  /// last became stable).
  ms next_delay(ms previous) const {
    return previous.count() == 0 ? base_ : std::min(previous * 2, cap_);
  }

  /// How long a worker must stay up for its delay to be reset to 0.
  ms stable_after() const { return stable_after_; }

private:
  ms base_, cap_, stable_after_;
};

/// The delay before attempt `attempt + 1` of a run whose attempt `attempt`
/// failed: `base` doubling per attempt (bounded at 2^10 * base).
inline std::chrono::milliseconds retry_delay(std::chrono::milliseconds base, std::int32_t attempt) {
  return base * (1 << std::min(std::max(attempt, 1) - 1, 10));
}

} // namespace bt
