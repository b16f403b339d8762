#pragma once
// Token buckets per API key: a client that exceeds its rate gets 429
// before any work is done for it.
//
// Keys live in two bounded LRU tables: every key starts on probation, and
// one that authenticated (the request was not a 401) moves to the table of
// known keys. A flood of random keys churns the probation table only, so it
// can neither reset nor push out a real client's bucket.

#include "domain/containers/bounded_lru.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace bt::http {

class rate_limiter {
public:
  rate_limiter(double per_second, double burst, std::size_t known_keys = 100'000,
               std::size_t probation_keys = 10'000)
      : rate_(per_second), burst_(burst), known_(known_keys), probation_(probation_keys) {}
  /// Takes one token for `key`; false when its bucket is empty.
  bool allow(const std::string& key);
  /// `key` authenticated: its bucket moves to the known keys.
  void confirm(const std::string& key);

  std::size_t known_size() const;
  std::size_t probation_size() const;

private:
  struct bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_, burst_;
  mutable std::mutex mutex_;
  bounded_lru<std::string, bucket> known_, probation_;
};

} // namespace bt::http
