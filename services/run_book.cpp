#include "services/run_book.hpp"

#include "config/log.hpp"
#include "services/run_presenter.hpp"

#include <algorithm>
#include <numeric>

namespace bt {
namespace {

run_book::clock::duration seconds(double s) {
  return std::chrono::duration_cast<run_book::clock::duration>(std::chrono::duration<double>(s));
}

double seconds_between(run_book::clock::time_point from, run_book::clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

} // namespace

void run_book::record_locked(db::active_run&& run, clock::time_point now) {
  const std::string id = run.row.id;
  if (runs_.size() >= capacity_ && runs_.find(id) == runs_.end()) {
    complete_ = false; // reads of what is not held go to the database
    return;
  }
  runs_[id] = entry{std::move(run.row), now + seconds(run.ready_in_seconds),
                    now - seconds(run.elapsed_seconds)};
}

void run_book::sync(pqxx::connection_base& c, const std::string& run_id) noexcept {
  std::lock_guard<std::mutex> serial(sync_mutex_);
  std::optional<db::active_run> now;
  bool read = true;
  try {
    now = db::read_run_state(c, run_id);
  } catch (const std::exception& e) {
    // The transition itself is committed: the run is dropped from the book
    // and read from the database until the next reload, and the queue is
    // forecast from the database meanwhile.
    log::warn("run_book_sync_failed", {{"run_id", run_id}, {"reason", e.what()}});
    read = false;
  }
  const auto read_at = clock::now();
  std::optional<std::string> finished;
  if (now && is_finished(now->row.status)) {
    try {
      finished = remember_finished(now->row);
    } catch (const std::exception& e) {
      log::warn("run_book_sync_failed", {{"run_id", run_id}, {"reason", e.what()}});
    }
  }
  if (now && listener_) {
    try {
      listener_(c, now->row, finished ? &*finished : nullptr);
    } catch (const std::exception& e) {
      log::warn("run_book_listener_failed", {{"run_id", run_id}, {"reason", e.what()}});
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!read)
    complete_ = false;
  if (!now || is_finished(now->row.status))
    runs_.erase(run_id);
  else
    record_locked(std::move(*now), read_at);
}

void run_book::completed(pqxx::connection_base& c, const std::string& run_id,
                         double duration_ms) noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    durations_.push_front(duration_ms);
    if (durations_.size() > db::recent_completed_runs)
      durations_.pop_back();
  }
  sync(c, run_id);
}

void run_book::forget(const std::string& run_id) {
  std::lock_guard<std::mutex> serial(sync_mutex_);
  std::lock_guard<std::mutex> lock(mutex_);
  runs_.erase(run_id);
  finished_.erase(run_id);
  deleted_.put(run_id, true);
}

std::optional<std::string> run_book::finished_document(std::int64_t user_id,
                                                       const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const finished_run* f = finished_.find(run_id);
  if (!f || f->user_id != user_id)
    return std::nullopt;
  return f->document;
}

std::string run_book::remember_finished(const db::run_row& run) {
  // As the database path sees a finished run: nothing live.
  std::string doc = run_document(run, stored_view(run), false);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!deleted_.find(run.id))
    finished_.put(run.id, {run.user_id, doc, run.id.size()});
  return doc;
}

void run_book::reload(pqxx::connection_base& c) noexcept {
  std::lock_guard<std::mutex> serial(sync_mutex_);
  std::vector<db::active_run> active;
  std::vector<double> recent;
  try {
    active = db::read_active_runs(c, capacity_ + 1);
    recent = db::recent_durations_ms(c, db::recent_completed_runs);
  } catch (const std::exception& e) {
    log::warn("run_book_reload_failed", {{"reason", e.what()}});
    std::lock_guard<std::mutex> lock(mutex_);
    runs_.clear(); // every read goes to the database until a reload succeeds
    complete_ = false;
    return;
  }
  const auto read_at = clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  runs_.clear();
  complete_ = active.size() <= capacity_;
  for (auto& run : active)
    record_locked(std::move(run), read_at);
  durations_.assign(recent.begin(), recent.end());
}

std::optional<db::run_row> run_book::find(std::int64_t user_id, const std::string& run_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = runs_.find(run_id);
  if (it == runs_.end() || it->second.row.user_id != user_id)
    return std::nullopt;
  return it->second.row;
}

std::optional<std::int64_t> run_book::queued_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!complete_)
    return std::nullopt;
  return static_cast<std::int64_t>(std::count_if(runs_.begin(), runs_.end(), [](const auto& r) {
    return r.second.row.status == run_status::queued;
  }));
}

std::optional<run_book::active_counts> run_book::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!complete_)
    return std::nullopt;
  active_counts n;
  for (const auto& [id, e] : runs_) {
    if (e.row.status == run_status::queued)
      ++n.queued_by_priority[e.row.priority];
    else if (e.row.status == run_status::running)
      ++n.running;
  }
  return n;
}

std::optional<run_book::queue_view> run_book::queue(const std::string& run_id) const {
  struct queued_ref {
    int priority;
    std::int64_t seq;
    const entry* e;
  };
  std::lock_guard<std::mutex> lock(mutex_);
  if (!complete_)
    return std::nullopt;
  const auto now = clock::now();
  queue_view v;
  std::vector<queued_ref> queued;
  for (const auto& [id, e] : runs_) {
    if (e.row.status == run_status::queued)
      queued.push_back({e.row.priority, e.row.queue_seq, &e});
    else
      v.snapshot.active.push_back(
          {id, e.row.user_id, std::max(0.0, seconds_between(e.started_at, now))});
  }
  // Dispatch order, as the claim's ORDER BY priority, queue_seq.
  std::sort(queued.begin(), queued.end(), [](const queued_ref& a, const queued_ref& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.seq < b.seq;
  });
  for (std::size_t i = 0; i < queued.size(); ++i) {
    const entry& e = *queued[i].e;
    if (e.row.id == run_id)
      v.position = static_cast<std::int64_t>(i + 1);
    v.snapshot.queue.push_back(
        {e.row.id, e.row.user_id, std::max(0.0, seconds_between(now, e.ready_at))});
  }
  if (!durations_.empty())
    v.avg_duration_ms =
        std::accumulate(durations_.begin(), durations_.end(), 0.0) / durations_.size();
  return v;
}

} // namespace bt
