#pragma once
// The backtest API, synchronously: submission with validation and
// idempotency, status, cancellation, deletion, history, comparison and
// results. Blocking (database); runs only inside detached actors.

#include "domain/research/monte_carlo.hpp"
#include "domain/research/sweep_chunk.hpp"
#include "domain/scheduling/submission_quota.hpp"
#include "persistence/connection_pool.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/program_store.hpp"
#include "persistence/run_repository.hpp"
#include "persistence/sweep_store.hpp"
#include "persistence/user_repository.hpp"
#include "services/auth_cache.hpp"
#include "services/cluster_view.hpp"
#include "services/retention_service.hpp"
#include "services/run_book.hpp"
#include "services/run_presenter.hpp"
#include "services/run_registry.hpp"
#include "services/service_types.hpp"

#include <boost/json/fwd.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace bt {

struct program_spec;
class progress_hub;

struct backtest_limits {
  std::int64_t queue_capacity = 1000;
  unsigned workers = 2;   ///< local workers (0: none), for forecasts
  int per_user_limit = 3; ///< runs of one user at once, for forecasts
  double max_span_days = 3 * 365.25 + 1;
  std::int64_t depth_warning = 50; ///< queue depth above which a warning is logged and shown
  std::size_t max_sweep_configurations = 100'000; ///< a larger sweep is refused with its size
  /// Submissions per key and quota window by tier; admins are exempt.
  std::int64_t quota_free = 10, quota_pro = 100, quota_enterprise = 1000;
  std::chrono::seconds quota_window{3600};
};

/// A walk-forward's status document (GET /v1/walk-forwards/{id}), with its
/// stored `result` once completed (empty: null).
std::string walk_forward_document(const db::walk_forward_row& r, const std::string& result);

class backtest_service {
public:
  backtest_service(std::shared_ptr<db::connection_pool> pool,
                   std::shared_ptr<run_registry> registry, backtest_limits limits,
                   std::function<void()> wake_scheduler,
                   std::shared_ptr<cluster_view> cluster = nullptr,
                   std::shared_ptr<run_book> book = std::make_shared<run_book>())
      : pool_(std::move(pool)), registry_(std::move(registry)), limits_(limits),
        wake_(std::move(wake_scheduler)), cluster_(std::move(cluster)), book_(std::move(book)),
        quota_(limits.quota_window) {}

  // One entry point per operation of the backtest API; the actors map one
  // atom to each. All authenticate first and answer errors as values.
  service_reply submit(const backtest_call& call);
  service_reply status(const backtest_call& call);
  /// status without the database, when memory holds the answer (a key
  /// checked within the last second; a finished run's document read
  /// before, or an active run in the run book); nothing otherwise.
  std::optional<service_reply> status_from_memory(const backtest_call& call);
  service_reply cancel(const backtest_call& call);
  service_reply remove(const backtest_call& call);
  service_reply history(const backtest_call& call);
  service_reply compare(const backtest_call& call);
  enum class result_kind { metrics, equity, trades, zones, chart };
  service_reply results(const backtest_call& call, result_kind kind);
  /// POST /v1/backtest/{id}/monte-carlo: simulations over a completed run's
  /// stored trades or daily returns (backtest_research.cpp).
  service_reply monte_carlo(const backtest_call& call);
  /// The sweeps API (backtest_sweeps.cpp): /v1/sweeps and /v1/sweeps/{id}
  /// with /results, /heatmap, /overfitting, /cancel and /configs/{n}/run.
  service_reply sweep_submit(const backtest_call& call);
  service_reply sweep_list(const backtest_call& call);
  service_reply sweep_status(const backtest_call& call);
  service_reply sweep_results(const backtest_call& call);
  service_reply sweep_heatmap(const backtest_call& call);
  service_reply sweep_overfitting(const backtest_call& call);
  service_reply sweep_run(const backtest_call& call);
  service_reply sweep_cancel(const backtest_call& call);
  service_reply sweep_delete(const backtest_call& call);
  /// The walk-forward API (backtest_walk_forwards.cpp): /v1/walk-forwards
  /// and /v1/walk-forwards/{id} with /trades, /equity, /monte-carlo, /cancel.
  service_reply walk_forward_submit(const backtest_call& call);
  service_reply walk_forward_list(const backtest_call& call);
  service_reply walk_forward_status(const backtest_call& call);
  service_reply walk_forward_trades(const backtest_call& call);
  service_reply walk_forward_equity(const backtest_call& call);
  service_reply walk_forward_monte_carlo(const backtest_call& call);
  service_reply walk_forward_cancel(const backtest_call& call);
  service_reply walk_forward_delete(const backtest_call& call);

  /// Evaluation programs (backtest_programs.cpp): /v1/programs. A cycle
  /// tests each configuration with a walk-forward of its own and ranks
  /// them in a scorecard once every walk-forward has ended.
  service_reply program_submit(const backtest_call& call);
  service_reply program_list(const backtest_call& call);
  service_reply program_status(const backtest_call& call);
  service_reply program_delete(const backtest_call& call);
  service_reply program_cycle(const backtest_call& call);
  service_reply program_scorecard(const backtest_call& call);
  /// GET /v1/programs/{id}/candidates: the configurations through the
  /// program's promotion gate, with their recommended capital.
  service_reply program_candidates(const backtest_call& call);
  /// The server's program schedule, one pass: scorecards for cycles whose
  /// walk-forwards have all ended, then a cycle for each scheduled program
  /// that is due (its `every` of market-data time passed, or a regime
  /// trigger after its last cycle). Returns the cycles started.
  std::size_t run_program_schedule();
  /// Paper deployments (backtest_deployments.cpp): a program's reads
  /// (GET .../scorecards, /deployments, /deployments/{id}, /alerts,
  /// /correlations, /reports/{date}, /decisions; `view` in the query says
  /// which) and changes (POST .../deployments deploys a candidate,
  /// .../deployments/{id}/deactivate overrides; `action` says which).
  service_reply program_view(const backtest_call& call);
  service_reply program_change(const backtest_call& call);
  /// The server's deployment pass: every program with active deployments
  /// advanced over the bars stored since its last pass. Returns how many
  /// deployments were advanced.
  std::size_t run_deployments();
  /// The server's replay thread, one pass: every queued replay, oldest
  /// first, run to its end (backtest_replays.cpp). Returns how many ran.
  std::size_t run_replays();
  /// Stops a running replay between two cycles; it goes back to the queue.
  void stop_replays() { replays_stopping_ = true; }
  static constexpr std::int64_t max_programs_per_user = 50;
  static constexpr std::int64_t max_scheduled_programs = 10'000;
  /// A queue item of a sweep or walk-forward changed (the run book's sync,
  /// under `c`): its job's stream channel, status and status document (a
  /// walk-forward's without its result's curve and trades); nothing for a run.
  struct research_update {
    std::string channel, status, document;
    /// A sweep chunk's configurations, the sweep's total and stored count,
    /// and whether the chunk runs (progress_hub::link).
    std::int64_t configurations = 0, total = 0, done = 0;
    bool active = false, completed = false;
  };
  std::optional<research_update> research_transition(pqxx::connection_base& c,
                                                     const db::run_row& item);
  service_reply strategies(const backtest_call& call);
  service_reply queue(const backtest_call& call);
  service_reply cluster(const backtest_call& call);
  /// GET /v1/admin/queue: every user's queued runs with positions, running
  /// runs with workers, dead letters (cluster:read).
  service_reply admin_queue(const backtest_call& call);
  /// GET /v1/admin/audit, POST /v1/admin/purge and GET /metrics on the API
  /// listener (backtest_admin.cpp).
  service_reply audit(const backtest_call& call);
  service_reply purge(const backtest_call& call);
  service_reply scrape(const backtest_call& call);
  /// GET /v1/me: the key's user, role, tier and permissions (every role).
  service_reply me(const backtest_call& call);
  /// The retention purge POST /v1/admin/purge runs (set once at start-up).
  void set_retention(std::shared_ptr<retention_service> r) { retention_ = std::move(r); }
  /// Where a program's deployment changes are pushed (channel
  /// "program:<id>"; set once at start-up).
  void set_progress_hub(std::shared_ptr<progress_hub> hub) { hub_ = std::move(hub); }

private:
  using query_map = std::vector<std::pair<std::string, std::string>>;
  template <class F>
  service_reply guarded(const backtest_call& call, const char* operation, F&& body);
  /// `who`, or for an admin's read of another user's object (support) the
  /// owner's principal with the admin's role.
  static db::principal as_owner_for_support(pqxx::connection& c, const db::principal& who,
                                            const std::string& operation, const std::string& id);
  /// guarded, for a call that names a run (a malformed id is not found).
  template <class F>
  service_reply on_run(const backtest_call& call, const char* operation, F&& body);
  /// guarded, for a call that names a sweep.
  template <class F>
  service_reply on_sweep(const backtest_call& call, const char* operation, F&& body);

  /// A submission's hold on its key's hourly quota (submission_quota):
  /// POST /v1/backtest, /v1/sweeps, /v1/walk-forwards, a configuration's run
  /// and Monte Carlo count; admins are exempt, and an idempotent replay or a
  /// refused submission gives its slot back (backtest_quota.cpp).
  struct quota_ticket {
    submission_quota::ticket slot;
    bool counted = false;   ///< a key that is not an admin's has authenticated
    bool give_back = false; ///< a replay: it counts as nothing
    std::int64_t key_id = 0, limit = 0;
    std::string tier;
  };
  /// Records whose quota the ticket is (once the key is known), so that
  /// every answer to the submission says where the key stands.
  void note_quota(const db::principal& who, quota_ticket& ticket) const;
  /// Takes a slot for `who` (once per ticket; nothing for an admin), or the
  /// 429 naming the tier, the limit and when the next slot frees.
  std::optional<service_reply> take_quota(const db::principal& who, quota_ticket& ticket);
  /// After a submission: gives its slot back when it was refused or a
  /// replay, and puts X-RateLimit-Limit, -Remaining and -Reset on the answer.
  service_reply settle_quota(quota_ticket& ticket, service_reply reply);
  /// guarded, for a submission: `take_first` takes the slot as soon as the
  /// key is known (else the body takes it where it knows it is no replay).
  template <class F>
  service_reply submission(const backtest_call& call, const char* operation, bool take_first,
                           F&& body);

  // The use cases, one file each: backtest_submit.cpp, backtest_runs.cpp,
  // backtest_results.cpp.
  service_reply submit_run(pqxx::connection& c, const db::principal& who, const backtest_call& call,
                           quota_ticket* quota = nullptr);
  /// Whether the user's data covers [start, end] at the timeframe (or at 1h,
  /// resampled to 4h or 1d): the 422 naming what is available, or nothing
  /// with the source timeframe and dataset filled in.
  std::optional<service_reply> check_coverage(pqxx::connection& c, const db::principal& who,
                                              const std::string& symbol,
                                              const std::string& timeframe, unix_time start,
                                              unix_time end, std::string& source_tf,
                                              std::optional<db::dataset_info>& dataset);
  service_reply run_status(pqxx::connection& c, const db::principal& who, const std::string& id);
  service_reply cancel_run(pqxx::connection& c, const db::principal& who, const std::string& id);
  service_reply delete_run(pqxx::connection& c, const db::principal& who, const std::string& id);
  service_reply list_runs(pqxx::connection& c, const db::principal& who, const query_map& q);
  service_reply compare_runs(pqxx::connection& c, const db::principal& who, const query_map& q);
  service_reply run_results(pqxx::connection& c, const db::principal& who,
                            const backtest_call& call, result_kind kind);
  service_reply chart(pqxx::connection& c, const db::run_row& run, const query_map& q);

  /// A Monte Carlo request and what it simulates, read in three steps
  /// (backtest_research.cpp): the body, then the run's stored trades or
  /// returns under a connection, then the simulations without one.
  struct monte_carlo_request {
    monte_carlo_spec spec;
    std::string run_id;            ///< of the run, or of the walk-forward
    const char* id_key = "run_id"; ///< its name in the document
    fixed initial_capital;
    std::vector<fixed> pnl;      ///< shuffle, bootstrap: in exit order
    std::vector<double> returns; ///< block_bootstrap: daily
  };
  static std::optional<service_reply> read_monte_carlo_request(const std::string& body,
                                                               monte_carlo_request& out);
  service_reply load_monte_carlo_inputs(pqxx::connection& c, const db::principal& who,
                                        monte_carlo_request& request);
  service_reply simulate_monte_carlo(const monte_carlo_request& request);
  /// Both Monte Carlo endpoints: inputs `loaded` under a connection take a
  /// quota slot (charge); the simulations then run without one and the
  /// answer settles the slot (simulate_charged).
  service_reply charge(const db::principal& who, quota_ticket& quota, service_reply loaded);
  service_reply simulate_charged(quota_ticket& quota, const monte_carlo_request& request,
                                 service_reply loaded);

  service_reply submit_sweep(pqxx::connection& c, const db::principal& who,
                             const backtest_call& call);
  service_reply audit_page(pqxx::connection& c, const backtest_call& call);
  service_reply queue_overview_page(pqxx::connection& c, const backtest_call& call);
  service_reply purge_now(const db::principal& who, const backtest_call& call);
  service_reply sweep_status(pqxx::connection& c, const db::principal& who,
                             const backtest_call& call);
  service_reply list_sweeps(pqxx::connection& c, const db::principal& who,
                            const backtest_call& call);
  service_reply sweep_results(pqxx::connection& c, const db::principal& who,
                              const backtest_call& call);
  service_reply sweep_heatmap(pqxx::connection& c, const db::principal& who,
                              const backtest_call& call);
  service_reply sweep_config_run(pqxx::connection& c, const db::principal& who,
                                 const backtest_call& call, quota_ticket& quota);
  service_reply cancel_sweep(pqxx::connection& c, const db::principal& who,
                             const backtest_call& call, bool then_delete);
  service_reply submit_walk_forward(pqxx::connection& c, const db::principal& who,
                                    const backtest_call& call);
  service_reply submit_program(pqxx::connection& c, const db::principal& who,
                               const backtest_call& call);
  service_reply list_programs(pqxx::connection& c, const db::principal& who,
                              const backtest_call& call);
  service_reply program_document(pqxx::connection& c, const db::principal& who,
                                 const backtest_call& call);
  service_reply start_cycle(pqxx::connection& c, const db::principal& who,
                            const backtest_call& call);
  service_reply cancel_cycle(pqxx::connection& c, const db::principal& who,
                             const backtest_call& call);
  service_reply cycle_scorecard(pqxx::connection& c, const db::principal& who,
                                const backtest_call& call);
  service_reply candidates_document(pqxx::connection& c, const db::principal& who,
                                    const backtest_call& call);
  /// A configuration through the promotion gate as of the last scored
  /// cycle, with its recommended capital (backtest_programs.cpp).
  struct gated_candidate {
    std::string identity, strategy, params_json, walk_forward_id, symbol;
    std::int64_t rank = 0;
    double score = 0, expected_sharpe = 0;
    unix_time since = 0;
    fixed allocation;
    int cycle = 0;
  };
  std::vector<gated_candidate> gated_candidates(pqxx::connection& c, const db::program_row& p,
                                                const program_spec& spec,
                                                std::optional<unix_time>& as_of);
  service_reply deployment_view(pqxx::connection& c, const db::principal& who,
                                const backtest_call& call, const std::string& view);
  service_reply submit_replay(pqxx::connection& c, const db::principal& who,
                              const backtest_call& call);
  service_reply replay_view(pqxx::connection& c, const db::program_row& p,
                            const backtest_call& call, bool one);
  service_reply deployment_change(pqxx::connection& c, const db::principal& who,
                                  const backtest_call& call, const std::string& action);
  /// The gate's candidates (all, or the one named `only`) through the
  /// admission rules into paper deployments, every decision audited; the
  /// outcome of each as JSON. Under deployments_.
  std::string promote(pqxx::connection& c, const db::principal& who, const db::program_row& p,
                      const program_spec& spec, const std::optional<std::string>& only);
  /// Advances the program's active deployments over the bars stored since
  /// (risk rules, alerts, audit); how many were advanced. Under deployments_.
  std::size_t advance_program(pqxx::connection& c, const db::principal& who,
                              const db::program_row& p, const program_spec& spec);
  service_reply begin_cycle(pqxx::connection& c, const db::principal& who,
                            const db::program_row& program, const std::string& reason,
                            std::optional<unix_time> triggered_at, const backtest_call& call);
  std::string finish_cycle(pqxx::connection& c, const db::principal& who,
                           const db::program_row& program, const db::cycle_row& cycle);
  /// finish_cycle for each of `cycles` whose walk-forwards have all ended
  /// and that has no scorecard yet: whether any was written.
  bool finish_ended_cycles(pqxx::connection& c, const db::principal& who,
                           const db::program_row& program,
                           const std::vector<db::cycle_row>& cycles);
  /// A research submission's "priority" (taken out of the body) and range
  /// (start and end required, at most `max_days` apart): the refusal, or
  /// nothing.
  static std::optional<service_reply> read_research_queueing(boost::json::object& body,
                                                             int& priority, const char* what);
  static std::optional<service_reply> check_research_range(const std::optional<unix_time>& from,
                                                           const std::optional<unix_time>& to,
                                                           double max_days, const char* what);
  service_reply walk_forward_status(pqxx::connection& c, const db::principal& who,
                                    const backtest_call& call);
  service_reply list_walk_forwards(pqxx::connection& c, const db::principal& who,
                                   const backtest_call& call);
  service_reply walk_forward_file(pqxx::connection& c, const db::principal& who,
                                  const backtest_call& call, const std::string& column);
  service_reply cancel_walk_forward(pqxx::connection& c, const db::principal& who,
                                    const backtest_call& call, bool then_delete);
  service_reply load_walk_forward_monte_carlo(pqxx::connection& c, const db::principal& who,
                                              monte_carlo_request& request);
  /// A completed sweep's returns, summarised, read under a connection; the
  /// statistics are computed after it went back to the pool.
  struct sweep_statistics_input {
    sweep_spec spec;
    std::optional<stored_configuration> best;
    std::vector<return_summary> summaries;
    std::optional<std::size_t> best_summary;
  };
  bool load_sweep_summaries(pqxx::connection& c, const db::principal& who, const std::string& id,
                            sweep_statistics_input& out, service_reply& refusal);
  service_reply sweep_statistics(const sweep_statistics_input& in);

  /// CPU-bound research requests computing at once (Monte Carlo): each
  /// holds a detached API worker for up to a second, so more are refused
  /// (429) rather than queued behind the API.
  static constexpr int max_research_at_once = 2;
  std::atomic<int> research_running_{0};
  /// Counts a research computation for as long as it runs.
  class research_slot {
  public:
    research_slot(std::atomic<int>& running, int limit) : running_(running) {
      held_ = running_.fetch_add(1) < limit;
      if (!held_)
        running_.fetch_sub(1);
    }
    ~research_slot() {
      if (held_)
        running_.fetch_sub(1);
    }
    research_slot(const research_slot&) = delete;
    research_slot& operator=(const research_slot&) = delete;
    bool held() const { return held_; }

  private:
    std::atomic<int>& running_;
    bool held_ = false;
  };

  /// The live and queue facts of a run, for its document.
  run_view view_of(pqxx::connection& c, const db::run_row& run);
  /// view_of without the database; nothing when the run is queued and the
  /// book does not hold the whole queue.
  std::optional<run_view> view_in_memory(const db::run_row& run);

  /// Position and ETA of a queued run, replaying the queue's rules; null
  /// ETA when no worker is up or no run has completed yet.
  struct queue_outlook {
    std::int64_t position = 0;
    std::optional<double> eta_seconds;
    bool no_workers = false;
  };
  queue_outlook outlook(pqxx::connection& c, const db::run_row& run);
  /// outlook from the run book alone; nothing when the book is incomplete.
  std::optional<queue_outlook> outlook_in_memory(const std::string& run_id);
  /// outlook from the database, for when the book lacks part of the queue.
  queue_outlook outlook_from_database(pqxx::connection& c, const db::run_row& run);
  queue_outlook forecast(const std::string& run_id, std::int64_t fallback_position,
                         double avg_duration_ms, const db::queue_snapshot& snapshot);
  /// Workers that can take runs now: local ones and those of nodes that are up.
  std::size_t available_workers() const;

  std::shared_ptr<db::connection_pool> pool_;
  /// One cycle starts at a time (a person's and the schedule's could meet):
  /// a cycle's number and its configurations' keys are read, then written.
  std::mutex cycles_;
  /// The program schedule's thread only: for each scheduled program, the
  /// data version and cycle its regimes were last checked against.
  std::map<std::string, std::string> regimes_checked_;
  std::shared_ptr<run_registry> registry_;
  backtest_limits limits_;
  std::function<void()> wake_;
  std::shared_ptr<cluster_view> cluster_;
  std::shared_ptr<run_book> book_;
  auth_cache auth_;
  submission_quota quota_;
  /// Promotions, advances and overrides of deployments, one at a time.
  std::recursive_mutex deployments_;
  std::atomic<bool> replays_stopping_{false};
  std::shared_ptr<progress_hub> hub_;
  /// The program's deployments document, pushed to its stream.
  void publish_deployments(pqxx::connection& c, const db::program_row& p, const program_spec& spec);
  std::shared_ptr<retention_service> retention_;
};

} // namespace bt
