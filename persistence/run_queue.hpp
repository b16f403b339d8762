#pragma once
// The persistent queue: claims, attempts, failures, retries and dead
// letters, and what the queue holds now.

#include "persistence/run_store.hpp"

namespace pqxx {
class connection_base;
}

namespace bt::db {

/// Forecasts expect a run to take as long as the average of this many most
/// recent completed runs.
inline constexpr std::size_t recent_completed_runs = 50;

struct queue_stats {
  std::int64_t queued = 0, running = 0;
  double avg_duration_ms = 0; ///< of the recent_completed_runs last completed (0: none yet)
};
queue_stats read_queue_stats(pqxx::connection_base& c);
/// 1-based position of a queued run in dispatch order (priority, then FIFO).
std::int64_t queue_position(pqxx::connection_base& c, const run_row& r);

/// What the queue holds now, for forecasts: queued runs in dispatch order
/// (with the backoff they still wait) and the running runs.
struct queue_snapshot {
  struct queued {
    std::string run_id;
    std::int64_t user_id = 0;
    double ready_in_seconds = 0;
  };
  struct running {
    std::string run_id;
    std::int64_t user_id = 0;
    double elapsed_seconds = 0;
  };
  std::vector<queued> queue;
  std::vector<running> active;
};
queue_snapshot read_queue_snapshot(pqxx::connection_base& c);

/// The operators' view of the queue (GET /v1/admin/queue): every user's
/// queued runs in dispatch order with their positions, the running runs
/// with their workers, and the latest dead letters; each list at most
/// `limit` long.
struct queue_overview {
  struct entry {
    std::string run_id, user, status, priority, strategy, symbol, timeframe, worker_id, error;
    std::int64_t position = 0, attempts = 0;
    double progress = 0;
    std::optional<unix_time> created_at, started_at, dead_at;
  };
  std::vector<entry> queued, running, dead_letters;
  std::int64_t queued_total = 0, dead_letters_total = 0;
};
queue_overview read_queue_overview(pqxx::connection_base& c, std::int64_t limit);

/// Marks the next eligible run (queued, due, its user below `per_user_limit`
/// running runs; high before normal before low, FIFO within) as running
/// for `worker_id`, counting an attempt.
std::optional<run_attempt> claim_next(pqxx::connection_base& c, const std::string& worker_id,
                                      int per_user_limit);

/// A claim whose worker went away before the run was handed to it: back to
/// the queue as if never claimed (the attempt is not counted).
void release_claim(pqxx::connection_base& c, const run_attempt& job);

/// Runs left `running` by a process that died go back to the queue (their
/// next claim counts another attempt). Returns how many.
std::int64_t requeue_orphans(pqxx::connection_base& c);

enum class failure_outcome { requeued, dead_lettered, failed, stale };
enum class failure_kind {
  transient, ///< a crash, timeout or lost worker: retried
  permanent  ///< would repeat (data missing, invalid configuration, engine error): failed at once
};
/// Records a failed attempt: requeued after `retry_delay_ms`, or, on the
/// last allowed attempt, failed with a dead-letter row holding every
/// attempt's error. A permanent failure fails the run at once (no dead
/// letter: there is nothing for an operator to retry).
failure_outcome fail_attempt(pqxx::connection_base& c, const run_attempt& job,
                             const std::string& error, int max_attempts,
                             std::int64_t retry_delay_ms,
                             failure_kind kind = failure_kind::transient);

/// Acknowledges a cancellation observed by the worker (no results kept).
void finish_cancelled(pqxx::connection_base& c, const run_attempt& job);

/// A queued or running run as the server's run book holds it: its row, the
/// seconds until it may next be claimed (retry backoff) and the seconds its
/// attempt has run, both as of the read (no clock but the database's).
struct active_run {
  run_row row;
  double ready_in_seconds = 0;
  double elapsed_seconds = 0;
};
/// The queued and running runs (at most `limit`).
std::vector<active_run> read_active_runs(pqxx::connection_base& c, std::size_t limit);
/// The run named, whatever its status (none when there is no such run): what
/// the run book reads after a transition, holding it while it is active and
/// handing it on once it has finished.
std::optional<active_run> read_run_state(pqxx::connection_base& c, const std::string& run_id);
/// Durations of the most recent completed runs (at most `limit`, newest first).
std::vector<double> recent_durations_ms(pqxx::connection_base& c, std::size_t limit);

/// Dead-letter rows (for tests and operators): (run_id, attempts, errors JSON).
std::optional<std::pair<std::int32_t, std::string>> dead_letter(pqxx::connection_base& c,
                                                                const std::string& run_id);

} // namespace bt::db
