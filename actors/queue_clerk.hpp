#pragma once
// The queue manager's clerk: a detached actor that does the queue's
// database and bulk work (claims, recorded failures, storing results sent
// by worker nodes, shipping bars to them) and reports back by message.
// The manager only decides; a 10,000-trade result being stored never holds
// up its heartbeats, watchdog or cancellations.

#include "actors/backtest_worker.hpp"
#include "domain/scheduling/restart_policy.hpp"

#include <caf/fwd.hpp>

#include <chrono>
#include <memory>

namespace bt {

struct clerk_settings {
  int max_attempts = 3;
  std::chrono::milliseconds retry_base{500};
  /// Test-only (BACKTESTD_FAULTS store_delay_ms): a slow store, to prove
  /// that the manager keeps its beat meanwhile.
  std::chrono::milliseconds store_delay{0};
};

/// Spawns the clerk for `manager`; runs left `running` by a previous
/// process are requeued before it takes its first message.
queue_clerk_actor spawn_queue_clerk(caf::actor_system& sys, std::shared_ptr<worker_context> ctx,
                                    clerk_settings s, caf::actor manager);

} // namespace bt
