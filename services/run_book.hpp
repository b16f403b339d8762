#pragma once
// The queued and running runs of this server, held in memory so that a
// status read of an active run (status, progress, queue position, ETA)
// touches no database.
//
// The database stays the truth. Whoever commits a transition of a run
// (submission, claim, release, retry, failure, cancellation, completion,
// deletion) syncs that run afterwards: the book re-reads its row, or forgets
// it once it is neither queued nor running. Syncs are serialised, and each
// runs after its own commit, so the last one to finish read the newest
// state: two transitions racing cannot leave an older row behind. The queue
// clerk loads the whole book at start-up (after requeueing orphans) and
// reloads it every few seconds, which also bounds how long a run changed by
// another process sharing the database can look stale. A run the book does
// not hold is read from the database.
//
// A sync that finds the run finished (completed, failed or cancelled) keeps
// its status document instead, as the database path would write it: a
// finished run never changes again, so the read that follows its last
// transition needs no database either. Those documents are bounded by
// bytes, the least recently read evicted.

#include "domain/containers/bounded_lru.hpp"
#include "persistence/run_queue.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace bt {

class run_book {
public:
  using clock = std::chrono::steady_clock;

  /// At most `capacity` runs (the queue's capacity bounds what is queued;
  /// beyond it the book gives up being complete and reads fall back).
  explicit run_book(std::size_t capacity = 100'000, std::size_t finished_bytes = 64u << 20)
      : capacity_(capacity), finished_(finished_bytes, [](const finished_run& f) {
          return f.document.size() + f.key_size;
        }) {}

  /// Records what `run_id` is now, after a transition this process committed.
  /// Never throws: a run it cannot read is dropped (then read from the
  /// database) and the book stops being complete until the next reload.
  void sync(pqxx::connection_base& c, const std::string& run_id) noexcept;
  /// sync, for a run that has just completed in `duration_ms` (forecasts
  /// average the db::recent_completed_runs last completed).
  void completed(pqxx::connection_base& c, const std::string& run_id, double duration_ms) noexcept;
  /// A deleted run (active or finished).
  void forget(const std::string& run_id);
  /// Told of every run a sync read, in the order of the syncs, with the
  /// status document of a finished one (progress streams publish from it).
  /// Set before the book is shared; called under the book's sync lock.
  using listener = std::function<void(pqxx::connection_base&, const db::run_row&,
                                      const std::string* finished_document)>;
  void set_listener(listener l) { listener_ = std::move(l); }
  /// Replaces the book with every active run in the database and the recent
  /// durations; from then on the book is complete.
  void reload(pqxx::connection_base& c) noexcept;

  /// The caller's run, when the book holds it (another user's: nothing).
  std::optional<db::run_row> find(std::int64_t user_id, const std::string& run_id) const;
  /// The status document of the caller's finished run, when the book holds it.
  std::optional<std::string> finished_document(std::int64_t user_id, const std::string& run_id);
  /// The status document of a finished run read from the database, which the
  /// book keeps from now on, unless the run has been deleted meanwhile (a
  /// read that raced the deletion must not bring its document back).
  std::string remember_finished(const db::run_row& run);

  /// What a queue forecast of `run_id` needs, when the book holds every
  /// active run: the queue in dispatch order, the running runs and the
  /// recent average duration (0: none yet).
  struct queue_view {
    db::queue_snapshot snapshot;
    double avg_duration_ms = 0;
    std::int64_t position = 0; ///< 1-based; 0 when `run_id` is not queued
  };
  std::optional<queue_view> queue(const std::string& run_id) const;
  /// How many runs are queued, when the book holds every active run.
  std::optional<std::int64_t> queued_count() const;
  /// Queued runs by priority and running runs (metrics), when the book
  /// holds every active run.
  struct active_counts {
    std::map<int, std::int64_t> queued_by_priority;
    std::int64_t running = 0;
  };
  std::optional<active_counts> counts() const;

private:
  struct entry {
    db::run_row row;
    clock::time_point ready_at;   ///< queued: when it may be claimed
    clock::time_point started_at; ///< running: when its attempt started
  };
  struct finished_run {
    std::int64_t user_id = 0;
    std::string document;
    std::size_t key_size = 0;
  };
  void record_locked(db::active_run&& run, clock::time_point now);

  const std::size_t capacity_;
  std::mutex sync_mutex_;    ///< one sync or reload at a time (see above)
  mutable std::mutex mutex_; ///< the state below
  std::unordered_map<std::string, entry> runs_;
  std::deque<double> durations_; ///< newest first
  bounded_lru<std::string, finished_run> finished_;
  /// Runs deleted lately (run ids are never reused), for remember_finished.
  bounded_lru<std::string, bool> deleted_{10'000};
  bool complete_ = false;
  listener listener_;
};

} // namespace bt
