// A hostile cluster peer for the gateway tests: it connects to a server's
// cluster port and sends forged messages. Run by test_cluster.cpp.
//
//   rogue_node PORT TOKEN_FILE MODE RUN_ID ATTEMPT
//   MODE: anonymous  sends heartbeat, progress and a result without joining
//         joined     joins as node "rogue" (knowing the token), then sends a
//                    heartbeat claiming to be "node-a", progress and a
//                    "completed" result for an attempt it was never given

#include "actors/cluster.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: rogue_node PORT TOKEN_FILE MODE RUN_ID ATTEMPT\n";
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  const std::string token = bt::read_cluster_token(argv[2]);
  const std::string mode = argv[3], run_id = argv[4];
  const auto attempt = static_cast<std::int32_t>(std::stoi(argv[5]));
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::bt>();
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.app-identifiers", std::vector<std::string>{bt::cluster_app_id});
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  auto remote = sys.middleman().remote_actor<bt::gateway_actor>("127.0.0.1", port);
  if (!remote) {
    std::cerr << "rogue_node: cannot connect: " << sys.render(remote.error()) << '\n';
    return 1;
  }
  bt::gateway_actor gateway = *remote;
  caf::scoped_actor self{sys};
  if (mode == "joined") {
    std::string challenge;
    self->request(gateway, std::chrono::seconds(10), bt::hello_atom::value, std::string("rogue"))
        .receive([&](std::string& c) { challenge = std::move(c); }, [&](caf::error&) {});
    auto control = bt::spawn_node_control(sys, std::make_shared<bt::node_cancellations>());
    bool ok = false;
    self->request(gateway, std::chrono::seconds(10), bt::join_atom::value, std::string("rogue"),
                  bt::cluster_proof(token, challenge, "rogue"),
                  std::vector<bt::node_worker_actor>{}, control)
        .receive([&](bool accepted) { ok = accepted; }, [&](caf::error&) {});
    if (!ok) {
      std::cerr << "rogue_node: join refused\n";
      return 1;
    }
    caf::anon_send_exit(control, caf::exit_reason::user_shutdown);
  }
  bt::job_result forged;
  forged.run_id = run_id;
  forged.attempt = attempt;
  forged.status = bt::attempt_result::completed;
  forged.metrics_json = R"({"total_trades":0})";
  forged.warnings_json = "[]";
  self->send(gateway, bt::heartbeat_atom::value, std::string("node-a"));
  bt::progress_report forged_progress;
  forged_progress.run_id = run_id;
  forged_progress.attempt = attempt;
  forged_progress.percent = 99.0;
  self->send(gateway, bt::progress_atom::value, forged_progress);
  self->send(gateway, bt::result_atom::value, forged);
  // Let the middleman deliver before the connection closes.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return 0;
}
