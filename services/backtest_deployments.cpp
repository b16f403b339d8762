// Paper deployments of evaluation programs: promotion of the gate's
// candidates under the admission rules, deployments advancing as bars
// arrive under the risk rules, manual deployment and override, and the
// views external monitoring reads (deployments, alerts, correlations,
// daily reports, the decision history). Every decision is written with
// its audit entry, naming the figures, parameters and data checksum that
// caused it.
#include "services/backtest_service.hpp"

#include "config/log.hpp"
#include "domain/evaluation/paper_deployment.hpp"
#include "domain/evaluation/program.hpp"
#include "domain/evaluation/promotion.hpp"
#include "domain/metrics/metrics.hpp"
#include "domain/report/json_writer.hpp"
#include "persistence/deployment_store.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/program_store.hpp"
#include "services/deployment_rows.hpp"
#include "services/progress_hub.hpp"
#include "services/service_reply.hpp"
#include "services/telemetry.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace bt {

namespace {

/// The figures a dashboard shows of a deployment's forward run.
std::string summary_json(const forward_run& run, const risk_state& state,
                         const std::string& status) {
  const auto& days = run.days;
  const fixed equity = run.output.equity.empty() ? run.initial : run.output.equity.back().equity;
  const auto drawdowns = day_drawdowns(days);
  const double max_dd =
      drawdowns.empty() ? 0.0 : *std::max_element(drawdowns.begin(), drawdowns.end());
  const double now_dd = drawdowns.empty() ? 0.0 : drawdowns.back();
  const double start = run.initial.to_double();
  json_writer w;
  w.begin_object();
  w.key("equity").number(equity).key("pnl").number(equity - run.initial);
  w.key("return_pct")
      .number(start > 0 ? round_places((equity.to_double() / start - 1) * 100) : 0.0);
  w.key("benchmark_return_pct")
      .number(start > 0 && !days.empty() ? round_places((days.back().benchmark / start - 1) * 100)
                                         : 0.0);
  w.key("drawdown_pct").number(round_places(std::max(0.0, now_dd)));
  w.key("max_drawdown_pct").number(round_places(max_dd));
  w.key("trades").number(static_cast<std::uint64_t>(run.output.trades.size()));
  w.key("days").number(static_cast<std::uint64_t>(days.size() > 0 ? days.size() - 1 : 0));
  w.key("last_day")
      .timestamp(days.size() > 1 ? std::optional<unix_time>(days.back().day) : std::nullopt);
  w.key("size_factor").number(state.size_factor);
  w.key("health").string(status != "active"         ? "ended"
                         : state.in_drawdown_breach ? "drawdown"
                         : state.in_drift           ? "drift"
                                                    : "healthy");
  w.end_object();
  return w.take();
}

std::string pct(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

/// Why a decision happened, for its alert's message.
std::string decision_message(const risk_decision& d) {
  switch (d.action) {
  case risk_action::deactivate:
    return "rolled back: " + pct(d.value)
           + " points against the benchmark over the rollback "
             "window (limit "
           + pct(d.limit) + ")";
  case risk_action::halve_size:
    return "drawdown " + pct(d.value) + " % reached the limit of " + pct(d.limit)
           + " %: position size halved";
  case risk_action::drift_alert:
    return "drift: Sharpe ratio " + pct(d.value) + " over the drift window is below " + pct(d.limit)
           + ", half its walk-forward expectation; a re-backtest is scheduled";
  }
  return {};
}

std::string alert_kind(risk_action a) {
  return a == risk_action::deactivate   ? "rollback"
         : a == risk_action::halve_size ? "drawdown"
                                        : "drift";
}

/// A deployment's fields every decision about it names.
void write_identity(json_writer& w, const db::deployment_row& d) {
  w.key("deployment_id").string(d.id).key("strategy").string(d.strategy);
  w.key("params").raw(d.params_json).key("walk_forward_id").string(d.walk_forward_id);
}

} // namespace

// ---- promotion ------------------------------------------------------------

std::string backtest_service::promote(pqxx::connection& c, const db::principal& who,
                                      const db::program_row& p, const program_spec& spec,
                                      const std::optional<std::string>& only) {
  const std::lock_guard<std::recursive_mutex> one_at_a_time(deployments_);
  std::optional<unix_time> as_of;
  auto gated = gated_candidates(c, p, spec, as_of);
  if (only)
    gated.erase(std::remove_if(gated.begin(), gated.end(),
                               [&](const gated_candidate& g) { return g.identity != *only; }),
                gated.end());
  program_data data(c, p);
  const auto last_bar = data.last_bar(spec.symbols);
  json_writer w;
  w.begin_object().key("program_id").string(p.id).key("outcomes").begin_array();
  if (!as_of || !last_bar) {
    w.end_array().end_object();
    return w.take();
  }
  // Correlation is measured on each configuration's run over the same last
  // correlation_days of the data, so that a candidate (which has no forward
  // days yet) and a young deployment are compared on equal terms.
  const unix_time window_from = correlation_window_from(*last_bar, spec.admission);
  auto returns_of = [&](const std::string& symbol, const paper_deployment& paper) {
    const auto* bars = data.bars(symbol);
    return bars ? configuration_daily_returns(*bars, paper, window_from)
                : std::vector<std::pair<unix_time, double>>{};
  };
  const auto all = db::list_deployments(c, p.id, false);
  std::vector<round_active> active;
  std::vector<round_ended> ended;
  for (const auto& d : all) {
    if (d.status != "active") {
      ended.push_back({d.identity, d.ended_at.value_or(d.deployed_at)});
      continue;
    }
    const auto paper = paper_of(p, d);
    if (!paper)
      continue;
    active.push_back({d.id, d.identity, d.strategy, d.score,
                      paper->config.execution.initial_capital, returns_of(d.symbol, *paper)});
  }
  // The candidates that can run (a configuration that no longer resolves
  // is reported, and takes no slot or capital from the others).
  std::vector<round_candidate> candidates;
  std::vector<paper_deployment> papers;
  std::vector<std::size_t> gated_index;
  for (std::size_t i = 0; i < gated.size(); ++i) {
    const auto& g = gated[i];
    auto config = program_configuration(p, g.symbol, g.strategy, g.params_json, g.allocation);
    const auto* dataset = data.dataset(g.symbol);
    if (!config || !dataset) {
      w.begin_object().key("strategy").string(g.strategy).key("params").raw(g.params_json);
      w.key("outcome").string("invalid");
      w.key("message").string("its configuration no longer resolves").end_object();
      continue;
    }
    round_candidate rc{new_uuid(), g.identity, g.strategy, g.score, g.allocation, g.since, {}};
    paper_deployment paper;
    paper.config = std::move(*config);
    // The warm-up its walk-forward's cycle saw: the look-back to its as-of time.
    paper.history_from = std::max(
        *dataset->from, *as_of - static_cast<unix_time>(spec.lookback_days) * seconds_per_day);
    paper.deployed_at = *as_of;
    paper.expected_sharpe = g.expected_sharpe;
    if (!std::any_of(active.begin(), active.end(),
                     [&](const round_active& d) { return d.identity == g.identity; }))
      rc.daily_returns = returns_of(g.symbol, paper);
    papers.push_back(std::move(paper));
    candidates.push_back(std::move(rc));
    gated_index.push_back(i);
  }

  std::vector<db::deployment_row> added, changed;
  std::vector<db::alert_row> alerts;
  std::vector<db::decision_entry> decisions;
  for (const auto& step :
       promotion_round(active, ended, candidates, fixed::from_int(spec.capital), spec.admission)) {
    const auto& g = gated[gated_index[step.candidate]];
    const auto& rc = candidates[step.candidate];
    auto outcome = [&](const std::string& what, const std::string& message) {
      w.begin_object().key("strategy").string(g.strategy).key("params").raw(g.params_json);
      w.key("outcome").string(what).key("message").string(message).end_object();
    };
    if (step.outcome == round_outcome::already_deployed) {
      outcome("already_deployed", "deployed already");
      continue;
    }
    if (step.outcome == round_outcome::ended) {
      outcome("ended", "its deployment ended during its current streak");
      continue;
    }
    if (step.outcome == round_outcome::no_capital) {
      outcome("no_capital", "the program's capital is committed to its active deployments");
      continue;
    }
    // The decision's evidence: what the gate saw and the data it saw it on.
    auto details = [&](json_writer& d) {
      d.key("strategy").string(g.strategy).key("params").raw(g.params_json);
      d.key("score").number(g.score).key("rank").number(g.rank);
      d.key("cycle").number(g.cycle).key("in_top_since").timestamp(g.since);
      d.key("walk_forward_id").string(g.walk_forward_id);
      d.key("expected_sharpe").number(g.expected_sharpe);
      d.key("allocation").number(g.allocation);
      d.key("symbol").string(g.symbol);
      const auto* dataset = data.dataset(g.symbol);
      d.key("as_of")
          .timestamp(*as_of)
          .key("data_checksum")
          .string(dataset ? dataset->checksum : "");
    };
    const admission& a = step.admission;
    if (step.outcome == round_outcome::refused) {
      json_writer d;
      d.begin_object();
      details(d);
      const std::string kind(to_string(a.outcome));
      d.key("outcome").string(kind);
      std::string message;
      if (a.outcome == admission_outcome::redundant) {
        d.key("correlated_with").string(*a.correlated_with);
        d.key("correlation").number(*a.correlation);
        message = "redundant: daily returns correlate " + pct(*a.correlation)
                  + " with active deployment " + *a.correlated_with + " over the last "
                  + std::to_string(spec.admission.correlation_days) + " days (limit "
                  + pct(spec.admission.max_correlation) + ")";
      } else if (a.outcome == admission_outcome::type_capped) {
        message = "its strategy type holds its share of the deployment slots already";
      } else {
        message = "every deployment slot is taken by a higher score";
      }
      d.end_object();
      alerts.push_back(
          {0, a.correlated_with, kind, utc_day(*as_of), a.correlation,
           a.correlation ? std::optional<double>(spec.admission.max_correlation) : std::nullopt,
           message, d.str(), 0});
      decisions.push_back({"deployment." + kind, d.str()});
      outcome(kind, message);
      continue;
    }
    db::deployment_row row;
    row.id = rc.id;
    row.program_id = p.id;
    row.identity = g.identity;
    row.strategy = g.strategy;
    row.symbol = g.symbol;
    row.params_json = g.params_json;
    row.walk_forward_id = g.walk_forward_id;
    row.cycle = g.cycle;
    row.score = g.score;
    row.expected_sharpe = g.expected_sharpe;
    row.capital = to_string(step.granted);
    row.history_from = papers[step.candidate].history_from;
    row.deployed_at = *as_of;
    row.risk_json = risk_json(risk_state{});
    paper_deployment paper = papers[step.candidate];
    paper.config.execution.initial_capital = step.granted;
    row.summary_json =
        summary_json(run_forward(*data.bars(g.symbol), paper), risk_state{}, "active");
    std::optional<std::string> demoted_id;
    if (a.demote) {
      // Whether the demoted one is stored or was deployed in this pass.
      db::deployment_row gone;
      const auto stored =
          std::find_if(all.begin(), all.end(), [&](const auto& d) { return d.id == *a.demote; });
      const auto fresh = std::find_if(added.begin(), added.end(),
                                      [&](const auto& d) { return d.id == *a.demote; });
      if (fresh != added.end()) {
        gone = *fresh; // deployed and demoted in one pass: stored as demoted
      } else if (stored != all.end()) {
        gone = *stored;
      }
      demoted_id = gone.id;
      gone.status = "demoted";
      gone.ended_at = *as_of;
      gone.end_reason =
          "demoted for " + row.id + " (score " + pct(g.score) + " above " + pct(gone.score) + ")";
      json_writer d;
      d.begin_object();
      write_identity(d, gone);
      d.key("score").number(gone.score).key("replaced_by").string(row.id);
      d.key("replacement_score").number(g.score);
      d.key("max_active").number(static_cast<std::uint64_t>(spec.admission.max_active));
      const auto* its = data.dataset(gone.symbol);
      d.key("as_of").timestamp(*as_of).key("data_checksum").string(its ? its->checksum : "");
      d.end_object();
      if (fresh != added.end())
        *fresh = gone;
      else
        changed.push_back(gone);
      alerts.push_back({0, gone.id, "demoted", utc_day(*as_of), gone.score, g.score,
                        gone.end_reason, d.str(), 0});
      decisions.push_back({"deployment.demoted", d.str()});
    }
    json_writer d;
    d.begin_object();
    details(d);
    d.key("deployment_id").string(row.id).key("capital").number(step.granted);
    d.key("mode").string(only ? "manual" : "automatic");
    d.end_object();
    decisions.push_back({"deployment.promoted", d.str()});
    added.push_back(row);
    w.begin_object().key("strategy").string(g.strategy).key("params").raw(g.params_json);
    w.key("outcome").string("deployed").key("deployment_id").string(row.id);
    w.key("capital").number(step.granted);
    if (demoted_id)
      w.key("demoted").string(*demoted_id);
    w.end_object();
  }
  w.end_array().end_object();
  if (decisions.empty())
    return w.take();
  if (!db::record_decisions(c, p.id, added, changed, alerts, decisions, db::actor_of(who))) {
    // A deployment it demotes ended meanwhile: nothing of this pass stands.
    json_writer none;
    none.begin_object().key("program_id").string(p.id).key("outcomes").begin_array();
    none.end_array().end_object();
    return none.take();
  }
  for (const auto& e : decisions)
    telemetry::deployment_decision(e.action);
  for (const auto& a : alerts)
    telemetry::deployment_alert(a.kind);
  publish_deployments(c, p, spec);
  return w.take();
}

void backtest_service::publish_deployments(pqxx::connection& c, const db::program_row& p,
                                           const program_spec& spec) {
  if (hub_)
    hub_->publish_document(
        "program:" + p.id, "active",
        deployments_document(p, spec, false, db::list_deployments(c, p.id, false)));
}

// ---- advancing ------------------------------------------------------------

std::size_t backtest_service::advance_program(pqxx::connection& c, const db::principal& who,
                                              const db::program_row& p, const program_spec& spec) {
  const std::lock_guard<std::recursive_mutex> one_at_a_time(deployments_);
  // The deployments whose symbol's data changed since their last pass.
  program_data data(c, p);
  std::vector<db::deployment_row> due;
  for (auto& d : db::list_deployments(c, p.id, true))
    if (const auto* dataset = data.dataset(d.symbol);
        dataset && d.data_checksum != dataset->checksum)
      due.push_back(std::move(d));
  if (due.empty())
    return 0;
  const auto benchmark = program_benchmark(c, p, spec);
  std::size_t advanced = 0;
  for (auto& row : due) {
    auto paper = paper_of(p, row);
    const auto* dataset = data.dataset(row.symbol);
    const auto* bars = data.bars(row.symbol);
    if (!paper || !dataset || !bars)
      continue;
    risk_state state = read_risk(row.risk_json);
    unix_time judged = row.judged_through.value_or(0);
    advance_result r;
    std::vector<db::alert_row> alerts;
    std::vector<db::decision_entry> decisions;
    try {
      r = advance(*bars, *paper, state, judged, spec.risk, benchmark ? &*benchmark : nullptr);
    } catch (const std::exception& e) {
      // Exact or refused: a run that leaves the exact range stops here,
      // with an alert, instead of advancing on an inexact figure.
      row.status = "deactivated";
      row.ended_at = *dataset->to;
      row.end_reason = std::string("its forward run cannot be computed exactly: ") + e.what();
      json_writer d;
      d.begin_object();
      write_identity(d, row);
      d.key("error").string(e.what()).key("data_checksum").string(dataset->checksum);
      d.end_object();
      alerts.push_back({0, row.id, "error", utc_day(*dataset->to), std::nullopt, std::nullopt,
                        row.end_reason, d.str(), 0});
      decisions.push_back({"deployment.deactivated", d.str()});
      row.data_checksum = dataset->checksum;
      if (db::record_decisions(c, p.id, {}, {row}, alerts, decisions, db::actor_of(who))) {
        telemetry::deployment_decision("deployment.deactivated");
        telemetry::deployment_alert("error");
      }
      continue;
    }
    for (const auto& decision : r.decisions) {
      json_writer d;
      d.begin_object();
      write_identity(d, row);
      d.key("action").string(to_string(decision.action));
      d.key("day").timestamp(decision.day).key("value").number(decision.value);
      d.key("limit").number(decision.limit).key("size_factor").number(state.size_factor);
      d.key("expected_sharpe").number(row.expected_sharpe);
      d.key("rules");
      write_risk_rules(d, spec);
      d.key("data_checksum").string(dataset->checksum);
      if (decision.action == risk_action::drift_alert) {
        // The re-backtest: the configuration over the program's lookback,
        // at low priority, as the program's owner.
        json_writer body;
        body.begin_object().key("symbol").string(symbol_of(p, row.symbol));
        body.key("timeframe").string(p.timeframe);
        body.key("strategy").string(row.strategy).key("params").raw(row.params_json);
        body.key("start").timestamp(
            std::max(*dataset->from,
                     decision.day - static_cast<unix_time>(spec.lookback_days) * seconds_per_day));
        body.key("end").timestamp(decision.day + seconds_per_day - 1);
        body.key("priority").string("low").end_object();
        backtest_call inner;
        inner.body = body.take();
        const auto reply = submit_run(c, who, inner, nullptr);
        boost::json::error_code ec;
        const auto doc = boost::json::parse(reply.body, ec);
        if (reply.code == static_cast<std::uint8_t>(service_code::accepted) && doc.is_object()
            && doc.as_object().contains("run_id"))
          d.key("rebacktest_run_id").string(doc.as_object().at("run_id").as_string());
        else
          d.key("rebacktest_refused").string(reply.body);
      }
      d.end_object();
      if (decision.action == risk_action::deactivate) {
        row.status = "rolled_back";
        row.end_reason = decision_message(decision);
      }
      alerts.push_back({0, row.id, alert_kind(decision.action), decision.day, decision.value,
                        decision.limit, decision_message(decision), d.str(), 0});
      decisions.push_back({decision.action == risk_action::deactivate   ? "deployment.rolled_back"
                           : decision.action == risk_action::halve_size ? "deployment.size_halved"
                                                                        : "deployment.drift_alert",
                           d.str()});
    }
    row.sizing_json = sizing_json(paper->sizing);
    row.ended_at = paper->ended_at;
    row.risk_json = risk_json(state);
    if (judged > 0)
      row.judged_through = judged;
    row.data_checksum = dataset->checksum;
    row.summary_json = summary_json(r.run, state, row.status);
    if (db::record_decisions(c, p.id, {}, {row}, alerts, decisions, db::actor_of(who))) {
      ++advanced;
      for (const auto& e : decisions)
        telemetry::deployment_decision(e.action);
      for (const auto& a : alerts)
        telemetry::deployment_alert(a.kind);
    }
  }
  if (advanced > 0)
    publish_deployments(c, p, spec);
  return advanced;
}

std::size_t backtest_service::run_deployments() {
  auto conn = pool_->acquire();
  pqxx::connection& c = *conn;
  std::size_t advanced = 0;
  for (const auto& p : db::programs_with_deployments(c, max_scheduled_programs)) {
    try {
      const auto spec = spec_of(p);
      if (!spec)
        continue;
      advanced += advance_program(
          c, db::acting_for_owner(c, p.user_id, "deployment rules", "trader"), p, *spec);
    } catch (const std::exception& e) {
      log::warn("deployment_advance_failed", {{"program_id", p.id}, {"error", e.what()}});
    }
  }
  telemetry::deployments_counted(db::deployment_counts(c));
  return advanced;
}

} // namespace bt
