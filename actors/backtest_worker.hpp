#pragma once
// A worker executes one backtest at a time: loads the bars, runs the
// engine (reporting progress, honouring cancellation), and stores the
// results in one transaction. Detached: the engine is CPU-bound and the
// database calls block.

#include "actors/bar_cache.hpp"
#include "actors/messages.hpp"
#include "actors/run_registry.hpp"
#include "persistence/connection_pool.hpp"

#include <caf/fwd.hpp>

#include <memory>

namespace bt {

/// Test-only fault injection from BACKTESTD_FAULTS, ignored unless set:
/// "crash_at_bar=500,times=2" makes the worker throw at bar 500 on attempts
/// 1 and 2; "hang_at_bar=500,times=1" stops reporting at bar 500 (until
/// the watchdog gives up on it); "slow_ms_per_pct=30" sleeps 30 ms per 1%
/// of progress (a run then takes about 3 s, long enough to cancel or kill
/// mid-run).
struct fault_plan {
  std::int64_t crash_at_bar = -1;
  std::int64_t hang_at_bar = -1;
  std::int32_t times = 0;
  std::int64_t slow_ms_per_pct = 0;
  static fault_plan from_environment();
};

struct worker_context {
  std::shared_ptr<db::connection_pool> pool;
  std::shared_ptr<run_registry> registry;
  fault_plan faults;
  std::shared_ptr<bar_cache> bars = std::make_shared<bar_cache>();
};

worker_actor::behavior_type backtest_worker(worker_actor::pointer self, std::shared_ptr<worker_context> ctx,
                                            caf::actor queue_manager, std::string worker_id);

/// Executes one job synchronously (what the worker actor does); returns the
/// outcome, or throws when the attempt crashes.
job_outcome execute_job(const job_spec& job, worker_context& ctx, const std::string& worker_id);

} // namespace bt
