#include "actors/queue_clerk.hpp"

#include "persistence/sweep_store.hpp"

#include "config/log.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/equity_blob.hpp"
#include "persistence/run_repository.hpp"
#include "services/telemetry.hpp"
#include "services/tracing.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

#include <thread>

namespace bt {

namespace {

// Records a failed attempt and tells the manager what became of the run.
void record_failure(worker_context& ctx, const clerk_settings& s, caf::actor& manager,
                    const run_attempt& job, const std::string& error, bool permanent) {
  try {
    auto conn = ctx.pool->acquire();
    const auto delay = retry_delay(s.retry_base, job.attempt);
    auto outcome =
        db::fail_attempt(*conn, job, error, s.max_attempts, delay.count(),
                         permanent ? db::failure_kind::permanent : db::failure_kind::transient);
    if (outcome == db::failure_outcome::dead_lettered)
      telemetry::note_dead_letter(job.run_id); // before the sync that reports the failure
    tracing::end_attempt(job, job.worker_id, "failed", error);
    ctx.book->sync(*conn, job.run_id);
    switch (outcome) {
    case db::failure_outcome::requeued:
      log::warn("run_retry_scheduled", {{"run_id", job.run_id},
                                        {"attempt", job.attempt},
                                        {"retry_in_ms", static_cast<std::int64_t>(delay.count())},
                                        {"error", error}});
      break;
    case db::failure_outcome::failed:
      log::warn("run_failed", {{"run_id", job.run_id}, {"attempt", job.attempt}, {"error", error}});
      break;
    case db::failure_outcome::dead_lettered:
      log::error("run_dead_lettered",
                 {{"run_id", job.run_id}, {"attempts", job.attempt}, {"error", error}});
      break;
    case db::failure_outcome::stale:
      break;
    }
    caf::anon_send(manager, failed_atom::value, job.run_id,
                   outcome == db::failure_outcome::requeued,
                   static_cast<std::int64_t>(delay.count()));
  } catch (const std::exception& e) {
    // The run stays `running`; a restart requeues it.
    log::error("run_failure_not_recorded", {{"run_id", job.run_id}, {"reason", e.what()}});
  }
}

struct clerk_state {
  static constexpr const char* name = "bt.queue_clerk";
  std::uint64_t ticks = 0;
};

queue_clerk_actor::behavior_type clerk(queue_clerk_actor::stateful_pointer<clerk_state> self,
                                       std::shared_ptr<worker_context> ctx, clerk_settings s,
                                       caf::actor manager) {
  try {
    auto conn = ctx->pool->acquire();
    if (auto n = db::requeue_orphans(*conn); n > 0)
      log::warn("runs_requeued_after_restart", {{"count", n}});
    ctx->book->reload(*conn); // from now on status reads of active runs stay in memory
  } catch (const std::exception& e) {
    log::error("requeue_failed", {{"reason", e.what()}});
  }
  return {
      [=](claim_atom, std::uint64_t slot, std::uint64_t generation, const std::string& worker_id,
          std::int32_t per_user_limit) mutable {
        std::optional<run_attempt> claim;
        try {
          auto conn = ctx->pool->acquire();
          claim = db::claim_next(*conn, worker_id, per_user_limit);
          if (claim) {
            tracing::begin_attempt(*claim, worker_id); // its queue wait ends here
            telemetry::observe_claim(*claim);
            ctx->book->sync(*conn, claim->run_id);
          }
        } catch (const std::exception& e) {
          log::warn("claim_failed", {{"reason", e.what()}});
        }
        caf::anon_send(manager, claimed_atom::value, slot, generation, claim.has_value(),
                       claim.value_or(run_attempt{}));
      },
      [=](release_atom, const run_attempt& job) {
        try {
          auto conn = ctx->pool->acquire();
          db::release_claim(*conn, job);
          ctx->book->sync(*conn, job.run_id);
        } catch (const std::exception& e) {
          log::warn("release_failed",
                    {{"run_id", job.run_id}, {"reason", e.what()}}); // a restart requeues it
        }
        caf::anon_send(manager, wake_atom::value);
      },
      [=](fail_atom, const run_attempt& job, const std::string& error, bool permanent) mutable {
        record_failure(*ctx, s, manager, job, error, permanent);
      },
      [=](store_atom, const run_attempt& job, const std::string& worker_id, job_result& r) mutable {
        if (s.store_delay.count() > 0)
          std::this_thread::sleep_for(s.store_delay);
        // The book and the manager learn how the store went, either way.
        const std::int64_t stored_from = tracing::now_ns();
        auto finished = [&](pqxx::connection& conn, bool stored_ok, double ms) {
          if (stored_ok)
            ctx->book->completed(conn, job.run_id, ms);
          else
            ctx->book->sync(conn, job.run_id);
          {
            // The result storage ends the remote attempt (the node's engine
            // span it exports itself).
            span_scope store(job.trace_id, job.attempt_span_id, "store result");
            tracing::attempt_attributes(store, job, worker_id);
            store.started_at(stored_from);
          }
          tracing::end_attempt(job, worker_id, stored_ok ? "completed" : "stale");
          log::info("run_finished", {{"run_id", job.run_id},
                                     {"attempt", job.attempt},
                                     {"result", stored_ok ? "completed" : "stale"},
                                     {"worker_id", worker_id}});
          caf::anon_send(manager, stored_atom::value, job.run_id);
        };
        try {
          if (is_chunk_config(job.config_json)) {
            // The chunk the server dispatched says which configurations the
            // document must hold, each once; the node's word is not taken.
            sweep_chunk chunk;
            if (auto why = parse_chunk_config(job.config_json, chunk))
              throw std::runtime_error(*why);
            std::vector<stored_configuration> rows;
            if (auto why = decode_chunk_results(r.metrics_json, chunk.first, chunk.last, rows))
              throw std::runtime_error("unreadable chunk results from " + worker_id + ": " + *why);
            auto conn = ctx->pool->acquire();
            finished(*conn, db::complete_chunk(*conn, job, rows, r.engine_version, r.duration_ms),
                     r.duration_ms);
            return;
          }
          if (is_walk_forward_config(job.config_json)) {
            // Read back whole, as a run's tables are: a node cannot store
            // what the endpoints would later fail to read.
            boost::system::error_code ec;
            const auto doc = boost::json::parse(r.metrics_json, ec);
            trade_list trades;
            equity_curve curve;
            if (ec || !doc.is_object())
              throw std::runtime_error("unreadable walk-forward document from " + worker_id);
            if (auto error = read_trades_csv(r.trades_csv, trades))
              throw std::runtime_error("unreadable trades from " + worker_id + ": " + *error);
            if (auto error = read_equity_csv(r.equity_csv, curve))
              throw std::runtime_error("unreadable equity from " + worker_id + ": " + *error);
            auto conn = ctx->pool->acquire();
            finished(*conn,
                     db::complete_walk_forward(*conn, job, r.metrics_json, trades_csv(trades),
                                               equity_csv(curve), r.engine_version, r.duration_ms),
                     r.duration_ms);
            return;
          }
          db::stored_result stored;
          stored.metrics_json = std::move(r.metrics_json);
          stored.warnings_json = r.warnings_json.empty() ? "[]" : std::move(r.warnings_json);
          stored.zones_csv = std::move(r.zones_csv);
          stored.zones = r.zones;
          stored.points = r.points;
          stored.data_checksum = r.data_checksum;
          stored.engine_version = r.engine_version;
          stored.duration_ms = r.duration_ms;
          // A worker's tables are read back whole before anything is stored:
          // the same reader as the stored results, so a node cannot store
          // text that the result endpoints would later fail to read.
          trade_list trades;
          if (auto error = read_trades_csv(r.trades_csv, trades))
            throw std::runtime_error("unreadable trades from " + worker_id + ": " + *error);
          // Stored as this node writes them, whatever spelling a node used.
          stored.trades_csv = trades_csv(trades);
          stored.trades = static_cast<std::int64_t>(trades.size());
          equity_curve curve;
          if (auto error = read_equity_csv(r.equity_csv, curve))
            throw std::runtime_error("unreadable equity from " + worker_id + ": " + *error);
          zone_list zones;
          if (auto error = read_zones_csv(stored.zones_csv, zones))
            throw std::runtime_error("unreadable zones from " + worker_id + ": " + *error);
          if (static_cast<std::int64_t>(curve.size()) != stored.points
              || static_cast<std::int64_t>(zones.size()) != stored.zones)
            throw std::runtime_error("equity or zone counts from " + worker_id
                                     + " disagree with their tables");
          stored.equity_blob = db::encode_equity(curve);
          auto conn = ctx->pool->acquire();
          finished(*conn, db::complete_run(*conn, job, stored), stored.duration_ms);
        } catch (const std::exception& e) {
          record_failure(*ctx, s, manager, job,
                         std::string("storing the results failed: ") + e.what(), false);
        }
      },
      [=](ship_atom, const run_attempt& job, const std::string& worker_id,
          const node_worker_actor& remote) mutable {
        // A node has no database: it gets the bars, in chunks of at most
        // 256 KB (messages are buffered whole), then the job.
        try {
          const std::string csv = to_csv(load_source_range(*ctx, job));
          constexpr std::size_t chunk = 256 * 1024;
          for (std::size_t pos = 0; pos < csv.size(); pos += chunk)
            self->send(remote, chunk_atom::value, job.run_id, job.attempt, csv.substr(pos, chunk));
          self->send(remote, run_atom::value, job);
        } catch (const std::exception& e) {
          record_failure(*ctx, s, manager, job,
                         "could not hand the run to " + worker_id + ": " + e.what(), false);
        }
      },
      [=](audit_atom, const std::string& action, const std::string& object,
          const std::string& details) {
        // Cluster membership lives in memory; its audit entry is a
        // transaction of its own.
        try {
          auto conn = ctx->pool->acquire();
          db::append_audit_alone(*conn, db::audit_actor{}, action, object, details);
        } catch (const std::exception& e) {
          log::error("audit_entry_not_written", {{"action", action}, {"reason", e.what()}});
        }
      },
      [=](stats_atom) mutable {
        try {
          auto conn = ctx->pool->acquire();
          // Every 10th tick (5 s) the book is read afresh: what another
          // process sharing the database changed, or a sync that failed,
          // is stale for at most that long.
          if (++self->state.ticks % 10 == 0)
            ctx->book->reload(*conn);
          caf::anon_send(manager, stats_atom::value, db::read_queue_stats(*conn).queued);
        } catch (const std::exception&) {
        }
      },
  };
}

} // namespace

queue_clerk_actor spawn_queue_clerk(caf::actor_system& sys, std::shared_ptr<worker_context> ctx,
                                    clerk_settings s, caf::actor manager) {
  return sys.spawn<caf::detached>(clerk, std::move(ctx), s, std::move(manager));
}

} // namespace bt
