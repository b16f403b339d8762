#include "actors/queue_manager.hpp"

#include "config/log.hpp"
#include "persistence/run_repository.hpp"

#include <caf/all.hpp>

namespace bt {
namespace {

struct worker_slot {
  worker_actor handle;
  std::string id;
  std::optional<job_spec> job;
  bool alive = false;
  std::uint64_t generation = 0;
  std::chrono::milliseconds backoff{0};
};

struct qm_state {
  static constexpr const char* name = "bt.queue_manager";
  std::shared_ptr<worker_context> ctx;
  queue_settings settings;
  std::vector<worker_slot> slots;
  bool warned_depth = false;
};

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

void record_failure(qm_pointer self, const job_spec& job, const std::string& error) {
  try {
    auto conn = self->state.ctx->pool->acquire();
    db::claimed_run claim{job.run_id, job.user_id, job.attempt, job.symbol, job.timeframe, job.source_timeframe,
                          job.config_json, job.config_hash, job.start, job.end};
    const auto delay = retry_delay(self->state.settings, job.attempt);
    auto outcome = db::fail_attempt(*conn, claim, error, self->state.settings.max_attempts, delay.count());
    if (outcome == db::failure_outcome::requeued) {
      log::warn("run_retry_scheduled", {{"run_id", job.run_id}, {"attempt", job.attempt},
                                        {"retry_in_ms", static_cast<std::int64_t>(delay.count())}, {"error", error}});
      self->delayed_send(self, delay, wake_atom::value);
    } else if (outcome == db::failure_outcome::dead_lettered) {
      log::error("run_dead_lettered", {{"run_id", job.run_id}, {"attempts", job.attempt}, {"error", error}});
    }
  } catch (const std::exception& e) {
    // The run stays `running`; a restart requeues it.
    log::error("run_failure_not_recorded", {{"run_id", job.run_id}, {"reason", e.what()}});
  }
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
    self->send(slot.handle, run_atom::value, std::move(job));
  }
}

void check_health(qm_pointer self) {
  auto& st = self->state;
  const auto now = live_run::now_ms();
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    auto& slot = st.slots[i];
    if (!slot.job)
      continue;
    auto live = st.ctx->registry->find(slot.job->run_id);
    if (!live || now - live->heartbeat_ms.load() < st.settings.watchdog.count())
      continue;
    // A hung worker cannot be interrupted: abandon it (its late result is
    // refused by the attempt check), retry the job, start a fresh worker.
    log::error("worker_stalled", {{"worker_id", slot.id}, {"run_id", slot.job->run_id}});
    live->cancel = true;
    const job_spec job = *slot.job;
    self->demonitor(slot.handle.address());
    caf::anon_send_exit(slot.handle, caf::exit_reason::kill);
    record_failure(self, job, "worker stopped reporting for " +
                                std::to_string(st.settings.watchdog.count() / 1000) + " s");
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
      if (!slot.alive || slot.handle.address() != msg.source)
        continue;
      slot.alive = false;
      const std::string reason = caf::to_string(msg.reason);
      slot.backoff = slot.backoff.count() == 0 ? st.settings.restart_base
                                               : std::min(slot.backoff * 2, st.settings.restart_cap);
      log::error("worker_crashed", {{"worker_id", slot.id}, {"reason", reason},
                                    {"restart_in_ms", static_cast<std::int64_t>(slot.backoff.count())}});
      if (slot.job) {
        const job_spec job = *slot.job;
        slot.job.reset();
        st.ctx->registry->finish(job.run_id);
        record_failure(self, job, "worker crashed: " + reason);
      }
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
    [self](done_atom, const job_outcome& outcome) {
      auto& st = self->state;
      for (auto& slot : st.slots)
        if (slot.job && slot.job->run_id == outcome.run_id && slot.job->attempt == outcome.attempt) {
          const job_spec job = *slot.job;
          slot.job.reset();
          if (outcome.result == "failed")
            record_failure(self, job, outcome.error);
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
