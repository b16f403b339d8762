#pragma once
// Market data requests, synchronously: authenticate, validate, store, query.
// Blocking (database); runs only inside detached actors.

#include "persistence/connection_pool.hpp"
#include "persistence/user_repository.hpp"
#include "services/auth_cache.hpp"
#include "services/service_types.hpp"

#include <memory>

namespace bt {

struct market_data_limits {
  std::size_t max_upload_rows = 100'000;
  std::size_t max_upload_bytes = 50u << 20; ///< a gzip upload's too, once inflated
  std::size_t max_bars_per_request = 100'000;
  std::size_t default_bars_per_request = 10'000;
};

class market_data_service {
public:
  market_data_service(std::shared_ptr<db::connection_pool> pool, market_data_limits limits)
      : pool_(std::move(pool)), limits_(limits) {}

  service_reply upload(const upload_request& r);
  service_reply list(const dataset_request& r);
  service_reply describe(const dataset_request& r);
  service_reply bars(const dataset_request& r);
  /// GET /v1/regimes?symbol=&timeframe=: the dataset's daily volatility
  /// regimes (domain/research/regimes.hpp) and the current one.
  service_reply regimes(const dataset_request& r);
  service_reply remove(const dataset_request& r);
  service_reply ready();

private:
  service_reply store_upload(pqxx::connection& c, const db::principal& who,
                             const upload_request& r);
  /// Authenticates the request's key, checks the operation's permission,
  /// then runs `body` under a pooled connection.
  template <class Request, class F>
  service_reply guarded(const Request& request, const char* operation, F&& body);

  std::shared_ptr<db::connection_pool> pool_;
  market_data_limits limits_;
  auth_cache auth_;
};

} // namespace bt
