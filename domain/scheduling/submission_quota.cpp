#include "domain/scheduling/submission_quota.hpp"

#include <algorithm>

namespace bt {

submission_quota::submission_quota(std::chrono::seconds window, std::size_t max_timestamps)
    : window_(window), keys_(max_timestamps, [](const times& t) { return t.size() + 1; }) {}

void submission_quota::expire(times& t, clock::time_point now) const {
  while (!t.empty() && t.front() + window_ <= now)
    t.pop_front();
}

submission_quota::standing submission_quota::standing_of(const times& t, std::int64_t limit,
                                                         clock::time_point now) const {
  standing s;
  s.limit = limit;
  s.remaining = std::max<std::int64_t>(0, limit - static_cast<std::int64_t>(t.size()));
  if (!t.empty()) {
    const auto left = t.front() + window_ - now;
    // Whole seconds, rounded up: a client waiting that long finds the slot free.
    s.next_slot_in = std::chrono::duration_cast<std::chrono::seconds>(left + std::chrono::seconds(1)
                                                                      - clock::duration(1));
  }
  return s;
}

submission_quota::ticket submission_quota::take(std::int64_t key_id, std::int64_t limit,
                                                clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  ticket out;
  out.key_id = key_id;
  times t = keys_.take(key_id).value_or(times{});
  expire(t, now);
  if (static_cast<std::int64_t>(t.size()) < limit) {
    // Times are kept in order even if a caller's `now` is older than the last.
    t.insert(std::upper_bound(t.begin(), t.end(), now), now);
    out.granted = true;
    out.at = now;
  }
  out.after = standing_of(t, limit, now);
  keys_.put(key_id, std::move(t)); // re-weighed: the bound counts timestamps
  return out;
}

void submission_quota::give_back(ticket& t) {
  if (!t.granted)
    return;
  t.granted = false;
  std::lock_guard<std::mutex> lock(mutex_);
  auto held = keys_.take(t.key_id);
  if (!held)
    return; // evicted meanwhile: nothing is counted for it any more
  auto it = std::find(held->begin(), held->end(), t.at);
  if (it != held->end())
    held->erase(it);
  keys_.put(t.key_id, std::move(*held));
}

submission_quota::standing submission_quota::look(std::int64_t key_id, std::int64_t limit,
                                                  clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  const times* held = keys_.peek(key_id);
  if (!held)
    return standing_of({}, limit, now);
  // Expired times are only skipped here; the next take drops them.
  times live(std::upper_bound(held->begin(), held->end(), now - window_), held->end());
  return standing_of(live, limit, now);
}

} // namespace bt
