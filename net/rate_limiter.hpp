#pragma once
// Token buckets: a client that exceeds its rate gets 429 before any work
// is done for it.
//
// A key that has authenticated (its request was not a 401) has its own
// bucket, in a bounded LRU table of known keys; an admin's key is exempt.
// Everything else (no key, an unknown or revoked one) pays from its client
// address's bucket, in a second bounded table: a flood of random keys can
// neither reset nor push out a real client's bucket, nor buy itself a fresh
// bucket per key.

#include "domain/containers/bounded_lru.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace bt::http {

class rate_limiter {
public:
  rate_limiter(double per_second, double burst, std::size_t known_keys = 100'000,
               std::size_t addresses = 10'000)
      : rate_(per_second), burst_(burst), known_(known_keys), addresses_(addresses) {}
  /// Takes one token for `key` when it is known, else for `address`; false
  /// when that bucket is empty.
  bool allow(const std::string& key, const std::string& address);
  /// `key` authenticated (an admin's: exempt from the limit).
  void confirm(const std::string& key, bool admin);

  std::size_t known_size() const;
  std::size_t address_size() const;

private:
  struct bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
    bool exempt = false;
  };
  bool take(bucket& b, std::chrono::steady_clock::time_point now) const;

  double rate_, burst_;
  mutable std::mutex mutex_;
  bounded_lru<std::string, bucket> known_, addresses_;
};

} // namespace bt::http
