#include "services/run_presenter.hpp"

#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>

namespace bt {

run_view stored_view(const db::run_row& run) {
  run_view v;
  v.progress = run.status == run_status::completed ? 100.0 : run.progress;
  return v;
}

const char* priority_name(int p) {
  return p == 0 ? "high" : p == 2 ? "low" : "normal";
}

void write_strategy(json_writer& w, const db::run_row& run) {
  w.begin_object()
      .key("name")
      .string(run.strategy)
      .key("version")
      .string(run.strategy_version)
      .end_object();
}

std::string run_document(const db::run_row& run, const run_view& view, bool replay) {
  json_writer w;
  w.begin_object();
  w.key("run_id").string(run.id);
  w.key("status").string(to_string(run.status));
  w.key("progress").number(round_places(view.progress, 2));
  w.key("queue_position").optional(view.queue_position);
  w.key("eta_seconds").optional(view.eta_seconds);
  if (view.no_workers)
    w.key("no_workers").boolean(true);
  w.key("priority").string(priority_name(run.priority));
  w.key("attempts").number(static_cast<std::int64_t>(run.attempts));
  w.key("worker_id").optional_string(run.worker_id);
  w.key("error").optional_string(run.error);
  w.key("attempt_errors").raw(run.errors_json);
  if (view.current_bar_time) {
    w.key("current_bar_time").timestamp(*view.current_bar_time);
    w.key("trades_so_far").number(view.trades_so_far.value_or(0));
  }
  w.key("created_at").timestamp(run.created_at);
  w.key("started_at").timestamp(run.started_at);
  w.key("finished_at").timestamp(run.finished_at);
  w.key("duration_ms").optional(run.duration_ms);
  w.key("symbol").string(run.symbol);
  w.key("timeframe").string(run.timeframe);
  w.key("source_timeframe").string(run.source_timeframe);
  w.key("start").timestamp(run.start);
  w.key("end").timestamp(run.end);
  w.key("strategy");
  write_strategy(w, run);
  w.key("params").raw(run.params_json);
  w.key("execution").raw(run.execution_json);
  w.key("config_hash").string(run.config_hash);
  w.key("data_checksum").optional_string(run.data_checksum);
  w.key("engine_version").optional_string(run.engine_version);
  w.key("metrics").optional_raw(run.metrics_json);
  w.key("warnings").raw(run.warnings_json);
  if (replay)
    w.key("idempotent_replay").boolean(true);
  w.end_object();
  return w.take();
}

std::string cluster_document(const std::vector<node_state>& nodes) {
  json_writer w;
  w.begin_object().key("nodes").begin_array();
  for (const auto& n : nodes) {
    w.begin_object();
    w.key("node_id").string(n.node_id);
    w.key("address").string(n.address);
    w.key("status").string(n.status);
    w.key("workers").number(static_cast<std::uint64_t>(n.workers));
    w.key("running_runs").begin_array();
    for (const auto& r : n.running_runs)
      w.string(r);
    w.end_array();
    w.key("last_heartbeat").timestamp(n.last_heartbeat);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

} // namespace bt
