#include "persistence/run_store.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/prepared.hpp"
#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

#include <cstdlib>
#include <tuple>

namespace bt::db {

using namespace detail;
namespace {

std::optional<std::string> find_by(pqxx::transaction_base& txn, const new_run& r) {
  if (r.idempotency_key) {
    auto k = exec_prepared(txn, "find_idempotent",
                           "SELECT id::text FROM runs WHERE user_id = $1 AND idempotency_key = $2",
                           r.user_id, *r.idempotency_key);
    if (!k.empty())
      return k[0][0].as<std::string>();
  }
  auto d = exec_prepared(txn, "find_duplicate",
                         "SELECT id::text FROM runs WHERE user_id = $1 AND dedupe_key = $2 AND "
                         "status NOT IN ('failed', 'cancelled')",
                         r.user_id, r.dedupe_key);
  if (!d.empty())
    return d[0][0].as<std::string>();
  return std::nullopt;
}

} // namespace

submit_outcome submit_run(pqxx::connection_base& c, const new_run& r, const audit_actor& by,
                          const std::function<bool()>& admit) {
  for (int round = 0; round < 3; ++round) {
    pqxx::work txn(c);
    if (auto existing = find_by(txn, r)) {
      auto row = txn.exec_params(
          "SELECT " + std::string(run_columns) + " FROM runs WHERE id = $1::uuid", *existing);
      txn.commit();
      return {read_run(row[0]), true};
    }
    if (admit && !admit()) {
      txn.abort();
      return {run_row{}, false, true};
    }
    // A concurrent identical submission may win the race: its unique index
    // violation sends us round again to return its run.
    static const std::string insert =
        "INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, source_timeframe, "
        "start_time, end_time, "
        "strategy, strategy_version, config_json, params_json, execution_json, config_hash, "
        "dataset_checksum, "
        "dedupe_key, idempotency_key, trace_parent) VALUES ($1::uuid, $2, 'queued', $3, $4, $5, "
        "$6, to_timestamp($7), "
        "to_timestamp($8), $9, $10, $11, $12, $13, $14, $15, $16, $17, NULLIF($18, '')) ON "
        "CONFLICT DO NOTHING "
        "RETURNING "
        + std::string(run_columns);
    auto inserted =
        exec_prepared(txn, "insert_run", insert, r.id, r.user_id, r.priority, r.symbol, r.timeframe,
                      r.source_timeframe, r.start, r.end, r.strategy, r.strategy_version,
                      r.config_json, r.params_json, r.execution_json, r.config_hash,
                      r.dataset_checksum, r.dedupe_key, r.idempotency_key, r.trace_parent);
    if (!inserted.empty()) {
      json_writer w;
      w.begin_object().key("strategy").string(r.strategy + "@" + r.strategy_version);
      w.key("symbol").string(r.symbol).key("timeframe").string(r.timeframe);
      w.key("priority").number(static_cast<std::int64_t>(r.priority)).end_object();
      append_audit(txn, by, "run.submitted", "run:" + r.id, w.take());
      txn.commit();
      return {read_run(inserted[0]), false};
    }
    txn.abort();
  }
  throw std::runtime_error("submission kept conflicting with concurrent submissions");
}

std::optional<run_row> find_run(pqxx::connection_base& c, std::int64_t user_id,
                                const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  static const std::string sql = "SELECT " + std::string(run_columns)
                                 + " FROM runs WHERE user_id = $1 AND id = $2::uuid AND sweep_id "
                                   "IS NULL AND walk_forward_id IS NULL";
  auto r = exec_prepared(txn, "find_run", sql, user_id, id);
  if (r.empty())
    return std::nullopt;
  return read_run(r[0]);
}

const std::vector<std::string>& sortable_run_columns() {
  static const std::vector<std::string> columns{
      "created_at",       "sharpe_ratio", "net_profit",    "total_return_pct",
      "max_drawdown_pct", "win_rate",     "profit_factor", "total_trades"};
  return columns;
}

run_page list_runs(pqxx::connection_base& c, std::int64_t user_id, const run_filter& f) {
  // The sort column comes from a fixed list, never from the request text.
  std::string sort = "created_at";
  for (const auto& col : sortable_run_columns())
    if (col == f.sort)
      sort = col;
  // A sweep's chunks are its own, not runs of the history.
  const std::string where =
      " FROM runs WHERE user_id = $1 AND sweep_id IS NULL AND walk_forward_id IS NULL "
      "AND ($2::text IS NULL OR status = $2) "
      "AND ($3::text IS NULL OR symbol = $3) "
      "AND ($4::text IS NULL OR strategy = $4) AND ($5::bigint IS NULL OR "
      "created_at >= to_timestamp($5)) "
      "AND ($6::bigint IS NULL OR created_at <= to_timestamp($6))";
  // Orders that match an index (0005_history_indexes.sql) read only the
  // page: newest first or oldest first, and every metric best first.
  std::string order;
  if (sort == "created_at")
    order = f.descending ? "created_at DESC, id DESC" : "created_at ASC, id ASC";
  else
    order = sort + (f.descending ? " DESC NULLS LAST" : " ASC NULLS LAST")
            + ", created_at DESC, id DESC";
  pqxx::read_transaction txn(c);
  // The total is counted up to a bound past the page, so that a page costs
  // the same whether the user has 100 runs or 200,000.
  const std::int64_t count_cap = f.offset + f.limit + total_count_margin;
  auto total =
      txn.exec_params("SELECT count(*) FROM (SELECT 1" + where + " LIMIT $7) capped", user_id,
                      f.status, f.symbol, f.strategy, f.created_from, f.created_to, count_cap);
  auto rows = txn.exec_params(
      "SELECT " + std::string(run_columns) + where + " ORDER BY " + order + " LIMIT $7 OFFSET $8",
      user_id, f.status, f.symbol, f.strategy, f.created_from, f.created_to, f.limit, f.offset);
  run_page page;
  for (const auto& r : rows)
    page.runs.push_back(read_run(r));
  page.total = total[0][0].as<std::int64_t>();
  page.total_exact = page.total < count_cap;
  return page;
}

std::optional<run_status> cancel_run(pqxx::connection_base& c, std::int64_t user_id,
                                     const std::string& id, const audit_actor& by) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::work txn(c);
  auto r = txn.exec_params("SELECT status FROM runs WHERE user_id = $1 AND id = $2::uuid AND "
                           "sweep_id IS NULL AND walk_forward_id IS NULL FOR "
                           "UPDATE",
                           user_id, id);
  if (r.empty())
    return std::nullopt;
  const run_status before =
      parse_run_status(r[0][0].as<std::string>()).value_or(run_status::failed);
  if (before == run_status::queued || before == run_status::running) {
    txn.exec_params(
        "UPDATE runs SET status = 'cancelled', finished_at = now(), progress = CASE WHEN status = "
        "'queued' THEN 0 ELSE progress END WHERE id = $1::uuid",
        id);
    append_audit(txn, by, "run.cancelled", "run:" + id,
                 std::string("{\"status_before\":\"") + std::string(to_string(before)) + "\"}");
  }
  txn.commit();
  return before;
}

bool delete_run(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                const audit_actor& by) {
  if (!is_uuid_text(id))
    return false;
  pqxx::work txn(c);
  auto r = txn.exec_params("DELETE FROM runs WHERE user_id = $1 AND id = $2::uuid AND "
                           "sweep_id IS NULL AND walk_forward_id IS NULL AND status IN "
                           "('completed', 'failed', 'cancelled')",
                           user_id, id);
  if (r.affected_rows() == 1)
    append_audit(txn, by, "run.deleted", "run:" + id);
  txn.commit();
  return r.affected_rows() == 1;
}

} // namespace bt::db
