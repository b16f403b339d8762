#pragma once
// JSON documents of the backtest API that are more than a stored blob: a
// run's status document, the queue, the cluster. The service gathers the
// facts; the presenter only writes them.

#include "persistence/run_repository.hpp"
#include "services/cluster_view.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bt {

class json_writer;

/// What is known of a run beyond its stored row.
struct run_view {
  double progress = 0;                        ///< percent
  std::optional<std::int64_t> queue_position; ///< queued runs
  std::optional<double> eta_seconds;          ///< until it completes
  bool no_workers = false;                    ///< queued, and nothing can run it
  std::optional<unix_time> current_bar_time;  ///< running here or on a node
  std::optional<std::int64_t> trades_so_far;
};

/// A run's strategy as {name, version} (status, history and compare).
void write_strategy(json_writer& w, const db::run_row& run);

/// What a run's row alone tells beyond itself (no live attempt, no queue):
/// a completed run is at 100 %, any other at its stored progress.
run_view stored_view(const db::run_row& run);

/// GET /v1/backtest/{id}.
std::string run_document(const db::run_row& run, const run_view& view, bool replay);

/// "high", "normal" or "low".
const char* priority_name(int priority);

/// GET /v1/admin/cluster.
std::string cluster_document(const std::vector<node_state>& nodes);

} // namespace bt
