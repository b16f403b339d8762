#include "persistence/program_store.hpp"

#include "persistence/run_rows.hpp"

#include <pqxx/pqxx>

namespace bt::db {

using namespace detail;

namespace {

constexpr const char* program_columns = "id::text, user_id, name, symbol, timeframe, spec_json, "
                                        "extract(epoch FROM created_at)::bigint";

program_row read_program(const pqxx::row& r) {
  return {r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::string>(),
          r[3].as<std::string>(), r[4].as<std::string>(),  r[5].as<std::string>(),
          r[6].as<std::int64_t>()};
}

// A cycle with the counts of its walk-forwards' runs by state.
constexpr const char* cycle_select =
    "SELECT c.cycle, extract(epoch FROM c.as_of)::bigint, extract(epoch FROM "
    "c.created_at)::bigint, "
    "extract(epoch FROM c.finished_at)::bigint, c.data_checksum, c.configurations, c.skipped, "
    "c.scorecard_json, c.reason, extract(epoch FROM c.triggered_at)::bigint, "
    "(SELECT count(*) FROM program_evaluations e JOIN runs r ON r.walk_forward_id = "
    "e.walk_forward_id "
    " WHERE e.program_id = c.program_id AND e.cycle = c.cycle AND r.status IN ('queued', "
    "'running')), "
    "(SELECT count(*) FROM program_evaluations e JOIN runs r ON r.walk_forward_id = "
    "e.walk_forward_id "
    " WHERE e.program_id = c.program_id AND e.cycle = c.cycle AND r.status = 'completed'), "
    "(SELECT count(*) FROM program_evaluations e LEFT JOIN runs r ON r.walk_forward_id = "
    "e.walk_forward_id WHERE e.program_id = c.program_id AND e.cycle = c.cycle "
    " AND (r.id IS NULL OR r.status IN ('failed', 'cancelled'))) "
    "FROM program_cycles c ";

cycle_row read_cycle(const pqxx::row& r) {
  cycle_row c;
  c.cycle = r[0].as<int>();
  c.as_of = r[1].as<std::int64_t>();
  c.created_at = r[2].as<std::int64_t>();
  if (!r[3].is_null())
    c.finished_at = r[3].as<std::int64_t>();
  c.data_checksum = r[4].as<std::string>();
  c.configurations = r[5].as<std::int64_t>();
  c.skipped = r[6].as<std::int64_t>();
  if (!r[7].is_null())
    c.scorecard_json = r[7].as<std::string>();
  c.reason = r[8].as<std::string>();
  if (!r[9].is_null())
    c.triggered_at = r[9].as<std::int64_t>();
  c.active = r[10].as<std::int64_t>();
  c.completed = r[11].as<std::int64_t>();
  c.ended_otherwise = r[12].as<std::int64_t>();
  return c;
}

} // namespace

void create_program(pqxx::connection_base& c, const program_row& p, const audit_actor& by) {
  pqxx::work txn(c);
  txn.exec_params("INSERT INTO programs (id, user_id, name, symbol, timeframe, spec_json) "
                  "VALUES ($1::uuid, $2, $3, $4, $5, $6)",
                  p.id, p.user_id, p.name, p.symbol, p.timeframe, p.spec_json);
  append_audit(txn, by, "program.created", "program:" + p.id, p.spec_json);
  txn.commit();
}

std::optional<program_row> find_program(pqxx::connection_base& c, std::int64_t user_id,
                                        const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params(std::string("SELECT ") + program_columns
                               + " FROM programs WHERE user_id = $1 AND id = $2::uuid",
                           user_id, id);
  if (r.empty())
    return std::nullopt;
  return read_program(r[0]);
}

std::optional<program_row> find_program_by_id(pqxx::connection_base& c, const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params(
      std::string("SELECT ") + program_columns + " FROM programs WHERE id = $1::uuid", id);
  if (r.empty())
    return std::nullopt;
  return read_program(r[0]);
}

std::vector<program_row> list_programs(pqxx::connection_base& c, std::int64_t user_id,
                                       std::int64_t limit, std::int64_t offset,
                                       std::int64_t& total) {
  pqxx::read_transaction txn(c);
  total = txn.exec_params("SELECT count(*) FROM programs WHERE user_id = $1", user_id)[0][0]
              .as<std::int64_t>();
  std::vector<program_row> out;
  for (const auto& r : txn.exec_params(std::string("SELECT ") + program_columns
                                           + " FROM programs WHERE user_id = $1 ORDER BY "
                                             "created_at DESC, id DESC LIMIT $2 OFFSET $3",
                                       user_id, limit, offset))
    out.push_back(read_program(r));
  return out;
}

bool delete_program(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                    const audit_actor& by) {
  if (!is_uuid_text(id))
    return false;
  pqxx::work txn(c);
  auto r =
      txn.exec_params("DELETE FROM programs WHERE user_id = $1 AND id = $2::uuid", user_id, id);
  if (r.affected_rows() != 1)
    return false;
  append_audit(txn, by, "program.deleted", "program:" + id);
  txn.commit();
  return true;
}

std::int64_t count_programs(pqxx::connection_base& c, std::int64_t user_id) {
  pqxx::read_transaction txn(c);
  return txn.exec_params("SELECT count(*) FROM programs WHERE user_id = $1", user_id)[0][0]
      .as<std::int64_t>();
}

std::vector<program_row> programs_with_deployments(pqxx::connection_base& c, std::int64_t limit) {
  pqxx::read_transaction txn(c);
  std::vector<program_row> out;
  for (const auto& r : txn.exec_params(
           std::string("SELECT ") + program_columns
               + " FROM programs p WHERE EXISTS (SELECT 1 FROM deployments d WHERE d.program_id "
                 "= p.id AND d.status = 'active') ORDER BY created_at, id LIMIT $1",
           limit))
    out.push_back(read_program(r));
  return out;
}

std::vector<program_row> scheduled_programs(pqxx::connection_base& c, std::int64_t limit) {
  pqxx::read_transaction txn(c);
  std::vector<program_row> out;
  for (const auto& r : txn.exec_params(std::string("SELECT ") + program_columns
                                           + " FROM programs WHERE spec_json::jsonb ? 'schedule' "
                                             "ORDER BY created_at, id LIMIT $1",
                                       limit))
    out.push_back(read_program(r));
  return out;
}

std::string owner_name(pqxx::connection_base& c, std::int64_t user_id) {
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params("SELECT name FROM users WHERE id = $1", user_id);
  return r.empty() ? std::string("unknown") : r[0][0].as<std::string>();
}

principal acting_for_owner(pqxx::connection_base& c, std::int64_t user_id, const std::string& pass,
                           const std::string& role) {
  principal who;
  who.user_id = user_id;
  who.name = owner_name(c, user_id) + " (" + pass + ")";
  who.role = role;
  return who;
}

std::vector<cycle_row> list_cycles(pqxx::connection_base& c, const std::string& program_id) {
  pqxx::read_transaction txn(c);
  std::vector<cycle_row> out;
  for (const auto& r :
       txn.exec_params(std::string(cycle_select) + "WHERE c.program_id = $1::uuid ORDER BY c.cycle",
                       program_id))
    out.push_back(read_cycle(r));
  return out;
}

std::optional<cycle_row> find_cycle(pqxx::connection_base& c, const std::string& program_id,
                                    int cycle) {
  pqxx::read_transaction txn(c);
  auto r =
      txn.exec_params(std::string(cycle_select) + "WHERE c.program_id = $1::uuid AND c.cycle = $2",
                      program_id, cycle);
  if (r.empty())
    return std::nullopt;
  return read_cycle(r[0]);
}

std::vector<std::string> evaluated_keys(pqxx::connection_base& c, const std::string& program_id,
                                        const std::vector<std::string>& keys) {
  pqxx::read_transaction txn(c);
  std::vector<std::string> out;
  // One parameter: the keys as a text array.
  std::string array = "{";
  for (std::size_t i = 0; i < keys.size(); ++i)
    array += (i ? "," : "") + keys[i]; // hex digests: no quoting needed
  array += "}";
  for (const auto& r : txn.exec_params("SELECT config_key FROM program_evaluations WHERE "
                                       "program_id = $1::uuid AND config_key = ANY($2::text[])",
                                       program_id, array))
    out.push_back(r[0].as<std::string>());
  return out;
}

int next_cycle(pqxx::connection_base& c, const std::string& program_id) {
  pqxx::read_transaction txn(c);
  return txn
      .exec_params("SELECT coalesce(max(cycle), 0) + 1 FROM program_cycles WHERE "
                   "program_id = $1::uuid",
                   program_id)[0][0]
      .as<int>();
}

void create_cycle(pqxx::connection_base& c, const std::string& program_id, const cycle_row& cycle,
                  const std::vector<evaluation_row>& evaluations, const audit_actor& by) {
  pqxx::work txn(c);
  txn.exec_params("INSERT INTO program_cycles (program_id, cycle, as_of, data_checksum, "
                  "configurations, skipped, reason, triggered_at) VALUES ($1::uuid, $2, "
                  "to_timestamp($3), $4, $5, $6, $7, CASE WHEN $8 THEN to_timestamp($9) END)",
                  program_id, cycle.cycle, cycle.as_of, cycle.data_checksum, cycle.configurations,
                  cycle.skipped, cycle.reason, cycle.triggered_at.has_value(),
                  cycle.triggered_at.value_or(0));
  for (const auto& e : evaluations)
    txn.exec_params("INSERT INTO program_evaluations (program_id, cycle, config_index, "
                    "template_index, strategy, params_json, config_key, walk_forward_id, symbol) "
                    "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::uuid, $9)",
                    program_id, cycle.cycle, e.config_index, e.template_index, e.strategy,
                    e.params_json, e.config_key, e.walk_forward_id, e.symbol);
  // Every entry about a program is on its object: its history is one filter.
  append_audit(txn, by, "program.cycle_started", "program:" + program_id,
               "{\"cycle\":" + std::to_string(cycle.cycle) + ",\"reason\":\"" + cycle.reason
                   + "\",\"configurations\":" + std::to_string(cycle.configurations)
                   + ",\"skipped\":" + std::to_string(cycle.skipped) + ",\"data_checksum\":\""
                   + cycle.data_checksum + "\"}");
  txn.commit();
}

std::vector<evaluation_row> cycle_evaluations(pqxx::connection_base& c,
                                              const std::string& program_id, int cycle) {
  pqxx::read_transaction txn(c);
  std::vector<evaluation_row> out;
  for (const auto& r : txn.exec_params(
           "SELECT e.config_index, e.template_index, e.strategy, e.params_json, e.config_key, "
           "e.walk_forward_id::text, coalesce(r.status, 'deleted'), e.symbol FROM "
           "program_evaluations e "
           "LEFT JOIN runs r ON r.walk_forward_id = e.walk_forward_id "
           "WHERE e.program_id = $1::uuid AND e.cycle = $2 ORDER BY e.config_index",
           program_id, cycle)) {
    evaluation_row e;
    e.config_index = r[0].as<int>();
    e.template_index = r[1].as<int>();
    e.strategy = r[2].as<std::string>();
    e.params_json = r[3].as<std::string>();
    e.config_key = r[4].as<std::string>();
    if (!r[5].is_null())
      e.walk_forward_id = r[5].as<std::string>();
    e.status = r[6].as<std::string>();
    e.symbol = r[7].as<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

bool store_scorecard(pqxx::connection_base& c, const std::string& program_id, int cycle,
                     const std::string& scorecard_json, const audit_actor& by) {
  pqxx::work txn(c);
  auto r = txn.exec_params("UPDATE program_cycles SET scorecard_json = $3, finished_at = now() "
                           "WHERE program_id = $1::uuid AND cycle = $2 AND scorecard_json IS NULL",
                           program_id, cycle, scorecard_json);
  if (r.affected_rows() == 1)
    append_audit(txn, by, "program.scorecard", "program:" + program_id,
                 "{\"cycle\":" + std::to_string(cycle) + "}");
  txn.commit();
  return r.affected_rows() == 1;
}

namespace {

constexpr const char* replay_columns =
    "id::text, program_id::text, extract(epoch FROM range_from)::bigint, "
    "extract(epoch FROM range_to)::bigint, status, cycles_done, cycles_total, result_json, error, "
    "extract(epoch FROM created_at)::bigint, extract(epoch FROM started_at)::bigint, "
    "extract(epoch FROM finished_at)::bigint";

replay_row read_replay(const pqxx::row& r) {
  replay_row x;
  x.id = r[0].as<std::string>();
  x.program_id = r[1].as<std::string>();
  x.from = r[2].as<std::int64_t>();
  x.to = r[3].as<std::int64_t>();
  x.status = r[4].as<std::string>();
  x.cycles_done = r[5].as<std::int64_t>();
  x.cycles_total = r[6].as<std::int64_t>();
  x.result_json = opt<std::string>(r[7]);
  x.error = opt<std::string>(r[8]);
  x.created_at = r[9].as<std::int64_t>();
  x.started_at = opt<std::int64_t>(r[10]);
  x.finished_at = opt<std::int64_t>(r[11]);
  return x;
}

} // namespace

bool create_replay(pqxx::connection_base& c, const replay_row& r, std::int64_t max_pending,
                   const audit_actor& by) {
  pqxx::work txn(c);
  // The program's row, locked: two requests cannot both pass the limit.
  txn.exec_params("SELECT 1 FROM programs WHERE id = $1::uuid FOR UPDATE", r.program_id);
  const auto pending =
      txn.exec_params("SELECT count(*) FROM program_replays WHERE program_id = $1::uuid AND "
                      "status IN ('queued', 'running')",
                      r.program_id)[0][0]
          .as<std::int64_t>();
  if (pending >= max_pending)
    return false;
  txn.exec_params("INSERT INTO program_replays (id, program_id, range_from, range_to, status, "
                  "cycles_total) VALUES ($1::uuid, $2::uuid, to_timestamp($3), to_timestamp($4), "
                  "'queued', $5)",
                  r.id, r.program_id, r.from, r.to, r.cycles_total);
  // The newest finished replays are kept, max_replays_per_program in all.
  txn.exec_params("DELETE FROM program_replays WHERE id IN (SELECT id FROM program_replays WHERE "
                  "program_id = $1::uuid AND status IN ('completed', 'failed') ORDER BY "
                  "created_at DESC, id OFFSET $2)",
                  r.program_id, max_replays_per_program - max_pending);
  append_audit(txn, by, "program.replay_queued", "program:" + r.program_id,
               "{\"replay_id\":\"" + r.id + "\",\"cycles\":" + std::to_string(r.cycles_total)
                   + "}");
  txn.commit();
  return true;
}

std::optional<replay_row> find_replay(pqxx::connection_base& c, const std::string& program_id,
                                      const std::string& id) {
  if (!is_uuid_text(id))
    return std::nullopt;
  pqxx::read_transaction txn(c);
  auto r = txn.exec_params(std::string("SELECT ") + replay_columns
                               + " FROM program_replays WHERE program_id = $1::uuid AND id = "
                                 "$2::uuid",
                           program_id, id);
  if (r.empty())
    return std::nullopt;
  return read_replay(r[0]);
}

std::vector<replay_row> list_replays(pqxx::connection_base& c, const std::string& program_id,
                                     std::int64_t limit) {
  pqxx::read_transaction txn(c);
  std::vector<replay_row> out;
  for (const auto& r :
       txn.exec_params(std::string("SELECT ") + replay_columns
                           + " FROM program_replays WHERE program_id = $1::uuid ORDER BY "
                             "created_at DESC, id LIMIT $2",
                       program_id, limit))
    out.push_back(read_replay(r));
  return out;
}

std::optional<replay_row> claim_replay(pqxx::connection_base& c) {
  pqxx::work txn(c);
  auto r = txn.exec(std::string("UPDATE program_replays SET status = 'running', started_at = "
                                "now() WHERE id = (SELECT id FROM program_replays WHERE status = "
                                "'queued' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                                "RETURNING ")
                    + replay_columns);
  txn.commit();
  if (r.empty())
    return std::nullopt;
  return read_replay(r[0]);
}

bool replay_progress(pqxx::connection_base& c, const std::string& id, std::int64_t done,
                     std::int64_t total) {
  pqxx::work txn(c);
  auto r = txn.exec_params("UPDATE program_replays SET cycles_done = $2, cycles_total = $3 WHERE "
                           "id = $1::uuid",
                           id, done, total);
  txn.commit();
  return r.affected_rows() == 1;
}

void finish_replay(pqxx::connection_base& c, const std::string& id, bool completed,
                   const std::string& result_or_error) {
  pqxx::work txn(c);
  txn.exec_params("UPDATE program_replays SET status = $2, finished_at = now(), result_json = "
                  "CASE WHEN $3 THEN $4 END, error = CASE WHEN $3 THEN NULL ELSE $4 END WHERE id "
                  "= $1::uuid",
                  id, completed ? "completed" : "failed", completed, result_or_error);
  txn.commit();
}

std::int64_t requeue_replays(pqxx::connection_base& c) {
  pqxx::work txn(c);
  auto r = txn.exec("UPDATE program_replays SET status = 'queued', started_at = NULL, "
                    "cycles_done = 0 WHERE status = 'running'");
  txn.commit();
  return static_cast<std::int64_t>(r.affected_rows());
}

} // namespace bt::db
