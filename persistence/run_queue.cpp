#include "persistence/run_queue.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/prepared.hpp"
#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdlib>
#include <tuple>

namespace bt::db {

using namespace detail;

queue_stats read_queue_stats(pqxx::connection_base& c) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params(
      "SELECT (SELECT count(*) FROM runs WHERE status = 'queued'), (SELECT count(*) "
      "FROM runs WHERE status = 'running'), "
      "(SELECT coalesce(avg(duration_ms), 0) FROM (SELECT duration_ms FROM runs "
      "WHERE status = 'completed' "
      "AND duration_ms IS NOT NULL ORDER BY finished_at DESC LIMIT $1) recent)",
      static_cast<std::int64_t>(recent_completed_runs));
  return {r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<double>()};
}

std::int64_t queue_position(pqxx::connection_base& c, const run_row& run) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params(
      "SELECT count(*) FROM runs WHERE status = 'queued' AND (priority, queue_seq) < ($1, $2)",
      run.priority, run.queue_seq);
  return r[0][0].as<std::int64_t>() + 1;
}

queue_snapshot read_queue_snapshot(pqxx::connection_base& c) {
  pqxx::read_transaction txn(c); // both lists from one snapshot
  queue_snapshot s;
  // The queue is bounded by --queue-capacity; the limit is a second fence.
  for (const auto& r : txn.exec(
           "SELECT id::text, user_id, greatest(0, extract(epoch FROM not_before - now()))::float8 "
           "FROM runs WHERE status = 'queued' ORDER BY priority, queue_seq LIMIT 100000"))
    s.queue.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<double>()});
  for (const auto& r : txn.exec(
           "SELECT id::text, user_id, coalesce(extract(epoch FROM now() - started_at), 0)::float8 "
           "FROM runs WHERE status = 'running'"))
    s.active.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<double>()});
  return s;
}

queue_overview read_queue_overview(pqxx::connection_base& c, std::int64_t limit) {
  pqxx::read_transaction txn(c); // the three lists from one snapshot
  queue_overview o;
  const char* priorities[] = {"high", "normal", "low"};
  auto entry_of = [&](const pqxx::row& r) {
    queue_overview::entry e;
    e.run_id = r["id"].as<std::string>();
    e.user = r["name"].as<std::string>();
    e.status = r["status"].as<std::string>();
    e.priority = priorities[std::clamp(r["priority"].as<int>(), 0, 2)];
    e.strategy = r["strategy"].as<std::string>();
    e.symbol = r["symbol"].as<std::string>();
    e.timeframe = r["timeframe"].as<std::string>();
    e.worker_id = r["worker_id"].is_null() ? "" : r["worker_id"].as<std::string>();
    e.error = r["error"].is_null() ? "" : r["error"].as<std::string>();
    e.attempts = r["attempts"].as<std::int64_t>();
    e.progress = r["progress"].as<double>();
    e.created_at = r["created"].as<std::int64_t>();
    if (!r["started"].is_null())
      e.started_at = r["started"].as<std::int64_t>();
    return e;
  };
  const std::string columns =
      "SELECT r.id::text AS id, u.name, r.status, r.priority, r.strategy, r.symbol, r.timeframe, "
      "r.worker_id, r.error, r.attempts, r.progress, "
      "extract(epoch FROM r.created_at)::bigint AS created, "
      "extract(epoch FROM r.started_at)::bigint AS started";
  std::int64_t position = 0;
  for (const auto& r : txn.exec_params(
           columns
               + " FROM runs r JOIN users u ON u.id = r.user_id WHERE r.status = 'queued' "
                 "ORDER BY r.priority, r.queue_seq LIMIT $1",
           limit)) {
    o.queued.push_back(entry_of(r));
    o.queued.back().position = ++position; // dispatch order, as the queue manager claims
  }
  for (const auto& r : txn.exec_params(
           columns
               + " FROM runs r JOIN users u ON u.id = r.user_id WHERE r.status = 'running' "
                 "ORDER BY r.started_at LIMIT $1",
           limit))
    o.running.push_back(entry_of(r));
  for (const auto& r : txn.exec_params(
           columns
               + ", extract(epoch FROM d.created_at)::bigint AS dead FROM dead_letters d "
                 "JOIN runs r ON r.id = d.run_id JOIN users u ON u.id = r.user_id "
                 "ORDER BY d.created_at DESC LIMIT $1",
           limit)) {
    o.dead_letters.push_back(entry_of(r));
    o.dead_letters.back().dead_at = r["dead"].as<std::int64_t>();
  }
  auto counts = txn.exec("SELECT (SELECT count(*) FROM runs WHERE status = 'queued'), "
                         "(SELECT count(*) FROM dead_letters)");
  o.queued_total = counts[0][0].as<std::int64_t>();
  o.dead_letters_total = counts[0][1].as<std::int64_t>();
  return o;
}

namespace {

const std::string& active_run_select() {
  static const std::string select =
      "SELECT " + std::string(run_columns)
      + ", greatest(0, extract(epoch FROM not_before - now()))::float8, "
        "coalesce(extract(epoch FROM now() - started_at), 0)::float8 "
        "FROM runs ";
  return select;
}

active_run read_active_run(const pqxx::row& r) {
  const auto n = r.size();
  return {read_run(r), r[n - 2].as<double>(), r[n - 1].as<double>()};
}

} // namespace

std::vector<active_run> read_active_runs(pqxx::connection_base& c, std::size_t limit) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  std::vector<active_run> out;
  for (const auto& r :
       txn.exec_params(active_run_select() + "WHERE status IN ('queued', 'running') LIMIT $1",
                       static_cast<std::int64_t>(limit)))
    out.push_back(read_active_run(r));
  return out;
}

std::optional<active_run> read_run_state(pqxx::connection_base& c, const std::string& run_id) {
  if (!is_uuid_text(run_id))
    return std::nullopt;
  pqxx::nontransaction txn(c);
  static const std::string one = active_run_select() + "WHERE id = $1::uuid";
  const pqxx::result rows = exec_prepared(txn, "run_state", one, run_id);
  if (rows.empty())
    return std::nullopt;
  return read_active_run(rows[0]);
}

std::vector<double> recent_durations_ms(pqxx::connection_base& c, std::size_t limit) {
  pqxx::nontransaction txn(c);
  std::vector<double> out;
  for (const auto& r : txn.exec_params("SELECT duration_ms FROM runs WHERE status = 'completed' "
                                       "AND duration_ms IS NOT NULL ORDER BY finished_at DESC "
                                       "LIMIT $1",
                                       static_cast<std::int64_t>(limit)))
    out.push_back(r[0].as<double>());
  return out;
}

std::optional<run_attempt> claim_next(pqxx::connection_base& c, const std::string& worker_id,
                                      int per_user_limit) {
  pqxx::work txn(c);
  auto r = exec_prepared(
      txn, "claim_next",
      "UPDATE runs SET status = 'running', attempts = attempts + 1, worker_id = $1, started_at = "
      "now(), "
      "progress = 0, trades_so_far = 0 WHERE id = ("
      "  SELECT q.id FROM runs q WHERE q.status = 'queued' AND q.not_before <= now() AND "
      "  (SELECT count(*) FROM runs x WHERE x.user_id = q.user_id AND x.status = 'running') < $2 "
      "  ORDER BY q.priority, q.queue_seq LIMIT 1 FOR UPDATE SKIP LOCKED) "
      "RETURNING id::text, user_id, attempts, symbol, timeframe, source_timeframe, config_json, "
      "config_hash, "
      "extract(epoch FROM start_time)::bigint, extract(epoch FROM end_time)::bigint, "
      "coalesce(trace_parent, ''), strategy || '@' || strategy_version, "
      "(extract(epoch FROM greatest(created_at, not_before)) * 1000000)::bigint",
      worker_id, per_user_limit);
  txn.commit();
  if (r.empty())
    return std::nullopt;
  run_attempt j;
  j.run_id = r[0][0].as<std::string>();
  j.user_id = r[0][1].as<std::int64_t>();
  j.attempt = r[0][2].as<std::int32_t>();
  j.symbol = r[0][3].as<std::string>();
  j.timeframe = r[0][4].as<std::string>();
  j.source_timeframe = r[0][5].as<std::string>();
  j.config_json = r[0][6].as<std::string>();
  j.config_hash = r[0][7].as<std::string>();
  j.start = r[0][8].as<std::int64_t>();
  j.end = r[0][9].as<std::int64_t>();
  // The run's trace: "00-<trace id>-<submission span id>-01".
  const std::string parent = r[0][10].as<std::string>();
  if (parent.size() == 55) {
    j.trace_id = parent.substr(3, 32);
    j.submit_span_id = parent.substr(36, 16);
  }
  j.strategy_id = r[0][11].as<std::string>();
  j.eligible_ns = r[0][12].as<std::int64_t>() * 1000;
  j.worker_id = worker_id;
  return j;
}

void release_claim(pqxx::connection_base& c, const run_attempt& job) {
  pqxx::work txn(c);
  txn.exec_params("UPDATE runs SET status = 'queued', attempts = attempts - 1, worker_id = NULL, "
                  "started_at = NULL "
                  "WHERE id = $1::uuid AND status = 'running' AND attempts = $2",
                  job.run_id, job.attempt);
  txn.commit();
}

std::int64_t requeue_orphans(pqxx::connection_base& c) {
  pqxx::work txn(c);
  auto r = txn.exec(
      "UPDATE runs SET status = 'queued', worker_id = NULL, not_before = now(), "
      "errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempts, 'error', "
      "'the server stopped during this attempt', 'at', now())) WHERE status = 'running'");
  txn.commit();
  return static_cast<std::int64_t>(r.affected_rows());
}

namespace {

std::string failure_details(const run_attempt& job, const std::string& error) {
  json_writer w;
  w.begin_object().key("attempt").number(static_cast<std::int64_t>(job.attempt));
  w.key("error").string(error).end_object();
  return w.take();
}

} // namespace

failure_outcome fail_attempt(pqxx::connection_base& c, const run_attempt& job,
                             const std::string& error, int max_attempts,
                             std::int64_t retry_delay_ms, failure_kind kind) {
  pqxx::work txn(c);
  auto current = txn.exec_params("SELECT attempts FROM runs WHERE id = $1::uuid AND status = "
                                 "'running' AND attempts = $2 FOR UPDATE",
                                 job.run_id, job.attempt);
  if (current.empty())
    return failure_outcome::stale;
  const std::string append = "errors = errors || jsonb_build_array(jsonb_build_object('attempt', "
                             "$2::int, 'error', $3::text, 'at', now()))";
  if (kind == failure_kind::permanent) {
    txn.exec_params("UPDATE runs SET status = 'failed', finished_at = now(), error = $3, " + append
                        + " WHERE id = $1::uuid",
                    job.run_id, job.attempt, error);
    append_audit(txn, audit_actor{}, "run.failed", "run:" + job.run_id,
                 failure_details(job, error));
    txn.commit();
    return failure_outcome::failed;
  }
  if (job.attempt < max_attempts) {
    txn.exec_params(
        "UPDATE runs SET status = 'queued', worker_id = NULL, progress = 0, " + append
            + ", not_before = now() + ($4::bigint * interval '1 millisecond') WHERE id = $1::uuid",
        job.run_id, job.attempt, error, retry_delay_ms);
    txn.commit();
    return failure_outcome::requeued;
  }
  txn.exec_params("UPDATE runs SET status = 'failed', finished_at = now(), error = $3, " + append
                      + " WHERE id = $1::uuid",
                  job.run_id, job.attempt, error);
  txn.exec_params("INSERT INTO dead_letters (run_id, user_id, attempts, errors) SELECT id, "
                  "user_id, attempts, errors "
                  "FROM runs WHERE id = $1::uuid ON CONFLICT (run_id) DO NOTHING",
                  job.run_id);
  append_audit(txn, audit_actor{}, "run.dead_lettered", "run:" + job.run_id,
               failure_details(job, error));
  txn.commit();
  return failure_outcome::dead_lettered;
}

void finish_cancelled(pqxx::connection_base& c, const run_attempt& job) {
  pqxx::work txn(c);
  txn.exec_params("UPDATE runs SET finished_at = coalesce(finished_at, now()) WHERE id = $1::uuid "
                  "AND status = 'cancelled'",
                  job.run_id);
  txn.commit();
}

std::optional<std::pair<std::int32_t, std::string>> dead_letter(pqxx::connection_base& c,
                                                                const std::string& run_id) {
  if (!is_uuid_text(run_id))
    return std::nullopt;
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r = txn.exec_params(
      "SELECT attempts, errors::text FROM dead_letters WHERE run_id = $1::uuid", run_id);
  if (r.empty())
    return std::nullopt;
  return std::make_pair(r[0][0].as<std::int32_t>(), r[0][1].as<std::string>());
}

} // namespace bt::db
