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

/// The cycle the path names ("cycle" in the query), of `p`.
std::optional<db::cycle_row> requested_cycle(pqxx::connection& c, const db::program_row& p,
                                             const backtest_call& call) {
  std::int64_t number = 0;
  std::vector<error_detail> not_a_number;
  query_reader(call.query, not_a_number).whole("cycle", 1, 1'000'000'000, number);
  if (!not_a_number.empty() || number <= 0)
    return std::nullopt;
  return db::find_cycle(c, p.id, static_cast<int>(number));
}

service_reply no_cycle(const backtest_call& call) {
  return error_reply(service_code::not_found,
                     "no cycle " + query_value(call.query, "cycle").value_or("") + " of program "
                         + call.run_id,
                     {});
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
  for (std::size_t i = 0; i < spec.symbols.size(); ++i)
    if (!db::find_dataset(c, who.user_id, spec.symbols[i], spec.timeframe))
      return error_reply(
          service_code::unprocessable, "invalid program",
          {{body.as_object().contains("symbols") ? "symbols[" + std::to_string(i) + "]"
                                                 : std::string("symbol"),
            0,
            "no dataset " + spec.symbols[i] + "/" + spec.timeframe + ": upload its bars first"}});
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
  if (!spec)
    return error_reply(service_code::conflict, "the program's specification no longer parses", {});
  // Each symbol's data, as of its own last bar; the cycle is as of the
  // latest of them and its checksum covers them all.
  struct symbol_data {
    std::string symbol, checksum;
    unix_time from = 0, as_of = 0;
  };
  std::vector<symbol_data> data;
  program_data stored(c, *p);
  for (const auto& symbol : spec->symbols) {
    const auto* dataset = stored.dataset(symbol);
    if (!dataset)
      return error_reply(service_code::conflict,
                         "the program's data " + symbol + "/" + p->timeframe + " is gone", {});
    // As of the last bar: market-data time, looking back lookback_days.
    const unix_time as_of = *dataset->to;
    data.push_back({symbol, dataset->checksum,
                    std::max(*dataset->from,
                             as_of - static_cast<unix_time>(spec->lookback_days) * seconds_per_day),
                    as_of});
  }
  const bool several = data.size() > 1;
  const auto state = *stored.data_state(spec->symbols); // every symbol has data
  const std::string& data_checksum = state.checksum;
  const unix_time as_of = state.last_bar;
  const int cycle = db::next_cycle(c, p->id);
  const auto configurations = cycle_configurations(*spec, cycle);
  // Never an identical configuration twice on the same data (of its symbol).
  struct evaluation {
    std::size_t symbol, configuration;
    std::string key;
  };
  std::vector<evaluation> all;
  std::vector<std::string> keys;
  for (std::size_t k = 0; k < data.size(); ++k)
    for (std::size_t i = 0; i < configurations.size(); ++i) {
      const auto& cfg = configurations[i];
      keys.push_back(sha256_hex(
          spec->templates[cfg.template_index].strategy + "\n" + boost::json::serialize(cfg.params)
          + "\n" + (several ? data[k].symbol + "\n" : std::string()) + data[k].checksum));
      all.push_back({k, i, keys.back()});
    }
  const auto seen = db::evaluated_keys(c, p->id, keys);
  std::vector<evaluation> fresh;
  for (const auto& e : all)
    if (std::find(seen.begin(), seen.end(), e.key) == seen.end())
      fresh.push_back(e);
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
    const auto& cfg = configurations[fresh[n].configuration];
    const auto& d = data[fresh[n].symbol];
    auto body = configuration_walk_forward(*spec, cfg, d.from, d.as_of, d.symbol);
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
    e.config_index = static_cast<int>(fresh[n].symbol * configurations.size() + cfg.index);
    e.template_index = static_cast<int>(cfg.template_index);
    e.strategy = spec->templates[cfg.template_index].strategy;
    e.params_json = boost::json::serialize(cfg.params);
    e.config_key = fresh[n].key;
    e.symbol = d.symbol;
    e.walk_forward_id =
        std::string(boost::json::parse(r.body).as_object().at("walk_forward_id").as_string());
    rows.push_back(std::move(e));
  }
  db::cycle_row row;
  row.cycle = cycle;
  row.as_of = as_of;
  row.data_checksum = data_checksum;
  row.configurations = static_cast<std::int64_t>(rows.size());
  row.skipped = static_cast<std::int64_t>(all.size() - fresh.size());
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
  w.key("as_of").timestamp(as_of).key("from").timestamp(data[0].from);
  w.key("symbols").begin_array();
  for (const auto& d : data)
    w.begin_object()
        .key("symbol")
        .string(d.symbol)
        .key("from")
        .timestamp(d.from)
        .key("as_of")
        .timestamp(d.as_of)
        .key("data_checksum")
        .string(d.checksum)
        .end_object();
  w.end_array();
  w.key("data_checksum").string(data_checksum);
  w.key("configurations").number(row.configurations).key("skipped").number(row.skipped);
  w.key("reason").string(reason).key("status").string("running").end_object();
  return body_reply(service_code::accepted, w.take());
}

service_reply backtest_service::cancel_cycle(pqxx::connection& c, const db::principal& who,
                                             const backtest_call& call) {
  const auto p = db::find_program(c, who.user_id, call.run_id);
  const auto cycle = p ? requested_cycle(c, *p, call) : std::nullopt;
  if (!cycle)
    return no_cycle(call);
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
  const auto cycle = p ? requested_cycle(c, *p, call) : std::nullopt;
  if (!cycle)
    return no_cycle(call);
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
  auto add = [&](const db::evaluation_row& e, std::optional<int> carried_from) {
    evaluation_facts f;
    f.index = static_cast<std::size_t>(e.config_index);
    f.strategy = e.strategy;
    f.params_json = e.params_json;
    f.symbol = symbol_of(*p, e.symbol);
    f.walk_forward_id = e.walk_forward_id.value_or("");
    f.status = e.status;
    f.carried_from_cycle = carried_from;
    if (e.status == "completed" && e.walk_forward_id)
      read_walk_forward_result(db::load_walk_forward_text(c, *e.walk_forward_id, "result_json"), f);
    facts.push_back(std::move(f));
  };
  std::set<std::string> evaluated;
  for (const auto& e : db::cycle_evaluations(c, p->id, cycle.cycle)) {
    add(e, std::nullopt);
    evaluated.insert(symbol_of(*p, e.symbol));
  }
  // A symbol whose data had not changed was not evaluated again: its
  // latest evaluations (on that same data) are ranked with the rest, so
  // that every symbol's configurations stay in the ranking and the gate.
  if (spec && spec->symbols.size() > 1)
    for (const auto& symbol : spec->symbols) {
      if (evaluated.count(symbol))
        continue;
      for (int earlier = cycle.cycle - 1; earlier >= 1; --earlier) {
        bool found = false;
        for (const auto& e : db::cycle_evaluations(c, p->id, earlier))
          if (symbol_of(*p, e.symbol) == symbol) {
            add(e, earlier);
            found = true;
          }
        if (found)
          break;
      }
    }
  scorecard_header h;
  h.program_id = p->id;
  h.cycle = cycle.cycle;
  h.as_of = format_timestamp(cycle.as_of);
  h.data_checksum = cycle.data_checksum;
  h.skipped = static_cast<std::size_t>(cycle.skipped);
  // Each symbol's regimes as they stood at the cycle's as-of time.
  std::map<std::string, regime_days> regimes;
  if (const auto tf = parse_timeframe(p->timeframe))
    for (const auto& symbol : spec ? spec->symbols : std::vector<std::string>{p->symbol})
      if (const auto bars =
              db::load_bars(c, p->user_id, symbol, *tf, std::nullopt, cycle.as_of, SIZE_MAX >> 1))
        for (const auto& day : classify_regimes(*bars))
          if (day.regime)
            regimes[symbol].emplace(day.day, *day.regime);
  const std::string doc = scorecard_json(h, facts, spec ? spec->weights : score_weights{}, regimes);
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
  scorecard_gate gate(spec);
  int last_cycle = 0;
  for (const auto& cycle : db::list_cycles(c, p.id))
    if (cycle.scorecard_json) {
      gate.add(cycle.as_of, boost::json::parse(*cycle.scorecard_json));
      last_cycle = cycle.cycle;
    }
  as_of = gate.as_of();
  std::vector<gated_candidate> out;
  for (auto& k : gate.candidates()) {
    gated_candidate g;
    g.identity = std::move(k.identity);
    g.strategy = std::move(k.strategy);
    g.params_json = std::move(k.params_json);
    g.symbol = std::move(k.symbol);
    g.rank = k.entry.at("rank").as_int64();
    g.score = k.score;
    g.since = k.since;
    g.walk_forward_id = std::string(k.entry.at("walk_forward_id").as_string());
    g.expected_sharpe = k.expected_sharpe;
    g.allocation = k.allocation;
    g.cycle = last_cycle;
    out.push_back(std::move(g));
  }
  return out;
}

service_reply backtest_service::candidates_document(pqxx::connection& c, const db::principal& who,
                                                    const backtest_call& call) {
  const auto found = find_owned_program(c, who.user_id, call.run_id);
  if (!found)
    return error_reply(service_code::not_found, "no program " + call.run_id, {});
  const auto* p = &found->row;
  const auto* spec = &found->spec;
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
    w.key("params").raw(g.params_json).key("symbol").string(g.symbol);
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
std::string regime_trigger_since(pqxx::connection& c, const db::program_row& p,
                                 const std::string& symbol, unix_time as_of) {
  const auto tf = parse_timeframe(p.timeframe);
  const auto now =
      tf ? db::load_bars(c, p.user_id, symbol, *tf, std::nullopt, std::nullopt, SIZE_MAX >> 1)
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
      if (!spec)
        continue;
      // Its data now, as a cycle records it.
      const auto now = program_data(c, p).data_state(spec->symbols);
      if (!now)
        continue;
      // The owner, as the scheduler acting for them: its audit entries say so.
      const db::principal who = db::acting_for_owner(c, p.user_id, "program schedule", "analyst");
      const auto cycles = db::list_cycles(c, p.id);
      // The re-evaluation latency ends when the scorecard exists.
      finish_ended_cycles(c, who, p, cycles);
      std::string reason;
      if (cycles.empty())
        reason = spec->every ? "schedule" : spec->on_upload ? "upload" : "";
      else if (spec->every && now->last_bar >= cycles.back().as_of + *spec->every)
        reason = "schedule";
      else if (now->last_bar > cycles.back().as_of
               || now->checksum != cycles.back().data_checksum) {
        if (spec->on_regime_change) {
          // Classified once per version of the data, not on every pass.
          const std::string seen = now->checksum + "@" + std::to_string(cycles.back().cycle);
          auto& checked = regimes_checked_[p.id];
          if (checked != seen) {
            checked = seen;
            for (const auto& symbol : spec->symbols)
              if (reason.empty())
                reason = regime_trigger_since(c, p, symbol, cycles.back().as_of);
          }
        }
        // Every upload that extends the data, when the program asks.
        if (reason.empty() && spec->on_upload)
          reason = "upload";
      }
      if (reason.empty())
        continue;
      backtest_call call;
      const auto reply = begin_cycle(c, who, p, reason, now->updated_at, call);
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
