#pragma once
// Token buckets per API key: a client that exceeds its rate gets 429
// before any work is done for it.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace bt::http {

class rate_limiter {
public:
  rate_limiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  /// Takes one token for `key`; false when its bucket is empty.
  bool allow(const std::string& key);

private:
  struct bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

} // namespace bt::http
