#pragma once
// Live state of the runs executing in this process: progress for status
// queries, a cancel flag the worker polls, and a heartbeat for the watchdog.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bt {

struct live_run {
  std::atomic<bool> cancel{false};
  std::atomic<double> percent{0};
  std::atomic<std::int64_t> bar_time{0};
  std::atomic<std::int64_t> trades{0};
  std::atomic<double> eta_seconds{0};
  std::atomic<std::int64_t> bars_done{0}, bars_total{0};
  /// Marked-to-market profit since the start and the open position, in
  /// fixed units (1e-8): exact, as everything with a price.
  std::atomic<std::int64_t> net_profit_units{0}, position_units{0};
  std::atomic<std::int64_t> heartbeat_ms{0}; ///< steady clock
  std::string worker_id;

  static std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void beat() { heartbeat_ms = now_ms(); }
};

class run_registry {
public:
  std::shared_ptr<live_run> start(const std::string& run_id, const std::string& worker_id) {
    auto r = std::make_shared<live_run>();
    r->worker_id = worker_id;
    r->beat();
    std::lock_guard<std::mutex> lock(mutex_);
    runs_[run_id] = r;
    return r;
  }
  /// Forgets a run; with `which`, only if that attempt is still the one
  /// registered (a late, abandoned attempt must not erase its successor).
  void finish(const std::string& run_id, const live_run* which = nullptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = runs_.find(run_id);
    if (it != runs_.end() && (!which || it->second.get() == which))
      runs_.erase(it);
  }
  std::shared_ptr<live_run> find(const std::string& run_id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = runs_.find(run_id);
    return it == runs_.end() ? nullptr : it->second;
  }
  /// Asks a running attempt to stop; false when it does not run here.
  bool cancel(const std::string& run_id) {
    auto r = find(run_id);
    if (r)
      r->cancel = true;
    return r != nullptr;
  }

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<live_run>> runs_;
};

} // namespace bt
