#pragma once
// The hourly submission quota of API keys: a sliding window per key (a
// submission counts for exactly `window` after it was accepted), so a key
// never gets more than its limit in any window-long span, and a refused
// client is told when its next slot frees. Accepted submissions only:
// whoever takes a slot gives it back when the submission is refused after
// all or turns out to be an idempotent replay.
//
// Held in memory (a restart forgets the counts, so a key may submit up to
// its limit again after one), bounded: the windows of at most
// `max_timestamps` submissions in all, the least recently active keys'
// windows evicted first. Thread-safe.

#include "domain/containers/bounded_lru.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>

namespace bt {

class submission_quota {
public:
  using clock = std::chrono::steady_clock;

  explicit submission_quota(std::chrono::seconds window = std::chrono::hours(1),
                            std::size_t max_timestamps = 4'000'000);

  /// Where a key stands: its limit, the slots left in the window now, and
  /// how long until the oldest counted submission leaves it (0: none counted).
  struct standing {
    std::int64_t limit = 0;
    std::int64_t remaining = 0;
    std::chrono::seconds next_slot_in{0}; ///< rounded up to whole seconds
  };
  /// One slot taken, or refused.
  struct ticket {
    bool granted = false;
    std::int64_t key_id = 0;
    clock::time_point at{};
    standing after; ///< the key's standing once this was decided
  };

  /// Takes a slot of `key_id`'s window when fewer than `limit` are counted.
  ticket take(std::int64_t key_id, std::int64_t limit, clock::time_point now = clock::now());
  /// Gives a granted ticket's slot back (once; nothing for a refused one).
  void give_back(ticket& t);
  /// The key's standing without taking anything.
  standing look(std::int64_t key_id, std::int64_t limit, clock::time_point now = clock::now());

  std::chrono::seconds window() const { return window_; }

private:
  using times = std::deque<clock::time_point>; ///< oldest first
  standing standing_of(const times& t, std::int64_t limit, clock::time_point now) const;
  void expire(times& t, clock::time_point now) const;

  const std::chrono::seconds window_;
  std::mutex mutex_;
  bounded_lru<std::int64_t, times> keys_;
};

} // namespace bt
