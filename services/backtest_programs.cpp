// Evaluation programs: POST /v1/programs, GET /v1/programs[/{id}],
// DELETE /v1/programs/{id}, POST /v1/programs/{id}/cycles (a cycle now, as
// of the data's last bar) and GET /v1/programs/{id}/scorecards/{cycle}.
// A cycle is one submission against the user's quota; its configurations'
// walk-forwards are queued at low priority, and its scorecard is written
// the first time it is read after every walk-forward has ended.
#include "services/backtest_service.hpp"

#include "config/log.hpp"
#include "domain/evaluation/program.hpp"
#include "domain/evaluation/promotion.hpp"
#include "domain/evaluation/scorecard.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "domain/research/regimes.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/program_store.hpp"
#include "persistence/run_queue.hpp"
#include "persistence/sweep_store.hpp"
#include "services/deployment_rows.hpp"
#include "services/service_reply.hpp"
#include "services/telemetry.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <set>

namespace bt {

namespace {

void write_cycle(json_writer& w, const db::cycle_row& c) {
  w.begin_object();
  w.key("cycle").number(static_cast<std::int64_t>(c.cycle));
  w.key("as_of").timestamp(c.as_of).key("data_checksum").string(c.data_checksum);
  w.key("configurations").number(c.configurations).key("skipped").number(c.skipped);
  w.key("status").string(c.scorecard_json ? "completed" : c.active ? "running" : "ended");
  w.key("walk_forwards")
      .begin_object()
      .key("active")
      .number(c.active)
      .key("completed")
      .number(c.completed)
      .key("failed")
      .number(c.ended_otherwise)
      .end_object();
  w.key("created_at").timestamp(c.created_at).key("finished_at").timestamp(c.finished_at);
  w.key("reason").string(c.reason).key("triggered_at").timestamp(c.triggered_at);
  // From the upload of the data that triggered it to its scorecard.
  if (c.triggered_at && c.finished_at)
    w.key("trigger_to_scorecard_seconds").number(*c.finished_at - *c.triggered_at);
  w.end_object();
}

void write_program(json_writer& w, const db::program_row& p) {
  w.key("program_id").string(p.id).key("name").string(p.name);
  w.key("symbol").string(p.symbol).key("timeframe").string(p.timeframe);
  w.key("created_at").timestamp(p.created_at);
}

} // namespace

service_reply backtest_service::list_programs(pqxx::connection& c, const db::principal& who,
                                              const backtest_call& call) {
  std::int64_t limit = 50, offset = 0, total = 0;
  std::vector<error_detail> problems;
  query_reader r(call.query, problems);
  r.whole("limit", 1, 200, limit);
  r.whole("offset", 0, 1'000'000'000, offset);
  if (!problems.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(problems));
  const auto programs = db::list_programs(c, who.user_id, limit, offset, total);
  json_writer w;
  w.begin_object().key("total").number(total).key("limit").number(limit).key("offset").number(
      offset);
  w.key("items").begin_array();
  for (const auto& p : programs) {
    w.begin_object();
    write_program(w, p);
    w.end_object();
  }
  w.end_array().end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::program_document(pqxx::connection& c, const db::principal& who,
                                                 const backtest_call& call) {
  const auto p = db::find_program(c, who.user_id, call.run_id);
  if (!p)
    return error_reply(service_code::not_found, "no program " + call.run_id, {});
  // A cycle whose walk-forwards have all ended gets its scorecard now, so
  // that no cycle reads as ended without one.
  auto cycles = db::list_cycles(c, p->id);
  if (finish_ended_cycles(c, who, *p, cycles))
    cycles = db::list_cycles(c, p->id);
  json_writer w;
  w.begin_object();
  write_program(w, *p);
  w.key("specification").raw(p->spec_json);
  w.key("cycles").begin_array();
  for (const auto& cycle : cycles)
    write_cycle(w, cycle);
  w.end_array().end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::submit_program(pqxx::connection& c, const db::principal& who,
                                               const backtest_call& call) {
  boost::json::error_code ec;
  const boost::json::value body = boost::json::parse(call.body, ec);
  if (ec)
    return error_reply(service_code::bad_request, "malformed JSON body: " + ec.message(), {});
  program_spec spec;
  if (auto errors = parse_program_spec(body, spec); !errors.empty()) {
    std::vector<error_detail> d;
    for (const auto& e : errors)
      d.push_back({e.field, 0, e.message});
    return error_reply(service_code::unprocessable, "invalid program", std::move(d));
  }
  if (db::count_programs(c, who.user_id) >= max_programs_per_user)
    return error_reply(service_code::conflict,
                       "at most " + std::to_string(max_programs_per_user)
                           + " programs per user; delete one first",
                       {});
  if (!db::find_dataset(c, who.user_id, spec.symbol, spec.timeframe))
    return error_reply(
        service_code::unprocessable, "invalid program",
        {{"symbol", 0,
          "no dataset " + spec.symbol + "/" + spec.timeframe + ": upload its bars first"}});
  for (std::size_t i = 0; i < spec.benchmark.size(); ++i)
    if (!db::find_dataset(c, who.user_id, spec.benchmark[i].symbol, spec.benchmark[i].timeframe))
      return error_reply(service_code::unprocessable, "invalid program",
                         {{"benchmark.basket[" + std::to_string(i) + "].symbol", 0,
                           "no dataset " + spec.benchmark[i].symbol + "/"
                               + spec.benchmark[i].timeframe + ": upload its bars first"}});
  db::program_row p;
  p.id = new_uuid();
  p.user_id = who.user_id;
  p.name = spec.name;
  p.symbol = spec.symbol;
  p.timeframe = spec.timeframe;
  p.spec_json = boost::json::serialize(body);
  db::create_program(c, p, db::actor_of(who));
  json_writer w;
  w.begin_object().key("program_id").string(p.id).key("name").string(p.name);
  w.key("configurations_per_cycle")
      .number(static_cast<std::uint64_t>(cycle_configurations(spec, 1).size()));
  w.end_object();
  return body_reply(service_code::created, w.take());
}

service_reply backtest_service::start_cycle(pqxx::connection& c, const db::principal& who,
                                            const backtest_call& call) {
  const auto p = db::find_program(c, who.user_id, call.run_id);
  if (!p)
    return error_reply(service_code::not_found, "no program " + call.run_id, {});
  return begin_cycle(c, who, *p, "manual", std::nullopt, call);
}

service_reply backtest_service::begin_cycle(pqxx::connection& c, const db::principal& who,
                                            const db::program_row& program,
                                            const std::string& reason,
                                            std::optional<unix_time> triggered_at,
                                            const backtest_call& call) {
  const std::lock_guard<std::mutex> one_at_a_time(cycles_);
  const auto* p = &program;
  const auto spec = spec_of(*p);
  const auto dataset = db::find_dataset(c, who.user_id, p->symbol, p->timeframe);
  if (!spec || !dataset || !dataset->to)
    return error_reply(service_code::conflict,
                       "the program's data " + p->symbol + "/" + p->timeframe + " is gone", {});
  // As of the last bar: market-data time, looking back lookback_days.
  const unix_time as_of = *dataset->to;
  const unix_time from = std::max(
      *dataset->from, as_of - static_cast<unix_time>(spec->lookback_days) * seconds_per_day);
  const int cycle = db::next_cycle(c, p->id);
  const auto configurations = cycle_configurations(*spec, cycle);
  // Never an identical configuration twice on the same data.
  std::vector<std::string> keys;
  for (const auto& cfg : configurations)
    keys.push_back(sha256_hex(spec->templates[cfg.template_index].strategy + "\n"
                              + boost::json::serialize(cfg.params) + "\n" + dataset->checksum));
  const auto seen = db::evaluated_keys(c, p->id, keys);
  std::vector<std::size_t> fresh;
  for (std::size_t i = 0; i < configurations.size(); ++i)
    if (std::find(seen.begin(), seen.end(), keys[i]) == seen.end())
      fresh.push_back(i);
  if (fresh.empty())
    return error_reply(service_code::conflict,
                       "every configuration of cycle " + std::to_string(cycle)
                           + " was evaluated on the same data; upload new bars, or widen the "
                             "space",
                       {});
  const auto queued = book_->queued_count();
  if ((queued ? *queued : db::read_queue_stats(c).queued) + static_cast<std::int64_t>(fresh.size())
      > static_cast<std::int64_t>(limits_.queue_capacity))
    return error_reply(service_code::unavailable,
                       "the queue has no room for " + std::to_string(fresh.size())
                           + " walk-forwards; retry later",
                       {});
  std::vector<db::evaluation_row> rows;
  for (std::size_t n = 0; n < fresh.size(); ++n) {
    const auto& cfg = configurations[fresh[n]];
    auto body = configuration_walk_forward(*spec, cfg, from, as_of);
    body["priority"] = "low";
    backtest_call inner = call;
    inner.body = boost::json::serialize(body);
    inner.idempotency_key.clear();
    const service_reply r = submit_walk_forward(c, who, inner);
    if (r.code != static_cast<std::uint8_t>(service_code::accepted)) {
      if (n == 0) // the first one says why none would go: nothing is queued
        return r;
      continue; // queued ones stay; this one is counted as not evaluated
    }
    db::evaluation_row e;
    e.config_index = static_cast<int>(cfg.index);
    e.template_index = static_cast<int>(cfg.template_index);
    e.strategy = spec->templates[cfg.template_index].strategy;
    e.params_json = boost::json::serialize(cfg.params);
    e.config_key = keys[fresh[n]];
    e.walk_forward_id =
        std::string(boost::json::parse(r.body).as_object().at("walk_forward_id").as_string());
    rows.push_back(std::move(e));
  }
  db::cycle_row row;
  row.cycle = cycle;
  row.as_of = as_of;
  row.data_checksum = dataset->checksum;
  row.configurations = static_cast<std::int64_t>(rows.size());
  row.skipped = static_cast<std::int64_t>(configurations.size() - fresh.size());
  row.reason = reason;
  row.triggered_at = triggered_at;
  db::create_cycle(c, p->id, row, rows, db::actor_of(who));
  telemetry::program_cycle(reason);
  json_writer w;
  w.begin_object()
      .key("program_id")
      .string(p->id)
      .key("cycle")
      .number(static_cast<std::int64_t>(cycle));
  w.key("as_of").timestamp(as_of).key("from").timestamp(from);
  w.key("data_checksum").string(dataset->checksum);
  w.key("configurations").number(row.configurations).key("skipped").number(row.skipped);
  w.key("reason").string(reason).key("status").string("running").end_object();
  return body_reply(service_code::accepted, w.take());
}

service_reply backtest_service::cancel_cycle(pqxx::connection& c, const db::principal& who,
                                             const backtest_call& call) {
  const auto p = db::find_program(c, who.user_id, call.run_id);
  std::int64_t number = 0;
  std::vector<error_detail> not_a_number;
  query_reader(call.query, not_a_number).whole("cycle", 1, 1'000'000'000, number);
  const auto cycle = p && not_a_number.empty() && number > 0
                         ? db::find_cycle(c, p->id, static_cast<int>(number))
                         : std::nullopt;
  if (!cycle)
    return error_reply(service_code::not_found,
                       "no cycle " + query_value(call.query, "cycle").value_or("") + " of program "
                           + call.run_id,
                       {});
  if (cycle->active == 0)
    return error_reply(service_code::conflict,
                       "cycle " + std::to_string(cycle->cycle) + " has ended: nothing to cancel",
                       {});
  // Each walk-forward still queued or running; the ones that ended stay,
  // and the scorecard ranks them once the rest have stopped.
  std::int64_t cancelled = 0;
  for (const auto& e : db::cycle_evaluations(c, p->id, cycle->cycle))
    if (e.walk_forward_id && (e.status == "queued" || e.status == "running")) {
      backtest_call one = call;
      one.run_id = *e.walk_forward_id;
      cancelled += cancel_walk_forward(c, who, one, false).code
                   == static_cast<std::uint8_t>(service_code::ok);
    }
  json_writer w;
  w.begin_object().key("program_id").string(p->id);
  w.key("cycle").number(static_cast<std::int64_t>(cycle->cycle));
  w.key("cancelled").number(cancelled).end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::cycle_scorecard(pqxx::connection& c, const db::principal& who,
                                                const backtest_call& call) {
  const auto p = db::find_program(c, who.user_id, call.run_id);
  const auto n = query_value(call.query, "cycle");
  std::int64_t number = 0;
  std::vector<error_detail> not_a_number;
  query_reader(call.query, not_a_number).whole("cycle", 1, 1'000'000'000, number);
  const auto cycle = p && not_a_number.empty() && number > 0
                         ? db::find_cycle(c, p->id, static_cast<int>(number))
                         : std::nullopt;
  if (!cycle)
    return error_reply(service_code::not_found,
                       "no cycle " + n.value_or("") + " of program " + call.run_id, {});
  if (cycle->scorecard_json)
    return body_reply(service_code::ok, *cycle->scorecard_json);
  if (cycle->active > 0) {
    json_writer w;
    w.begin_object().key("program_id").string(p->id);
    w.key("cycle").number(static_cast<std::int64_t>(cycle->cycle)).key("status").string("running");
    w.key("configurations").number(cycle->configurations);
    w.key("completed").number(cycle->completed).key("active").number(cycle->active);
    w.key("failed").number(cycle->ended_otherwise).end_object();
    return body_reply(service_code::ok, w.take());
  }
  return body_reply(service_code::ok, finish_cycle(c, who, *p, *cycle));
}

std::string backtest_service::finish_cycle(pqxx::connection& c, const db::principal& who,
                                           const db::program_row& program,
                                           const db::cycle_row& cycle) {
  // Every walk-forward has ended: the scorecard, written once.
  const auto* p = &program;
  const auto spec = spec_of(*p);
  std::vector<evaluation_facts> facts;
  for (const auto& e : db::cycle_evaluations(c, p->id, cycle.cycle)) {
    evaluation_facts f;
    f.index = static_cast<std::size_t>(e.config_index);
    f.strategy = e.strategy;
    f.params_json = e.params_json;
    f.walk_forward_id = e.walk_forward_id.value_or("");
    f.status = e.status;
    if (e.status == "completed" && e.walk_forward_id)
      read_walk_forward_result(db::load_walk_forward_text(c, *e.walk_forward_id, "result_json"), f);
    facts.push_back(std::move(f));
  }
  scorecard_header h;
  h.program_id = p->id;
  h.cycle = cycle.cycle;
  h.as_of = format_timestamp(cycle.as_of);
  h.data_checksum = cycle.data_checksum;
  h.skipped = static_cast<std::size_t>(cycle.skipped);
  // The data's regimes as they stood at the cycle's as-of time.
  regime_days regimes;
  if (const auto tf = parse_timeframe(p->timeframe))
    if (const auto bars =
            db::load_bars(c, p->user_id, p->symbol, *tf, std::nullopt, cycle.as_of, SIZE_MAX >> 1))
      for (const auto& day : classify_regimes(*bars))
        if (day.regime)
          regimes.emplace(day.day, *day.regime);
  const std::string doc =
      scorecard_json(h, facts, spec ? spec->weights : score_weights{}, &regimes);
  if (db::store_scorecard(c, p->id, cycle.cycle, doc, db::actor_of(who))) {
    telemetry::program_scorecard(cycle.triggered_at ? std::optional<double>(static_cast<double>(
                                     db::wall_clock_ms() / 1000 - *cycle.triggered_at))
                                                    : std::nullopt);
    // The gate moved: automatic programs deploy their new candidates now
    // and advance them over the bars stored after the cycle's as-of time.
    if (spec && spec->automatic_deployment) {
      db::principal rules = who; // whose request or pass finished the cycle
      rules.name = db::owner_name(c, p->user_id) + " (automatic deployment)";
      rules.key_id = 0;
      promote(c, rules, *p, *spec, std::nullopt);
      advance_program(c, rules, *p, *spec);
    }
  }
  return doc;
}

std::vector<backtest_service::gated_candidate>
backtest_service::gated_candidates(pqxx::connection& c, const db::program_row& p,
                                   const program_spec& spec, std::optional<unix_time>& as_of) {
  // Each scored cycle's ranking, by configuration (strategy and values).
  std::vector<ranked_cycle> history;
  boost::json::object last_entries; // identity -> its entry in the last scored cycle
  int last_cycle = 0;
  for (const auto& cycle : db::list_cycles(c, p.id)) {
    if (!cycle.scorecard_json)
      continue;
    const auto card = boost::json::parse(*cycle.scorecard_json).as_object();
    ranked_cycle r{cycle.as_of, {}};
    last_entries.clear();
    last_cycle = cycle.cycle;
    for (const auto& e : card.at("entries").as_array()) {
      if (e.at("rank").is_null())
        continue;
      const std::string identity =
          std::string(e.at("strategy").as_string()) + "\n" + boost::json::serialize(e.at("params"));
      r.ranked.push_back(identity);
      last_entries[identity] = e;
    }
    history.push_back(std::move(r));
  }
  as_of = history.empty() ? std::nullopt : std::optional<unix_time>(history.back().as_of);
  gate_settings gate;
  gate.top_fraction = spec.top_pct / 100.0;
  gate.consecutive_days = spec.gate_days;
  const auto chosen = promotion_candidates(history, gate);
  std::vector<double> scores;
  for (const auto& k : chosen)
    scores.push_back(last_entries.at(k.key).at("score").to_number<double>());
  const auto allocation =
      allocate_capital(fixed::from_int(spec.capital), scores, spec.max_allocation_pct / 100.0);
  std::vector<gated_candidate> out;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto& e = last_entries.at(chosen[i].key).as_object();
    gated_candidate g;
    g.identity = chosen[i].key;
    g.strategy = std::string(e.at("strategy").as_string());
    g.params_json = boost::json::serialize(e.at("params"));
    g.rank = e.at("rank").as_int64();
    g.score = scores[i];
    g.since = chosen[i].since;
    g.walk_forward_id = std::string(e.at("walk_forward_id").as_string());
    const auto& sharpe = e.at("oos").at("sharpe_ratio");
    g.expected_sharpe = sharpe.is_number() ? sharpe.to_number<double>() : 0.0;
    g.allocation = allocation[i];
    g.cycle = last_cycle;
    out.push_back(std::move(g));
  }
  return out;
}

service_reply backtest_service::candidates_document(pqxx::connection& c, const db::principal& who,
                                                    const backtest_call& call) {
  const auto p = db::find_program(c, who.user_id, call.run_id);
  const auto spec = p ? spec_of(*p) : std::nullopt;
  if (!p || !spec)
    return error_reply(service_code::not_found, "no program " + call.run_id, {});
  std::optional<unix_time> as_of;
  const auto chosen = gated_candidates(c, *p, *spec, as_of);
  json_writer w;
  w.begin_object().key("program_id").string(p->id);
  w.key("as_of").timestamp(as_of);
  w.key("gate")
      .begin_object()
      .key("top_pct")
      .number(spec->top_pct)
      .key("days")
      .number(static_cast<std::int64_t>(spec->gate_days))
      .key("max_allocation_pct")
      .number(spec->max_allocation_pct)
      .end_object();
  w.key("capital").number(fixed::from_int(spec->capital));
  w.key("candidates").begin_array();
  for (const auto& g : chosen) {
    w.begin_object();
    w.key("strategy").string(g.strategy);
    w.key("params").raw(g.params_json);
    w.key("rank").number(g.rank).key("score").number(g.score);
    w.key("in_top_since").timestamp(g.since);
    w.key("walk_forward_id").string(g.walk_forward_id);
    w.key("allocation").number(g.allocation);
    w.end_object();
  }
  w.end_array().end_object();
  return body_reply(service_code::ok, w.take());
}

namespace {

/// The re-evaluation a program's data triggered after `as_of` (the last
/// cycle's): a trigger on a day that ended after it, which the days as they
/// stood at `as_of` did not show yet; empty when none.
std::string regime_trigger_since(pqxx::connection& c, const db::program_row& p, unix_time as_of) {
  const auto tf = parse_timeframe(p.timeframe);
  const auto now =
      tf ? db::load_bars(c, p.user_id, p.symbol, *tf, std::nullopt, std::nullopt, SIZE_MAX >> 1)
         : std::nullopt;
  if (!now || now->size() == 0)
    return {};
  // The bars as they stood at the last cycle: a prefix of those loaded.
  const auto before = classify_regimes(now->slice(now->times()[0], as_of));
  std::string found;
  for (const auto& day : classify_regimes(*now)) {
    if (day.day + seconds_per_day <= as_of || day.trigger == regime_trigger::none)
      continue;
    const bool seen =
        !before.empty() && before.back().day == day.day && before.back().trigger == day.trigger;
    if (!seen)
      found = std::string(to_string(day.trigger)); // the latest one
  }
  return found;
}

} // namespace

bool backtest_service::finish_ended_cycles(pqxx::connection& c, const db::principal& who,
                                           const db::program_row& program,
                                           const std::vector<db::cycle_row>& cycles) {
  bool wrote = false;
  for (const auto& cycle : cycles)
    if (!cycle.scorecard_json && cycle.active == 0) {
      finish_cycle(c, who, program, cycle);
      wrote = true;
    }
  return wrote;
}

std::size_t backtest_service::run_program_schedule() {
  auto conn = pool_->acquire();
  pqxx::connection& c = *conn;
  std::size_t started = 0;
  const auto programs = db::scheduled_programs(c, max_scheduled_programs);
  // Forget programs no longer scheduled: the memo stays as long as the list.
  std::set<std::string> ids;
  for (const auto& p : programs)
    ids.insert(p.id);
  for (auto it = regimes_checked_.begin(); it != regimes_checked_.end();)
    it = ids.count(it->first) ? std::next(it) : regimes_checked_.erase(it);
  for (const auto& p : programs) {
    try {
      const auto spec = spec_of(p);
      const auto dataset = db::find_dataset(c, p.user_id, p.symbol, p.timeframe);
      if (!spec || !dataset || !dataset->to)
        continue;
      // The owner, as the scheduler acting for them: its audit entries say so.
      db::principal who;
      who.user_id = p.user_id;
      who.name = db::owner_name(c, p.user_id) + " (program schedule)";
      who.role = "analyst";
      const auto cycles = db::list_cycles(c, p.id);
      // The re-evaluation latency ends when the scorecard exists.
      finish_ended_cycles(c, who, p, cycles);
      std::string reason;
      if (cycles.empty())
        reason = spec->every ? "schedule" : spec->on_upload ? "upload" : "";
      else if (spec->every && *dataset->to >= cycles.back().as_of + *spec->every)
        reason = "schedule";
      else if (*dataset->to > cycles.back().as_of) {
        if (spec->on_regime_change) {
          // Classified once per version of the data, not on every pass.
          const std::string seen = dataset->checksum + "@" + std::to_string(cycles.back().cycle);
          auto& checked = regimes_checked_[p.id];
          if (checked != seen) {
            checked = seen;
            reason = regime_trigger_since(c, p, cycles.back().as_of);
          }
        }
        // Every upload that extends the data, when the program asks.
        if (reason.empty() && spec->on_upload)
          reason = "upload";
      }
      if (reason.empty())
        continue;
      backtest_call call;
      const auto reply = begin_cycle(c, who, p, reason, dataset->updated_at, call);
      if (reply.code == static_cast<std::uint8_t>(service_code::accepted)) {
        ++started;
        log::info("program_cycle_scheduled", {{"program_id", p.id}, {"reason", reason}});
      }
    } catch (const std::exception& e) {
      log::warn("program_schedule_failed", {{"program_id", p.id}, {"error", e.what()}});
    }
  }
  return started;
}

} // namespace bt
