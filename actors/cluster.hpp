#pragma once
// Worker nodes: the gateway the server publishes, and the node side (worker
// actors without database access, and the control actor for cancellation).

#include "actors/messages.hpp"
#include "services/run_executor.hpp"

#include <caf/fwd.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace bt {

/// Lowercase hex HMAC-SHA256(token, challenge + "|" + node_id): what a node
/// sends instead of the token itself.
std::string cluster_proof(const std::string& token, const std::string& challenge,
                          const std::string& node_id);

/// Reads a cluster token file (whitespace trimmed, at least 16 characters).
std::string read_cluster_token(const std::string& path);

/// The application identifier nodes and server must share.
inline constexpr const char* cluster_app_id = "backtestd-cluster-1";

/// Server side: spawns the gateway that vets nodes and forwards their
/// messages to the queue manager.
gateway_actor spawn_gateway(caf::actor_system& sys, std::string token, caf::actor queue_manager);

/// Node side: cancel flags of the runs executing on this node.
class node_cancellations {
public:
  std::shared_ptr<std::atomic<bool>> start(const std::string& run_id) {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard<std::mutex> lock(mutex_);
    flags_[run_id] = flag;
    return flag;
  }
  void finish(const std::string& run_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    flags_.erase(run_id);
  }
  void cancel(const std::string& run_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = flags_.find(run_id); it != flags_.end())
      *it->second = true;
  }

private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> flags_;
};

/// Node side: a worker that runs jobs from the bars it was sent and sends
/// the results back through the gateway, within the node's run limits.
/// Detached (CPU-bound).
node_worker_actor spawn_node_worker(caf::actor_system& sys, gateway_actor gateway,
                                    std::shared_ptr<node_cancellations> cancellations,
                                    run_limits limits);
node_control_actor spawn_node_control(caf::actor_system& sys,
                                      std::shared_ptr<node_cancellations> cancellations);

} // namespace bt
