#pragma once
// The audit log in PostgreSQL: entries appended in the caller's
// transaction (so an entry exists exactly when its change does), read by
// filter and page, verified link by link, and expired entries purged behind
// a signed checkpoint. The chain's rules are domain/report/audit_chain.hpp.

#include "domain/report/audit_chain.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pqxx {
class connection_base;
class transaction_base;
} // namespace pqxx

namespace bt::db {

/// Who did it: a user through one of its keys, or the system (the
/// server's own work, or an operator at the command line).
struct audit_actor {
  std::string name = "system";
  std::optional<std::int64_t> user_id, key_id;
  std::string trace_id; ///< the request's, when there is one
};

/// Now, in Unix milliseconds; BACKTESTD_NOW (Unix seconds, or an ISO-8601
/// UTC time) moves the clock of audit entries and the retention purge, for
/// tests.
std::int64_t wall_clock_ms();

/// A details object of text fields, canonical (json_writer's).
std::string audit_details(std::initializer_list<std::pair<std::string, std::string>> fields);

/// Appends one entry in `txn`: `details` is a JSON object (canonical, as
/// json_writer writes it). Waits for the chain's head lock, which a
/// concurrent writer holds until its transaction ends.
void append_audit(pqxx::transaction_base& txn, const audit_actor& by, const std::string& action,
                  const std::string& object, const std::string& details = "{}");

/// append_audit in a transaction of its own, for a change that lives in
/// memory (cluster membership).
void append_audit_alone(pqxx::connection_base& c, const audit_actor& by, const std::string& action,
                        const std::string& object, const std::string& details);

/// A page of entries, oldest first, by time range and exact actor, action
/// and object; `after_seq` continues a previous page.
struct audit_filter {
  std::optional<std::int64_t> from_ms, to_ms; ///< [from, to)
  std::string actor, action, object;          ///< empty: any
  std::int64_t after_seq = 0;
  std::int64_t limit = 100;
};
struct audit_page {
  std::vector<audit_record> entries;
  std::optional<std::int64_t> next_after_seq; ///< more entries match
};
audit_page read_audit(pqxx::connection_base& c, const audit_filter& f);

/// Walks the whole chain from the newest checkpoint (its signature checked
/// under `key`), a batch at a time.
audit_verdict verify_audit(pqxx::connection_base& c, const std::string& key);

/// Removes entries older than `cutoff_ms`: first a checkpoint of the last
/// of them (signed under `key`), then the entries, `batch` per transaction.
/// Returns how many were removed (with `dry_run`, how many would be).
std::int64_t purge_audit(pqxx::connection_base& c, std::int64_t cutoff_ms, const std::string& key,
                         std::int64_t batch, bool dry_run);

/// The server's audit key (hex of 256 random bits) in `path`, created with
/// mode 0600 when missing: it signs purge checkpoints.
std::string load_audit_key(const std::string& path);
/// The key at `path` if there is one (64 hex digits on its first line);
/// never creates one: for readers such as `audit verify`.
std::optional<std::string> read_audit_key(const std::string& path);

} // namespace bt::db
