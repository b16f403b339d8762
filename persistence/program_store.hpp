#pragma once
// Evaluation programs, their cycles and each cycle's configurations
// (migration 0018). Every change is audited in its own transaction.

#include "domain/data/timestamp.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/user_repository.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

struct program_row {
  std::string id;
  std::int64_t user_id = 0;
  std::string name, symbol, timeframe, spec_json;
  unix_time created_at = 0;
};

void create_program(pqxx::connection_base& c, const program_row& p, const audit_actor& by);
std::optional<program_row> find_program(pqxx::connection_base& c, std::int64_t user_id,
                                        const std::string& id);
/// Any user's program by id (the server's own passes; requests use
/// find_program with their user).
std::optional<program_row> find_program_by_id(pqxx::connection_base& c, const std::string& id);
std::vector<program_row> list_programs(pqxx::connection_base& c, std::int64_t user_id,
                                       std::int64_t limit, std::int64_t offset,
                                       std::int64_t& total);
/// Deletes it with its cycles (their walk-forwards stay, as the user's);
/// false when there is none.
bool delete_program(pqxx::connection_base& c, std::int64_t user_id, const std::string& id,
                    const audit_actor& by);
std::int64_t count_programs(pqxx::connection_base& c, std::int64_t user_id);
/// Every user's programs whose specification has a schedule, oldest first,
/// at most `limit`: what the server's program schedule looks at.
std::vector<program_row> scheduled_programs(pqxx::connection_base& c, std::int64_t limit);
/// Every user's programs with an active paper deployment, oldest first,
/// at most `limit`: what the server's deployment pass advances.
std::vector<program_row> programs_with_deployments(pqxx::connection_base& c, std::int64_t limit);
/// The program's owner's name (its cycles' audit entries name them).
std::string owner_name(pqxx::connection_base& c, std::int64_t user_id);
/// The owner as one of the server's own passes acting for them (the
/// program schedule, the deployment rules): no key, and audit entries that
/// name the owner and the pass, "dana (program schedule)".
principal acting_for_owner(pqxx::connection_base& c, std::int64_t user_id, const std::string& pass,
                           const std::string& role);

struct cycle_row {
  int cycle = 0;
  unix_time as_of = 0, created_at = 0;
  std::optional<unix_time> finished_at;
  std::string data_checksum;
  std::int64_t configurations = 0, skipped = 0;
  std::optional<std::string> scorecard_json;
  std::string reason = "manual";         ///< manual | schedule | regime_change | volatility_change
  std::optional<unix_time> triggered_at; ///< when the data that triggered it was stored
  /// Of its walk-forwards' runs: how many are queued or running, completed, and ended otherwise.
  std::int64_t active = 0, completed = 0, ended_otherwise = 0;
};
std::vector<cycle_row> list_cycles(pqxx::connection_base& c, const std::string& program_id);
std::optional<cycle_row> find_cycle(pqxx::connection_base& c, const std::string& program_id,
                                    int cycle);

struct evaluation_row {
  int config_index = 0, template_index = 0;
  std::string strategy, params_json, config_key;
  std::string symbol; ///< what it is tested on ('' in rows before 0023: the program's)
  std::optional<std::string> walk_forward_id;
  std::string status; ///< of the walk-forward's run ("deleted" when it is gone)
};
/// Which of `keys` this program has evaluated already.
std::vector<std::string> evaluated_keys(pqxx::connection_base& c, const std::string& program_id,
                                        const std::vector<std::string>& keys);
/// The next cycle's number (1 for the first).
int next_cycle(pqxx::connection_base& c, const std::string& program_id);
void create_cycle(pqxx::connection_base& c, const std::string& program_id, const cycle_row& cycle,
                  const std::vector<evaluation_row>& evaluations, const audit_actor& by);
std::vector<evaluation_row> cycle_evaluations(pqxx::connection_base& c,
                                              const std::string& program_id, int cycle);
/// Stores the scorecard once (a second writer finds it written): whether
/// this call wrote it.
bool store_scorecard(pqxx::connection_base& c, const std::string& program_id, int cycle,
                     const std::string& scorecard_json, const audit_actor& by);

struct replay_row {
  std::string id, program_id;
  unix_time from = 0, to = 0;
  std::string status; ///< queued | running | completed | failed
  std::int64_t cycles_done = 0, cycles_total = 0;
  std::optional<std::string> result_json, error;
  unix_time created_at = 0;
  std::optional<unix_time> started_at, finished_at;
};
/// Replays a program keeps (the oldest finished ones go first).
inline constexpr std::int64_t max_replays_per_program = 50;
/// Queues a replay (audited); false when the program has `max_pending`
/// queued or running already.
bool create_replay(pqxx::connection_base& c, const replay_row& r, std::int64_t max_pending,
                   const audit_actor& by);
std::optional<replay_row> find_replay(pqxx::connection_base& c, const std::string& program_id,
                                      const std::string& id);
std::vector<replay_row> list_replays(pqxx::connection_base& c, const std::string& program_id,
                                     std::int64_t limit);
/// The oldest queued replay, marked running; none when none is queued.
std::optional<replay_row> claim_replay(pqxx::connection_base& c);
/// Its progress; false when it is gone (its program deleted).
bool replay_progress(pqxx::connection_base& c, const std::string& id, std::int64_t done,
                     std::int64_t total);
void finish_replay(pqxx::connection_base& c, const std::string& id, bool completed,
                   const std::string& result_or_error);
/// At start-up: replays a stopped server was running go back to the queue.
std::int64_t requeue_replays(pqxx::connection_base& c);

} // namespace bt::db
