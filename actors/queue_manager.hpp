#pragma once
// The queue manager hands queued runs to idle workers and supervises them.
//
// The queue lives in PostgreSQL; this actor only decides who runs what
// next: high before normal before low priority, FIFO within, at most
// `per_user_limit` runs of one user at once. It monitors its workers: a
// crashed worker's job is retried (up to `max_attempts` in total, with
// exponential backoff, then failed and dead-lettered) and the worker is
// restarted with exponential backoff (0.5 s doubling to 30 s, reset after it
// stayed up). A watchdog treats a worker that stopped reporting for
// `watchdog` as crashed. Detached: it makes blocking database calls.

#include "actors/backtest_worker.hpp"

#include <caf/fwd.hpp>

#include <chrono>

namespace bt {

struct queue_settings {
  unsigned workers = 2;
  int per_user_limit = 3;
  int max_attempts = 3;
  std::chrono::milliseconds retry_base{500};
  std::chrono::milliseconds restart_base{500};
  std::chrono::milliseconds restart_cap{30'000};
  std::chrono::milliseconds stable_after{10'000};
  std::chrono::milliseconds watchdog{60'000};
  std::chrono::milliseconds node_timeout{10'000}; ///< a node without heartbeats this long is lost
  std::int64_t depth_warning = 50;
};

/// Spawns the queue manager (which spawns its workers).
caf::actor spawn_queue_manager(caf::actor_system& sys, std::shared_ptr<worker_context> ctx,
                               queue_settings settings);

} // namespace bt
