#include "actors/backtest_api_worker.hpp"
#include "actors/cluster.hpp"
#include "actors/market_data_worker.hpp"
#include "actors/queue_manager.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "config/log.hpp"
#include "config/server_config.hpp"
#include "domain/engine/run_config.hpp"
#include "net/http_server.hpp"
#include "net/metrics_listener.hpp"
#include "net/otlp_exporter.hpp"
#include "net/routes.hpp"
#include "persistence/embedded_postgres.hpp"
#include "persistence/migrations.hpp"
#include "services/periodic_task.hpp"
#include "services/retention_service.hpp"
#include "services/telemetry.hpp"
#include "services/tracing.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <pqxx/pqxx>

#include <stdexcept>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace bt::http {
const std::string& openapi_document();
}

namespace bt::app {

std::string open_database(const std::optional<std::string>& url, const std::string& data_dir,
                          std::unique_ptr<db::embedded_postgres>& embedded, bool server) {
  std::string conninfo;
  if (url) {
    conninfo = *url;
  } else {
    embedded =
        server ? db::embedded_postgres::start(data_dir) : db::embedded_postgres::attach(data_dir);
    conninfo = embedded->connection_string();
  }
  pqxx::connection c(conninfo);
  for (const auto& name : db::migrate(c))
    log::info("migration_applied", {{"name", name}});
  return conninfo;
}

int serve_command(int argc, char** argv) {
  server_config cfg;
  try {
    cfg = load_server_config(argc, argv, 2);
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
  if (!cfg.log_file.empty()) {
    // Log lines are appended (O_APPEND), so logrotate's copytruncate is safe.
    const int fd = ::open(cfg.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0 || ::dup2(fd, 2) < 0)
      throw usage_error("--log-file: cannot append to " + cfg.log_file);
    ::close(fd);
  }
  log::info("starting", {{"version", bt::engine_version()},
                         {"listen", cfg.listen_host + ":" + std::to_string(cfg.listen_port)},
                         {"data_dir", cfg.data_dir},
                         {"database", cfg.database_url ? "external" : "embedded"},
                         {"io_threads", static_cast<int>(cfg.io_threads)},
                         {"workers", static_cast<int>(cfg.workers)}});
  std::unique_ptr<db::embedded_postgres> embedded;
  std::string conninfo;
  try {
    conninfo = open_database(cfg.database_url, cfg.data_dir, embedded, true);
  } catch (const db::embedded_error& e) {
    log::error("database_start_failed", {{"reason", e.what()}});
    return exit_failure;
  } catch (const std::exception& e) {
    log::error("database_start_failed", {{"reason", e.what()}});
    return exit_failure;
  }
  // The audit key signs the retention purge's checkpoints of the audit log.
  std::string audit_key;
  std::unique_ptr<http::metrics_listener> scrape_listener;
  try {
    audit_key = db::load_audit_key(cfg.data_dir + "/audit.key");
    if (!cfg.metrics_host.empty()) {
      scrape_listener =
          std::make_unique<http::metrics_listener>(cfg.metrics_host, cfg.metrics_port);
      log::info("metrics_listening", {{"address", cfg.metrics_host},
                                      {"port", static_cast<int>(scrape_listener->port())}});
    }
  } catch (const std::exception& e) {
    log::error("start_failed", {{"reason", e.what()}});
    if (embedded)
      embedded->stop();
    return exit_failure;
  }
  // Traces: spans go to the OTLP collector, if one is named.
  std::unique_ptr<http::otlp_exporter> exporter;
  if (!cfg.otlp_endpoint.empty()) {
    exporter = std::make_unique<http::otlp_exporter>(cfg.otlp_endpoint, "backtestd");
    tracing::set_sink([e = exporter.get()](span_record&& s) { e->enqueue(std::move(s)); });
  }
  auto pool = std::make_shared<db::connection_pool>(conninfo, cfg.db_connections);
  int code = exit_ok;
  {
    caf::actor_system_config caf_cfg;
    caf_cfg.add_message_types<caf::id_block::bt>();
    // CAF's cooperative threads only relay messages; the io threads and the
    // detached workers do the work.
    caf_cfg.set("scheduler.max-threads", 2);
    // Work stealing sleeps up to 10 ms when idle (relaxed polling), which
    // puts 10 ms on every request of a quiet server; sharing wakes workers
    // through a condition variable instead.
    caf_cfg.set("scheduler.policy", caf::atom("sharing"));
    caf_cfg.set("logger.verbosity", caf::atom("quiet"));
    std::string cluster_token;
    if (!cfg.cluster_host.empty()) {
      try {
        cluster_token = read_cluster_token(cfg.cluster_token_file);
      } catch (const std::exception& e) {
        log::error("cluster_token_unreadable", {{"reason", e.what()}});
        return exit_failure;
      }
      caf_cfg.load<caf::io::middleman>();
      caf_cfg.set("middleman.app-identifiers", std::vector<std::string>{cluster_app_id});
      if (!cfg.cluster_tls_cert.empty()) {
        caf_cfg.load<caf::openssl::manager>();
        caf_cfg.openssl_certificate = cfg.cluster_tls_cert;
        caf_cfg.openssl_key = cfg.cluster_tls_key;
        caf_cfg.openssl_cafile = cfg.cluster_tls_ca;
      }
    }
    caf::actor_system sys{caf_cfg};
    market_data_limits limits;
    limits.max_upload_rows = cfg.max_upload_rows;
    limits.max_upload_bytes = cfg.max_upload_bytes;
    auto workers = spawn_market_data_workers(sys, cfg.db_connections, pool, limits);

    // Backtests: a queue manager supervising cfg.workers workers; API
    // requests about runs go to their own detached actors.
    auto registry = std::make_shared<run_registry>();
    // Workers get their own connections. With the embedded database the
    // server processes behind them run at the workers' lower CPU priority
    // too, so that batch work never delays a request.
    std::function<void(pqxx::connection&)> lower_priority;
    if (embedded)
      lower_priority = [](pqxx::connection& c) {
        pqxx::nontransaction q(c);
        const auto pid = q.exec("SELECT pg_backend_pid()")[0][0].as<int>();
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(pid), 10); // best effort
      };
    auto worker_pool =
        std::make_shared<db::connection_pool>(conninfo, cfg.workers + 1, lower_priority);
    auto worker_ctx = std::make_shared<worker_context>(
        worker_context{worker_pool, registry, fault_plan::from_environment()});
    worker_ctx->limits = worker_ctx->faults.applied_to(
        {std::chrono::seconds(cfg.run_timeout_seconds), cfg.run_memory_mb << 20});
    // Progress streams: every transition the run book syncs is published,
    // progress by the workers (local ones directly, nodes' through the
    // queue manager).
    // A sweep's or walk-forward's item moves its job's stream too: the
    // service writes the job's document, once it exists (set below; the
    // listener is set before the book is shared, and holds it weakly).
    struct research_source {
      std::mutex mutex;
      std::weak_ptr<backtest_service> service;
    };
    auto research = std::make_shared<research_source>();
    worker_ctx->book->set_listener([hub = worker_ctx->hub, research](pqxx::connection_base& c,
                                                                     const db::run_row& row,
                                                                     const std::string* finished) {
      telemetry::observe_run(row);
      hub->publish_transition(row, finished);
      std::shared_ptr<backtest_service> service;
      {
        std::lock_guard<std::mutex> lock(research->mutex);
        service = research->service.lock();
      }
      if (!service)
        return;
      if (auto update = service->research_transition(c, row)) {
        hub->link(row.id, update->channel, update->configurations, update->total, update->done,
                  update->active, update->completed);
        hub->publish_document(update->channel, update->status, update->document);
      }
    });
    queue_settings qs;
    qs.workers = cfg.workers;
    qs.per_user_limit = cfg.max_user_runs;
    qs.watchdog = std::chrono::seconds(cfg.watchdog_seconds);
    const bool cluster = !cfg.cluster_host.empty();
    caf::actor qm =
        cfg.workers > 0 || cluster ? spawn_queue_manager(sys, worker_ctx, qs) : caf::actor{};
    gateway_actor gateway;
    if (cluster) {
      gateway = spawn_gateway(sys, cluster_token, qm);
      auto port =
          cfg.cluster_tls_cert.empty()
              ? sys.middleman().publish(gateway, cfg.cluster_port, cfg.cluster_host.c_str(), true)
              : caf::openssl::publish(gateway, cfg.cluster_port, cfg.cluster_host.c_str(), true);
      if (!port) {
        log::error("cluster_listen_failed",
                   {{"listen", cfg.cluster_host + ":" + std::to_string(cfg.cluster_port)},
                    {"reason", sys.render(port.error())}});
        caf::anon_send_exit(qm, caf::exit_reason::user_shutdown);
        caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
        return exit_failure;
      }
      log::info("cluster_listening", {{"address", cfg.cluster_host},
                                      {"port", static_cast<int>(*port)},
                                      {"tls", !cfg.cluster_tls_cert.empty()}});
    }
    backtest_limits bl;
    bl.queue_capacity = cfg.queue_capacity;
    bl.max_sweep_configurations = cfg.max_sweep_configurations;
    bl.workers = cfg.workers;
    bl.per_user_limit = cfg.max_user_runs;
    bl.quota_free = cfg.quota_free;
    bl.quota_pro = cfg.quota_pro;
    bl.quota_enterprise = cfg.quota_enterprise;
    bl.quota_window = std::chrono::seconds(cfg.quota_window_seconds);
    auto service = std::make_shared<backtest_service>(
        pool, registry, bl,
        [qm] {
          if (qm)
            caf::anon_send(qm, wake_atom::value);
        },
        worker_ctx->cluster, worker_ctx->book);
    {
      std::lock_guard<std::mutex> lock(research->mutex);
      research->service = service;
    }
    // Retention: the hourly purge and POST /v1/admin/purge; the audit key
    // (signing the purge's checkpoints) lives in the data directory.
    db::retention_policy policy;
    policy.run_days = cfg.retention_run_days;
    policy.data_days = cfg.retention_data_days;
    policy.audit_days = cfg.retention_audit_days;
    policy.keep_runs_per_user = cfg.keep_runs_per_user;
    auto retention = std::make_shared<retention_service>(pool, policy, audit_key);
    service->set_retention(retention);
    service->set_progress_hub(worker_ctx->hub);
    std::optional<periodic_task> purges, programs, replays;
    if (cfg.purge_interval_seconds > 0)
      purges.emplace(
          std::chrono::seconds(cfg.purge_interval_seconds),
          [retention] { retention->purge(false, db::audit_actor{}); }, "purge_failed");
    // Evaluation programs' scheduled and regime-triggered cycles, then
    // their paper deployments advanced over the bars stored since.
    if (cfg.program_interval_ms > 0)
      programs.emplace(
          std::chrono::milliseconds(cfg.program_interval_ms),
          [service] {
            service->run_program_schedule();
            service->run_deployments();
          },
          "program_schedule_failed");
    // Replays of programs, one at a time on a thread of their own; one a
    // stopped server was running goes back to the queue first.
    if (cfg.program_interval_ms > 0) {
      db::requeue_replays(*pool->acquire());
      replays.emplace(
          std::chrono::milliseconds(cfg.program_interval_ms), [service] { service->run_replays(); },
          "replay_failed");
    }
    // Gauges are read from memory at each scrape: no database on a scrape.
    telemetry::set_gauge_source([book = worker_ctx->book, cluster_nodes = worker_ctx->cluster, pool,
                                 hub = worker_ctx->hub, local = cfg.workers] {
      telemetry::gauge_values g;
      if (auto n = book->counts()) {
        g.queued_by_priority = n->queued_by_priority;
        g.running = n->running;
      }
      g.local_workers = local;
      if (cluster_nodes)
        for (const auto& node : cluster_nodes->nodes()) {
          (node.status == "up" ? g.nodes_up : g.nodes_lost) += 1;
          if (node.status == "up")
            g.node_workers += static_cast<std::int64_t>(node.workers);
        }
      g.db_connections_in_use = static_cast<std::int64_t>(pool->in_use());
      g.db_connections_max = static_cast<std::int64_t>(pool->size());
      g.progress_subscribers = static_cast<std::int64_t>(hub->subscribers());
      return g;
    });

    auto api_workers = spawn_backtest_api_workers(sys, cfg.db_connections, service);
    // Status reads that memory answers never leave the io thread (routes.hpp).
    auto status_from_memory = [service](const backtest_call& call) {
      return service->status_from_memory(call);
    };
    try {
      http::api_routes routes(sys, workers, api_workers, cfg, http::openapi_document(),
                              status_from_memory, worker_ctx->hub);
      http::http_server server(routes, cfg);
      log::info("listening",
                {{"address", cfg.listen_host}, {"port", static_cast<int>(server.port())}});
      server.run();
      // The gate: nothing may call back into the routes or a session once
      // they are gone (the server, then the routes, are destroyed below).
      routes.close(std::chrono::seconds(10));
    } catch (const std::exception& e) {
      log::error("server_failed", {{"reason", e.what()}});
      code = exit_failure;
    }
    // A running replay stops between two cycles and is queued again.
    service->stop_replays();
    replays.reset();
    for (auto& w : workers)
      caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
    for (auto& w : api_workers)
      caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
    if (qm)
      caf::anon_send_exit(qm, caf::exit_reason::user_shutdown);
    if (gateway)
      caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
  }
  telemetry::set_gauge_source({}); // it holds the pool
  tracing::set_sink({});           // before the exporter sends what it holds
  pool.reset();
  if (embedded)
    embedded->stop();
  log::info("stopped", {{"exit_code", code}});
  return code;
}

} // namespace bt::app
