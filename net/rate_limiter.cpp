#include "net/rate_limiter.hpp"

#include <algorithm>

namespace bt::http {

bool rate_limiter::allow(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  // Bound the table: unknown keys cannot grow it without limit.
  if (buckets_.size() > 100'000)
    buckets_.clear();
  auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now});
  bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
  }
  if (b.tokens < 1.0)
    return false;
  b.tokens -= 1.0;
  return true;
}

} // namespace bt::http
