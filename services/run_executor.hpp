#pragma once
// Executing one attempt of a run, synchronously: load its bars (cache or
// database), run the engine with progress, cancellation and the test-only
// fault plan, store the results in one transaction. The worker actors call
// this on their own threads; nothing here knows about actors.

#include "domain/engine/backtest.hpp"
#include "domain/engine/backtest_engine.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/research/sweep_chunk.hpp"
#include "domain/research/walk_forward.hpp"
#include "domain/scheduling/run_attempt.hpp"
#include "persistence/connection_pool.hpp"
#include "services/bar_cache.hpp"
#include "services/cluster_view.hpp"
#include "services/progress_hub.hpp"
#include "services/run_book.hpp"
#include "services/run_registry.hpp"
#include "services/service_types.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace bt {

/// What one run may take: the wall clock from its start and the growth of
/// the process's resident memory while it runs (other runs in the process
/// count too, so the limit is generous: it stops a run that eats the
/// machine, not one that is merely large). 0: no limit.
struct run_limits {
  std::chrono::milliseconds wall_clock{0};
  std::int64_t memory_bytes = 0;
};

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
  std::int64_t store_delay_ms =
      0; ///< the queue clerk sleeps this long before storing a node's result
  /// Tests only: a wall-clock limit in milliseconds below the settings'
  /// range (300 s at least), and memory a run takes and touches at a bar
  /// (`hog_mb` MiB at bar `hog_at_bar`), to meet the limits in seconds.
  std::int64_t run_timeout_ms = 0, hog_mb = 0, hog_at_bar = -1;
  /// `limits` as this plan has them (run_timeout_ms replaces the wall clock).
  run_limits applied_to(run_limits limits) const {
    if (run_timeout_ms > 0)
      limits.wall_clock = std::chrono::milliseconds(run_timeout_ms);
    return limits;
  }
  static fault_plan from_environment();
};

/// A run past its limits: failed at once, with this message, never retried
/// (it would pass them again).
class run_limit_exceeded : public backtest_error {
public:
  using backtest_error::backtest_error;
};

/// The process's resident memory now, in bytes (0 when unknown).
std::int64_t resident_bytes();

/// A job's limits as it goes: the wall clock since construction and the
/// resident memory grown since; call at each step of the job.
class limit_check {
public:
  explicit limit_check(run_limits limits);
  /// Throws run_limit_exceeded naming the step (`what` `done` of `total`).
  void operator()(const char* what, std::size_t done, std::size_t total) const;

private:
  run_limits limits_;
  std::chrono::steady_clock::time_point started_;
  std::int64_t resident_at_start_ = 0;
  mutable std::chrono::steady_clock::time_point memory_sampled_;
};

/// Reports a running attempt's progress into a live_run (and, for remote
/// workers, through `report` at most every 250 ms), checks its cancel flag,
/// and applies the fault plan.
class job_observer final : public run_observer {
public:
  /// `initial_capital` turns the marked equity into profit so far;
  /// `publish`, when given, is told of every step (a progress stream).
  job_observer(live_run& live, const bar_series& bars, const fault_plan& faults,
               std::int32_t attempt, std::function<void(const live_run&)> report = nullptr,
               fixed initial_capital = {}, std::function<void(const live_run&)> publish = nullptr,
               run_limits limits = {});
  bool on_progress(const run_progress& p) override;
  std::size_t interval() const override { return interval_; }

private:
  live_run& live_;
  const bar_series& bars_;
  std::int64_t crash_at_, hang_at_, slow_ms_;
  std::function<void(const live_run&)> report_;
  fixed initial_capital_;
  std::function<void(const live_run&)> publish_;
  limit_check limits_;
  std::int64_t hog_mb_ = 0, hog_at_ = -1;
  std::vector<char> hog_; ///< tests: the memory the fault plan takes
  std::size_t interval_ = 1;
  std::chrono::steady_clock::time_point started_, last_report_{};
};

struct worker_context {
  std::shared_ptr<db::connection_pool> pool;
  std::shared_ptr<run_registry> registry;
  fault_plan faults;
  std::shared_ptr<bar_cache> bars = std::make_shared<bar_cache>();
  std::shared_ptr<cluster_view> cluster = std::make_shared<cluster_view>();
  /// The active runs in memory, synced after every transition (run_book.hpp).
  std::shared_ptr<run_book> book = std::make_shared<run_book>();
  /// Progress streams: local attempts publish each step here.
  std::shared_ptr<progress_hub> hub = std::make_shared<progress_hub>();
  run_limits limits{};
};

/// The stored bars a run reads (its source timeframe, its range), and the
/// checksum of the whole dataset they were read from (empty when none).
struct source_range {
  bar_series bars;
  std::string dataset_checksum;
};
source_range load_source(worker_context& ctx, const run_attempt& job);
bar_series load_source_range(worker_context& ctx, const run_attempt& job);

/// The run configuration stored with a run (its canonical JSON).
run_config config_from_json(const std::string& json);

/// A sweep chunk's configurations run over its source bars, here or on a
/// node: one at a time, `live` beating and its percent moving after each,
/// stopping between two when `live.cancel` is set. The fault plan's
/// slow_ms_per_pct (tests only) stretches a chunk to about 100 times it.
struct chunk_run {
  attempt_result result = attempt_result::failed;
  std::string error;
  bool permanent = false; ///< the failure would repeat: no retry
  std::vector<stored_configuration> rows;
};
chunk_run run_chunk(const run_attempt& job, const bar_series& source, live_run& live,
                    const std::function<void(const live_run&)>& report = nullptr,
                    const fault_plan& faults = {}, run_limits limits = {});

/// A queued walk-forward run over its source bars, here or on a node: its
/// document (write_walk_forward), the stitched trades and equity as CSV;
/// `live` beating and its percent moving after each fold, stopping between
/// two folds when `live.cancel` is set.
struct walk_forward_run {
  attempt_result result = attempt_result::failed;
  std::string error;
  bool permanent = false;
  std::string document, trades_csv, equity_csv;
};
walk_forward_run run_walk_forward_job(const run_attempt& job, const bar_series& source,
                                      live_run& live,
                                      const std::function<void(const live_run&)>& report = nullptr,
                                      run_limits limits = {}, const fault_plan& faults = {});

/// Executes one job synchronously (what the worker actor does): a run, a
/// sweep's chunk or a walk-forward; returns the outcome, or throws when the attempt crashes.
job_outcome execute_job(const run_attempt& job, worker_context& ctx, const std::string& worker_id);

} // namespace bt
