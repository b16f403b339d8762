#include "services/backtest_service.hpp"

#include "config/log.hpp"
#include "domain/data/instrument.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/report/hex.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "domain/scheduling/queue_forecast.hpp"
#include "domain/strategies/registry.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/program_store.hpp"
#include "services/permissions.hpp"
#include "services/run_presenter.hpp"
#include "services/service_reply.hpp"
#include "services/telemetry.hpp"

#include <boost/json.hpp>
#include <openssl/rand.h>
#include <pqxx/pqxx>

#include <set>

namespace bt {

template <class F>
service_reply backtest_service::guarded(const backtest_call& call, const char* operation,
                                        F&& body) {
  const log::trace_scope traced(call.trace_id); // every log line of the request
  try {
    auto conn = pool_->acquire();
    auto who = auth_.authenticate(*conn, call.api_key);
    if (!who)
      return error_reply(service_code::unauthorized,
                         "missing, unknown or revoked API key (X-API-Key)", {});
    who->trace_id = call.trace_id;
    service_reply reply;
    if (auto refused = refuse_unpermitted(who->role, operation))
      reply = std::move(*refused);
    else
      reply = body(*conn, as_owner_for_support(*conn, *who, operation, call.run_id));
    reply.admin = who->role == "admin";
    return reply;
  } catch (...) {
    return failure_reply(operation);
  }
}

db::principal backtest_service::as_owner_for_support(pqxx::connection& c, const db::principal& who,
                                                     const std::string& operation,
                                                     const std::string& id) {
  // An admin reads another user's run, sweep or walk-forward (support) as
  // its owner would, and only reads: writes stay the owner's alone.
  // The role first: for everyone but admins this is the whole cost on every
  // request (the operation's permission is a scan of the table).
  if (!role_has(who.role, permission::support_read) || id.empty() || !looks_like_uuid(id)
      || permission_of(operation) != permission::runs_read)
    return who;
  const auto kind = operation.rfind("sweep-", 0) == 0          ? db::owned_kind::sweep
                    : operation.rfind("walk-forward-", 0) == 0 ? db::owned_kind::walk_forward
                                                               : db::owned_kind::run;
  const auto owner = db::owner_of(c, kind, id);
  if (!owner || *owner == who.user_id)
    return who;
  db::principal as_owner = who;
  as_owner.user_id = *owner;
  return as_owner;
}

template <class F>
service_reply backtest_service::on_run(const backtest_call& call, const char* operation, F&& body) {
  return guarded(call, operation, [&](pqxx::connection& c, const db::principal& who) {
    // A malformed id is simply not found.
    if (!looks_like_uuid(call.run_id))
      return error_reply(service_code::not_found, "no run " + call.run_id, {});
    return body(c, who);
  });
}

service_reply backtest_service::monte_carlo(const backtest_call& call) {
  monte_carlo_request request;
  quota_ticket quota;
  // The body is read once the key's permission is known: a caller that may
  // not simulate learns that first, whatever it sent.
  return simulate_charged(
      quota, request,
      on_run(call, "monte-carlo", [&](pqxx::connection& c, const db::principal& who) {
        if (auto refused = read_monte_carlo_request(call.body, request))
          return std::move(*refused);
        request.run_id = call.run_id;
        return charge(who, quota, load_monte_carlo_inputs(c, who, request));
      }));
}

service_reply backtest_service::charge(const db::principal& who, quota_ticket& quota,
                                       service_reply loaded) {
  note_quota(who, quota);
  if (loaded.status() == service_code::ok)
    if (auto refused = take_quota(who, quota))
      return std::move(*refused);
  return loaded;
}

service_reply backtest_service::simulate_charged(quota_ticket& quota,
                                                 const monte_carlo_request& request,
                                                 service_reply loaded) {
  if (loaded.status() != service_code::ok)
    return settle_quota(quota, std::move(loaded));
  // The connection is back in the pool: the simulations hold none.
  return settle_quota(quota, simulate_monte_carlo(request));
}

template <class F>
service_reply backtest_service::on_sweep(const backtest_call& call, const char* operation,
                                         F&& body) {
  return guarded(call, operation, [&](pqxx::connection& c, const db::principal& who) {
    // A malformed id is simply not found.
    if (!looks_like_uuid(call.run_id))
      return error_reply(service_code::not_found, "no sweep " + call.run_id, {});
    return body(c, who);
  });
}

template <class F>
service_reply backtest_service::submission(const backtest_call& call, const char* operation,
                                           bool take_first, F&& body) {
  quota_ticket ticket;
  service_reply reply =
      guarded(call, operation, [&](pqxx::connection& c, const db::principal& who) {
        note_quota(who, ticket);
        if (take_first)
          if (auto refused = take_quota(who, ticket))
            return std::move(*refused);
        return body(c, who, ticket);
      });
  // Outside guarded: a submission that failed with an exception gives its
  // slot back too.
  return settle_quota(ticket, std::move(reply));
}

service_reply backtest_service::sweep_submit(const backtest_call& call) {
  return submission(call, "sweep-submit", true,
                    [&](pqxx::connection& c, const db::principal& who, quota_ticket&) {
                      return submit_sweep(c, who, call);
                    });
}

service_reply backtest_service::sweep_list(const backtest_call& call) {
  return guarded(call, "sweep-list", [&](pqxx::connection& c, const db::principal& who) {
    return list_sweeps(c, who, call);
  });
}

service_reply backtest_service::sweep_status(const backtest_call& call) {
  return on_sweep(call, "sweep-status", [&](pqxx::connection& c, const db::principal& who) {
    return sweep_status(c, who, call);
  });
}

service_reply backtest_service::sweep_results(const backtest_call& call) {
  return with_etag(
      on_sweep(call, "sweep-results", [&](pqxx::connection& c, const db::principal& who) {
        return sweep_results(c, who, call);
      }));
}

service_reply backtest_service::sweep_heatmap(const backtest_call& call) {
  return with_etag(
      on_sweep(call, "sweep-heatmap", [&](pqxx::connection& c, const db::principal& who) {
        return sweep_heatmap(c, who, call);
      }));
}

service_reply backtest_service::sweep_run(const backtest_call& call) {
  return submission(call, "sweep-run", false,
                    [&](pqxx::connection& c, const db::principal& who, quota_ticket& quota) {
                      // A malformed id is simply not found.
                      if (!looks_like_uuid(call.run_id))
                        return error_reply(service_code::not_found, "no sweep " + call.run_id, {});
                      return sweep_config_run(c, who, call, quota);
                    });
}

service_reply backtest_service::sweep_cancel(const backtest_call& call) {
  return on_sweep(call, "sweep-cancel", [&](pqxx::connection& c, const db::principal& who) {
    return cancel_sweep(c, who, call, false);
  });
}

service_reply backtest_service::sweep_delete(const backtest_call& call) {
  return on_sweep(call, "sweep-delete", [&](pqxx::connection& c, const db::principal& who) {
    return cancel_sweep(c, who, call, true);
  });
}

service_reply backtest_service::sweep_overfitting(const backtest_call& call) {
  sweep_statistics_input in;
  bool loaded = false;
  service_reply reply =
      on_sweep(call, "sweep-overfitting", [&](pqxx::connection& c, const db::principal& who) {
        service_reply refusal;
        loaded = load_sweep_summaries(c, who, call.run_id, in, refusal);
        return loaded ? body_reply(service_code::ok, "") : refusal;
      });
  if (!loaded)
    return reply;
  // The connection is back in the pool: the statistics hold none.
  research_slot slot(research_running_, max_research_at_once);
  if (!slot.held())
    return error_reply(service_code::too_many_requests,
                       "at most " + std::to_string(max_research_at_once)
                           + " research computations at once; retry shortly",
                       {});
  return with_etag(sweep_statistics(in));
}

service_reply backtest_service::walk_forward_submit(const backtest_call& call) {
  return submission(call, "walk-forward-submit", true,
                    [&](pqxx::connection& c, const db::principal& who, quota_ticket&) {
                      return submit_walk_forward(c, who, call);
                    });
}

service_reply backtest_service::walk_forward_list(const backtest_call& call) {
  return guarded(call, "walk-forward-list", [&](pqxx::connection& c, const db::principal& who) {
    return list_walk_forwards(c, who, call);
  });
}

// A walk-forward's id is checked as a sweep's is.
service_reply backtest_service::walk_forward_status(const backtest_call& call) {
  return on_sweep(call, "walk-forward-status", [&](pqxx::connection& c, const db::principal& who) {
    return walk_forward_status(c, who, call);
  });
}

service_reply backtest_service::walk_forward_trades(const backtest_call& call) {
  return with_etag(
      on_sweep(call, "walk-forward-trades", [&](pqxx::connection& c, const db::principal& who) {
        return walk_forward_file(c, who, call, "trades_csv");
      }));
}

service_reply backtest_service::walk_forward_equity(const backtest_call& call) {
  return with_etag(
      on_sweep(call, "walk-forward-equity", [&](pqxx::connection& c, const db::principal& who) {
        return walk_forward_file(c, who, call, "equity_csv");
      }));
}

service_reply backtest_service::walk_forward_cancel(const backtest_call& call) {
  return on_sweep(call, "walk-forward-cancel", [&](pqxx::connection& c, const db::principal& who) {
    return cancel_walk_forward(c, who, call, false);
  });
}

service_reply backtest_service::walk_forward_delete(const backtest_call& call) {
  return on_sweep(call, "walk-forward-delete", [&](pqxx::connection& c, const db::principal& who) {
    return cancel_walk_forward(c, who, call, true);
  });
}

service_reply backtest_service::walk_forward_monte_carlo(const backtest_call& call) {
  monte_carlo_request request;
  quota_ticket quota;
  return simulate_charged(
      quota, request,
      on_sweep(call, "walk-forward-monte-carlo",
               [&](pqxx::connection& c, const db::principal& who) {
                 if (auto refused = read_monte_carlo_request(call.body, request))
                   return std::move(*refused);
                 request.run_id = call.run_id;
                 request.id_key = "walk_forward_id";
                 return charge(who, quota, load_walk_forward_monte_carlo(c, who, request));
               }));
}

service_reply backtest_service::submit(const backtest_call& call) {
  return submission(call, "submit", false,
                    [&](pqxx::connection& c, const db::principal& who, quota_ticket& quota) {
                      return submit_run(c, who, call, &quota);
                    });
}

service_reply backtest_service::status(const backtest_call& call) {
  return on_run(call, "status", [&](pqxx::connection& c, const db::principal& who) {
    return run_status(c, who, call.run_id);
  });
}

service_reply backtest_service::cancel(const backtest_call& call) {
  return on_run(call, "cancel", [&](pqxx::connection& c, const db::principal& who) {
    return cancel_run(c, who, call.run_id);
  });
}

service_reply backtest_service::remove(const backtest_call& call) {
  return on_run(call, "delete", [&](pqxx::connection& c, const db::principal& who) {
    return delete_run(c, who, call.run_id);
  });
}

service_reply backtest_service::history(const backtest_call& call) {
  return guarded(call, "history", [&](pqxx::connection& c, const db::principal& who) {
    return list_runs(c, who, call.query);
  });
}

service_reply backtest_service::compare(const backtest_call& call) {
  return guarded(call, "compare", [&](pqxx::connection& c, const db::principal& who) {
    return compare_runs(c, who, call.query);
  });
}

service_reply backtest_service::results(const backtest_call& call, result_kind kind) {
  // A completed run's results never change: clients revalidate with ETags.
  return with_etag(on_run(call, "results", [&](pqxx::connection& c, const db::principal& who) {
    return run_results(c, who, call, kind);
  }));
}

service_reply backtest_service::strategies(const backtest_call& call) {
  return guarded(call, "strategies", [&](pqxx::connection&, const db::principal&) {
    json_writer w;
    w.begin_object().key("strategies").begin_array();
    for (const auto* s : strategy_schemas())
      write_schema(w, *s);
    w.end_array().end_object();
    return body_reply(service_code::ok, w.take());
  });
}

service_reply backtest_service::queue(const backtest_call& call) {
  return guarded(call, "queue", [&](pqxx::connection& c, const db::principal&) {
    const auto stats = db::read_queue_stats(c);
    json_writer w;
    w.begin_object();
    w.key("queued").number(stats.queued);
    w.key("running").number(stats.running);
    w.key("workers").number(static_cast<std::uint64_t>(available_workers()));
    w.key("capacity").number(limits_.queue_capacity);
    w.key("avg_run_ms").number(round_places(stats.avg_duration_ms, 3));
    w.key("depth_warning").boolean(stats.queued > limits_.depth_warning);
    w.key("depth_warning_threshold").number(limits_.depth_warning);
    w.end_object();
    return body_reply(service_code::ok, w.take());
  });
}

service_reply backtest_service::cluster(const backtest_call& call) {
  return guarded(call, "cluster", [&](pqxx::connection&, const db::principal&) {
    return body_reply(service_code::ok,
                      cluster_document(cluster_ ? cluster_->nodes() : std::vector<node_state>{}));
  });
}

service_reply backtest_service::program_submit(const backtest_call& call) {
  return guarded(call, "program-submit", [&](pqxx::connection& c, const db::principal& who) {
    return submit_program(c, who, call);
  });
}

service_reply backtest_service::program_list(const backtest_call& call) {
  return guarded(call, "program-list", [&](pqxx::connection& c, const db::principal& who) {
    return list_programs(c, who, call);
  });
}

service_reply backtest_service::program_status(const backtest_call& call) {
  return guarded(call, "program-status", [&](pqxx::connection& c, const db::principal& who) {
    return program_document(c, who, call);
  });
}

service_reply backtest_service::program_delete(const backtest_call& call) {
  return guarded(call, "program-delete", [&](pqxx::connection& c, const db::principal& who) {
    if (!db::delete_program(c, who.user_id, call.run_id, db::actor_of(who)))
      return error_reply(service_code::not_found, "no program " + call.run_id, {});
    return body_reply(service_code::no_content, "");
  });
}

service_reply backtest_service::program_cycle(const backtest_call& call) {
  return submission(call, "program-cycle", true,
                    [&](pqxx::connection& c, const db::principal& who, quota_ticket&) {
                      return start_cycle(c, who, call);
                    });
}

service_reply backtest_service::program_scorecard(const backtest_call& call) {
  return guarded(call, "program-scorecard", [&](pqxx::connection& c, const db::principal& who) {
    return cycle_scorecard(c, who, call);
  });
}

service_reply backtest_service::program_candidates(const backtest_call& call) {
  return guarded(call, "program-candidates", [&](pqxx::connection& c, const db::principal& who) {
    return candidates_document(c, who, call);
  });
}

service_reply backtest_service::program_view(const backtest_call& call) {
  // The route names the view; each has its own operation (and permission).
  static const std::map<std::string, const char*> operations{
      {"scorecards", "program-scorecards"},     {"deployments", "deployment-list"},
      {"deployment", "deployment-status"},      {"alerts", "program-alerts"},
      {"correlations", "program-correlations"}, {"report", "program-report"},
      {"decisions", "program-decisions"},       {"replays", "program-replays"},
      {"replay", "program-replay-status"}};
  const std::string view = query_value(call.query, "view").value_or("");
  const auto it = operations.find(view);
  if (it == operations.end())
    return error_reply(service_code::not_found, "no such view", {});
  return guarded(call, it->second, [&](pqxx::connection& c, const db::principal& who) {
    return deployment_view(c, who, call, view);
  });
}

service_reply backtest_service::program_change(const backtest_call& call) {
  static const std::map<std::string, const char*> operations{
      {"deploy", "deployment-deploy"},
      {"deactivate", "deployment-deactivate"},
      {"cancel-cycle", "program-cycle-cancel"}};
  const std::string action = query_value(call.query, "action").value_or("");
  if (action == "replay") // a submission: against the key's hourly quota
    return submission(call, "program-replay", true,
                      [&](pqxx::connection& c, const db::principal& who, quota_ticket&) {
                        return submit_replay(c, who, call);
                      });
  const auto it = operations.find(action);
  if (it == operations.end())
    return error_reply(service_code::not_found, "no such action", {});
  return guarded(call, it->second, [&](pqxx::connection& c, const db::principal& who) {
    return action == "cancel-cycle" ? cancel_cycle(c, who, call)
                                    : deployment_change(c, who, call, action);
  });
}

service_reply backtest_service::admin_queue(const backtest_call& call) {
  return guarded(call, "admin-queue", [&](pqxx::connection& c, const db::principal&) {
    return queue_overview_page(c, call);
  });
}

service_reply backtest_service::audit(const backtest_call& call) {
  return guarded(call, "audit",
                 [&](pqxx::connection& c, const db::principal&) { return audit_page(c, call); });
}

service_reply backtest_service::purge(const backtest_call& call) {
  return guarded(call, "purge",
                 [&](pqxx::connection&, const db::principal& who) { return purge_now(who, call); });
}

service_reply backtest_service::me(const backtest_call& call) {
  return guarded(call, "me", [&](pqxx::connection&, const db::principal& who) {
    json_writer w;
    w.begin_object();
    w.key("user").string(who.name).key("user_id").number(who.user_id);
    w.key("key_id").number(who.key_id).key("role").string(who.role).key("tier").string(who.tier);
    w.key("permissions").begin_array();
    for (permission p : permissions_of(who.role))
      w.string(permission_name(p));
    w.end_array().end_object();
    return body_reply(service_code::ok, w.take());
  });
}

service_reply backtest_service::scrape(const backtest_call& call) {
  return guarded(call, "metrics", [&](pqxx::connection&, const db::principal&) {
    return body_reply(service_code::ok, telemetry::scrape_text(), telemetry::text_content_type);
  });
}

namespace {

/// The facts of a run beyond its row that a running attempt holds.
run_view live_view(const db::run_row& run, const live_run* live) {
  run_view v = stored_view(run);
  if (live && run.status != run_status::completed)
    v.progress = live->percent.load();
  if (live && run.status == run_status::running) {
    v.eta_seconds = round_places(live->eta_seconds.load(), 3);
    // Before the first bar is reported there is no bar time (0 is not
    // one: it would read as 1970-01-01).
    if (const auto t = live->bar_time.load(); t != 0)
      v.current_bar_time = t;
    v.trades_so_far = live->trades.load();
  }
  return v;
}

} // namespace

std::optional<service_reply> backtest_service::status_from_memory(const backtest_call& call) {
  try {
    // A key checked within the last second, and a run the book holds
    // (finished, or active with the whole queue): no connection is taken
    // from the pool. Anything else takes the database path.
    auto who = auth_.cached(call.api_key);
    if (!who || !looks_like_uuid(call.run_id) || !role_has(who->role, permission::runs_read))
      return std::nullopt; // the database path answers (a refusal among them)
    std::optional<service_reply> reply;
    if (auto doc = book_->finished_document(who->user_id, call.run_id)) {
      reply = body_reply(service_code::ok, std::move(*doc));
    } else {
      auto run = book_->find(who->user_id, call.run_id);
      if (!run)
        return std::nullopt;
      auto view = view_in_memory(*run);
      if (!view)
        return std::nullopt;
      reply = body_reply(service_code::ok, run_document(*run, *view, false));
    }
    reply->admin = who->role == "admin";
    return reply;
  } catch (...) {
    return std::nullopt; // the database path answers, or reports the failure
  }
}

std::optional<run_view> backtest_service::view_in_memory(const db::run_row& run) {
  std::shared_ptr<live_run> live =
      run.status == run_status::running ? registry_->find(run.id) : nullptr;
  run_view v = live_view(run, live.get());
  if (run.status == run_status::queued) {
    auto q = outlook_in_memory(run.id);
    if (!q)
      return std::nullopt;
    v.queue_position = q->position;
    v.eta_seconds = q->eta_seconds;
    v.no_workers = q->no_workers;
  }
  return v;
}

run_view backtest_service::view_of(pqxx::connection& c, const db::run_row& run) {
  if (auto v = view_in_memory(run))
    return *v;
  // Queued, and the book does not hold the whole queue.
  run_view v = live_view(run, nullptr);
  const queue_outlook q = outlook_from_database(c, run);
  v.queue_position = q.position;
  v.eta_seconds = q.eta_seconds;
  v.no_workers = q.no_workers;
  return v;
}

std::size_t backtest_service::available_workers() const {
  std::size_t n = limits_.workers;
  if (cluster_)
    for (const auto& node : cluster_->nodes())
      if (node.status == "up")
        n += static_cast<std::size_t>(node.workers);
  return n;
}

std::optional<backtest_service::queue_outlook>
backtest_service::outlook_in_memory(const std::string& run_id) {
  auto view = book_->queue(run_id);
  if (!view || view->position == 0)
    return std::nullopt;
  return forecast(run_id, view->position, view->avg_duration_ms, view->snapshot);
}

backtest_service::queue_outlook backtest_service::outlook(pqxx::connection& c,
                                                          const db::run_row& run) {
  if (auto in_memory = outlook_in_memory(run.id))
    return *in_memory;
  return outlook_from_database(c, run);
}

backtest_service::queue_outlook backtest_service::outlook_from_database(pqxx::connection& c,
                                                                        const db::run_row& run) {
  const std::int64_t position = db::queue_position(c, run);
  if (available_workers() == 0)
    return forecast(run.id, position, 0, {});
  return forecast(run.id, position, db::read_queue_stats(c).avg_duration_ms,
                  db::read_queue_snapshot(c));
}

backtest_service::queue_outlook backtest_service::forecast(const std::string& run_id,
                                                           std::int64_t fallback_position,
                                                           double avg_duration_ms,
                                                           const db::queue_snapshot& snapshot) {
  queue_outlook out;
  out.position = fallback_position;
  forecast_input in;
  in.workers = available_workers();
  if (in.workers == 0) {
    out.no_workers = true; // nothing will run it until a worker or node joins
    return out;
  }
  in.per_user_limit = limits_.per_user_limit;
  in.run_seconds = avg_duration_ms / 1000.0;
  for (const auto& r : snapshot.active) {
    // What a running run still needs: its own estimate where it runs here
    // and has come far enough for the estimate to mean something (the first
    // percent includes loading its bars), otherwise the average less the
    // time it has run.
    double remaining = std::max(0.0, in.run_seconds - r.elapsed_seconds);
    if (auto live = registry_->find(r.run_id); live && live->percent.load() >= 10.0)
      remaining = live->eta_seconds.load();
    in.running.push_back({r.user_id, remaining});
  }
  for (const auto& q : snapshot.queue)
    in.queued.push_back({q.run_id, q.user_id, q.ready_in_seconds});
  if (auto f = forecast_run(in, run_id)) {
    out.position = f->position;
    out.eta_seconds = round_places(f->eta_seconds, 3);
  }
  return out;
}

} // namespace bt
