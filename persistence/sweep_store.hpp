#pragma once
// Parameter sweeps as stored: a sweep with its chunks (queued runs), the
// results of its configurations (stored by the statement that completes
// their chunk), its state from its chunks, its results by any metric, and
// cancellation and deletion.

#include "domain/research/sweep_chunk.hpp"
#include "domain/scheduling/run_attempt.hpp"
#include "persistence/run_store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

struct new_sweep {
  std::string id;
  std::int64_t user_id = 0;
  std::string symbol, timeframe, strategy, spec_json, objective;
  bool maximise = true;
  unix_time start = 0, end = 0;
  std::int64_t configurations = 0;
  std::vector<new_run> chunks; ///< their config_json a chunk_config_json
};

/// The sweep and its chunks in one transaction: all queued, or nothing.
void submit_sweep(pqxx::connection_base& c, const new_sweep& s, const audit_actor& by);

struct sweep_row {
  std::string id;
  std::int64_t user_id = 0;
  std::string symbol, timeframe, strategy, spec_json, objective;
  bool maximise = true;
  unix_time start = 0, end = 0, created_at = 0;
  std::int64_t configurations = 0, chunks = 0;
  /// Chunks by state, and configurations stored by outcome.
  std::int64_t queued = 0, running = 0, completed_chunks = 0, failed_chunks = 0,
               cancelled_chunks = 0;
  std::int64_t done = 0, completed = 0, skipped = 0, failed = 0;
  std::optional<unix_time> finished_at; ///< the last chunk's, once none is active
  /// queued, running, completed, failed (a chunk failed for good) or
  /// cancelled, from the chunks.
  run_status status() const;
};

std::optional<sweep_row> find_sweep(pqxx::connection_base& c, std::int64_t user_id,
                                    const std::string& id);
/// A user's sweeps, newest first.
std::vector<sweep_row> list_sweeps(pqxx::connection_base& c, std::int64_t user_id,
                                   std::int64_t limit, std::int64_t offset, std::int64_t& total);

/// Completes a chunk's attempt and stores its configurations' results, in
/// one transaction; false (nothing stored) when the attempt no longer holds
/// the chunk (cancelled, or given to another attempt).
bool complete_chunk(pqxx::connection_base& c, const run_attempt& job,
                    const std::vector<stored_configuration>& results,
                    const std::string& engine_version, double duration_ms);

/// The stored configurations of a sweep ordered by index, or by a numeric
/// metric (absent values last), a page of them.
struct sweep_result_page {
  std::int64_t total = 0;
  std::vector<stored_configuration> rows;
};
sweep_result_page load_sweep_results(pqxx::connection_base& c, const std::string& sweep_id,
                                     const std::optional<std::string>& metric, bool descending,
                                     std::int64_t limit, std::int64_t offset,
                                     const std::optional<std::string>& status = std::nullopt);

/// The daily returns of every completed configuration of the sweep, in
/// index order: each(index, returns, count).
void for_each_sweep_returns(
    pqxx::connection_base& c, const std::string& sweep_id,
    const std::function<void(std::int64_t, const double*, std::size_t)>& each);

/// The sweep's best stored configuration by its objective among those
/// meeting the constraints (ties: the lower index).
std::optional<stored_configuration> best_of_sweep(pqxx::connection_base& c, const sweep_row& sweep);

/// Cancels a sweep's chunks still queued or running; their ids (the running
/// ones' workers are told through the run registry).
std::vector<std::string> cancel_chunks(pqxx::connection_base& c, const std::string& sweep_id,
                                       const audit_actor& by);
/// Deletes a finished sweep with its results and chunks; false when it is
/// not the user's or a chunk is still active.
bool delete_sweep(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                  const audit_actor& by);

// Walk-forward analyses: one queued run each (walk_forward_id set).

struct new_walk_forward {
  std::string id;
  std::int64_t user_id = 0;
  std::string symbol, timeframe, strategy, spec_json;
  unix_time start = 0, end = 0;
  std::int64_t folds = 0;
  new_run run; ///< its config_json a walk_forward_config_json
};
void submit_walk_forward(pqxx::connection_base& c, const new_walk_forward& w,
                         const audit_actor& by);

struct walk_forward_row {
  std::string id;
  std::int64_t user_id = 0;
  std::string symbol, timeframe, strategy, spec_json;
  unix_time start = 0, end = 0, created_at = 0;
  std::int64_t folds = 0;
  /// Its run's.
  std::string run_id;
  run_status status = run_status::queued;
  double progress = 0;
  std::int32_t attempts = 0;
  std::optional<std::string> error;
  std::optional<unix_time> finished_at;
};
std::optional<walk_forward_row> find_walk_forward(pqxx::connection_base& c, std::int64_t user_id,
                                                  const std::string& id);
std::vector<walk_forward_row> list_walk_forwards(pqxx::connection_base& c, std::int64_t user_id,
                                                 std::int64_t limit, std::int64_t offset,
                                                 std::int64_t& total);
/// A completed walk-forward's stored text: "result_json", "trades_csv" or
/// "equity_csv".
std::string load_walk_forward_text(pqxx::connection_base& c, const std::string& id,
                                   const std::string& column);
/// Completes the walk-forward's run and stores its document, trades and
/// equity in one transaction; false when the attempt no longer holds it.
bool complete_walk_forward(pqxx::connection_base& c, const run_attempt& job,
                           const std::string& document, const std::string& trades_csv,
                           const std::string& equity_csv, const std::string& engine_version,
                           double duration_ms);
/// Cancels its run if still queued or running; the run's id, if it was.
std::optional<std::string> cancel_walk_forward(pqxx::connection_base& c, const std::string& id,
                                               const audit_actor& by);
/// Deletes a finished walk-forward; false when it is not the user's or runs.
bool delete_walk_forward(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                         const audit_actor& by);

} // namespace bt::db
