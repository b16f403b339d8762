// Replays of a program's promotion process: POST /v1/programs/{id}/replay
// {"from", "to"} queues one (a submission against the key's quota), the
// server's replay thread runs them one at a time in the domain
// (domain/evaluation/replay.hpp: every cycle as of its scheduled point,
// seeing only the bars up to it), and GET /v1/programs/{id}/replays[/{id}]
// reads their progress and result. A replay running when the server stops
// goes back to the queue and runs again from the start.
#include "services/backtest_service.hpp"

#include "config/log.hpp"
#include "domain/evaluation/replay.hpp"
#include "domain/report/json_writer.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/program_store.hpp"
#include "services/deployment_rows.hpp"
#include "services/service_reply.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

namespace bt {

namespace {

/// Queued or running replays of one program at most.
constexpr std::int64_t max_pending_replays = 2;
/// Walk-forwards of one replay at most (cycles x configurations).
constexpr std::size_t max_replay_walk_forwards = 100'000;

void write_replay_row(json_writer& w, const db::replay_row& r, bool with_result) {
  w.begin_object().key("replay_id").string(r.id).key("program_id").string(r.program_id);
  w.key("from").timestamp(r.from).key("to").timestamp(r.to).key("status").string(r.status);
  w.key("cycles_done").number(r.cycles_done).key("cycles_total").number(r.cycles_total);
  w.key("created_at").timestamp(r.created_at).key("started_at").timestamp(r.started_at);
  w.key("finished_at").timestamp(r.finished_at);
  if (r.error)
    w.key("error").string(*r.error);
  if (with_result)
    w.key("result").raw(r.result_json.value_or("null"));
  w.end_object();
}

} // namespace

service_reply backtest_service::submit_replay(pqxx::connection& c, const db::principal& who,
                                              const backtest_call& call) {
  const auto found = find_owned_program(c, who.user_id, call.run_id);
  if (!found)
    return error_reply(service_code::not_found, "no program " + call.run_id, {});
  const auto* p = &found->row;
  const auto* spec = &found->spec;
  boost::json::value body;
  if (auto refused = read_object_body(call.body, body))
    return *refused;
  std::vector<error_detail> problems;
  std::optional<unix_time> from, to;
  for (const auto& kv : body.as_object()) {
    const std::string key(kv.key());
    if (key != "from" && key != "to") {
      problems.push_back({key, 0, "unknown field (from, to)"});
      continue;
    }
    unix_time t = 0;
    if (!kv.value().is_string()
        || parse_range_bound(std::string(kv.value().as_string()),
                             key == "to" ? range_bound::end : range_bound::start, t)
               != timestamp_parse::ok)
      problems.push_back({key, 0, "must be a UTC date or time, such as 2024-01-02"});
    else
      (key == "from" ? from : to) = t;
  }
  // The range its symbols' data spans together.
  std::optional<unix_time> first, last;
  for (const auto& symbol : spec->symbols) {
    const auto dataset = db::find_dataset(c, p->user_id, symbol, p->timeframe);
    if (!dataset || !dataset->to)
      return error_reply(service_code::conflict,
                         "the program's data " + symbol + "/" + p->timeframe + " is gone", {});
    first = std::min(first.value_or(*dataset->from), *dataset->from);
    last = std::max(last.value_or(*dataset->to), *dataset->to);
  }
  if (!from && problems.empty())
    problems.push_back({"from", 0, "required: the first scheduled point of the replay"});
  if (!to)
    to = *last;
  if (problems.empty() && (*from < *first || *from > *last || *to > *last))
    problems.push_back({*from < *first || *from > *last ? "from" : "to", 0,
                        "must lie within the data: " + format_timestamp(*first) + " to "
                            + format_timestamp(*last)});
  if (problems.empty() && *from >= *to)
    problems.push_back({"from", 0, "must be before to"});
  if (!problems.empty())
    return error_reply(service_code::unprocessable, "invalid replay", std::move(problems));
  // The cycles it would run: every symbol's calendar counts.
  const auto bars = program_symbol_bars(c, *p, *spec);
  const auto points = replay_points(*spec, bars, *from, *to);
  const std::size_t per_cycle = cycle_configurations(*spec, 1).size() * spec->symbols.size();
  if (points.empty() || points.size() > max_replay_cycles
      || points.size() * per_cycle > max_replay_walk_forwards)
    return error_reply(
        service_code::unprocessable, "invalid replay",
        {{"from", 0,
          points.empty() ? std::string("no bar at or before any scheduled point of the range")
                         : std::to_string(points.size()) + " cycles of " + std::to_string(per_cycle)
                               + " configurations: at most " + std::to_string(max_replay_cycles)
                               + " cycles and " + std::to_string(max_replay_walk_forwards)
                               + " walk-forwards; shorten the range or lengthen schedule.every"}});
  db::replay_row r;
  r.id = new_uuid();
  r.program_id = p->id;
  r.from = *from;
  r.to = *to;
  r.cycles_total = static_cast<std::int64_t>(points.size());
  if (!db::create_replay(c, r, max_pending_replays, db::actor_of(who)))
    return error_reply(service_code::conflict,
                       "the program has " + std::to_string(max_pending_replays)
                           + " replays queued or running; wait for one to finish",
                       {});
  json_writer w;
  w.begin_object().key("replay_id").string(r.id).key("program_id").string(p->id);
  w.key("from").timestamp(r.from).key("to").timestamp(r.to);
  w.key("cycles").number(r.cycles_total);
  w.key("configurations_per_cycle").number(static_cast<std::uint64_t>(per_cycle));
  w.key("status").string("queued").end_object();
  return body_reply(service_code::accepted, w.take());
}

service_reply backtest_service::replay_view(pqxx::connection& c, const db::program_row& p,
                                            const backtest_call& call, bool one) {
  json_writer w;
  if (!one) {
    w.begin_object().key("program_id").string(p.id).key("items").begin_array();
    for (const auto& r : db::list_replays(c, p.id, db::max_replays_per_program))
      write_replay_row(w, r, false);
    w.end_array().end_object();
    return body_reply(service_code::ok, w.take());
  }
  const auto id = query_value(call.query, "replay").value_or("");
  const auto r = db::find_replay(c, p.id, id);
  if (!r)
    return error_reply(service_code::not_found, "no replay " + id + " of program " + p.id, {});
  write_replay_row(w, *r, true);
  return body_reply(service_code::ok, w.take());
}

std::size_t backtest_service::run_replays() {
  std::size_t ran = 0;
  while (!replays_stopping_) {
    auto conn = pool_->acquire();
    pqxx::connection& c = *conn;
    const auto r = db::claim_replay(c);
    if (!r)
      break;
    try {
      const auto p = db::find_program_by_id(c, r->program_id);
      const auto spec = p ? spec_of(*p) : std::nullopt;
      const auto bars = spec ? program_symbol_bars(c, *p, *spec) : symbol_bars{};
      if (!spec || bars.size() != spec->symbols.size()) {
        db::finish_replay(c, r->id, false, "the program or its data is gone");
        continue;
      }
      log::info("replay_started", {{"replay_id", r->id}, {"program_id", r->program_id}});
      const auto result =
          replay_program(*spec, bars, r->from, r->to, [&](std::size_t done, std::size_t total) {
            return !replays_stopping_
                   && db::replay_progress(c, r->id, static_cast<std::int64_t>(done),
                                          static_cast<std::int64_t>(total));
          });
      if (result.cancelled) {
        if (replays_stopping_)
          db::requeue_replays(c); // runs again after the restart
        break;
      }
      json_writer w;
      write_replay(w, result);
      db::finish_replay(c, r->id, true, w.take());
      ++ran;
    } catch (const std::exception& e) {
      db::finish_replay(c, r->id, false, e.what());
      log::warn("replay_failed", {{"replay_id", r->id}, {"error", e.what()}});
    }
  }
  return ran;
}

} // namespace bt
