#pragma once
// Progress streams of runs: every event a run's subscribers see, pushed as
// it happens, never polled. Transitions come from the run book (which every
// committed transition syncs), progress from the workers: a local worker's
// observer at each 1 % of its bars, a node's reports (at most every 250 ms)
// through the gateway's messages to the queue manager.
//
// Each run is a channel: events numbered 1, 2, ... (`seq`), the last
// `ring_size` held so that a client reconnecting with Last-Event-ID gets
// exactly what it missed, in order. Subscribers are called under the hub's
// lock, in seq order, and must not block (a session posts the event to its
// own strand). Channels nobody listens to are kept in a byte-bounded LRU
// (their rings for resumption); a channel with subscribers is never
// evicted, and subscribers are bounded by the caller (net/ caps them).

#include "domain/containers/bounded_lru.hpp"
#include "persistence/run_store.hpp"
#include "services/run_registry.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bt {

/// What a stream's snapshot shows of a status document: a walk-forward's
/// whole result (every trade) is left to GET: its out-of-sample part stays.
std::string stream_document(std::string_view channel, const std::string& status_document);

struct progress_event {
  std::uint64_t seq = 0;
  std::string type; ///< snapshot, progress, status, completed, failed, cancelled
  std::string data; ///< a JSON object, "seq" first
  bool terminal() const { return type == "completed" || type == "failed" || type == "cancelled"; }
};

class progress_hub {
public:
  static constexpr std::size_t ring_size = 512;
  using subscriber = std::function<void(const progress_event&)>;

  explicit progress_hub(std::size_t idle_bytes = 64u << 20);

  /// A run's transition as the run book read it after its commit: the
  /// status event (queued, running) or the terminal one, whose data is the
  /// finished run's status document (`finished_document`: its metrics or
  /// error). Repeated syncs of an unchanged status publish nothing.
  void publish_transition(const db::run_row& row, const std::string* finished_document);
  /// A running attempt's progress (from its live_run); a walk-forward's
  /// item also moves its walk-forward's stream (see link).
  void publish_progress(const std::string& run_id, const live_run& live);

  /// A research job's stream (channel "sweep:<id>" or "walk-forward:<id>"):
  /// its status document after one of its items changed, as a `progress`
  /// event, or as the terminal one once (completed, failed, cancelled).
  /// An unchanged document publishes nothing.
  void publish_document(const std::string& channel, const std::string& status,
                        const std::string& document);
  /// The queue item `run_id` works for the research job of `channel`: for
  /// a sweep, `configurations` of its `total`, of which `done` are stored
  /// (the job's count, at this transition); `active` while it runs. A
  /// sweep's stream then also shows its running chunks' progress.
  void link(const std::string& run_id, const std::string& channel, std::int64_t configurations = 0,
            std::int64_t total = 0, std::int64_t done = 0, bool active = false,
            bool completed = false);

  struct subscription {
    std::uint64_t id = 0;
    /// Events after the requested one, oldest first, when the ring still
    /// holds all of them (`complete`); otherwise the caller sends a fresh
    /// snapshot and `missed` holds the events after `snapshot_seq`.
    std::vector<progress_event> missed;
    bool complete = false;
  };
  /// The channel's newest seq now (0: nothing published yet).
  std::uint64_t current_seq(const std::string& run_id);
  /// Subscribes `fn` to the run's later events and hands over those after
  /// `after` (see subscription), atomically: nothing is lost or repeated.
  subscription subscribe(const std::string& run_id, std::uint64_t after, subscriber fn);
  void unsubscribe(const std::string& run_id, std::uint64_t id);

  std::size_t subscribers() const;

private:
  struct channel {
    std::uint64_t seq = 0;
    std::deque<progress_event> ring;
    std::size_t bytes = 0;
    std::string last_status;   ///< of the last status or terminal event
    std::string last_document; ///< of the last publish_document
    std::map<std::uint64_t, subscriber> subscribers;
    // A sweep's: its configurations, those its status documents count as
    // stored, those of chunks whose completion the hub has seen (its own
    // count, so that a chunk is never counted both stored and running), and
    // those its running chunks have done.
    std::int64_t total = 0, db_done = 0, stored = 0;
    bool counting = false;
    std::map<std::string, std::int64_t> running;
    std::set<std::string> counted;
    double last_progress = -1;
    std::chrono::steady_clock::time_point last_progress_at{};
  };
  struct parent {
    std::string channel;
    std::int64_t configurations = 0; ///< a sweep chunk's
  };
  /// A sweep's percent done: stored configurations and those its running
  /// chunks have done, of the total (rounded as its documents).
  static double sweep_percent(std::int64_t stored, std::int64_t running, std::int64_t total);
  /// A sweep's progress from its chunks (at most every 1 % or 250 ms).
  void sweep_progress_locked(const std::string& channel_id, const std::string& item,
                             std::int64_t done_in_item);
  void publish_locked(const std::string& run_id, const std::string& type, const std::string& body);
  /// The run's channel, created if need be, held among the live ones while
  /// the caller uses it; `park` puts one without subscribers back.
  channel& open_locked(const std::string& run_id);
  void park_locked(const std::string& run_id);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, channel> live_;     ///< channels in use
  bounded_lru<std::string, channel> idle_;            ///< the others, by bytes
  bounded_lru<std::string, parent> parents_{100'000}; ///< item run id -> its job
  std::uint64_t next_subscriber_ = 0;
  std::size_t subscriber_count_ = 0;
};

} // namespace bt
