#pragma once
// Authenticated keys remembered for a moment: most requests then need no
// database round trip to authenticate, and a revoked key stops working
// within a second.
//
// A key is trusted for `ttl` after it was checked. When that ends, one
// memory read is sent to the database path to check it again while the
// other memory reads go on being served for at most `grace` more: without
// the grace every read that arrives during the check would queue behind it
// (at 1,000 requests/s, the p99 of status reads was that check). Callers on
// the database path check an expired key themselves. ttl + grace is the
// longest a revoked key still works.

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
  using clock = std::chrono::steady_clock;

  explicit auth_cache(std::chrono::milliseconds ttl = std::chrono::milliseconds(750),
                      std::chrono::milliseconds grace = std::chrono::milliseconds(250),
                      std::size_t capacity = 10'000)
      : ttl_(ttl), grace_(grace), entries_(capacity) {}

  /// The key's user when memory may answer (see above); nothing otherwise
  /// (then `authenticate` asks the database).
  std::optional<db::principal> cached(const std::string& key) {
    return cached(db::hash_api_key(key), clock::now());
  }

  /// The key's user, from memory when it may answer, else from the database.
  std::optional<db::principal> authenticate(pqxx::connection& c, const std::string& key) {
    const auto now = clock::now();
    const std::string hash = db::hash_api_key(key); // never keep plain keys
    // Only a key inside its ttl is trusted here. A caller on this path holds
    // a connection, so it checks an expired key itself: the grace is for
    // callers without one, and this may be the very request a memory read
    // sent here to do the check it claimed (serving it from the grace
    // instead would leave the key unchecked until the grace ran out, and
    // then every read at once would come here).
    if (auto who = fresh(hash, now))
      return who;
    auto who = db::authenticate(c, key);
    std::lock_guard<std::mutex> lock(mutex_);
    if (who)
      entries_.put(hash, {*who, now + ttl_, false}); // only real keys get here
    else
      entries_.erase(hash); // revoked: not even the grace serves it
    return who;
  }

private:
  std::optional<db::principal> fresh(const std::string& hash, clock::time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    entry* e = entries_.find(hash);
    if (!e || now >= e->expires)
      return std::nullopt;
    return e->who;
  }

  std::optional<db::principal> cached(const std::string& hash, clock::time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    entry* e = entries_.find(hash);
    if (!e || now >= e->expires + grace_)
      return std::nullopt;
    if (now < e->expires)
      return e->who;
    if (!e->checking) {
      e->checking = true; // this caller checks it again; the others are served
      return std::nullopt;
    }
    return e->who;
  }

  struct entry {
    db::principal who;
    clock::time_point expires;
    bool checking = false; ///< a request is checking the key again
  };
  const std::chrono::milliseconds ttl_, grace_;
  std::mutex mutex_;
  bounded_lru<std::string, entry> entries_;
};

} // namespace bt
