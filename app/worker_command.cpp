// `backtestd worker`: a worker node. Its workers register with the server's
// queue manager through the CAF middleman, receive each run's bars with the
// job, and send the results back; the node needs no database.

#include "actors/cluster.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "config/log.hpp"
#include "net/otlp_exporter.hpp"
#include "services/tracing.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <unistd.h>

namespace bt::app {
namespace {

std::atomic<bool> stop_requested{false};
extern "C" void on_stop_signal(int) {
  stop_requested = true;
}

} // namespace

int worker_command(int argc, char** argv) {
  command_line args(argc, argv, 2,
                    {"join", "workers", "cluster-token-file", "node-id", "cluster-tls-cert",
                     "cluster-tls-key", "cluster-tls-ca", "run-timeout-seconds", "run-memory-mb",
                     "otlp-endpoint"},
                    {"cluster-tls"});
  const bool tls =
      args.flag("cluster-tls") || args.get("cluster-tls-cert") || args.get("cluster-tls-ca");
  const std::string join = args.require("join");
  const auto colon = join.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw usage_error("--join must be HOST:PORT of the server's --cluster-listen");
  const std::string host = join.substr(0, colon);
  const auto port = static_cast<std::uint16_t>(std::strtoul(join.c_str() + colon + 1, nullptr, 10));
  unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  if (auto w = args.get("workers")) {
    workers = static_cast<unsigned>(std::strtoul(w->c_str(), nullptr, 10));
    if (workers == 0 || workers > 256)
      throw usage_error("--workers must be from 1 to 256");
  }
  // The same run limits as the server's (serve --run-timeout-seconds, --run-memory-mb).
  run_limits limits{std::chrono::seconds(3600), std::int64_t{4096} << 20};
  if (auto t = args.get("run-timeout-seconds")) {
    const auto seconds = std::strtoul(t->c_str(), nullptr, 10);
    if (seconds < 300 || seconds > 14'400)
      throw usage_error("--run-timeout-seconds must be from 300 to 14400");
    limits.wall_clock = std::chrono::seconds(seconds);
  }
  if (auto m = args.get("run-memory-mb")) {
    const auto mb = std::strtoll(m->c_str(), nullptr, 10);
    if (mb < 64 || mb > 1'048'576)
      throw usage_error("--run-memory-mb must be from 64 to 1048576");
    limits.memory_bytes = static_cast<std::int64_t>(mb) << 20;
  }
  std::string token;
  try {
    token = read_cluster_token(args.require("cluster-token-file"));
  } catch (const usage_error&) {
    throw;
  } catch (const std::exception& e) {
    throw usage_error(e.what());
  }
  // The node's spans (its engine runs) join the runs' traces at the
  // collector; it is named like the server's --otlp-endpoint.
  std::unique_ptr<http::otlp_exporter> exporter;
  if (auto url = args.get("otlp-endpoint")) {
    try {
      exporter = std::make_unique<http::otlp_exporter>(*url, "backtestd-worker");
    } catch (const std::invalid_argument& e) {
      throw usage_error(e.what());
    }
    tracing::set_sink([e = exporter.get()](span_record&& s) { e->enqueue(std::move(s)); });
  }
  struct sink_reset {
    ~sink_reset() { tracing::set_sink({}); } // before the exporter sends what it holds
  } reset_sink;
  char hostname[256] = "node";
  ::gethostname(hostname, sizeof hostname - 1);
  const std::string node_id =
      args.get("node-id").value_or(std::string(hostname) + "-" + std::to_string(::getpid()));

  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::bt>();
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.app-identifiers", std::vector<std::string>{cluster_app_id});
  if (tls) {
    cfg.load<caf::openssl::manager>();
    cfg.openssl_certificate = args.get("cluster-tls-cert").value_or("");
    cfg.openssl_key = args.get("cluster-tls-key").value_or("");
    cfg.openssl_cafile = args.get("cluster-tls-ca").value_or("");
  }
  cfg.set("scheduler.max-threads", 2);
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);

  // The server may still be starting: keep trying for 30 s.
  gateway_actor gateway;
  for (int attempt = 0; attempt < 60 && !stop_requested; ++attempt) {
    auto remote = tls ? caf::openssl::remote_actor<gateway_actor>(sys, host, port)
                      : sys.middleman().remote_actor<gateway_actor>(host, port);
    if (remote) {
      gateway = *remote;
      break;
    }
    if (attempt == 0)
      log::warn("server_unreachable", {{"join", join}, {"reason", sys.render(remote.error())}});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (!gateway) {
    log::error("join_failed", {{"join", join}, {"reason", "server unreachable"}});
    return exit_failure;
  }

  auto cancellations = std::make_shared<node_cancellations>();
  std::vector<node_worker_actor> handles;
  for (unsigned i = 0; i < workers; ++i)
    handles.push_back(spawn_node_worker(sys, gateway, cancellations, limits));
  auto control = spawn_node_control(sys, cancellations);
  int code = exit_ok;
  {
    caf::scoped_actor self{sys};
    auto shutdown = [&] {
      for (auto& h : handles)
        caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(control, caf::exit_reason::user_shutdown);
    };
    // Prove knowledge of the token without sending it: HMAC over a nonce.
    std::string challenge;
    bool accepted = false;
    self->request(gateway, std::chrono::seconds(10), hello_atom::value, node_id)
        .receive([&](std::string& c) { challenge = std::move(c); },
                 [&](caf::error& e) {
                   log::error("join_failed", {{"reason", sys.render(e)}});
                 });
    if (!challenge.empty())
      self->request(gateway, std::chrono::seconds(10), join_atom::value, node_id,
                    cluster_proof(token, challenge, node_id), handles, control)
          .receive([&](bool ok) { accepted = ok; },
                   [&](caf::error& e) {
                     log::error("join_failed", {{"reason", sys.render(e)}});
                   });
    if (!accepted) {
      log::error("join_rejected",
                 {{"node_id", node_id},
                  {"reason", "the server rejected this node (wrong cluster token?)"}});
      shutdown();
      // A node holds no state of its own, and CAF 0.17's system teardown
      // can wait on the refused middleman connection: leave at once, so a
      // supervisor (or an operator) sees the failure now.
      std::fflush(nullptr);
      std::_Exit(exit_failure);
    }
    log::info("node_registered",
              {{"node_id", node_id}, {"server", join}, {"workers", static_cast<int>(workers)}});
    self->monitor(gateway);
    for (auto& h : handles)
      self->monitor(h);
    // Heartbeats every second until stopped, the server is gone, or a
    // worker crashed (a supervisor such as systemd restarts the node, which
    // then registers again).
    bool running = true;
    while (running && !stop_requested) {
      self->send(gateway, heartbeat_atom::value,
                 node_id); // as the joined actor: the gateway checks the sender
      self->receive(
          [&](caf::down_msg& down) {
            if (down.source == gateway.address())
              log::error("server_connection_lost", {{"reason", sys.render(down.reason)}});
            else
              log::error("node_worker_crashed", {{"reason", sys.render(down.reason)}});
            code = exit_failure;
            running = false;
          },
          caf::after(std::chrono::seconds(1)) >> [] {});
    }
    shutdown();
  }
  log::info("node_stopped", {{"node_id", node_id}, {"exit_code", code}});
  return code;
}

} // namespace bt::app
