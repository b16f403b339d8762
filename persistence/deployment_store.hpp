#pragma once
// Paper deployments and their alerts (migration 0020). Every decision
// (promotion, demotion, rollback, size change, alert, override) is written
// with its audit entry in one transaction: a decision exists exactly when
// its audit entry does.

#include "domain/data/timestamp.hpp"
#include "persistence/audit_log.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

struct deployment_row {
  std::string id, program_id;
  std::string identity, strategy, params_json, walk_forward_id;
  std::string symbol; ///< what it trades ('' in rows before 0023: the program's)
  int cycle = 0;
  double score = 0, expected_sharpe = 0;
  std::string capital; ///< exact decimal text
  unix_time history_from = 0, deployed_at = 0;
  std::string status = "active"; ///< active | rolled_back | demoted | deactivated
  std::optional<unix_time> ended_at;
  std::string end_reason;
  std::string sizing_json = "[]", risk_json = "{}";
  std::optional<unix_time> judged_through;
  std::string data_checksum;
  std::string summary_json = "{}";
  unix_time created_at = 0, updated_at = 0;
};

struct alert_row {
  std::int64_t id = 0;
  std::optional<std::string> deployment_id;
  std::string kind;
  unix_time day = 0;
  std::optional<double> value, limit;
  std::string message, details_json = "{}";
  unix_time created_at = 0;
};

/// One decision: its audit action (deployment.promoted, ...) and details.
struct decision_entry {
  std::string action, details_json;
};

/// What a program keeps: its newest alerts and ended deployments (older
/// ones are removed as new ones are written; the audit log keeps every
/// decision).
inline constexpr std::int64_t max_alerts_per_program = 10'000;
inline constexpr std::int64_t max_ended_deployments_per_program = 1'000;

/// The program's deployments, newest first; only active ones when asked.
std::vector<deployment_row> list_deployments(pqxx::connection_base& c,
                                             const std::string& program_id, bool active_only);
std::optional<deployment_row> find_deployment(pqxx::connection_base& c,
                                              const std::string& program_id, const std::string& id);

/// In one transaction: inserts `added`, updates the state of `changed`
/// (status, end, sizing, risk state, judged day, checksum, summary),
/// appends `alerts` and one audit entry per decision (object
/// "program:{id}"). False when an update found its deployment no longer
/// active (another writer ended it first): nothing is written then.
bool record_decisions(pqxx::connection_base& c, const std::string& program_id,
                      const std::vector<deployment_row>& added,
                      const std::vector<deployment_row>& changed,
                      const std::vector<alert_row>& alerts,
                      const std::vector<decision_entry>& decisions, const audit_actor& by);

/// The program's alerts, newest first; of one deployment when given.
std::vector<alert_row> list_alerts(pqxx::connection_base& c, const std::string& program_id,
                                   const std::optional<std::string>& deployment_id,
                                   std::int64_t limit, std::int64_t offset, std::int64_t& total);

/// Alerts of every program by kind, for the metrics (kind, count).
std::vector<std::pair<std::string, std::int64_t>> alert_counts(pqxx::connection_base& c);
/// Deployments of every program by status (status, count).
std::vector<std::pair<std::string, std::int64_t>> deployment_counts(pqxx::connection_base& c);

} // namespace bt::db
