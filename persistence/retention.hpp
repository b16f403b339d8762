#pragma once
// The retention purge's statements: what has expired under the policy, and
// its removal in batches (each its own short transaction, so that a purge
// of a million rows never holds a lock the API waits on for long). Active
// runs are never touched, nor the data an active run needs.

#include "persistence/audit_log.hpp"

#include <cstdint>
#include <optional>

namespace pqxx {
class connection_base;
}

namespace bt::db {

/// What to keep, in days; cutoffs are computed from `now_ms`.
struct retention_policy {
  std::int64_t run_days = 90;     ///< completed, failed, cancelled runs with results
  std::int64_t data_days = 30;    ///< market data after its last upload
  std::int64_t audit_days = 1827; ///< audit entries: five years, whichever five
  std::optional<std::int64_t> keep_runs_per_user; ///< finished runs kept per user (newest)
  std::int64_t batch = 1000;                      ///< rows per transaction
};

/// What a purge removed (or, dry, would remove).
struct purge_counts {
  std::int64_t runs = 0, sweeps = 0, walk_forwards = 0, datasets = 0, audit_entries = 0;
  std::int64_t total() const { return runs + sweeps + walk_forwards + datasets + audit_entries; }
};

/// Removes (or counts, with `dry_run`) what the policy says has expired at
/// `now_ms`; the audit log's expired entries leave behind a checkpoint
/// signed with `audit_key`. Every purge (not a dry run) writes the audit
/// entry retention.purged, by `by`, with its counts.
purge_counts purge_expired(pqxx::connection_base& c, const retention_policy& policy,
                           std::int64_t now_ms, const std::string& audit_key, bool dry_run,
                           const audit_actor& by);

} // namespace bt::db
