#pragma once
// Backtest runs as stored: submission (idempotent), lookup, history,
// cancellation and deletion.

#include "domain/engine/backtest.hpp"
#include "domain/scheduling/run_attempt.hpp"
#include "persistence/audit_log.hpp"

#include <cstdint>
#include <functional>
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
  run_status status = run_status::queued;
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
  std::string trace_parent; ///< the submission's span as a traceparent, or empty
};

struct submit_outcome {
  run_row run;
  bool replay = false;  ///< an identical (or same Idempotency-Key) run existed
  bool refused = false; ///< `admit` said no: nothing was inserted
};

/// Inserts the run, unless a live identical run (same dedupe key) or a run
/// with the same Idempotency-Key exists: then that run is returned. Unique
/// indexes make this hold under concurrent identical submissions. `admit`,
/// when given, is asked before an insert (a quota: a replay needs none).
/// A new run writes the audit entry run.submitted, by `by`.
submit_outcome submit_run(pqxx::connection_base& c, const new_run& r, const audit_actor& by,
                          const std::function<bool()>& admit = {});

std::optional<run_row> find_run(pqxx::connection_base& c, std::int64_t user_id,
                                const std::string& id);

struct run_filter {
  std::optional<std::string> status, symbol, strategy;
  std::optional<unix_time> created_from, created_to;
  std::string sort = "created_at"; ///< created_at or a summary metric
  bool descending = true;
  std::int64_t limit = 50, offset = 0;
};
/// Runs counted past the end of a page for a history's total: beyond it the
/// total is a lower bound (total_exact false).
inline constexpr std::int64_t total_count_margin = 1000;

struct run_page {
  std::vector<run_row> runs;
  std::int64_t total = 0;  ///< matching runs, exact when total_exact
  bool total_exact = true; ///< false: at least `total` runs match
};
run_page list_runs(pqxx::connection_base& c, std::int64_t user_id, const run_filter& f);
/// Summary metric columns that list_runs can sort by.
const std::vector<std::string>& sortable_run_columns();

/// queued or running -> cancelled. Returns the status before (nothing when
/// the caller has no such run).
std::optional<run_status> cancel_run(pqxx::connection_base& c, std::int64_t user_id,
                                     const std::string& id, const audit_actor& by);
/// Deletes a finished run with its results; false when none.
bool delete_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                const audit_actor& by);

} // namespace bt::db
