#include "net/rate_limiter.hpp"

#include <algorithm>

namespace bt::http {

bool rate_limiter::take(bucket& b, std::chrono::steady_clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.last = now;
  if (b.tokens < 1.0)
    return false;
  b.tokens -= 1.0;
  return true;
}

bool rate_limiter::allow(const std::string& key, const std::string& address) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!key.empty())
    if (bucket* b = known_.find(key))
      return b->exempt || take(*b, now);
  bucket* a = addresses_.find(address);
  if (!a) {
    addresses_.put(address, bucket{burst_, now});
    a = addresses_.find(address);
  }
  return take(*a, now);
}

void rate_limiter::confirm(const std::string& key, bool admin) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (bucket* b = known_.find(key)) {
    b->exempt = admin; // a role changed by `keys set-role` takes effect here too
    return;
  }
  known_.put(key, bucket{burst_, std::chrono::steady_clock::now(), admin});
}

std::size_t rate_limiter::known_size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return known_.size();
}

std::size_t rate_limiter::address_size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return addresses_.size();
}

} // namespace bt::http
