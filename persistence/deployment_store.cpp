#include "persistence/deployment_store.hpp"

#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

namespace bt::db {

using namespace detail;

namespace {

constexpr const char* deployment_columns =
    "id::text, program_id::text, identity, strategy, params_json, walk_forward_id, cycle, score, "
    "expected_sharpe, capital, extract(epoch FROM history_from)::bigint, "
    "extract(epoch FROM deployed_at)::bigint, status, extract(epoch FROM ended_at)::bigint, "
    "coalesce(end_reason, ''), sizing_json, risk_json, "
    "extract(epoch FROM judged_through)::bigint, data_checksum, summary_json, "
    "extract(epoch FROM created_at)::bigint, extract(epoch FROM updated_at)::bigint, symbol";

deployment_row read_deployment(const pqxx::row& r) {
  deployment_row d;
  d.id = r[0].as<std::string>();
  d.program_id = r[1].as<std::string>();
  d.identity = r[2].as<std::string>();
  d.strategy = r[3].as<std::string>();
  d.params_json = r[4].as<std::string>();
  d.walk_forward_id = r[5].as<std::string>();
  d.cycle = r[6].as<int>();
  d.score = r[7].as<double>();
  d.expected_sharpe = r[8].as<double>();
  d.capital = r[9].as<std::string>();
  d.history_from = r[10].as<std::int64_t>();
  d.deployed_at = r[11].as<std::int64_t>();
  d.status = r[12].as<std::string>();
  d.ended_at = opt<std::int64_t>(r[13]);
  d.end_reason = r[14].as<std::string>();
  d.sizing_json = r[15].as<std::string>();
  d.risk_json = r[16].as<std::string>();
  d.judged_through = opt<std::int64_t>(r[17]);
  d.data_checksum = r[18].as<std::string>();
  d.summary_json = r[19].as<std::string>();
  d.created_at = r[20].as<std::int64_t>();
  d.updated_at = r[21].as<std::int64_t>();
  d.symbol = r[22].as<std::string>();
  return d;
}

alert_row read_alert(const pqxx::row& r) {
  alert_row a;
  a.id = r[0].as<std::int64_t>();
  a.deployment_id = opt<std::string>(r[1]);
  a.kind = r[2].as<std::string>();
  a.day = r[3].as<std::int64_t>();
  a.value = opt<double>(r[4]);
  a.limit = opt<double>(r[5]);
  a.message = r[6].as<std::string>();
  a.details_json = r[7].as<std::string>();
  a.created_at = r[8].as<std::int64_t>();
  return a;
}

} // namespace

std::vector<deployment_row> list_deployments(pqxx::connection_base& c,
                                             const std::string& program_id, bool active_only) {
  pqxx::read_transaction txn(c);
  std::vector<deployment_row> out;
  for (const auto& r :
       txn.exec_params(std::string("SELECT ") + deployment_columns
                           + " FROM deployments WHERE program_id = $1::uuid AND (NOT $2 OR "
                             "status = 'active') ORDER BY created_at DESC, id",
                       program_id, active_only))
    out.push_back(read_deployment(r));
  return out;
}

std::optional<deployment_row>
find_deployment(pqxx::connection_base& c, const std::string& program_id, const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params(std::string("SELECT ") + deployment_columns
                               + " FROM deployments WHERE program_id = $1::uuid AND id = $2::uuid",
                           program_id, id);
  if (r.empty())
    return std::nullopt;
  return read_deployment(r[0]);
}

bool record_decisions(pqxx::connection_base& c, const std::string& program_id,
                      const std::vector<deployment_row>& added,
                      const std::vector<deployment_row>& changed,
                      const std::vector<alert_row>& alerts,
                      const std::vector<decision_entry>& decisions, const audit_actor& by) {
  pqxx::work txn(c);
  for (const auto& d : changed) {
    // Only a deployment still active changes: a concurrent override or
    // advance that ended it first wins, and this whole decision is dropped.
    auto r = txn.exec_params(
        "UPDATE deployments SET status = $3, ended_at = CASE WHEN $4 THEN to_timestamp($5) END, "
        "end_reason = nullif($6, ''), sizing_json = $7, risk_json = $8, judged_through = CASE "
        "WHEN $9 THEN to_timestamp($10) END, data_checksum = $11, summary_json = $12, "
        "updated_at = now() WHERE program_id = $1::uuid AND id = $2::uuid AND status = 'active'",
        program_id, d.id, d.status, d.ended_at.has_value(), d.ended_at.value_or(0), d.end_reason,
        d.sizing_json, d.risk_json, d.judged_through.has_value(), d.judged_through.value_or(0),
        d.data_checksum, d.summary_json);
    if (r.affected_rows() != 1)
      return false; // rolled back with txn
  }
  for (const auto& d : added)
    txn.exec_params(
        "INSERT INTO deployments (id, program_id, identity, strategy, params_json, "
        "walk_forward_id, cycle, score, expected_sharpe, capital, history_from, deployed_at, "
        "status, sizing_json, risk_json, data_checksum, summary_json, ended_at, end_reason, "
        "symbol) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11), "
        "to_timestamp($12), $13, $14, $15, $16, $17, CASE WHEN $18 THEN to_timestamp($19) END, "
        "nullif($20, ''), $21)",
        d.id, program_id, d.identity, d.strategy, d.params_json, d.walk_forward_id, d.cycle,
        d.score, d.expected_sharpe, d.capital, d.history_from, d.deployed_at, d.status,
        d.sizing_json, d.risk_json, d.data_checksum, d.summary_json, d.ended_at.has_value(),
        d.ended_at.value_or(0), d.end_reason, d.symbol);
  for (const auto& a : alerts)
    txn.exec_params("INSERT INTO deployment_alerts (program_id, deployment_id, kind, day, value, "
                    "limit_value, message, details_json) VALUES ($1::uuid, $2::uuid, $3, "
                    "to_timestamp($4), $5, $6, $7, $8)",
                    program_id, a.deployment_id, a.kind, a.day, a.value, a.limit, a.message,
                    a.details_json);
  for (const auto& e : decisions)
    append_audit(txn, by, e.action, "program:" + program_id, e.details_json);
  // Bounded per program: the newest alerts, and the newest ended
  // deployments (with their alerts); the audit log keeps every decision.
  if (!alerts.empty())
    txn.exec_params("DELETE FROM deployment_alerts WHERE program_id = $1::uuid AND id <= (SELECT "
                    "id FROM deployment_alerts WHERE program_id = $1::uuid ORDER BY id DESC "
                    "OFFSET $2 LIMIT 1)",
                    program_id, max_alerts_per_program);
  if (!changed.empty())
    txn.exec_params("DELETE FROM deployments WHERE id IN (SELECT id FROM deployments WHERE "
                    "program_id = $1::uuid AND status <> 'active' ORDER BY updated_at DESC, id "
                    "OFFSET $2)",
                    program_id, max_ended_deployments_per_program);
  txn.commit();
  return true;
}

std::vector<alert_row> list_alerts(pqxx::connection_base& c, const std::string& program_id,
                                   const std::optional<std::string>& deployment_id,
                                   std::int64_t limit, std::int64_t offset, std::int64_t& total) {
  pqxx::read_transaction txn(c);
  const bool all = !deployment_id;
  const std::string one = deployment_id.value_or("");
  total = txn.exec_params("SELECT count(*) FROM deployment_alerts WHERE program_id = $1::uuid "
                          "AND ($2 OR deployment_id::text = $3)",
                          program_id, all, one)[0][0]
              .as<std::int64_t>();
  std::vector<alert_row> out;
  for (const auto& r : txn.exec_params(
           "SELECT id, deployment_id::text, kind, extract(epoch FROM day)::bigint, value, "
           "limit_value, message, details_json, extract(epoch FROM created_at)::bigint FROM "
           "deployment_alerts WHERE program_id = $1::uuid AND ($2 OR deployment_id::text = $3) "
           "ORDER BY id DESC LIMIT $4 OFFSET $5",
           program_id, all, one, limit, offset))
    out.push_back(read_alert(r));
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> alert_counts(pqxx::connection_base& c) {
  pqxx::read_transaction txn(c);
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r :
       txn.exec("SELECT kind, count(*) FROM deployment_alerts GROUP BY kind ORDER BY kind"))
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> deployment_counts(pqxx::connection_base& c) {
  pqxx::read_transaction txn(c);
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r :
       txn.exec("SELECT status, count(*) FROM deployments GROUP BY status ORDER BY status"))
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
  return out;
}

} // namespace bt::db
