#include "actors/queue_manager.hpp"

#include "config/log.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/run_repository.hpp"

#include <caf/all.hpp>

namespace bt {
namespace {

struct worker_slot {
  worker_actor handle;           ///< local workers
  node_worker_actor remote;      ///< workers on other nodes
  std::string node_id;           ///< empty for local workers
  std::string id;
  std::optional<job_spec> job;
  bool alive = false;
  bool cancel_sent = false;
  std::uint64_t generation = 0;
  std::chrono::milliseconds backoff{0};
  caf::actor_addr address() const { return node_id.empty() ? handle.address() : remote.address(); }
};

struct node_entry {
  std::string address;
  node_control_actor control;
  std::int64_t heartbeat_ms = 0; ///< steady clock
  std::int64_t heartbeat_unix = 0;
  bool lost = false;
};

struct qm_state {
  static constexpr const char* name = "bt.queue_manager";
  std::shared_ptr<worker_context> ctx;
  queue_settings settings;
  std::vector<worker_slot> slots;
  std::map<std::string, node_entry> nodes;
  bool warned_depth = false;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

using qm_pointer = caf::stateful_actor<qm_state>*;

std::chrono::milliseconds retry_delay(const queue_settings& s, std::int32_t attempt) {
  return s.retry_base * (1 << std::min(attempt - 1, 10));
}

void spawn_worker(qm_pointer self, std::size_t index) {
  auto& slot = self->state.slots[index];
  ++slot.generation;
  slot.id = "local/worker-" + std::to_string(index + 1) + "." + std::to_string(slot.generation);
  slot.handle = self->spawn<caf::detached + caf::monitored>(backtest_worker, self->state.ctx,
                                                            caf::actor_cast<caf::actor>(self), slot.id);
  slot.alive = true;
  slot.job.reset();
  // Reset the restart backoff once this worker has stayed up for a while.
  self->delayed_send(self, self->state.settings.stable_after, stable_atom::value,
                     static_cast<std::uint64_t>(index), slot.generation);
}

void record_failure(qm_pointer self, const job_spec& job, const std::string& error, bool permanent = false) {
  try {
    auto conn = self->state.ctx->pool->acquire();
    db::claimed_run claim{job.run_id, job.user_id, job.attempt, job.symbol, job.timeframe, job.source_timeframe,
                          job.config_json, job.config_hash, job.start, job.end};
    const auto delay = retry_delay(self->state.settings, job.attempt);
    auto outcome = db::fail_attempt(*conn, claim, error, self->state.settings.max_attempts, delay.count(),
                                    permanent ? db::failure_kind::permanent : db::failure_kind::transient);
    if (outcome == db::failure_outcome::requeued) {
      log::warn("run_retry_scheduled", {{"run_id", job.run_id}, {"attempt", job.attempt},
                                        {"retry_in_ms", static_cast<std::int64_t>(delay.count())}, {"error", error}});
      self->delayed_send(self, delay, wake_atom::value);
    } else if (outcome == db::failure_outcome::failed) {
      log::warn("run_failed", {{"run_id", job.run_id}, {"attempt", job.attempt}, {"error", error}});
    } else if (outcome == db::failure_outcome::dead_lettered) {
      log::error("run_dead_lettered", {{"run_id", job.run_id}, {"attempts", job.attempt}, {"error", error}});
    }
  } catch (const std::exception& e) {
    // The run stays `running`; a restart requeues it.
    log::error("run_failure_not_recorded", {{"run_id", job.run_id}, {"reason", e.what()}});
  }
}

// Gives up the slot's current attempt (if any): the run goes back to the
// queue as a failed attempt, or to the dead letters after the last one.
void give_up(qm_pointer self, worker_slot& slot, const std::string& reason) {
  if (!slot.job)
    return;
  const job_spec job = *slot.job;
  slot.job.reset();
  self->state.ctx->registry->finish(job.run_id);
  record_failure(self, job, reason);
}

void dispatch(qm_pointer self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    auto& slot = st.slots[i];
    if (!slot.alive || slot.job)
      continue;
    std::optional<db::claimed_run> claim;
    try {
      auto conn = st.ctx->pool->acquire();
      claim = db::claim_next(*conn, slot.id, st.settings.per_user_limit);
    } catch (const std::exception& e) {
      log::warn("claim_failed", {{"reason", e.what()}});
      return;
    }
    if (!claim)
      return; // nothing eligible now
    job_spec job{claim->id, claim->user_id, claim->attempt, claim->symbol, claim->timeframe,
                 claim->source_timeframe, claim->config_json, claim->config_hash, claim->start, claim->end};
    log::info("run_started", {{"run_id", job.run_id}, {"attempt", job.attempt}, {"worker_id", slot.id}});
    slot.job = job;
    slot.cancel_sent = false;
    if (slot.node_id.empty()) {
      self->send(slot.handle, run_atom::value, std::move(job));
      continue;
    }
    // A node has no database: it gets the bars, in chunks of at most 256 KB
    // (messages are buffered whole), then the job.
    try {
      const std::string csv = to_csv(load_source_range(*st.ctx, job));
      constexpr std::size_t chunk = 256 * 1024;
      for (std::size_t pos = 0; pos < csv.size(); pos += chunk)
        self->send(slot.remote, chunk_atom::value, job.run_id, job.attempt, csv.substr(pos, chunk));
      st.ctx->registry->start(job.run_id, slot.id);
      self->send(slot.remote, run_atom::value, std::move(job));
    } catch (const std::exception& e) {
      const job_spec failed = *slot.job;
      slot.job.reset();
      record_failure(self, failed, std::string("could not hand the run to ") + slot.id + ": " + e.what());
    }
  }
}

// Whether `node_id` holds attempt `attempt` of `run_id` right now.
bool dispatched_to(qm_pointer self, const std::string& node_id, const std::string& run_id, std::int32_t attempt) {
  for (const auto& slot : self->state.slots)
    if (slot.job && !slot.node_id.empty() && slot.node_id == node_id && slot.job->run_id == run_id
        && slot.job->attempt == attempt)
      return true;
  return false;
}

void update_view(qm_pointer self) {
  auto& st = self->state;
  for (const auto& [id, node] : st.nodes) {
    node_state view;
    view.node_id = id;
    view.address = node.address;
    view.status = node.lost ? "lost" : "up";
    view.last_heartbeat = node.heartbeat_unix;
    for (const auto& slot : st.slots)
      if (slot.node_id == id && slot.alive) {
        ++view.workers;
        if (slot.job)
          view.running_runs.push_back(slot.job->run_id);
      }
    st.ctx->cluster->put(view);
  }
}

// A node that died or hung: its runs go back to the queue (as a failed
// attempt), its workers are no longer used.
void lose_node(qm_pointer self, const std::string& node_id, const std::string& reason) {
  auto& st = self->state;
  auto it = st.nodes.find(node_id);
  if (it == st.nodes.end() || it->second.lost)
    return;
  it->second.lost = true;
  log::error("node_lost", {{"node_id", node_id}, {"reason", reason}});
  for (auto& slot : st.slots) {
    if (slot.node_id != node_id || !slot.alive)
      continue;
    slot.alive = false;
    self->demonitor(slot.remote.address());
    give_up(self, slot, "node " + node_id + " lost: " + reason);
  }
  update_view(self);
}

void check_health(qm_pointer self) {
  auto& st = self->state;
  const auto now = live_run::now_ms();
  // Nodes that stopped sending heartbeats are hung or cut off.
  for (auto& [id, node] : st.nodes)
    if (!node.lost && now - node.heartbeat_ms > st.settings.node_timeout.count())
      lose_node(self, id, "no heartbeat for " + std::to_string(st.settings.node_timeout.count() / 1000) + " s");
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    auto& slot = st.slots[i];
    if (!slot.job)
      continue;
    auto live = st.ctx->registry->find(slot.job->run_id);
    // Cancellation reaches remote attempts by message.
    if (live && live->cancel.load() && !slot.node_id.empty() && !slot.cancel_sent) {
      slot.cancel_sent = true;
      if (auto node = st.nodes.find(slot.node_id); node != st.nodes.end())
        self->send(node->second.control, cancel_atom::value, slot.job->run_id);
    }
    if (!live || now - live->heartbeat_ms.load() < st.settings.watchdog.count())
      continue;
    // A hung worker cannot be interrupted: abandon it (its late result is
    // refused by the attempt check) and retry the job; a local worker is
    // replaced, a remote one is no longer used (its node restarts it).
    log::error("worker_stalled", {{"worker_id", slot.id}, {"run_id", slot.job->run_id}});
    live->cancel = true;
    const std::string reason =
      slot.id + " stopped reporting for " + std::to_string(st.settings.watchdog.count() / 1000) + " s";
    if (!slot.node_id.empty()) {
      slot.alive = false;
      give_up(self, slot, reason);
      continue;
    }
    self->demonitor(slot.handle.address());
    caf::anon_send_exit(slot.handle, caf::exit_reason::kill);
    give_up(self, slot, reason);
    spawn_worker(self, i);
  }
  try {
    auto conn = st.ctx->pool->acquire();
    const auto stats = db::read_queue_stats(*conn);
    if (stats.queued > st.settings.depth_warning && !st.warned_depth)
      log::warn("queue_depth_high", {{"queued", stats.queued}, {"threshold", st.settings.depth_warning}});
    st.warned_depth = stats.queued > st.settings.depth_warning;
  } catch (const std::exception&) {
  }
}

caf::behavior queue_manager(qm_pointer self, std::shared_ptr<worker_context> ctx, queue_settings settings) {
  self->state.ctx = ctx;
  self->state.settings = settings;
  try {
    auto conn = ctx->pool->acquire();
    if (auto n = db::requeue_orphans(*conn); n > 0)
      log::warn("runs_requeued_after_restart", {{"count", n}});
  } catch (const std::exception& e) {
    log::error("requeue_failed", {{"reason", e.what()}});
  }
  self->state.slots.resize(settings.workers);
  for (std::size_t i = 0; i < settings.workers; ++i)
    spawn_worker(self, i);

  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    for (std::size_t i = 0; i < st.slots.size(); ++i) {
      auto& slot = st.slots[i];
      if (!slot.alive || slot.address() != msg.source)
        continue;
      slot.alive = false;
      const std::string reason = caf::to_string(msg.reason);
      if (!slot.node_id.empty()) {
        // A remote worker down: its node crashed or the connection broke.
        log::error("remote_worker_down", {{"worker_id", slot.id}, {"reason", reason}});
        give_up(self, slot, "worker " + slot.id + " lost: " + reason);
        bool any_alive = false;
        for (const auto& other : st.slots)
          any_alive |= other.node_id == slot.node_id && other.alive;
        if (!any_alive)
          lose_node(self, slot.node_id, "connection lost");
        update_view(self);
        continue;
      }
      slot.backoff = slot.backoff.count() == 0 ? st.settings.restart_base
                                               : std::min(slot.backoff * 2, st.settings.restart_cap);
      log::error("worker_crashed", {{"worker_id", slot.id}, {"reason", reason},
                                    {"restart_in_ms", static_cast<std::int64_t>(slot.backoff.count())}});
      give_up(self, slot, "worker crashed: " + reason);
      self->delayed_send(self, slot.backoff, restart_atom::value, static_cast<std::uint64_t>(i), slot.generation);
    }
  });
  // Shutdown: take the workers along (a busy one finishes its run first).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& slot : self->state.slots)
      if (slot.alive)
        caf::anon_send_exit(slot.handle, caf::exit_reason::user_shutdown);
    self->quit(msg.reason);
  });
  self->send(self, tick_atom::value);
  return {
    [self](wake_atom) { dispatch(self); },
    [self](node_atom, const std::string& node_id, const std::string& address, std::vector<node_worker_actor>& workers,
           node_control_actor& control) {
      auto& st = self->state;
      // A node that registers again (restarted, reconnected) replaces itself.
      if (auto old = st.nodes.find(node_id); old != st.nodes.end()) {
        old->second.lost = false;
        for (auto& slot : st.slots)
          if (slot.node_id == node_id && slot.alive) {
            slot.alive = false;
            self->demonitor(slot.remote.address());
            give_up(self, slot, "node " + node_id + " registered again during the run");
          }
      }
      node_entry& node = st.nodes[node_id];
      node.address = address;
      node.control = std::move(control);
      node.heartbeat_ms = live_run::now_ms();
      node.heartbeat_unix = unix_now();
      node.lost = false;
      for (std::size_t i = 0; i < workers.size(); ++i) {
        worker_slot slot;
        slot.remote = workers[i];
        slot.node_id = node_id;
        slot.id = node_id + "/worker-" + std::to_string(i + 1);
        slot.alive = true;
        self->monitor(slot.remote);
        st.slots.push_back(std::move(slot));
      }
      update_view(self);
      dispatch(self);
    },
    [self](heartbeat_atom, const std::string& node_id) {
      auto it = self->state.nodes.find(node_id);
      if (it == self->state.nodes.end() || it->second.lost)
        return;
      it->second.heartbeat_ms = live_run::now_ms();
      it->second.heartbeat_unix = unix_now();
      update_view(self);
    },
    [self](progress_atom, const std::string& node_id, const std::string& run_id, std::int32_t attempt, double pct,
           std::int64_t bar_time, std::int64_t trades) {
      // Only the attempt dispatched to that node may report on the run.
      if (!dispatched_to(self, node_id, run_id, attempt)) {
        log::warn("cluster_message_rejected", {{"message", "progress"}, {"node_id", node_id}, {"run_id", run_id},
                                               {"attempt", attempt}, {"reason", "no such attempt on that node"}});
        return;
      }
      if (auto live = self->state.ctx->registry->find(run_id)) {
        live->percent = pct;
        live->bar_time = bar_time;
        live->trades = trades;
        live->beat();
      }
    },
    [self](result_atom, const std::string& node_id, job_result& r) {
      auto& st = self->state;
      std::optional<job_spec> job;
      std::string worker_id;
      for (auto& slot : st.slots)
        if (slot.job && !slot.node_id.empty() && slot.node_id == node_id && slot.job->run_id == r.run_id
            && slot.job->attempt == r.attempt) {
          job = slot.job;
          worker_id = slot.id;
          slot.job.reset();
        }
      if (!job) {
        // A late result of an abandoned attempt, or one from a node the
        // attempt was not given to: it touches nothing, not even the live
        // state of the attempt that replaced it.
        log::warn("result_ignored", {{"run_id", r.run_id}, {"attempt", r.attempt}, {"node_id", node_id},
                                     {"reason", "no such attempt on that node"}});
        return;
      }
      st.ctx->registry->finish(r.run_id);
      if (r.status == "completed") {
        db::stored_result stored;
        stored.metrics_json = std::move(r.metrics_json);
        stored.warnings_json = r.warnings_json.empty() ? "[]" : std::move(r.warnings_json);
        stored.zones_csv = std::move(r.zones_csv);
        stored.equity_csv = std::move(r.equity_csv);
        stored.zones = r.zones;
        stored.points = r.points;
        stored.data_checksum = r.data_checksum;
        stored.engine_version = r.engine_version;
        stored.duration_ms = r.duration_ms;
        db::claimed_run claim{job->run_id, job->user_id, job->attempt, job->symbol, job->timeframe,
                              job->source_timeframe, job->config_json, job->config_hash, job->start, job->end};
        try {
          if (!parse_trades_csv(r.trades_csv, stored.trades))
            throw std::runtime_error("unreadable trades from " + worker_id);
          auto conn = st.ctx->pool->acquire();
          const bool stored_ok = db::complete_run(*conn, claim, stored);
          log::info("run_finished", {{"run_id", r.run_id}, {"attempt", r.attempt},
                                     {"result", stored_ok ? "completed" : "stale"}, {"worker_id", worker_id}});
        } catch (const std::exception& e) {
          record_failure(self, *job, std::string("storing the results failed: ") + e.what());
        }
      } else if (r.status == "cancelled") {
        log::info("run_finished", {{"run_id", r.run_id}, {"attempt", r.attempt}, {"result", "cancelled"},
                                   {"worker_id", worker_id}});
      } else {
        record_failure(self, *job, r.error, r.permanent);
      }
      update_view(self);
      dispatch(self);
    },
    [self](done_atom, const job_outcome& outcome) {
      auto& st = self->state;
      for (auto& slot : st.slots)
        if (slot.job && slot.job->run_id == outcome.run_id && slot.job->attempt == outcome.attempt) {
          const job_spec job = *slot.job;
          slot.job.reset();
          if (outcome.result == "failed")
            record_failure(self, job, outcome.error, outcome.permanent);
          log::info("run_finished", {{"run_id", outcome.run_id}, {"attempt", outcome.attempt},
                                     {"result", outcome.result}, {"worker_id", slot.id}});
        }
      dispatch(self);
    },
    [self](restart_atom, std::uint64_t index, std::uint64_t generation) {
      auto& slot = self->state.slots[index];
      if (slot.alive || slot.generation != generation)
        return;
      spawn_worker(self, index);
      log::info("worker_restarted", {{"worker_id", slot.id}});
      dispatch(self);
    },
    [self](stable_atom, std::uint64_t index, std::uint64_t generation) {
      auto& slot = self->state.slots[index];
      if (slot.alive && slot.generation == generation)
        slot.backoff = std::chrono::milliseconds(0);
    },
    [self](tick_atom) {
      check_health(self);
      dispatch(self); // retries whose backoff has passed
      self->delayed_send(self, std::chrono::milliseconds(500), tick_atom::value);
    },
  };
}

} // namespace

caf::actor spawn_queue_manager(caf::actor_system& sys, std::shared_ptr<worker_context> ctx, queue_settings settings) {
  return sys.spawn<caf::detached>(queue_manager, std::move(ctx), settings);
}

} // namespace bt
