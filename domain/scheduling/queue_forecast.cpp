#include "domain/scheduling/queue_forecast.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <queue>

namespace bt {

namespace {

// The queue replayed claim by claim until the run at `stop` has started
// (every run when `stop` is past the end). Runs before `first` have all
// started, so a claim scans from there: in the usual queue, where the
// first due run is taken, a claim costs O(1) and the replay O(n log n)
// instead of O(n^2) (a status read of the last of 1,000 queued runs
// replays all of them).
std::vector<run_forecast> replay_queue(const forecast_input& in, std::size_t stop) {
  std::vector<run_forecast> out;
  if (in.workers == 0 || !(in.run_seconds > 0) || in.per_user_limit < 1)
    return out;
  out.resize(in.queued.size());
  // Worker free times, and every run's (user, finish time) while it runs.
  std::priority_queue<double, std::vector<double>, std::greater<double>> free_at;
  std::multimap<double, std::int64_t> finishing; // finish time -> user
  std::map<std::int64_t, int> active;            // user -> runs executing
  std::vector<double> busy;
  for (const auto& r : in.running)
    busy.push_back(std::max(0.0, r.remaining_seconds));
  std::sort(busy.begin(), busy.end());
  for (std::size_t w = 0; w < in.workers; ++w)
    free_at.push(w < busy.size() ? busy[w] : 0.0);
  for (const auto& r : in.running) {
    finishing.emplace(std::max(0.0, r.remaining_seconds), r.user_id);
    ++active[r.user_id];
  }
  std::vector<bool> started(in.queued.size(), false);
  std::size_t first = 0; // every run before it has started
  std::size_t left = in.queued.size();
  std::int64_t order = 0;
  double now = 0;
  while (left > 0) {
    now = std::max(now, free_at.top());
    // Runs finished by now free their users' places.
    while (!finishing.empty() && finishing.begin()->first <= now) {
      --active[finishing.begin()->second];
      finishing.erase(finishing.begin());
    }
    // The claim: the first due run whose user is below the limit.
    std::size_t pick = in.queued.size();
    double next_ready = std::numeric_limits<double>::infinity();
    for (std::size_t i = first; i < in.queued.size(); ++i) {
      if (started[i])
        continue;
      const auto& q = in.queued[i];
      if (q.ready_in_seconds > now) {
        next_ready = std::min(next_ready, q.ready_in_seconds);
        continue;
      }
      if (active[q.user_id] < in.per_user_limit) {
        pick = i;
        break;
      }
    }
    if (pick == in.queued.size()) {
      // Nothing eligible: wait for a finish or a backoff to end.
      const double next_finish =
          finishing.empty() ? std::numeric_limits<double>::infinity() : finishing.begin()->first;
      const double next = std::min(next_finish, next_ready);
      if (!(next < std::numeric_limits<double>::infinity()))
        break; // cannot happen with a valid input; never loop forever
      now = std::max(now, next);
      continue;
    }
    free_at.pop();
    const double finish = now + in.run_seconds;
    free_at.push(finish);
    finishing.emplace(finish, in.queued[pick].user_id);
    ++active[in.queued[pick].user_id];
    started[pick] = true;
    --left;
    out[pick] = {++order, now, finish};
    if (pick == stop)
      break;
    while (first < in.queued.size() && started[first])
      ++first;
  }
  return out;
}

} // namespace

std::vector<run_forecast> forecast_queue(const forecast_input& in) {
  return replay_queue(in, in.queued.size());
}

std::optional<run_forecast> forecast_run(const forecast_input& in, const std::string& run_id) {
  for (std::size_t i = 0; i < in.queued.size(); ++i)
    if (in.queued[i].run_id == run_id) {
      const auto all = replay_queue(in, i);
      if (all.empty())
        return std::nullopt;
      return all[i];
    }
  return std::nullopt;
}

} // namespace bt
