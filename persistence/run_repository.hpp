#pragma once
// Backtest runs: the persistent queue, attempts, results and dead letters.

#include "domain/engine/backtest.hpp"
#include "domain/scheduling/run_attempt.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

/// A run as stored (everything GET /v1/backtest/{id} shows).
struct run_row {
  std::string id;
  std::int64_t user_id = 0;
  std::string status;
  int priority = 1;
  std::int64_t queue_seq = 0;
  std::string symbol, timeframe, source_timeframe;
  unix_time start = 0, end = 0;
  std::string strategy, strategy_version;
  std::string config_json, params_json, execution_json, config_hash, dataset_checksum;
  std::optional<std::string> data_checksum, error, worker_id, engine_version, metrics_json;
  std::string errors_json = "[]";
  std::string warnings_json = "[]"; ///< a completed run's warnings
  std::string dedupe_key;
  std::int32_t attempts = 0;
  double progress = 0;
  std::int64_t trades_so_far = 0;
  unix_time created_at = 0;
  std::optional<unix_time> started_at, finished_at;
  std::optional<double> duration_ms;
};

/// What a submission stores.
struct new_run {
  std::string id;
  std::int64_t user_id = 0;
  int priority = 1;
  std::string symbol, timeframe, source_timeframe;
  unix_time start = 0, end = 0;
  std::string strategy, strategy_version;
  std::string config_json, params_json, execution_json, config_hash, dataset_checksum, dedupe_key;
  std::optional<std::string> idempotency_key;
};

struct submit_outcome {
  run_row run;
  bool replay = false; ///< an identical (or same Idempotency-Key) run existed
};

/// Inserts the run, unless a live identical run (same dedupe key) or a run
/// with the same Idempotency-Key exists: then that run is returned. Unique
/// indexes make this hold under concurrent identical submissions.
submit_outcome submit_run(pqxx::connection_base& c, const new_run& r);

std::optional<run_row> find_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id);

struct queue_stats {
  std::int64_t queued = 0, running = 0;
  double avg_duration_ms = 0; ///< of the last 50 completed runs (0: none yet)
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

struct run_filter {
  std::optional<std::string> status, symbol, strategy;
  std::optional<unix_time> created_from, created_to;
  std::string sort = "created_at"; ///< created_at or a summary metric
  bool descending = true;
  std::int64_t limit = 50, offset = 0;
};
std::pair<std::int64_t, std::vector<run_row>> list_runs(pqxx::connection_base& c, std::int64_t user_id,
                                                        const run_filter& f);
/// Summary metric columns that list_runs can sort by.
const std::vector<std::string>& sortable_run_columns();

// --- the scheduler's side ----------------------------------------------------

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

/// A finished attempt's results in the form they are stored (and sent
/// between nodes): metrics JSON, trades, and the zones and equity CSVs.
struct stored_result {
  std::string metrics_json;
  std::string warnings_json = "[]";
  std::vector<trade> trades;
  std::string zones_csv, equity_csv;
  std::int64_t zones = 0, points = 0;
  std::string data_checksum, engine_version;
  double duration_ms = 0;
};

/// The stored form of a result computed here.
stored_result to_stored(const backtest_result& result, const std::string& engine_version, double duration_ms);

/// Stores a finished attempt's results in one transaction, unless the run
/// was cancelled or handed to another attempt meanwhile (then false and
/// nothing is written).
bool complete_run(pqxx::connection_base& c, const run_attempt& job, const stored_result& result);

enum class failure_outcome { requeued, dead_lettered, failed, stale };
enum class failure_kind {
  transient, ///< a crash, timeout or lost worker: retried
  permanent  ///< would repeat (data missing, invalid configuration, engine error): failed at once
};
/// Records a failed attempt: requeued after `retry_delay_ms`, or, on the
/// last allowed attempt, failed with a dead-letter row holding every
/// attempt's error. A permanent failure fails the run at once (no dead
/// letter: there is nothing for an operator to retry).
failure_outcome fail_attempt(pqxx::connection_base& c, const run_attempt& job, const std::string& error,
                             int max_attempts, std::int64_t retry_delay_ms,
                             failure_kind kind = failure_kind::transient);

/// Acknowledges a cancellation observed by the worker (no results kept).
void finish_cancelled(pqxx::connection_base& c, const run_attempt& job);

/// queued or running -> cancelled. Returns the status before (nothing when
/// the caller has no such run).
std::optional<std::string> cancel_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id);
/// Deletes a finished run with its results; false when none.
bool delete_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id);

/// Dead-letter rows (for tests and operators): (run_id, attempts, errors JSON).
std::optional<std::pair<std::int32_t, std::string>> dead_letter(pqxx::connection_base& c, const std::string& run_id);

// --- results -----------------------------------------------------------------

std::vector<equity_point> load_equity(pqxx::connection_base& c, const std::string& run_id);
/// The stored equity.csv document of a run (empty when none).
std::string load_equity_csv(pqxx::connection_base& c, const std::string& run_id);
std::vector<zone_record> load_zones(pqxx::connection_base& c, const std::string& run_id);

struct trade_filter {
  std::optional<std::string> side, zone_type, outcome; ///< outcome: win | loss
  std::optional<unix_time> from, to;                   ///< entry_time range, inclusive
  std::string sort = "entry_time";
  bool descending = false;
  std::int64_t limit = 50, offset = 0;                 ///< limit < 0: all
};
std::pair<std::int64_t, std::vector<trade>> load_trades(pqxx::connection_base& c, const std::string& run_id,
                                                        const trade_filter& f);

} // namespace bt::db
