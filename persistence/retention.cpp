#include "persistence/retention.hpp"

#include "domain/report/json_writer.hpp"

#include <pqxx/pqxx>

#include <string>

namespace bt::db {
namespace {

constexpr std::int64_t ms_per_day = 86'400'000;

// Each selection takes $1 (its cutoff, Unix ms) and $2 (the per-user run
// limit, or NULL: the selections that have none still name it, always
// true, so that every statement has two typed parameters); each is
// re-evaluated by every batch's DELETE, so a row that became active or
// fresh meanwhile is not removed.
const char* const expired_runs =
    "SELECT id FROM runs WHERE status IN ('completed', 'failed', 'cancelled') "
    "AND sweep_id IS NULL AND walk_forward_id IS NULL AND finished_at IS NOT NULL "
    "AND (finished_at < to_timestamp($1::double precision / 1000) OR ($2::bigint IS NOT NULL "
    "AND id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY "
    "finished_at DESC, id) AS n FROM runs WHERE status IN ('completed', 'failed', 'cancelled') "
    "AND sweep_id IS NULL AND walk_forward_id IS NULL AND finished_at IS NOT NULL) ranked "
    "WHERE n > $2)))";
const char* const expired_sweeps =
    "SELECT s.id FROM sweeps s WHERE $2::bigint IS NOT DISTINCT FROM $2::bigint AND NOT EXISTS "
    "(SELECT 1 FROM "
    "runs WHERE sweep_id = s.id AND status NOT IN ('completed', 'failed', 'cancelled')) "
    "AND (SELECT max(finished_at) FROM runs WHERE sweep_id = s.id) "
    "< to_timestamp($1::double precision / 1000)";
const char* const expired_walk_forwards =
    "SELECT w.id FROM walk_forwards w JOIN runs r ON r.walk_forward_id = w.id "
    "WHERE $2::bigint IS NOT DISTINCT FROM $2::bigint AND r.status IN ('completed', 'failed', "
    "'cancelled') "
    "AND r.finished_at < to_timestamp($1::double precision / 1000)";
// Market data an active run reads (its symbol at its source timeframe) is
// kept until the run finishes.
const char* const stale_datasets =
    "SELECT d.id FROM datasets d WHERE $2::bigint IS NOT DISTINCT FROM $2::bigint AND d.updated_at "
    "< "
    "to_timestamp($1::double precision / 1000) AND NOT EXISTS (SELECT 1 FROM runs r WHERE "
    "r.user_id = d.user_id AND r.symbol = d.symbol AND r.source_timeframe = d.timeframe AND "
    "r.status IN ('queued', 'running'))";

std::int64_t count_of(pqxx::connection_base& c, const char* selection, std::int64_t cutoff,
                      const std::optional<std::int64_t>& keep) {
  pqxx::read_transaction txn(c);
  return txn
      .exec_params(std::string("SELECT count(*) FROM (") + selection + ") expired", cutoff,
                   keep)[0][0]
      .as<std::int64_t>();
}

std::int64_t delete_batched(pqxx::connection_base& c, const char* table, const char* selection,
                            std::int64_t cutoff, const std::optional<std::int64_t>& keep,
                            std::int64_t batch) {
  std::int64_t removed = 0;
  for (;;) {
    pqxx::work txn(c);
    auto r = txn.exec_params(std::string("DELETE FROM ") + table + " WHERE id IN (" + selection
                                 + " LIMIT $3)",
                             cutoff, keep, batch);
    txn.commit();
    removed += static_cast<std::int64_t>(r.affected_rows());
    if (static_cast<std::int64_t>(r.affected_rows()) < batch)
      return removed;
  }
}

} // namespace

purge_counts purge_expired(pqxx::connection_base& c, const retention_policy& policy,
                           std::int64_t now_ms, const std::string& audit_key, bool dry_run,
                           const audit_actor& by) {
  const std::int64_t run_cutoff = now_ms - policy.run_days * ms_per_day;
  const std::int64_t data_cutoff = now_ms - policy.data_days * ms_per_day;
  const std::int64_t audit_cutoff = now_ms - policy.audit_days * ms_per_day;
  const std::optional<std::int64_t> keep = policy.keep_runs_per_user;
  const std::optional<std::int64_t> none;
  purge_counts n;
  if (dry_run) {
    n.runs = count_of(c, expired_runs, run_cutoff, keep);
    n.sweeps = count_of(c, expired_sweeps, run_cutoff, none);
    n.walk_forwards = count_of(c, expired_walk_forwards, run_cutoff, none);
    n.datasets = count_of(c, stale_datasets, data_cutoff, none);
  } else {
    n.runs = delete_batched(c, "runs", expired_runs, run_cutoff, keep, policy.batch);
    n.sweeps = delete_batched(c, "sweeps", expired_sweeps, run_cutoff, none, policy.batch);
    n.walk_forwards =
        delete_batched(c, "walk_forwards", expired_walk_forwards, run_cutoff, none, policy.batch);
    n.datasets = delete_batched(c, "datasets", stale_datasets, data_cutoff, none, policy.batch);
  }
  n.audit_entries = purge_audit(c, audit_cutoff, audit_key, policy.batch, dry_run);
  if (!dry_run) { // every purge is audited, one that found nothing too
    json_writer w;
    w.begin_object().key("runs").number(n.runs).key("sweeps").number(n.sweeps);
    w.key("walk_forwards").number(n.walk_forwards).key("datasets").number(n.datasets);
    w.key("audit_entries").number(n.audit_entries);
    w.key("run_days").number(policy.run_days).key("data_days").number(policy.data_days);
    w.key("audit_days").number(policy.audit_days);
    w.key("keep_runs_per_user").optional(policy.keep_runs_per_user).end_object();
    pqxx::work txn(c);
    append_audit(txn, by, "retention.purged", "retention", w.take());
    txn.commit();
  }
  return n;
}

} // namespace bt::db
