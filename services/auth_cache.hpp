#pragma once
// Authenticated keys remembered for one second: most requests then need no
// database round trip to authenticate, and a revoked key stops working
// within a second.

#include "domain/containers/bounded_lru.hpp"
#include "persistence/connection_pool.hpp"
#include "persistence/user_repository.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace bt {

class auth_cache {
public:
  explicit auth_cache(std::chrono::milliseconds ttl = std::chrono::seconds(1),
                      std::size_t capacity = 10'000)
      : ttl_(ttl), entries_(capacity) {}

  /// The key's user, from memory when checked within the last `ttl`.
  std::optional<db::principal> authenticate(pqxx::connection& c, const std::string& key) {
    const auto now = std::chrono::steady_clock::now();
    const std::string hash = db::hash_api_key(key); // never keep plain keys
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (const entry* e = entries_.find(hash); e && e->expires > now)
        return e->who;
    }
    auto who = db::authenticate(c, key);
    if (who) {
      std::lock_guard<std::mutex> lock(mutex_);
      entries_.put(hash, {*who, now + ttl_}); // only real keys get here
    }
    return who;
  }

private:
  struct entry {
    db::principal who;
    std::chrono::steady_clock::time_point expires;
  };
  const std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  bounded_lru<std::string, entry> entries_;
};

} // namespace bt
