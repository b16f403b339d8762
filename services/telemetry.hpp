#pragma once
// The server's Prometheus metrics (prometheus-cpp), behind a facade that
// keeps prometheus-cpp out of every other file: net/ reports requests, the
// run book's listener reports run transitions, the market-data service
// uploads; gauges are read from their sources when a scrape renders the
// text exposition format. One registry per process.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace bt {

struct run_attempt;
namespace db {
struct run_row;
}

namespace telemetry {

/// One answered HTTP request: its route template (/v1/backtest/{id}), not
/// its path, so that the series stay bounded whatever clients send.
void http_request(const std::string& method, const std::string& route, unsigned status,
                  double seconds);

/// A run as the run book synced it: counts its transition (submitted,
/// completed, failed, cancelled, retried, dead-lettered) by kind (backtest,
/// sweep_chunk, walk_forward) and strategy, and observes a completed run's
/// duration. Remembers the last status of at most 100,000 runs.
void observe_run(const db::run_row& row);
/// A claimed attempt (after tracing::begin_attempt set its claim time):
/// observes its wait in the queue, from when it became eligible, by kind.
void observe_claim(const run_attempt& job);
/// The next failure of `run_id` observe_run sees is a dead letter (the
/// queue clerk knows; the row does not say).
void note_dead_letter(const std::string& run_id);

/// An accepted upload: its bytes as received and its rows.
void upload(std::uint64_t bytes, std::uint64_t rows);

/// An evaluation program's cycle started, and a cycle's scorecard written
/// (with the seconds from its triggering upload, for scheduled cycles).
void program_cycle(const std::string& reason);
void program_scorecard(std::optional<double> trigger_to_scorecard_seconds);

/// A decision about a paper deployment (its audit action:
/// deployment.promoted, deployment.rolled_back, ...).
void deployment_decision(const std::string& action);
/// An alert about a deployment (drawdown, drift, rollback, redundant,
/// type_capped, full, demoted, override, error).
void deployment_alert(const std::string& kind);
/// Paper deployments by status, as the deployment pass last counted them
/// (a scrape reads memory, never the database).
void deployments_counted(const std::vector<std::pair<std::string, std::int64_t>>& by_status);

/// The gauges, read at each scrape.
struct gauge_values {
  std::map<int, std::int64_t> queued_by_priority;
  std::int64_t running = 0;
  std::int64_t local_workers = 0, node_workers = 0;
  std::int64_t nodes_up = 0, nodes_lost = 0;
  std::int64_t db_connections_in_use = 0, db_connections_max = 0;
  std::int64_t progress_subscribers = 0;
};
/// Where scrapes read the gauges (set once at start-up).
void set_gauge_source(std::function<gauge_values()> source);

/// The whole registry in the Prometheus text exposition format (0.0.4).
std::string scrape_text();
/// Its media type.
inline constexpr const char* text_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// The route template a request path matches in the permission table
/// (services/permissions.cpp), "/metrics", "/health", or "other".
std::string route_template(const std::string& path);

} // namespace telemetry
} // namespace bt
