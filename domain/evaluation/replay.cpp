#include "domain/evaluation/replay.hpp"

#include "domain/engine/backtest.hpp"
#include "domain/evaluation/paper_deployment.hpp"
#include "domain/evaluation/promotion.hpp"
#include "domain/evaluation/scorecard.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "domain/research/walk_forward.hpp"

#include <algorithm>
#include <map>

namespace bt {

namespace {

/// A deployment as the replay keeps it.
struct replayed_deployment {
  std::string identity, strategy, params_json, symbol;
  double score = 0;
  paper_deployment paper;
  risk_state state;
  unix_time judged = 0, promoted = 0;
  std::optional<unix_time> ended; ///< rolled back or demoted
};

/// One configuration's walk-forward over `window`, as a worker runs it,
/// read back as the scorecard reads a stored result.
evaluation_facts evaluate(const program_spec& spec, const cycle_configuration& cfg,
                          const std::string& symbol, const bar_series& window, unix_time from,
                          unix_time to, unix_time& last_bar_used) {
  evaluation_facts f;
  f.symbol = symbol;
  f.index = cfg.index;
  f.strategy = spec.templates[cfg.template_index].strategy;
  f.params_json = boost::json::serialize(cfg.params);
  f.status = "failed";
  walk_forward_spec wf;
  if (!parse_walk_forward_spec(configuration_walk_forward(spec, cfg, from, to, symbol), wf).empty())
    return f;
  const auto folds = plan_folds(wf.windows, window);
  if (window.size() == 0 || folds.empty())
    return f;
  const walk_forward_result r = run_walk_forward(wf, window, folds, 1);
  last_bar_used = std::max(last_bar_used, window.times()[folds.back().test_end - 1]);
  json_writer w;
  write_walk_forward(w, wf, window, r);
  read_walk_forward_result(w.str(), f);
  f.status = "completed";
  return f;
}

} // namespace

namespace {

/// From `from`, then every `every` (a week when the program has no
/// schedule) up to `to`, each point's as-of time `latest(point)`, once
/// each; one beyond max_replay_cycles at most, which callers refuse.
template <class Latest>
std::vector<unix_time> scheduled_as_of(const program_spec& spec, unix_time from, unix_time to,
                                       Latest latest) {
  std::vector<unix_time> out;
  const unix_time every = spec.every.value_or(7 * seconds_per_day);
  for (unix_time point = from; point <= to && out.size() <= max_replay_cycles; point += every) {
    const std::optional<unix_time> as_of = latest(point);
    if (as_of && (out.empty() || *as_of > out.back()))
      out.push_back(*as_of);
  }
  return out;
}

/// The last bar at or before `point`; none before the first bar.
std::optional<unix_time> last_bar_at(const bar_series& bars, unix_time point) {
  const unix_time* t = bars.times();
  const auto it = std::upper_bound(t, t + bars.size(), point);
  if (it == t)
    return std::nullopt;
  return *(it - 1);
}

} // namespace

std::vector<unix_time> replay_points(const program_spec& spec, const bar_series& bars,
                                     unix_time from, unix_time to) {
  return scheduled_as_of(spec, from, to, [&](unix_time point) { return last_bar_at(bars, point); });
}

replay_result replay_program(const program_spec& spec, const bar_series& bars, unix_time from,
                             unix_time to,
                             const std::function<bool(std::size_t, std::size_t)>& progress) {
  return replay_program(spec, symbol_bars{{spec.symbol, bars}}, from, to, progress);
}

std::vector<unix_time> replay_points(const program_spec& spec, const symbol_bars& bars,
                                     unix_time from, unix_time to) {
  // One cycle per scheduled point: the latest of its symbols' last bars.
  return scheduled_as_of(spec, from, to, [&](unix_time point) {
    std::optional<unix_time> latest;
    for (const auto& symbol : spec.symbols)
      if (const auto it = bars.find(symbol); it != bars.end())
        if (const auto t = last_bar_at(it->second, point); t && (!latest || *t > *latest))
          latest = t;
    return latest;
  });
}

replay_result replay_program(const program_spec& spec, const symbol_bars& all, unix_time from,
                             unix_time to,
                             const std::function<bool(std::size_t, std::size_t)>& progress) {
  replay_result out;
  // Every symbol's bars, in the program's order; each point's as-of time
  // is the latest last bar at or before it.
  std::vector<std::pair<std::string, const bar_series*>> series;
  for (const auto& symbol : spec.symbols)
    if (const auto it = all.find(symbol); it != all.end() && it->second.size() > 0)
      series.emplace_back(symbol, &it->second);
  if (series.empty())
    return out;
  const std::vector<unix_time> points = replay_points(spec, all, from, to);
  if (points.empty())
    return out;
  auto first_of = [](const bar_series& b) { return b.times()[0]; };
  scorecard_gate gate(spec);
  std::vector<replayed_deployment> deployments;

  // The risk rules' decisions on every closed day up to `until`.
  auto advance_all = [&](unix_time until, int cycle) {
    for (auto& d : deployments) {
      if (d.ended)
        continue;
      const bar_series& bars = all.at(d.symbol);
      const bar_series visible = bars.slice(first_of(bars), until);
      const auto r = advance(visible, d.paper, d.state, d.judged, spec.risk);
      for (const auto& x : r.decisions)
        out.decisions.push_back({x.day,
                                 x.action == risk_action::deactivate   ? "rolled_back"
                                 : x.action == risk_action::halve_size ? "size_halved"
                                                                       : "drift_alert",
                                 d.strategy, d.params_json, x.value, x.limit, cycle, d.symbol});
      if (d.paper.ended_at)
        d.ended = d.paper.ended_at;
    }
  };

  for (std::size_t k = 0; k < points.size(); ++k) {
    const int cycle = static_cast<int>(k) + 1;
    const unix_time as_of = points[k];
    // Nothing after the as-of time exists for this cycle.
    advance_all(as_of, cycle);
    replay_cycle rc;
    rc.cycle = cycle;
    rc.as_of = as_of;
    std::vector<evaluation_facts> facts;
    std::map<std::string, bar_series> visible; // each symbol up to the as-of time
    std::map<std::string, unix_time> history_from;
    for (const auto& [symbol, bars] : series) {
      visible[symbol] = bars->slice(first_of(*bars), as_of);
      const bar_series& v = visible[symbol];
      if (v.size() == 0)
        continue;
      const unix_time last = v.times()[v.size() - 1];
      const unix_time window_from = std::max(
          first_of(v), last - static_cast<unix_time>(spec.lookback_days) * seconds_per_day);
      history_from[symbol] = window_from;
      const bar_series window = v.slice(window_from, last);
      for (const auto& cfg : cycle_configurations(spec, cycle))
        facts.push_back(evaluate(spec, cfg, symbol, window, window_from, last, rc.last_bar_used));
    }
    rc.configurations = facts.size();
    scorecard_header h;
    h.cycle = cycle;
    h.as_of = format_timestamp(as_of);
    const auto card = boost::json::parse(scorecard_json(h, facts, spec.weights));
    const auto& entries = card.at("entries").as_array();
    if (!entries.empty() && !entries[0].at("rank").is_null()) { // ranked first
      rc.best_strategy = std::string(entries[0].at("strategy").as_string());
      rc.best_params_json = boost::json::serialize(entries[0].at("params"));
      rc.best_symbol = std::string(entries[0].at("symbol").as_string());
    }
    // The gate, the capital and the admission rules, as the server runs them.
    gate.add(as_of, card);
    const auto chosen = gate.candidates();
    const unix_time corr_from = correlation_window_from(as_of, spec.admission);
    std::vector<round_active> active;
    std::vector<round_ended> ended;
    for (const auto& d : deployments) {
      if (d.ended)
        ended.push_back({d.identity, *d.ended});
      else
        active.push_back({d.identity, d.identity, d.strategy, d.score,
                          d.paper.config.execution.initial_capital,
                          configuration_daily_returns(visible.at(d.symbol), d.paper, corr_from)});
    }
    // The candidates that can run, as the server admits them: one whose
    // configuration does not resolve takes no slot or capital.
    std::vector<round_candidate> candidates;
    std::vector<paper_deployment> papers;
    std::vector<const scorecard_gate::candidate_entry*> runnable;
    for (const auto& g : chosen) {
      const boost::json::value params = g.entry.at("params");
      run_request rq;
      rq.symbol = g.symbol;
      rq.timeframe = spec.timeframe;
      rq.strategy = g.strategy;
      rq.params = &params;
      paper_deployment paper;
      if (!resolve_config(rq, paper.config).empty() || !history_from.count(g.symbol))
        continue;
      round_candidate c{g.identity, g.identity, g.strategy, g.score, g.allocation, g.since, {}};
      paper.config.execution.initial_capital = g.allocation;
      paper.history_from = history_from.at(g.symbol);
      paper.deployed_at = as_of;
      paper.expected_sharpe = g.expected_sharpe;
      if (std::none_of(active.begin(), active.end(),
                       [&](const round_active& d) { return d.identity == g.identity; }))
        c.daily_returns = configuration_daily_returns(visible.at(g.symbol), paper, corr_from);
      candidates.push_back(std::move(c));
      papers.push_back(std::move(paper));
      runnable.push_back(&g);
    }
    rc.candidates = chosen.size();
    for (const auto& step : promotion_round(active, ended, candidates,
                                            fixed::from_int(spec.capital), spec.admission)) {
      const auto& c = candidates[step.candidate];
      const std::string& params_json = runnable[step.candidate]->params_json;
      const std::string& symbol = runnable[step.candidate]->symbol;
      if (step.outcome == round_outcome::refused) {
        out.decisions.push_back({utc_day(as_of), std::string(to_string(step.admission.outcome)),
                                 c.strategy, params_json, step.admission.correlation.value_or(0),
                                 step.admission.correlation ? spec.admission.max_correlation : 0,
                                 cycle, symbol});
        continue;
      }
      if (step.outcome != round_outcome::deployed)
        continue;
      if (step.admission.demote)
        for (auto& d : deployments)
          if (!d.ended && d.identity == *step.admission.demote) {
            d.ended = as_of;
            out.decisions.push_back({utc_day(as_of), "demoted", d.strategy, d.params_json, d.score,
                                     c.score, cycle, d.symbol});
          }
      replayed_deployment d;
      d.identity = c.identity;
      d.strategy = c.strategy;
      d.params_json = params_json;
      d.symbol = symbol;
      d.score = c.score;
      d.paper = papers[step.candidate];
      d.paper.config.execution.initial_capital = step.granted;
      d.promoted = as_of;
      deployments.push_back(std::move(d));
      ++out.promotions;
      out.decisions.push_back({utc_day(as_of), "promoted", c.strategy, params_json, c.score,
                               step.granted.to_double(), cycle, symbol});
    }
    for (const auto& d : deployments)
      rc.active += !d.ended;
    out.cycles.push_back(std::move(rc));
    if (progress && !progress(k + 1, points.size())) {
      out.cancelled = true;
      return out;
    }
  }
  // The deployments' days after the last cycle, up to the end of the range.
  advance_all(to, static_cast<int>(points.size()));

  // Survival: still active 90 days after its promotion, among the
  // promotions with 90 days of data after them.
  for (const auto& d : deployments) {
    const bar_series& bars = all.at(d.symbol);
    const bar_series through = bars.slice(first_of(bars), to);
    const unix_time last = through.size() ? through.times()[through.size() - 1] : to;
    if (d.promoted + replay_survival_seconds <= last) {
      ++out.judged_promotions;
      out.survived += !d.ended || *d.ended > d.promoted + replay_survival_seconds;
    }
  }
  if (out.judged_promotions > 0)
    out.survival_rate = round_places(static_cast<double>(out.survived)
                                     / static_cast<double>(out.judged_promotions));
  json_writer w;
  w.begin_array();
  for (const auto& x : out.decisions)
    w.begin_object()
        .key("day")
        .timestamp(x.day)
        .key("action")
        .string(x.action)
        .key("strategy")
        .string(x.strategy)
        .key("params")
        .raw(x.params_json)
        .key("symbol")
        .string(x.symbol)
        .key("value")
        .number(x.value)
        .key("limit")
        .number(x.limit)
        .end_object();
  w.end_array();
  out.digest = sha256_hex(w.str());
  return out;
}

void write_replay(json_writer& w, const replay_result& r) {
  w.begin_object();
  w.key("cycles").begin_array();
  for (const auto& c : r.cycles) {
    w.begin_object().key("cycle").number(c.cycle).key("as_of").timestamp(c.as_of);
    w.key("last_bar_used").timestamp(c.last_bar_used);
    w.key("configurations").number(static_cast<std::uint64_t>(c.configurations));
    w.key("candidates").number(static_cast<std::uint64_t>(c.candidates));
    w.key("active").number(static_cast<std::uint64_t>(c.active));
    w.key("best").begin_object().key("strategy").string(c.best_strategy);
    w.key("params").raw(c.best_params_json.empty() ? "null" : c.best_params_json);
    w.key("symbol").string(c.best_symbol);
    w.end_object().end_object();
  }
  w.end_array().key("decisions").begin_array();
  for (const auto& x : r.decisions) {
    w.begin_object().key("day").timestamp(x.day).key("cycle").number(x.cycle);
    w.key("action")
        .string(x.action)
        .key("strategy")
        .string(x.strategy)
        .key("symbol")
        .string(x.symbol);
    w.key("params").raw(x.params_json).key("value").number(x.value).key("limit").number(x.limit);
    w.end_object();
  }
  w.end_array();
  w.key("promotions").number(static_cast<std::uint64_t>(r.promotions));
  w.key("judged_promotions").number(static_cast<std::uint64_t>(r.judged_promotions));
  w.key("survived_90_days").number(static_cast<std::uint64_t>(r.survived));
  w.key("survival_rate").optional(r.survival_rate);
  w.key("digest").string(r.digest);
  w.end_object();
}

} // namespace bt
