#include "services/retention_service.hpp"

#include "config/log.hpp"
#include "domain/report/json_writer.hpp"

#include <chrono>

namespace bt {

db::purge_counts retention_service::purge(bool dry_run, const db::audit_actor& by) {
  std::lock_guard<std::mutex> lock(purging_);
  const auto start = std::chrono::steady_clock::now();
  // Its own connection for the whole purge: batches are short
  // transactions, and the API's requests take the pool's others.
  auto conn = pool_->acquire(std::chrono::seconds(30));
  const auto n = db::purge_expired(*conn, policy_, db::wall_clock_ms(), audit_key_, dry_run, by);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  log::info(dry_run ? "purge_dry_run" : "purge_done", {{"runs", n.runs},
                                                       {"sweeps", n.sweeps},
                                                       {"walk_forwards", n.walk_forwards},
                                                       {"datasets", n.datasets},
                                                       {"audit_entries", n.audit_entries},
                                                       {"ms", ms},
                                                       {"actor", by.name},
                                                       {"trace_id", by.trace_id}});
  return n;
}

std::string purge_document(const db::purge_counts& n, bool dry_run, double ms,
                           const db::retention_policy& policy) {
  json_writer w;
  w.begin_object();
  w.key("dry_run").boolean(dry_run);
  w.key(dry_run ? "would_remove" : "removed").begin_object();
  w.key("runs").number(n.runs).key("sweeps").number(n.sweeps);
  w.key("walk_forwards").number(n.walk_forwards).key("datasets").number(n.datasets);
  w.key("audit_entries").number(n.audit_entries).end_object();
  w.key("ms").number(ms);
  w.key("policy").begin_object();
  w.key("run_days").number(policy.run_days).key("data_days").number(policy.data_days);
  w.key("audit_days").number(policy.audit_days);
  w.key("keep_runs_per_user").optional(policy.keep_runs_per_user);
  w.end_object().end_object();
  return w.take();
}

} // namespace bt
