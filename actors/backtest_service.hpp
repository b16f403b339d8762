#pragma once
// The backtest API, synchronously: submission with validation and
// idempotency, status, cancellation, deletion, history, comparison and
// results. Blocking (database); runs only inside detached actors.

#include "domain/containers/bounded_lru.hpp"
#include "actors/auth_cache.hpp"
#include "actors/cluster_view.hpp"
#include "actors/messages.hpp"
#include "actors/run_registry.hpp"
#include "persistence/connection_pool.hpp"
#include "persistence/run_repository.hpp"
#include "persistence/user_repository.hpp"

#include <functional>
#include <mutex>
#include <unordered_map>
#include <memory>

namespace bt {

struct backtest_limits {
  std::int64_t queue_capacity = 1000;
  unsigned workers = 2;           ///< local workers (0: none), for forecasts
  int per_user_limit = 3;         ///< runs of one user at once, for forecasts
  double max_span_days = 3 * 365.25 + 1;
  std::int64_t depth_warning = 50; ///< queue depth above which a warning is logged and shown
};

class backtest_service {
public:
  backtest_service(std::shared_ptr<db::connection_pool> pool, std::shared_ptr<run_registry> registry,
                   backtest_limits limits, std::function<void()> wake_scheduler,
                   std::shared_ptr<cluster_view> cluster = nullptr)
      : pool_(std::move(pool)), registry_(std::move(registry)), limits_(limits), wake_(std::move(wake_scheduler)),
        cluster_(std::move(cluster)) {}

  service_reply handle(const backtest_call& call);

private:
  using query_map = std::vector<std::pair<std::string, std::string>>;
  service_reply submit(pqxx::connection& c, const db::principal& who, const backtest_call& call);
  service_reply get(pqxx::connection& c, const db::principal& who, const std::string& id);
  service_reply cancel(pqxx::connection& c, const db::principal& who, const std::string& id);
  service_reply remove(pqxx::connection& c, const db::principal& who, const std::string& id);
  service_reply list(pqxx::connection& c, const db::principal& who, const query_map& q);
  service_reply compare(pqxx::connection& c, const db::principal& who, const query_map& q);
  service_reply results(pqxx::connection& c, const db::principal& who, const backtest_call& call);
  service_reply chart(pqxx::connection& c, const db::run_row& run, const query_map& q);

  /// Position and ETA of a queued run, replaying the queue's rules; null
  /// ETA when no worker is up or no run has completed yet.
  struct queue_outlook {
    std::int64_t position = 0;
    std::optional<double> eta_seconds;
    bool no_workers = false;
  };
  queue_outlook outlook(pqxx::connection& c, const std::string& run_id, std::int64_t fallback_position);
  /// Workers that can take runs now: local ones and those of nodes that are up.
  std::size_t available_workers() const;

  /// The JSON document of a run (GET /v1/backtest/{id}).
  std::string run_document(pqxx::connection& c, const db::run_row& run, bool replay);

  std::shared_ptr<db::connection_pool> pool_;
  std::shared_ptr<run_registry> registry_;
  backtest_limits limits_;
  std::function<void()> wake_;
  std::shared_ptr<cluster_view> cluster_;
  auth_cache auth_;
  /// Documents of finished runs (completed, failed, cancelled never change
  /// again; deletion removes them), keyed by user and run id.
  /// Bounded by bytes (64 MiB), least recently read evicted.
  std::mutex finished_mutex_;
  bounded_lru<std::string, std::string> finished_docs_{64u << 20, [](const std::string& d) { return d.size(); }};
};

} // namespace bt
