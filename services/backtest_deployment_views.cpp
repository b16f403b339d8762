// What a program's paper deployments look like from outside: GET
// /v1/programs/{id}/scorecards, /deployments[/{deployment}], /alerts,
// /correlations, /reports/{date} (JSON or CSV) and /decisions; and the two
// changes a person makes: POST .../deployments (deploy a candidate: the
// deploy permission) and .../deployments/{deployment}/deactivate (the
// override permission). Equity and trades are recomputed from the stored
// deployment and the bars (paper_deployment.hpp), so they are what the
// rules judged.
#include "services/backtest_service.hpp"

#include "domain/evaluation/paper_deployment.hpp"
#include "domain/evaluation/program.hpp"
#include "domain/evaluation/promotion.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/deployment_store.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/program_store.hpp"
#include "services/deployment_rows.hpp"
#include "services/service_reply.hpp"
#include "services/telemetry.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <sstream>

namespace bt {

namespace {

constexpr std::int64_t max_alert_page = 500;
constexpr std::int64_t max_decision_page = 500;

void write_alert(json_writer& w, const db::alert_row& a) {
  w.begin_object();
  w.key("id").number(a.id);
  if (a.deployment_id)
    w.key("deployment_id").string(*a.deployment_id);
  else
    w.key("deployment_id").null();
  w.key("kind").string(a.kind).key("day").timestamp(a.day);
  w.key("value").optional(a.value).key("limit").optional(a.limit);
  w.key("message").string(a.message).key("details").raw(a.details_json);
  w.key("created_at").timestamp(a.created_at);
  w.end_object();
}

std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char ch : s)
    out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string number_text(double v) {
  std::ostringstream o;
  o.precision(10);
  o << round_places(v);
  return o.str();
}

} // namespace

service_reply backtest_service::deployment_view(pqxx::connection& c, const db::principal& who,
                                                const backtest_call& call,
                                                const std::string& view) {
  const auto found = find_owned_program(c, who.user_id, call.run_id);
  if (!found)
    return error_reply(service_code::not_found, "no program " + call.run_id, {});
  const auto* p = &found->row;
  const auto* spec = &found->spec;
  std::vector<error_detail> problems;
  query_reader r(call.query, problems);
  if (view == "replays" || view == "replay")
    return replay_view(c, *p, call, view == "replay");

  if (view == "scorecards") {
    json_writer w;
    w.begin_object().key("program_id").string(p->id).key("scorecards").begin_array();
    for (const auto& cycle : db::list_cycles(c, p->id)) {
      w.begin_object().key("cycle").number(cycle.cycle).key("as_of").timestamp(cycle.as_of);
      w.key("data_checksum").string(cycle.data_checksum).key("reason").string(cycle.reason);
      w.key("configurations").number(cycle.configurations);
      w.key("status").string(cycle.scorecard_json ? "completed"
                             : cycle.active       ? "running"
                                                  : "ended");
      w.key("best");
      if (cycle.scorecard_json) {
        const auto card = boost::json::parse(*cycle.scorecard_json);
        const auto& entries = card.at("entries").as_array();
        if (!entries.empty() && !entries[0].at("rank").is_null()) {
          const auto& e = entries[0];
          w.begin_object().key("strategy").string(e.at("strategy").as_string());
          w.key("params").raw(boost::json::serialize(e.at("params")));
          w.key("score").number(e.at("score").to_number<double>()).end_object();
        } else {
          w.null();
        }
      } else {
        w.null();
      }
      w.end_object();
    }
    w.end_array().end_object();
    return body_reply(service_code::ok, w.take());
  }

  if (view == "deployments") {
    std::optional<std::string> status;
    r.choice("status", {"active", "all"}, status);
    if (!problems.empty())
      return error_reply(service_code::bad_request, "invalid query", std::move(problems));
    return body_reply(service_code::ok,
                      deployments_document(*p, *spec, status.value_or("all") == "active",
                                           db::list_deployments(c, p->id, false)));
  }

  if (view == "deployment") {
    const auto id = query_value(call.query, "deployment").value_or("");
    const auto d = db::find_deployment(c, p->id, id);
    if (!d)
      return error_reply(service_code::not_found, "no deployment " + id + " of program " + p->id,
                         {});
    const auto paper = paper_of(*p, *d);
    const auto bars = program_bars(c, *p, d->symbol);
    json_writer w;
    w.begin_object().key("program_id").string(p->id);
    write_deployment_fields(w, *d);
    w.key("equity").begin_array();
    forward_run run;
    if (paper && bars && bars->size() > 0) {
      const auto benchmark = program_benchmark(c, *p, *spec);
      run = run_forward(*bars, *paper, benchmark ? &*benchmark : nullptr);
      const auto drawdowns = day_drawdowns(run.days);
      for (std::size_t k = 0; k < run.days.size(); ++k) {
        const auto& day = run.days[k];
        w.begin_object().key("day").timestamp(day.day);
        w.key("equity")
            .number(round_places(day.equity))
            .key("benchmark")
            .number(round_places(day.benchmark));
        w.key("drawdown_pct").number(round_places(drawdowns[k]));
        w.end_object();
      }
    }
    w.end_array().key("trades").begin_array();
    for (const auto& t : run.output.trades)
      write_trade(w, t); // as a run's trades are written
    w.end_array();
    std::int64_t total = 0;
    w.key("alerts").begin_array();
    for (const auto& a : db::list_alerts(c, p->id, d->id, 100, 0, total))
      write_alert(w, a);
    w.end_array().key("alerts_total").number(total).end_object();
    return body_reply(service_code::ok, w.take());
  }

  if (view == "alerts") {
    std::int64_t limit = 100, offset = 0, total = 0;
    r.whole("limit", 1, max_alert_page, limit);
    r.whole("offset", 0, 1'000'000'000, offset);
    const auto one = r.text("deployment");
    if (!problems.empty())
      return error_reply(service_code::bad_request, "invalid query", std::move(problems));
    const auto alerts = db::list_alerts(c, p->id, one, limit, offset, total);
    json_writer w;
    w.begin_object().key("program_id").string(p->id).key("total").number(total);
    w.key("limit").number(limit).key("offset").number(offset).key("items").begin_array();
    for (const auto& a : alerts)
      write_alert(w, a);
    w.end_array().end_object();
    return body_reply(service_code::ok, w.take());
  }

  if (view == "correlations") {
    // The active deployments' configurations over the same last days of
    // the data: what the admission rule compares.
    const auto rows = db::list_deployments(c, p->id, true);
    program_data data(c, *p);
    const auto last_bar = data.last_bar(spec->symbols);
    const std::size_t days = spec->admission.correlation_days;
    std::vector<std::vector<std::pair<unix_time, double>>> returns;
    if (last_bar)
      for (const auto& d : rows) {
        const auto paper = paper_of(*p, d);
        const auto* bars = data.bars(d.symbol);
        returns.push_back(paper && bars ? configuration_daily_returns(
                              *bars, *paper, correlation_window_from(*last_bar, spec->admission))
                                        : std::vector<std::pair<unix_time, double>>{});
      }
    json_writer w;
    w.begin_object().key("program_id").string(p->id);
    w.key("days").number(static_cast<std::uint64_t>(days));
    w.key("limit").number(spec->admission.max_correlation);
    w.key("as_of").timestamp(last_bar);
    w.key("deployments").begin_array();
    for (std::size_t i = 0; i < returns.size(); ++i)
      w.begin_object()
          .key("deployment_id")
          .string(rows[i].id)
          .key("strategy")
          .string(rows[i].strategy)
          .key("symbol")
          .string(symbol_of(*p, rows[i].symbol))
          .key("params")
          .raw(rows[i].params_json)
          .end_object();
    w.end_array().key("matrix").begin_array();
    for (std::size_t i = 0; i < returns.size(); ++i) {
      w.begin_array();
      for (std::size_t j = 0; j < returns.size(); ++j) {
        const auto rho = i == j ? std::optional<double>(1.0)
                                : return_correlation(returns[i], returns[j], days,
                                                     spec->admission.min_common_days);
        if (rho)
          w.number(round_places(*rho));
        else
          w.null();
      }
      w.end_array();
    }
    w.end_array().end_object();
    return body_reply(service_code::ok, w.take());
  }

  if (view == "report") {
    std::optional<unix_time> date;
    r.time("date", date);
    if (!date && problems.empty())
      problems.push_back({"date", 0, "required: YYYY-MM-DD"});
    std::optional<std::string> format;
    r.choice("format", {"json", "csv"}, format);
    if (date && *date != utc_day(*date))
      problems.push_back({"date", 0, "must be a date: YYYY-MM-DD"});
    if (!problems.empty())
      return error_reply(service_code::bad_request, "invalid report", std::move(problems));
    const unix_time day = *date;
    program_data data(c, *p);
    const auto benchmark = program_benchmark(c, *p, *spec);
    std::int64_t total = 0;
    const auto alerts = db::list_alerts(c, p->id, std::nullopt, 10'000, 0, total);
    // Each deployment's day, by value: its run is not kept.
    struct line {
      const db::deployment_row* d;
      deployment_day today;
      double previous = 0, drawdown = 0;
      std::size_t trades_today = 0, alerts_today = 0;
      std::string status;
      double size_factor = 1;
    };
    std::vector<line> lines;
    const auto rows = db::list_deployments(c, p->id, false);
    for (const auto& d : rows) {
      // Deployed before the day's end and not ended before it began.
      if (utc_day(d.deployed_at) >= day || (d.ended_at && *d.ended_at < day))
        continue;
      const auto paper = paper_of(*p, d);
      const auto* bars = data.bars(d.symbol);
      if (!paper || !bars)
        continue;
      const auto run = run_forward(*bars, *paper, benchmark ? &*benchmark : nullptr);
      const auto it = std::find_if(run.days.begin(), run.days.end(),
                                   [&](const deployment_day& x) { return x.day == day; });
      if (it == run.days.end())
        continue; // no bars that day
      const auto k = static_cast<std::size_t>(it - run.days.begin());
      line l{&d, *it, k > 0 ? run.days[k - 1].equity : it->equity, day_drawdowns(run.days)[k], 0, 0,
             {}, 1};
      for (const auto& t : run.output.trades)
        l.trades_today += utc_day(t.exit_time) == day;
      for (const auto& a : alerts)
        l.alerts_today += a.deployment_id == d.id && a.day == day;
      l.status = d.ended_at && *d.ended_at < day + seconds_per_day ? d.status : "active";
      for (const auto& s : paper->sizing)
        if (s.from <= day)
          l.size_factor = s.factor;
      lines.push_back(l);
    }
    auto health = [](const line& l) {
      return l.status != "active" ? std::string("ended")
             : l.size_factor < 1  ? std::string("reduced")
             : l.drawdown > 0     ? std::string("in_drawdown")
                                  : std::string("at_peak");
    };
    if (format.value_or("json") == "csv") {
      std::string csv = "date,deployment_id,strategy,symbol,params,status,capital,equity,day_pnl,"
                        "total_pnl,return_pct,benchmark_return_pct,drawdown_pct,size_factor,"
                        "trades_closed,alerts,health\n";
      for (const auto& l : lines) {
        fixed capital;
        parse_decimal(l.d->capital, capital);
        const double cap = capital.to_double();
        csv += format_timestamp(day).substr(0, 10) + "," + l.d->id + "," + l.d->strategy + ","
               + csv_text(symbol_of(*p, l.d->symbol)) + "," + csv_text(l.d->params_json) + ","
               + l.status + "," + to_string(capital) + "," + number_text(l.today.equity) + ","
               + number_text(l.today.equity - l.previous) + "," + number_text(l.today.equity - cap)
               + "," + number_text((l.today.equity / cap - 1) * 100) + ","
               + number_text((l.today.benchmark / cap - 1) * 100) + "," + number_text(l.drawdown)
               + "," + number_text(l.size_factor) + "," + std::to_string(l.trades_today) + ","
               + std::to_string(l.alerts_today) + "," + health(l) + "\n";
      }
      return body_reply(service_code::ok, csv, "text/csv; charset=utf-8");
    }
    json_writer w;
    w.begin_object()
        .key("program_id")
        .string(p->id)
        .key("date")
        .string(format_timestamp(day).substr(0, 10));
    double equity = 0, pnl = 0;
    w.key("deployments").begin_array();
    for (const auto& l : lines) {
      fixed capital;
      parse_decimal(l.d->capital, capital);
      const double cap = capital.to_double();
      equity += l.today.equity;
      pnl += l.today.equity - l.previous;
      w.begin_object().key("deployment_id").string(l.d->id).key("strategy").string(l.d->strategy);
      w.key("symbol").string(symbol_of(*p, l.d->symbol));
      w.key("params").raw(l.d->params_json).key("status").string(l.status);
      w.key("capital").number(capital).key("equity").number(round_places(l.today.equity));
      w.key("day_pnl").number(round_places(l.today.equity - l.previous));
      w.key("total_pnl").number(round_places(l.today.equity - cap));
      w.key("return_pct").number(round_places((l.today.equity / cap - 1) * 100));
      w.key("benchmark_return_pct").number(round_places((l.today.benchmark / cap - 1) * 100));
      w.key("drawdown_pct").number(round_places(l.drawdown));
      w.key("size_factor").number(l.size_factor);
      w.key("trades_closed").number(static_cast<std::uint64_t>(l.trades_today));
      w.key("alerts").number(static_cast<std::uint64_t>(l.alerts_today));
      w.key("health").string(health(l)).end_object();
    }
    w.end_array();
    w.key("totals")
        .begin_object()
        .key("deployments")
        .number(static_cast<std::uint64_t>(lines.size()))
        .key("equity")
        .number(round_places(equity))
        .key("day_pnl")
        .number(round_places(pnl))
        .end_object();
    w.end_object();
    return body_reply(service_code::ok, w.take());
  }

  if (view == "decisions") {
    db::audit_filter f;
    f.object = "program:" + p->id;
    r.whole("limit", 1, max_decision_page, f.limit);
    r.whole("after", 0, std::numeric_limits<std::int64_t>::max(), f.after_seq);
    if (!problems.empty())
      return error_reply(service_code::bad_request, "invalid query", std::move(problems));
    const auto page = db::read_audit(c, f);
    json_writer w;
    w.begin_object().key("program_id").string(p->id).key("entries").begin_array();
    for (const auto& e : page.entries) {
      w.begin_object().key("seq").number(e.seq);
      w.key("at").timestamp(floor_div(e.at_ms, 1000)).key("actor").string(e.actor);
      w.key("action").string(e.action).key("details").raw(e.details);
      w.key("hash").string(e.hash).end_object();
    }
    w.end_array().key("next_after").optional(page.next_after_seq).end_object();
    return body_reply(service_code::ok, w.take());
  }
  return error_reply(service_code::not_found, "no such view " + view, {});
}

service_reply backtest_service::deployment_change(pqxx::connection& c, const db::principal& who,
                                                  const backtest_call& call,
                                                  const std::string& action) {
  const auto found = find_owned_program(c, who.user_id, call.run_id);
  if (!found)
    return error_reply(service_code::not_found, "no program " + call.run_id, {});
  const auto* p = &found->row;
  const auto* spec = &found->spec;
  boost::json::value body;
  if (auto refused = read_object_body(call.body, body))
    return *refused;
  const auto& o = body.as_object();

  if (action == "deploy") {
    for (const auto& kv : o)
      if (kv.key() != "strategy" && kv.key() != "params" && kv.key() != "symbol")
        return error_reply(
            service_code::unprocessable, "invalid deployment",
            {{std::string(kv.key()), 0, "unknown field (strategy, params, symbol)"}});
    const auto* symbol = o.if_contains("symbol");
    if (symbol && !symbol->is_string())
      return error_reply(service_code::unprocessable, "invalid deployment",
                         {{"symbol", 0, "must be one of the program's symbols"}});
    if (!symbol && spec->symbols.size() > 1)
      return error_reply(service_code::unprocessable, "invalid deployment",
                         {{"symbol", 0, "required: the program has several symbols"}});
    const auto* strategy = o.if_contains("strategy");
    const auto* params = o.if_contains("params");
    if (!strategy || !strategy->is_string() || !params || !params->is_object())
      return error_reply(service_code::unprocessable, "invalid deployment",
                         {{!strategy || !strategy->is_string() ? "strategy" : "params", 0,
                           "required: the candidate's strategy and its params object"}});
    std::optional<unix_time> as_of;
    std::optional<std::string> identity;
    for (const auto& g : gated_candidates(c, *p, *spec, as_of))
      if (g.strategy == strategy->as_string() && boost::json::parse(g.params_json) == *params
          && (!symbol || g.symbol == symbol->as_string()))
        identity = g.identity;
    if (!identity)
      return error_reply(service_code::unprocessable, "invalid deployment",
                         {{"params", 0,
                           "not a candidate of the program's promotion gate now: see "
                           "/v1/programs/"
                               + p->id + "/candidates"}});
    const std::lock_guard<std::recursive_mutex> one_at_a_time(deployments_);
    const std::string outcome = promote(c, who, *p, *spec, identity);
    advance_program(c, who, *p, *spec);
    const auto doc = boost::json::parse(outcome);
    const auto& outcomes = doc.at("outcomes").as_array();
    if (outcomes.empty()) // the gate or the deployments changed between the reads
      return error_reply(service_code::conflict,
                         "not deployed: no longer a candidate, or the program's deployments "
                         "changed meanwhile; try again",
                         {{"outcome", 0, "not_a_candidate"}});
    const auto& o = outcomes[0];
    if (o.at("outcome").as_string() == "deployed")
      return body_reply(service_code::created, outcome);
    // Refused by a rule: the error names the rule's outcome and says why.
    return error_reply(service_code::conflict,
                       "not deployed: " + std::string(o.at("message").as_string()),
                       {{"outcome", 0, std::string(o.at("outcome").as_string())}});
  }

  if (action == "deactivate") {
    const auto id = query_value(call.query, "deployment").value_or("");
    const auto* reason = o.if_contains("reason");
    for (const auto& kv : o)
      if (kv.key() != "reason")
        return error_reply(service_code::unprocessable, "invalid override",
                           {{std::string(kv.key()), 0, "unknown field (reason)"}});
    if (!reason || !reason->is_string() || reason->as_string().empty()
        || reason->as_string().size() > 500)
      return error_reply(service_code::unprocessable, "invalid override",
                         {{"reason", 0, "required: a text of 1 to 500 characters"}});
    const std::lock_guard<std::recursive_mutex> one_at_a_time(deployments_);
    auto d = db::find_deployment(c, p->id, id);
    if (!d)
      return error_reply(service_code::not_found, "no deployment " + id + " of program " + p->id,
                         {});
    if (d->status != "active")
      return error_reply(service_code::conflict,
                         "deployment " + id + " is " + d->status + " already", {});
    // At once in market-data time: it trades no bar after the last stored.
    const auto dataset = db::find_dataset(c, p->user_id, symbol_of(*p, d->symbol), p->timeframe);
    const unix_time last = dataset && dataset->to ? *dataset->to : d->deployed_at;
    d->status = "deactivated";
    d->ended_at = std::max(last, d->deployed_at);
    d->end_reason = "override by " + who.name + ": " + std::string(reason->as_string());
    if (auto paper = paper_of(*p, *d); paper && dataset) {
      if (const auto bars = program_bars(c, *p, d->symbol)) {
        const auto run = run_forward(*bars, *paper);
        auto summary = boost::json::parse(d->summary_json).as_object();
        summary["health"] = "ended";
        if (!run.output.equity.empty()) {
          summary["equity"] = to_string(run.output.equity.back().equity);
          summary["trades"] = run.output.trades.size();
        }
        d->summary_json = boost::json::serialize(summary);
      }
    }
    json_writer details;
    details.begin_object().key("deployment_id").string(d->id).key("strategy").string(d->strategy);
    details.key("params").raw(d->params_json).key("reason").string(reason->as_string());
    details.key("ended_at").timestamp(d->ended_at);
    details.key("data_checksum").string(dataset ? dataset->checksum : "");
    details.end_object();
    const std::string text = details.take();
    db::alert_row alert{
        0,    d->id, "override", utc_day(*d->ended_at), std::nullopt, std::nullopt, d->end_reason,
        text, 0};
    if (!db::record_decisions(c, p->id, {}, {*d}, {alert}, {{"deployment.deactivated", text}},
                              db::actor_of(who)))
      return error_reply(service_code::conflict, "deployment " + id + " ended meanwhile", {});
    telemetry::deployment_decision("deployment.deactivated");
    telemetry::deployment_alert("override");
    publish_deployments(c, *p, *spec);
    const auto now = db::find_deployment(c, p->id, id);
    json_writer w;
    w.begin_object().key("program_id").string(p->id);
    write_deployment_fields(w, *now);
    w.end_object();
    return body_reply(service_code::ok, w.take());
  }
  return error_reply(service_code::not_found, "no such action " + action, {});
}

} // namespace bt
