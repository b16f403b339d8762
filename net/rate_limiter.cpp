#include "net/rate_limiter.hpp"

#include <algorithm>

namespace bt::http {

bool rate_limiter::allow(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  bucket* b = known_.find(key);
  if (!b)
    b = probation_.find(key);
  if (!b) {
    probation_.put(key, bucket{burst_, now});
    b = probation_.find(key);
  } else {
    const double elapsed = std::chrono::duration<double>(now - b->last).count();
    b->tokens = std::min(burst_, b->tokens + elapsed * rate_);
    b->last = now;
  }
  if (b->tokens < 1.0)
    return false;
  b->tokens -= 1.0;
  return true;
}

void rate_limiter::confirm(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (known_.peek(key))
    return;
  if (const bucket* b = probation_.peek(key)) {
    const bucket moved = *b;
    probation_.erase(key);
    known_.put(key, moved);
  }
}

std::size_t rate_limiter::known_size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return known_.size();
}

std::size_t rate_limiter::probation_size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return probation_.size();
}

} // namespace bt::http
