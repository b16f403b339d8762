#pragma once
// `backtestd serve` settings. Precedence, highest first: command line,
// BACKTESTD_* environment variables, the config file (--config FILE or
// BACKTESTD_CONFIG; `key = value` lines, `#` comments), built-in defaults.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bt {

struct server_config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string data_dir = "./var";
  std::optional<std::string> database_url; ///< unset: embedded PostgreSQL
  unsigned io_threads = 1;
  unsigned workers = 0; ///< backtest workers; 0 runs none (default: one per core)
  std::size_t db_connections = 8;
  std::string web_dir; ///< swagger-ui-dist install directory
  std::size_t max_upload_bytes = 50u << 20;
  std::size_t max_json_bytes = 1u << 20;
  std::size_t max_upload_rows = 100'000;
  int max_user_runs = 3;                          ///< runs of one user executing at once
  std::int64_t queue_capacity = 1000;             ///< queued runs before submissions get 503
  std::size_t max_sweep_configurations = 100'000; ///< a larger sweep gets 422 with its size
  unsigned watchdog_seconds = 60;                 ///< a worker silent this long is replaced
  std::string cluster_host;                       ///< --cluster-listen: empty, no worker nodes
  std::uint16_t cluster_port = 0;
  std::string cluster_token_file;
  std::string cluster_tls_cert, cluster_tls_key; ///< both set: nodes connect over TLS
  std::string cluster_tls_ca;                    ///< CA that signs node certificates
  /// Submissions a key may make per window by its tier (admins: no limit);
  /// the window slides (a submission counts for `quota_window_seconds`).
  std::int64_t quota_free = 10, quota_pro = 100, quota_enterprise = 1000;
  unsigned quota_window_seconds = 3600;
  /// A run's wall-clock limit (300 to 14,400 s) and how much the process's
  /// resident memory may grow while it runs: past either it fails, not retried.
  unsigned run_timeout_seconds = 3600;
  std::int64_t run_memory_mb = 4096;
  /// A progress subscriber this many messages behind is dropped (or 1 MiB).
  std::size_t stream_buffer_events = 1024;
  /// Origins whose browser pages may call the API (CORS): exact origins
  /// (scheme://host[:port]) or "*"; none by default.
  std::vector<std::string> cors_origins;
  double rate_limit_per_second = 200; ///< per API key
  double rate_limit_burst = 400;
  /// Open HTTP connections at most; one more is answered 503 and closed.
  std::size_t max_connections = 1024;
  /// Request bodies being received or handled at once, in bytes (announced
  /// by Content-Length, or the route's limit for chunked bodies): beyond
  /// it a request gets 503 before its body is read. 2,048 admitted 50 MB
  /// uploads would otherwise be 100 GB.
  std::size_t max_body_bytes_in_flight = 512u << 20;
  /// SIGTERM: requests in flight get this long to finish.
  unsigned shutdown_seconds = 30;
  /// --metrics-listen HOST:PORT: GET /metrics there without a key (a
  /// scraper's address); empty: only on the API listener, for keys with
  /// metrics:read.
  std::string metrics_host;
  std::uint16_t metrics_port = 0;
  /// Retention (days) and the purge's interval (0: only on demand).
  std::int64_t retention_run_days = 90, retention_data_days = 30, retention_audit_days = 1827;
  std::optional<std::int64_t> keep_runs_per_user; ///< finished runs kept per user
  unsigned purge_interval_seconds = 3600;
  /// How often the program schedule looks for due cycles, in milliseconds
  /// (0: never; cycles then start only on request).
  unsigned program_interval_ms = 10'000;
  /// OTLP/HTTP (JSON) traces to this URL (http://host:port/v1/traces);
  /// empty: no export.
  std::string otlp_endpoint;
  /// JSON log lines go here instead of stderr (logrotate: copytruncate).
  std::string log_file;
};

/// The setting names, as used on the command line (`--name`), in config
/// files (`name = value`) and, upper-cased with '-' as '_', in the
/// environment (BACKTESTD_NAME).
const std::vector<std::string>& server_setting_names();

/// Builds the configuration from argv[first..], the environment and the
/// config file; throws std::invalid_argument naming the setting on error.
server_config load_server_config(int argc, char** argv, int first);

} // namespace bt
