#pragma once
// Retention: the purge the server runs every hour and on demand (POST
// /v1/admin/purge, `backtestd purge`), one at a time, each logged and
// audited with its counts; and the audit key that signs its checkpoints.

#include "persistence/connection_pool.hpp"
#include "persistence/retention.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace bt {

class retention_service {
public:
  retention_service(std::shared_ptr<db::connection_pool> pool, db::retention_policy policy,
                    std::string audit_key)
      : pool_(std::move(pool)), policy_(policy), audit_key_(std::move(audit_key)) {}

  /// Purges what has expired now (BACKTESTD_NOW moves the clock), or with
  /// `dry_run` counts it; a second purge waits for the first. Throws what
  /// the database throws.
  db::purge_counts purge(bool dry_run, const db::audit_actor& by);

  const db::retention_policy& policy() const { return policy_; }
  const std::string& audit_key() const { return audit_key_; }

private:
  std::shared_ptr<db::connection_pool> pool_;
  const db::retention_policy policy_;
  const std::string audit_key_;
  std::mutex purging_;
};

/// The JSON document of a purge: its counts, whether it was dry, how long
/// it took, and the policy.
std::string purge_document(const db::purge_counts& n, bool dry_run, double ms,
                           const db::retention_policy& policy);

} // namespace bt
