#pragma once
// What the queue manager knows about worker nodes, for GET /v1/admin/cluster.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace bt {

struct node_state {
  std::string node_id;
  std::string address;
  std::string status = "up"; ///< up | lost
  std::size_t workers = 0;
  std::vector<std::string> running_runs;
  std::int64_t last_heartbeat = 0; ///< Unix seconds
};

class cluster_view {
public:
  void put(const node_state& n) {
    std::lock_guard<std::mutex> lock(mutex_);
    nodes_[n.node_id] = n;
  }
  std::vector<node_state> nodes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<node_state> out;
    for (const auto& [id, n] : nodes_)
      out.push_back(n);
    return out;
  }

private:
  mutable std::mutex mutex_;
  std::map<std::string, node_state> nodes_;
};

} // namespace bt
