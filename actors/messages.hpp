#pragma once
// Every message the actors exchange: atoms, value types and typed actor
// interfaces, in one type-ID block so that any of them can cross to another
// node. Errors travel as values (service_reply::code), never as exceptions.

#include "domain/scheduling/run_attempt.hpp"
#include "services/service_types.hpp"

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bt {

/// A run's results as they travel from a worker node back to the server
/// (the node has no database: the server stores them).
struct job_result {
  std::string run_id;
  std::int32_t attempt = 0;
  attempt_result status = attempt_result::failed;
  std::string error;
  bool permanent = false; ///< the failure would repeat: no retry
  std::string metrics_json, warnings_json, trades_csv, zones_csv, equity_csv, data_checksum,
      engine_version;
  double duration_ms = 0;
  std::int64_t points = 0, zones = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_result& x) {
  return f(caf::meta::type_name("bt::job_result"), x.run_id, x.attempt, x.status, x.error,
           x.permanent, x.metrics_json, x.warnings_json, x.trades_csv, x.zones_csv, x.equity_csv,
           x.data_checksum, x.engine_version, x.duration_ms, x.points, x.zones);
}

/// A node's report of a running attempt (at most every 250 ms), for status
/// reads and progress streams. Money in fixed units (1e-8): exact.
struct progress_report {
  std::string run_id;
  std::int32_t attempt = 0;
  double percent = 0, eta_seconds = 0;
  std::int64_t bar_time = 0, trades = 0, bars_done = 0, bars_total = 0, net_profit_units = 0,
               position_units = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, progress_report& x) {
  return f(caf::meta::type_name("bt::progress_report"), x.run_id, x.attempt, x.percent,
           x.eta_seconds, x.bar_time, x.trades, x.bars_done, x.bars_total, x.net_profit_units,
           x.position_units);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, backtest_call& x) {
  return f(caf::meta::type_name("bt::backtest_call"), x.api_key, x.run_id, x.body, x.query,
           x.idempotency_key, x.accept_gzip, x.trace_id, x.span_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_attempt& x) {
  return f(caf::meta::type_name("bt::run_attempt"), x.run_id, x.user_id, x.attempt, x.symbol,
           x.timeframe, x.source_timeframe, x.config_json, x.config_hash, x.start, x.end,
           x.trace_id, x.submit_span_id, x.attempt_span_id, x.claimed_ns, x.strategy_id,
           x.eligible_ns, x.worker_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_outcome& x) {
  return f(caf::meta::type_name("bt::job_outcome"), x.run_id, x.attempt, x.result, x.error,
           x.permanent);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, error_detail& x) {
  return f(caf::meta::type_name("bt::error_detail"), x.field, x.row, x.reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, service_reply& x) {
  return f(caf::meta::type_name("bt::service_reply"), x.code, x.message, x.details, x.content_type,
           x.body, x.headers, x.admin);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, upload_request& x) {
  return f(caf::meta::type_name("bt::upload_request"), x.api_key, x.symbol, x.timeframe, x.csv,
           x.gzip, x.trace_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dataset_request& x) {
  return f(caf::meta::type_name("bt::dataset_request"), x.api_key, x.symbol, x.timeframe, x.from,
           x.to, x.limit, x.format, x.accept_gzip, x.trace_id);
}

using upload_atom = caf::atom_constant<caf::atom("upload")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using info_atom = caf::atom_constant<caf::atom("info")>;
using bars_atom = caf::atom_constant<caf::atom("bars")>;
using regimes_atom = caf::atom_constant<caf::atom("regimes")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
// The backtest API: one atom per operation.
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using history_atom = caf::atom_constant<caf::atom("history")>;
using compare_atom = caf::atom_constant<caf::atom("compare")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using equity_atom = caf::atom_constant<caf::atom("equity")>;
using trades_atom = caf::atom_constant<caf::atom("trades")>;
using zones_atom = caf::atom_constant<caf::atom("zones")>;
using chart_atom = caf::atom_constant<caf::atom("chart")>;
using monte_carlo_atom = caf::atom_constant<caf::atom("montecarlo")>;
// The sweeps API.
using sweep_submit_atom = caf::atom_constant<caf::atom("swsubmit")>;
using sweep_list_atom = caf::atom_constant<caf::atom("swlist")>;
using sweep_status_atom = caf::atom_constant<caf::atom("swstatus")>;
using sweep_results_atom = caf::atom_constant<caf::atom("swresults")>;
using sweep_heatmap_atom = caf::atom_constant<caf::atom("swheatmap")>;
using sweep_overfitting_atom = caf::atom_constant<caf::atom("swoverfit")>;
using sweep_run_atom = caf::atom_constant<caf::atom("swrun")>;
using sweep_cancel_atom = caf::atom_constant<caf::atom("swcancel")>;
using sweep_delete_atom = caf::atom_constant<caf::atom("swdelete")>;
// The walk-forward API.
using wf_submit_atom = caf::atom_constant<caf::atom("wfsubmit")>;
using wf_list_atom = caf::atom_constant<caf::atom("wflist")>;
using wf_status_atom = caf::atom_constant<caf::atom("wfstatus")>;
using wf_trades_atom = caf::atom_constant<caf::atom("wftrades")>;
using wf_equity_atom = caf::atom_constant<caf::atom("wfequity")>;
using wf_monte_carlo_atom = caf::atom_constant<caf::atom("wfmc")>;
using wf_cancel_atom = caf::atom_constant<caf::atom("wfcancel")>;
using wf_delete_atom = caf::atom_constant<caf::atom("wfdelete")>;
using program_submit_atom = caf::atom_constant<caf::atom("progsubmit")>;
using program_list_atom = caf::atom_constant<caf::atom("proglist")>;
using program_status_atom = caf::atom_constant<caf::atom("progstatus")>;
using program_delete_atom = caf::atom_constant<caf::atom("progdelete")>;
using program_cycle_atom = caf::atom_constant<caf::atom("progcycle")>;
using program_scorecard_atom = caf::atom_constant<caf::atom("progscore")>;
using program_candidates_atom = caf::atom_constant<caf::atom("progcands")>;
/// A program's deployment views (`view` in the query) and changes (`action`).
using program_view_atom = caf::atom_constant<caf::atom("progview")>;
using program_change_atom = caf::atom_constant<caf::atom("progchange")>;
using strategies_atom = caf::atom_constant<caf::atom("strategies")>;
using queue_atom = caf::atom_constant<caf::atom("queue")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
using admin_queue_atom = caf::atom_constant<caf::atom("adminqueue")>;
using audit_atom = caf::atom_constant<caf::atom("audit")>;
using purge_atom = caf::atom_constant<caf::atom("purge")>;
using scrape_atom = caf::atom_constant<caf::atom("scrape")>;
using me_atom = caf::atom_constant<caf::atom("me")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using stable_atom = caf::atom_constant<caf::atom("stable")>;
using hello_atom = caf::atom_constant<caf::atom("hello")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using chunk_atom = caf::atom_constant<caf::atom("chunk")>;
using result_atom = caf::atom_constant<caf::atom("result")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using node_atom = caf::atom_constant<caf::atom("node")>;
using claim_atom = caf::atom_constant<caf::atom("claim")>;
using claimed_atom = caf::atom_constant<caf::atom("claimed")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using fail_atom = caf::atom_constant<caf::atom("fail")>;
using failed_atom = caf::atom_constant<caf::atom("failed")>;
using store_atom = caf::atom_constant<caf::atom("store")>;
using stored_atom = caf::atom_constant<caf::atom("stored")>;
using ship_atom = caf::atom_constant<caf::atom("ship")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;

/// Market data: validation, storage and queries, with authentication.
using market_data_actor =
    caf::typed_actor<caf::replies_to<upload_atom, upload_request>::with<service_reply>,
                     caf::replies_to<list_atom, dataset_request>::with<service_reply>,
                     caf::replies_to<info_atom, dataset_request>::with<service_reply>,
                     caf::replies_to<bars_atom, dataset_request>::with<service_reply>,
                     caf::replies_to<regimes_atom, dataset_request>::with<service_reply>,
                     caf::replies_to<delete_atom, dataset_request>::with<service_reply>,
                     caf::replies_to<ready_atom>::with<service_reply>>;

/// The backtest API, one handler per operation so that the compiler checks
/// both ends (cancel and delete reuse the general atoms).
using backtest_api_actor =
    caf::typed_actor<caf::replies_to<submit_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<status_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<cancel_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<delete_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<history_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<compare_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<metrics_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<equity_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<trades_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<zones_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<chart_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<monte_carlo_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_submit_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_list_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_status_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_results_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_heatmap_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_overfitting_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_run_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_cancel_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<sweep_delete_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_submit_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_list_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_status_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_trades_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_equity_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_monte_carlo_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_cancel_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<wf_delete_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_submit_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_list_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_status_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_delete_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_cycle_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_scorecard_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_candidates_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_view_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<program_change_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<strategies_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<queue_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<cluster_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<admin_queue_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<audit_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<purge_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<scrape_atom, backtest_call>::with<service_reply>,
                     caf::replies_to<me_atom, backtest_call>::with<service_reply>>;

/// A worker runs one job at a time and reports to its queue manager.
using worker_actor = caf::typed_actor<caf::reacts_to<run_atom, run_attempt>>;

/// A worker on another node: it receives the bars in chunks, then the job.
using node_worker_actor =
    caf::typed_actor<caf::reacts_to<chunk_atom, std::string, std::int32_t, std::string>,
                     caf::reacts_to<run_atom, run_attempt>>;

/// A node's control actor: asks its running attempt of a run to stop.
using node_control_actor = caf::typed_actor<caf::reacts_to<cancel_atom, std::string>>;

/// The queue manager's clerk: everything the queue manager needs done with
/// the database or in bulk, so that the manager itself only decides and
/// its heartbeats and watchdog keep their beat. Answers go back to the
/// manager as messages (claimed, failed, stored, stats).
using queue_clerk_actor = caf::typed_actor<
    // slot, slot generation, worker id, per-user limit
    caf::reacts_to<claim_atom, std::uint64_t, std::uint64_t, std::string, std::int32_t>,
    caf::reacts_to<release_atom, run_attempt>,
    // the attempt, its error, whether it would repeat
    caf::reacts_to<fail_atom, run_attempt, std::string, bool>,
    // a remote attempt's results, from the worker named
    caf::reacts_to<store_atom, run_attempt, std::string, job_result>,
    // bars and job to a remote worker
    caf::reacts_to<ship_atom, run_attempt, std::string, node_worker_actor>,
    caf::reacts_to<stats_atom>,
    // an audit entry by the system: action, object, details (JSON)
    caf::reacts_to<audit_atom, std::string, std::string, std::string>>;

/// What the server publishes for worker nodes. A node says hello, proves it
/// knows the cluster token (HMAC over the server's challenge), registers its
/// workers, then sends heartbeats, progress and results.
using gateway_actor = caf::typed_actor<
    caf::replies_to<hello_atom, std::string>::with<std::string>,
    caf::replies_to<join_atom, std::string, std::string, std::vector<node_worker_actor>,
                    node_control_actor>::with<bool>,
    caf::reacts_to<heartbeat_atom, std::string>, caf::reacts_to<progress_atom, progress_report>,
    caf::reacts_to<result_atom, job_result>>;

} // namespace bt

CAF_BEGIN_TYPE_ID_BLOCK(bt, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(bt, (bt::error_detail))
CAF_ADD_TYPE_ID(bt, (std::vector<bt::error_detail>))
CAF_ADD_TYPE_ID(bt, (bt::service_reply))
CAF_ADD_TYPE_ID(bt, (bt::upload_request))
CAF_ADD_TYPE_ID(bt, (bt::dataset_request))
CAF_ADD_TYPE_ID(bt, (bt::market_data_actor))
CAF_ADD_TYPE_ID(bt, (bt::backtest_call))
CAF_ADD_TYPE_ID(bt, (bt::run_attempt))
CAF_ADD_TYPE_ID(bt, (bt::job_outcome))
CAF_ADD_TYPE_ID(bt, (bt::backtest_api_actor))
CAF_ADD_TYPE_ID(bt, (bt::worker_actor))
CAF_ADD_TYPE_ID(bt, (std::vector<std::pair<std::string, std::string>>))
CAF_ADD_TYPE_ID(bt, (bt::job_result))
CAF_ADD_TYPE_ID(bt, (bt::node_worker_actor))
CAF_ADD_TYPE_ID(bt, (bt::node_control_actor))
CAF_ADD_TYPE_ID(bt, (bt::gateway_actor))
CAF_ADD_TYPE_ID(bt, (std::vector<bt::node_worker_actor>))
CAF_ADD_TYPE_ID(bt, (bt::queue_clerk_actor))
CAF_ADD_TYPE_ID(bt, (bt::progress_report))
CAF_END_TYPE_ID_BLOCK(bt)
