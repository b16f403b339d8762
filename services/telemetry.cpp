#include "services/telemetry.hpp"

#include "domain/containers/bounded_lru.hpp"
#include "domain/research/sweep_chunk.hpp"
#include "domain/research/walk_forward.hpp"
#include "domain/scheduling/run_attempt.hpp"
#include "persistence/run_store.hpp"
#include "services/permissions.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>
#include <set>
#include <sstream>

namespace bt::telemetry {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Latency from half a millisecond (a status read from memory) to ten
// seconds; runs from 10 ms to two hours (the longest a run may take is an
// hour by default, four at most).
const Histogram::BucketBoundaries http_buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1,    0.25,  0.5,    1,     2.5,  5,     10};
const Histogram::BucketBoundaries run_buckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1,    2.5,  5,   10,
                                                 30,   60,   120, 300,  600, 1800, 3600, 7200};

struct registry_state {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      BuildCounter()
          .Name("backtestd_http_requests_total")
          .Help("HTTP requests answered, by method, route template and status")
          .Register(*registry);
  prometheus::Family<Histogram>& request_seconds =
      BuildHistogram()
          .Name("backtestd_http_request_duration_seconds")
          .Help("Time from a request's header to its answer, by method and route template")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& runs =
      BuildCounter()
          .Name("backtestd_runs_total")
          .Help("Run transitions (submitted, completed, failed, cancelled, retried, "
                "dead_lettered) by kind and strategy")
          .Register(*registry);
  prometheus::Family<Histogram>& run_seconds =
      BuildHistogram()
          .Name("backtestd_run_duration_seconds")
          .Help("Engine time of completed runs, by kind and strategy")
          .Register(*registry);
  prometheus::Family<Histogram>& wait_seconds =
      BuildHistogram()
          .Name("backtestd_queue_wait_seconds")
          .Help("Time a run waited in the queue before each attempt (from submission, or from when "
                "a retry became due), by kind")
          .Register(*registry);
  prometheus::Counter& upload_bytes = BuildCounter()
                                          .Name("backtestd_upload_bytes_total")
                                          .Help("Bytes of accepted market-data uploads")
                                          .Register(*registry)
                                          .Add({});
  prometheus::Counter& upload_rows = BuildCounter()
                                         .Name("backtestd_upload_rows_total")
                                         .Help("Rows of accepted market-data uploads")
                                         .Register(*registry)
                                         .Add({});
  prometheus::Family<prometheus::Counter>& program_cycles =
      BuildCounter()
          .Name("backtestd_program_cycles_total")
          .Help("Evaluation program cycles started, by reason (manual, schedule, regime_change, "
                "volatility_change, upload)")
          .Register(*registry);
  prometheus::Histogram& trigger_to_scorecard =
      BuildHistogram()
          .Name("backtestd_program_trigger_to_scorecard_seconds")
          .Help("From the upload that triggered a scheduled or regime cycle to its scorecard")
          .Register(*registry)
          .Add({}, run_buckets);
  prometheus::Family<prometheus::Counter>& deployment_decisions =
      BuildCounter()
          .Name("backtestd_deployment_decisions_total")
          .Help("Decisions about paper deployments, by audit action (deployment.promoted, "
                "deployment.demoted, deployment.rolled_back, deployment.size_halved, "
                "deployment.drift_alert, deployment.redundant, deployment.type_capped, "
                "deployment.full, deployment.deactivated)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& deployment_alerts =
      BuildCounter()
          .Name("backtestd_deployment_alerts_total")
          .Help("Alerts raised about paper deployments, by kind (drawdown, drift, rollback, "
                "redundant, type_capped, full, demoted, override, error)")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& deployments =
      BuildGauge()
          .Name("backtestd_deployments")
          .Help("Paper deployments by status (active, rolled_back, demoted, deactivated), as of "
                "the last deployment pass")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& queue_depth =
      BuildGauge()
          .Name("backtestd_queue_depth")
          .Help("Queued runs by priority (0 high, 1 normal, 2 low)")
          .Register(*registry);
  prometheus::Gauge& running = BuildGauge()
                                   .Name("backtestd_runs_running")
                                   .Help("Runs running now")
                                   .Register(*registry)
                                   .Add({});
  prometheus::Family<prometheus::Gauge>& workers =
      BuildGauge()
          .Name("backtestd_workers_up")
          .Help("Workers that take runs, local and on worker nodes")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& nodes =
      BuildGauge().Name("backtestd_nodes").Help("Worker nodes by status").Register(*registry);
  prometheus::Gauge& pool_in_use = BuildGauge()
                                       .Name("backtestd_db_connections_in_use")
                                       .Help("API database connections on loan")
                                       .Register(*registry)
                                       .Add({});
  prometheus::Gauge& pool_max = BuildGauge()
                                    .Name("backtestd_db_connections_max")
                                    .Help("API database connections at most")
                                    .Register(*registry)
                                    .Add({});
  prometheus::Gauge& subscribers = BuildGauge()
                                       .Name("backtestd_progress_subscribers")
                                       .Help("Progress stream subscribers (SSE and WebSocket)")
                                       .Register(*registry)
                                       .Add({});

  std::mutex mutex; ///< the state below
  std::function<gauge_values()> gauges;
  bounded_lru<std::string, run_status> last_status{100'000};
  bounded_lru<std::string, bool> dead_letters{10'000};
};

registry_state& state() {
  static registry_state s;
  return s;
}

std::string kind_of(const db::run_row& row) {
  if (row.dedupe_key.rfind("sweep:", 0) == 0)
    return "sweep_chunk";
  if (row.dedupe_key.rfind("walk-forward:", 0) == 0)
    return "walk_forward";
  return "backtest";
}

} // namespace

void http_request(const std::string& method_text, const std::string& route, unsigned status,
                  double seconds) {
  // The method is the client's text: only known ones become series.
  static const std::set<std::string> known = {"GET",    "HEAD",    "POST", "PUT",
                                              "DELETE", "OPTIONS", "PATCH"};
  const std::string method = known.count(method_text) ? method_text : "other";
  auto& s = state();
  s.requests.Add({{"method", method}, {"route", route}, {"status", std::to_string(status)}})
      .Increment();
  s.request_seconds.Add({{"method", method}, {"route", route}}, http_buckets).Observe(seconds);
}

void note_dead_letter(const std::string& run_id) {
  auto& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.dead_letters.put(run_id, true);
}

void observe_run(const db::run_row& row) {
  auto& s = state();
  const std::string kind = kind_of(row);
  const std::string strategy = row.strategy + "@" + row.strategy_version;
  std::optional<run_status> before;
  bool dead_letter = false;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (const run_status* b = s.last_status.find(row.id))
      before = *b;
    if (before == row.status)
      return; // a sync without a transition (progress, a reload)
    if (is_finished(row.status))
      s.last_status.take(row.id); // finished runs never change again
    else
      s.last_status.put(row.id, row.status);
    if (row.status == run_status::failed && s.dead_letters.take(row.id).has_value())
      dead_letter = true;
  }
  auto count = [&](const char* event) {
    s.runs.Add({{"event", event}, {"kind", kind}, {"strategy", strategy}}).Increment();
  };
  switch (row.status) {
  case run_status::queued:
    if (!before && row.attempts == 0)
      count("submitted");
    else if (before == run_status::running)
      count("retried");
    break;
  case run_status::running: // its queue wait is observed at the claim (observe_claim)
    break;
  case run_status::completed:
    count("completed");
    if (row.duration_ms)
      s.run_seconds.Add({{"kind", kind}, {"strategy", strategy}}, run_buckets)
          .Observe(*row.duration_ms / 1000.0);
    break;
  case run_status::failed:
    count(dead_letter ? "dead_lettered" : "failed");
    break;
  case run_status::cancelled:
    count("cancelled");
    break;
  }
}

void observe_claim(const run_attempt& job) {
  // Microseconds from the database's clock to the claim: a wait of a few
  // milliseconds is seen as such, not rounded to whole seconds.
  const std::string kind = is_chunk_config(job.config_json)          ? "sweep_chunk"
                           : is_walk_forward_config(job.config_json) ? "walk_forward"
                                                                     : "backtest";
  const double waited =
      static_cast<double>(std::max<std::int64_t>(0, job.claimed_ns - job.eligible_ns)) / 1e9;
  state().wait_seconds.Add({{"kind", kind}}, run_buckets).Observe(waited);
}

void upload(std::uint64_t bytes, std::uint64_t rows) {
  auto& s = state();
  s.upload_bytes.Increment(static_cast<double>(bytes));
  s.upload_rows.Increment(static_cast<double>(rows));
}

void program_cycle(const std::string& reason) {
  // One of five words (the migrations' check): the series stay bounded.
  state().program_cycles.Add({{"reason", reason}}).Increment();
}

void program_scorecard(std::optional<double> trigger_to_scorecard_seconds) {
  if (trigger_to_scorecard_seconds)
    state().trigger_to_scorecard.Observe(*trigger_to_scorecard_seconds);
}

void deployment_decision(const std::string& action) {
  // The actions are the service's own words: the series stay bounded.
  state().deployment_decisions.Add({{"action", action}}).Increment();
}

void deployment_alert(const std::string& kind) {
  state().deployment_alerts.Add({{"kind", kind}}).Increment();
}

void deployments_counted(const std::vector<std::pair<std::string, std::int64_t>>& by_status) {
  auto& s = state();
  for (const char* status : {"active", "rolled_back", "demoted", "deactivated"}) {
    double n = 0;
    for (const auto& [name, count] : by_status)
      if (name == status)
        n = static_cast<double>(count);
    s.deployments.Add({{"status", status}}).Set(n);
  }
}

void set_gauge_source(std::function<gauge_values()> source) {
  auto& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.gauges = std::move(source);
}

std::string scrape_text() {
  auto& s = state();
  std::function<gauge_values()> source;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    source = s.gauges;
  }
  if (source) {
    const gauge_values g = source();
    for (int priority = 0; priority <= 2; ++priority) {
      auto it = g.queued_by_priority.find(priority);
      s.queue_depth.Add({{"priority", std::to_string(priority)}})
          .Set(it == g.queued_by_priority.end() ? 0.0 : static_cast<double>(it->second));
    }
    s.running.Set(static_cast<double>(g.running));
    s.workers.Add({{"where", "local"}}).Set(static_cast<double>(g.local_workers));
    s.workers.Add({{"where", "nodes"}}).Set(static_cast<double>(g.node_workers));
    s.nodes.Add({{"status", "up"}}).Set(static_cast<double>(g.nodes_up));
    s.nodes.Add({{"status", "lost"}}).Set(static_cast<double>(g.nodes_lost));
    s.pool_in_use.Set(static_cast<double>(g.db_connections_in_use));
    s.pool_max.Set(static_cast<double>(g.db_connections_max));
    s.subscribers.Set(static_cast<double>(g.progress_subscribers));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, s.registry->Collect());
  return out.str();
}

std::string route_template(const std::string& path) {
  if (path == "/metrics" || path == "/healthz" || path == "/readyz" || path == "/openapi.json")
    return path;
  if (path.rfind("/v1/", 0) != 0)
    return "other";
  // Segment by segment against the table's templates; {x} matches one.
  auto segments = [](const std::string& p) {
    std::vector<std::string> out;
    std::size_t pos = 1;
    while (pos <= p.size()) {
      const auto slash = p.find('/', pos);
      out.push_back(p.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
      if (slash == std::string::npos)
        break;
      pos = slash + 1;
    }
    return out;
  };
  const auto have = segments(path);
  std::string best = "other";
  for (const auto& e : endpoint_permissions()) {
    const auto want = segments(e.path);
    if (want.size() != have.size())
      continue;
    bool match = true, exact = true;
    for (std::size_t i = 0; i < want.size() && match; ++i) {
      const bool wildcard = !want[i].empty() && want[i].front() == '{';
      match = wildcard || want[i] == have[i];
      exact = exact && !wildcard;
    }
    if (match && exact)
      return e.path; // /v1/backtest/history over /v1/backtest/{id}
    if (match && best == "other")
      best = e.path;
  }
  return best;
}

} // namespace bt::telemetry
