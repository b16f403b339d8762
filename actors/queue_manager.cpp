#include "actors/queue_manager.hpp"

#include "actors/queue_clerk.hpp"
#include "config/log.hpp"
#include "domain/scheduling/restart_policy.hpp"
#include "persistence/audit_log.hpp"

#include <caf/all.hpp>

namespace bt {
namespace {

/// Where a worker slot stands. Claims go through the clerk, so a slot is
/// `claiming` between asking for a run and hearing which one it got.
enum class slot_state { idle, claiming, busy, down };

struct worker_slot {
  worker_actor handle;      ///< local workers
  node_worker_actor remote; ///< workers on other nodes
  std::string node_id;      ///< empty for local workers
  std::string id;
  std::optional<run_attempt> job;
  slot_state state = slot_state::down;
  bool cancel_sent = false;
  std::uint64_t generation = 0;
  std::chrono::milliseconds backoff{0};
  bool alive() const { return state != slot_state::down; }
  bool remote_slot() const { return !node_id.empty(); }
  caf::actor_addr address() const { return remote_slot() ? remote.address() : handle.address(); }
};

enum class node_status { up, lost };

struct node_entry {
  std::string address;
  node_control_actor control;
  std::int64_t heartbeat_ms = 0; ///< steady clock
  std::int64_t heartbeat_unix = 0;
  node_status status = node_status::up;
};

struct qm_state {
  static constexpr const char* name = "bt.queue_manager";
  std::shared_ptr<worker_context> ctx;
  queue_settings settings;
  queue_clerk_actor clerk;
  std::vector<worker_slot> slots;
  std::map<std::string, node_entry> nodes;
  bool claim_in_flight = false; ///< one claim at a time: the clerk answers in order
  bool warned_depth = false;
};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using qm_pointer = caf::stateful_actor<qm_state>*;

void spawn_worker(qm_pointer self, std::size_t index) {
  auto& slot = self->state.slots[index];
  ++slot.generation;
  slot.id = "local/worker-" + std::to_string(index + 1) + "." + std::to_string(slot.generation);
  slot.handle = self->spawn<caf::detached + caf::monitored>(
      backtest_worker, self->state.ctx, caf::actor_cast<caf::actor>(self), slot.id);
  slot.state = slot_state::idle;
  slot.job.reset();
  // Reset the restart backoff once this worker has stayed up for a while.
  self->delayed_send(self, self->state.settings.stable_after, stable_atom::value,
                     static_cast<std::uint64_t>(index), slot.generation);
}

// Gives up the slot's current attempt (if any): the clerk records it as a
// failed attempt (requeued, or dead-lettered after the last one).
void give_up(qm_pointer self, worker_slot& slot, const std::string& reason) {
  if (!slot.job)
    return;
  const run_attempt job = *slot.job;
  slot.job.reset();
  self->state.ctx->registry->finish(job.run_id);
  self->send(self->state.clerk, fail_atom::value, job, reason, false);
}

// Asks the clerk for a run for the first idle slot; its answer (claimed)
// hands the run over and asks again for the next idle slot.
void dispatch(qm_pointer self) {
  auto& st = self->state;
  if (st.claim_in_flight)
    return;
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    auto& slot = st.slots[i];
    if (slot.state != slot_state::idle)
      continue;
    slot.state = slot_state::claiming;
    st.claim_in_flight = true;
    self->send(st.clerk, claim_atom::value, static_cast<std::uint64_t>(i), slot.generation, slot.id,
               static_cast<std::int32_t>(st.settings.per_user_limit));
    return;
  }
}

void hand_over(qm_pointer self, worker_slot& slot, run_attempt job) {
  log::info("run_started",
            {{"run_id", job.run_id}, {"attempt", job.attempt}, {"worker_id", slot.id}});
  slot.job = job;
  slot.state = slot_state::busy;
  slot.cancel_sent = false;
  if (!slot.remote_slot()) {
    self->send(slot.handle, run_atom::value, std::move(job));
    return;
  }
  self->state.ctx->registry->start(job.run_id, slot.id);
  self->send(self->state.clerk, ship_atom::value, std::move(job), slot.id, slot.remote);
}

// The slot that holds attempt `attempt` of `run_id` (on `node_id`, or a
// local one when empty), if any.
worker_slot* holder(qm_pointer self, const std::string& run_id, std::int32_t attempt,
                    const std::string* node_id) {
  for (auto& slot : self->state.slots)
    if (slot.job && slot.job->run_id == run_id && slot.job->attempt == attempt
        && (!node_id || (slot.remote_slot() && slot.node_id == *node_id)))
      return &slot;
  return nullptr;
}

void update_view(qm_pointer self) {
  auto& st = self->state;
  for (const auto& [id, node] : st.nodes) {
    node_state view;
    view.node_id = id;
    view.address = node.address;
    view.status = node.status == node_status::lost ? "lost" : "up";
    view.last_heartbeat = node.heartbeat_unix;
    for (const auto& slot : st.slots)
      if (slot.node_id == id && slot.alive()) {
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
  if (it == st.nodes.end() || it->second.status == node_status::lost)
    return;
  it->second.status = node_status::lost;
  log::error("node_lost", {{"node_id", node_id}, {"reason", reason}});
  self->send(st.clerk, audit_atom::value, std::string("node.lost"), "node:" + node_id,
             db::audit_details({{"reason", reason}}));
  for (auto& slot : st.slots) {
    if (slot.node_id != node_id || !slot.alive())
      continue;
    slot.state = slot_state::down;
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
    if (node.status == node_status::up
        && now - node.heartbeat_ms > st.settings.node_timeout.count())
      lose_node(self, id,
                "no heartbeat for " + std::to_string(st.settings.node_timeout.count() / 1000)
                    + " s");
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    auto& slot = st.slots[i];
    if (!slot.job)
      continue;
    auto live = st.ctx->registry->find(slot.job->run_id);
    // Cancellation reaches remote attempts by message.
    if (live && live->cancel.load() && slot.remote_slot() && !slot.cancel_sent) {
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
    const std::string reason = slot.id + " stopped reporting for "
                               + std::to_string(st.settings.watchdog.count() / 1000) + " s";
    slot.state = slot_state::down;
    if (slot.remote_slot()) {
      give_up(self, slot, reason);
      continue;
    }
    self->demonitor(slot.handle.address());
    caf::anon_send_exit(slot.handle, caf::exit_reason::kill);
    give_up(self, slot, reason);
    spawn_worker(self, i);
  }
  self->send(st.clerk, stats_atom::value); // the depth warning, answered by `stats`
}

caf::behavior queue_manager(qm_pointer self, std::shared_ptr<worker_context> ctx,
                            queue_settings settings) {
  self->state.ctx = ctx;
  self->state.settings = settings;
  clerk_settings cs;
  cs.max_attempts = settings.max_attempts;
  cs.retry_base = settings.retry_base;
  cs.store_delay = std::chrono::milliseconds(ctx->faults.store_delay_ms);
  // The clerk requeues runs orphaned by a previous process before it
  // answers the first claim.
  self->state.clerk = spawn_queue_clerk(self->system(), ctx, cs, caf::actor_cast<caf::actor>(self));
  self->link_to(self->state.clerk);
  self->state.slots.resize(settings.workers);
  for (std::size_t i = 0; i < settings.workers; ++i)
    spawn_worker(self, i);

  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    for (std::size_t i = 0; i < st.slots.size(); ++i) {
      auto& slot = st.slots[i];
      if (!slot.alive() || slot.address() != msg.source)
        continue;
      slot.state = slot_state::down;
      const std::string reason = caf::to_string(msg.reason);
      if (slot.remote_slot()) {
        // A remote worker down: its node crashed or the connection broke.
        log::error("remote_worker_down", {{"worker_id", slot.id}, {"reason", reason}});
        give_up(self, slot, "worker " + slot.id + " lost: " + reason);
        bool any_alive = false;
        for (const auto& other : st.slots)
          any_alive |= other.node_id == slot.node_id && other.alive();
        if (!any_alive)
          lose_node(self, slot.node_id, "connection lost");
        update_view(self);
        continue;
      }
      slot.backoff = restart_policy(st.settings.restart_base, st.settings.restart_cap,
                                    st.settings.stable_after)
                         .next_delay(slot.backoff);
      log::error("worker_crashed",
                 {{"worker_id", slot.id},
                  {"reason", reason},
                  {"restart_in_ms", static_cast<std::int64_t>(slot.backoff.count())}});
      give_up(self, slot, "worker crashed: " + reason);
      self->delayed_send(self, slot.backoff, restart_atom::value, static_cast<std::uint64_t>(i),
                         slot.generation);
    }
  });
  // Shutdown: take the workers and the clerk along (a busy worker finishes
  // its run first).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& slot : self->state.slots)
      if (slot.alive() && !slot.remote_slot())
        caf::anon_send_exit(slot.handle, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(self->state.clerk, caf::exit_reason::user_shutdown);
    self->quit(msg.reason);
  });
  self->send(self, tick_atom::value);
  return {
      [self](wake_atom) { dispatch(self); },
      [self](claimed_atom, std::uint64_t index, std::uint64_t generation, bool found,
             run_attempt& job) {
        auto& st = self->state;
        st.claim_in_flight = false;
        worker_slot* slot = index < st.slots.size() ? &st.slots[index] : nullptr;
        const bool still_wanted =
            slot && slot->generation == generation && slot->state == slot_state::claiming;
        if (!found) {
          if (still_wanted)
            slot->state =
                slot_state::idle; // nothing eligible now: wait for a wake or the next tick
          return;
        }
        if (!still_wanted) {
          // The worker went away while its claim was made: the run goes back
          // to the queue uncounted.
          self->send(st.clerk, release_atom::value, std::move(job));
          return;
        }
        hand_over(self, *slot, std::move(job));
        update_view(self);
        dispatch(self); // the next idle slot
      },
      [self](failed_atom, const std::string&, bool requeued, std::int64_t delay_ms) {
        if (requeued)
          self->delayed_send(self, std::chrono::milliseconds(delay_ms), wake_atom::value);
        dispatch(self);
      },
      [self](stored_atom, const std::string&) { dispatch(self); },
      [self](audit_atom, std::string& action, std::string& object, std::string& details) {
        // The gateway's (node joined or rejected): written by the clerk.
        self->send(self->state.clerk, audit_atom::value, std::move(action), std::move(object),
                   std::move(details));
      },
      [self](stats_atom, std::int64_t queued) {
        auto& st = self->state;
        // Logged once per crossing, each way (an alert rule watches the
        // metric; the log says when it started and ended).
        if (queued > st.settings.depth_warning && !st.warned_depth)
          log::warn("queue_depth_high",
                    {{"queued", queued}, {"threshold", st.settings.depth_warning}});
        if (queued <= st.settings.depth_warning && st.warned_depth)
          log::info("queue_depth_normal",
                    {{"queued", queued}, {"threshold", st.settings.depth_warning}});
        st.warned_depth = queued > st.settings.depth_warning;
      },
      [self](node_atom, const std::string& node_id, const std::string& address,
             std::vector<node_worker_actor>& workers, node_control_actor& control) {
        auto& st = self->state;
        // A node that registers again (restarted, reconnected) replaces itself.
        if (st.nodes.count(node_id))
          for (auto& slot : st.slots)
            if (slot.node_id == node_id && slot.alive()) {
              slot.state = slot_state::down;
              self->demonitor(slot.remote.address());
              give_up(self, slot, "node " + node_id + " registered again during the run");
            }
        node_entry& node = st.nodes[node_id];
        node.address = address;
        node.control = std::move(control);
        node.heartbeat_ms = live_run::now_ms();
        node.heartbeat_unix = unix_now();
        node.status = node_status::up;
        for (std::size_t i = 0; i < workers.size(); ++i) {
          // Reuse this node's dead slots, so that a node that keeps
          // reconnecting does not grow the table.
          worker_slot* slot = nullptr;
          for (auto& s : st.slots)
            if (s.node_id == node_id && s.state == slot_state::down && !s.job) {
              slot = &s;
              break;
            }
          if (!slot) {
            st.slots.emplace_back();
            slot = &st.slots.back();
            slot->node_id = node_id;
          }
          ++slot->generation;
          slot->remote = workers[i];
          slot->id = node_id + "/worker-" + std::to_string(i + 1);
          slot->state = slot_state::idle;
          slot->cancel_sent = false;
          self->monitor(slot->remote);
        }
        update_view(self);
        dispatch(self);
      },
      [self](heartbeat_atom, const std::string& node_id) {
        auto it = self->state.nodes.find(node_id);
        if (it == self->state.nodes.end() || it->second.status == node_status::lost)
          return;
        it->second.heartbeat_ms = live_run::now_ms();
        it->second.heartbeat_unix = unix_now();
        update_view(self);
      },
      [self](progress_atom, const std::string& node_id, const progress_report& r) {
        const std::string& run_id = r.run_id;
        const std::int32_t attempt = r.attempt;
        // Only the attempt dispatched to that node may report on the run.
        if (!holder(self, run_id, attempt, &node_id)) {
          log::warn("cluster_message_rejected", {{"message", "progress"},
                                                 {"node_id", node_id},
                                                 {"run_id", run_id},
                                                 {"attempt", attempt},
                                                 {"reason", "no such attempt on that node"}});
          return;
        }
        if (auto live = self->state.ctx->registry->find(run_id)) {
          live->percent = r.percent;
          live->eta_seconds = r.eta_seconds;
          live->bar_time = r.bar_time;
          live->trades = r.trades;
          live->bars_done = r.bars_done;
          live->bars_total = r.bars_total;
          live->net_profit_units = r.net_profit_units;
          live->position_units = r.position_units;
          live->beat();
          self->state.ctx->hub->publish_progress(run_id, *live);
        }
      },
      [self](result_atom, const std::string& node_id, job_result& r) {
        auto& st = self->state;
        worker_slot* slot = holder(self, r.run_id, r.attempt, &node_id);
        if (!slot) {
          // A late result of an abandoned attempt, or one from a node the
          // attempt was not given to: it touches nothing, not even the live
          // state of the attempt that replaced it.
          log::warn("result_ignored", {{"run_id", r.run_id},
                                       {"attempt", r.attempt},
                                       {"node_id", node_id},
                                       {"reason", "no such attempt on that node"}});
          return;
        }
        const run_attempt job = *slot->job;
        const std::string worker_id = slot->id;
        slot->job.reset();
        if (slot->state == slot_state::busy)
          slot->state = slot_state::idle;
        st.ctx->registry->finish(r.run_id);
        if (r.status == attempt_result::completed) {
          self->send(st.clerk, store_atom::value, job, worker_id,
                     std::move(r)); // answered by `stored`
        } else if (r.status == attempt_result::cancelled) {
          log::info("run_finished", {{"run_id", r.run_id},
                                     {"attempt", r.attempt},
                                     {"result", "cancelled"},
                                     {"worker_id", worker_id}});
        } else {
          self->send(st.clerk, fail_atom::value, job, r.error, r.permanent);
        }
        update_view(self);
        dispatch(self);
      },
      [self](done_atom, const job_outcome& outcome) {
        if (worker_slot* slot = holder(self, outcome.run_id, outcome.attempt, nullptr);
            slot && !slot->remote_slot()) {
          const run_attempt job = *slot->job;
          slot->job.reset();
          if (slot->state == slot_state::busy)
            slot->state = slot_state::idle;
          if (outcome.result == attempt_result::failed)
            self->send(self->state.clerk, fail_atom::value, job, outcome.error, outcome.permanent);
          log::info("run_finished", {{"run_id", outcome.run_id},
                                     {"attempt", outcome.attempt},
                                     {"result", std::string(to_string(outcome.result))},
                                     {"worker_id", slot->id}});
        }
        dispatch(self);
      },
      [self](restart_atom, std::uint64_t index, std::uint64_t generation) {
        auto& slot = self->state.slots[index];
        if (slot.alive() || slot.generation != generation)
          return;
        spawn_worker(self, index);
        log::info("worker_restarted", {{"worker_id", slot.id}});
        dispatch(self);
      },
      [self](stable_atom, std::uint64_t index, std::uint64_t generation) {
        auto& slot = self->state.slots[index];
        if (slot.alive() && slot.generation == generation)
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

caf::actor spawn_queue_manager(caf::actor_system& sys, std::shared_ptr<worker_context> ctx,
                               queue_settings settings) {
  // The manager only decides; it can run on CAF's cooperative threads, but
  // stays detached so that a busy scheduler never delays its timers.
  return sys.spawn<caf::detached>(queue_manager, std::move(ctx), settings);
}

} // namespace bt
