#include "services/deployment_rows.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "persistence/market_data_repository.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <sstream>

namespace bt {

std::map<std::string, bar_series>
program_symbol_bars(pqxx::connection_base& c, const db::program_row& p, const program_spec& spec) {
  std::map<std::string, bar_series> out;
  for (const auto& symbol : spec.symbols)
    if (auto bars = program_bars(c, p, symbol))
      out.emplace(symbol, std::move(*bars));
  return out;
}

std::optional<program_spec> spec_of(const db::program_row& p) {
  program_spec spec;
  if (!parse_program_spec(boost::json::parse(p.spec_json), spec).empty())
    return std::nullopt;
  return spec;
}

std::optional<owned_program> find_owned_program(pqxx::connection_base& c, std::int64_t user_id,
                                                const std::string& id) {
  auto row = db::find_program(c, user_id, id);
  auto spec = row ? spec_of(*row) : std::nullopt;
  if (!spec)
    return std::nullopt;
  return owned_program{std::move(*row), std::move(*spec)};
}

std::optional<bar_series> program_bars(pqxx::connection_base& c, const db::program_row& p,
                                       const std::string& symbol) {
  const auto tf = parse_timeframe(p.timeframe);
  if (!tf)
    return std::nullopt;
  auto bars = db::load_bars(c, p.user_id, symbol_of(p, symbol), *tf, std::nullopt, std::nullopt,
                            SIZE_MAX >> 1);
  if (!bars || bars->size() == 0)
    return std::nullopt;
  return bars;
}

std::optional<benchmark_basket>
program_benchmark(pqxx::connection_base& c, const db::program_row& p, const program_spec& spec) {
  if (spec.benchmark.empty())
    return std::nullopt;
  benchmark_basket basket;
  for (const auto& leg : spec.benchmark) {
    benchmark_leg b;
    b.weight = leg.weight;
    if (const auto tf = parse_timeframe(leg.timeframe))
      if (auto bars = db::load_bars(c, p.user_id, leg.symbol, *tf, std::nullopt, std::nullopt,
                                    SIZE_MAX >> 1))
        b.bars = std::move(*bars);
    basket.push_back(std::move(b));
  }
  return basket;
}

const db::dataset_info* program_data::dataset(const std::string& symbol) {
  const std::string& s = symbol_of(p_, symbol);
  auto it = datasets_.find(s);
  if (it == datasets_.end())
    it = datasets_.emplace(s, db::find_dataset(c_, p_.user_id, s, p_.timeframe)).first;
  return it->second && it->second->to ? &*it->second : nullptr;
}

const bar_series* program_data::bars(const std::string& symbol) {
  const std::string& s = symbol_of(p_, symbol);
  auto it = bars_.find(s);
  if (it == bars_.end())
    it = bars_.emplace(s, program_bars(c_, p_, s)).first;
  return it->second ? &*it->second : nullptr;
}

std::optional<program_data::state>
program_data::data_state(const std::vector<std::string>& symbols) {
  state out;
  std::string checksums;
  for (const auto& s : symbols) {
    const auto* d = dataset(s);
    if (!d)
      return std::nullopt;
    out.last_bar = std::max(out.last_bar, *d->to);
    out.updated_at = std::max(out.updated_at, d->updated_at);
    checksums += s + ":" + d->checksum + "\n";
    out.checksum = d->checksum;
  }
  if (symbols.size() > 1)
    out.checksum = sha256_hex(checksums);
  return symbols.empty() ? std::nullopt : std::optional<state>(std::move(out));
}

std::optional<unix_time> program_data::last_bar(const std::vector<std::string>& symbols) {
  const auto s = data_state(symbols);
  return s ? std::optional<unix_time>(s->last_bar) : std::nullopt;
}

std::optional<run_config> program_configuration(const db::program_row& p, const std::string& symbol,
                                                const std::string& strategy,
                                                const std::string& params_json, fixed capital) {
  const boost::json::value params = boost::json::parse(params_json);
  run_request rq;
  rq.symbol = symbol_of(p, symbol);
  rq.timeframe = p.timeframe;
  rq.strategy = strategy;
  rq.params = &params;
  run_config config;
  if (!resolve_config(rq, config).empty())
    return std::nullopt;
  config.execution.initial_capital = capital;
  return config;
}

std::optional<paper_deployment> paper_of(const db::program_row& p, const db::deployment_row& d) {
  fixed capital;
  if (parse_decimal(d.capital, capital) != decimal_parse::ok)
    return std::nullopt;
  auto config = program_configuration(p, d.symbol, d.strategy, d.params_json, capital);
  if (!config)
    return std::nullopt;
  paper_deployment out;
  out.config = std::move(*config);
  out.history_from = d.history_from;
  out.deployed_at = d.deployed_at;
  out.expected_sharpe = d.expected_sharpe;
  const boost::json::value sizing = boost::json::parse(d.sizing_json);
  for (const auto& v : sizing.as_array())
    out.sizing.push_back(
        {v.at("from").to_number<std::int64_t>(), v.at("factor").to_number<double>()});
  out.ended_at = d.ended_at;
  return out;
}

std::string sizing_json(const std::vector<size_change>& sizing) {
  json_writer w;
  w.begin_array();
  for (const auto& s : sizing)
    w.begin_object().key("from").number(s.from).key("factor").number(s.factor).end_object();
  w.end_array();
  return w.take();
}

std::string risk_json(const risk_state& s) {
  json_writer w;
  w.begin_object().key("active").boolean(s.active).key("size_factor").number(s.size_factor);
  w.key("in_drawdown_breach").boolean(s.in_drawdown_breach).key("in_drift").boolean(s.in_drift);
  w.end_object();
  return w.take();
}

risk_state read_risk(const std::string& text) {
  risk_state s;
  const auto v = boost::json::parse(text);
  if (const auto* o = v.if_object(); o && !o->empty()) {
    s.active = o->at("active").as_bool();
    s.size_factor = o->at("size_factor").to_number<double>();
    s.in_drawdown_breach = o->at("in_drawdown_breach").as_bool();
    s.in_drift = o->at("in_drift").as_bool();
  }
  return s;
}

void write_deployment_fields(json_writer& w, const db::deployment_row& d) {
  w.key("deployment_id").string(d.id).key("strategy").string(d.strategy);
  w.key("symbol").string(d.symbol);
  w.key("params").raw(d.params_json).key("walk_forward_id").string(d.walk_forward_id);
  w.key("cycle").number(d.cycle).key("score").number(d.score);
  w.key("expected_sharpe").number(d.expected_sharpe);
  fixed capital;
  parse_decimal(d.capital, capital);
  w.key("capital").number(capital);
  w.key("deployed_at").timestamp(d.deployed_at).key("history_from").timestamp(d.history_from);
  w.key("status").string(d.status).key("ended_at").timestamp(d.ended_at);
  if (d.end_reason.empty())
    w.key("end_reason").null();
  else
    w.key("end_reason").string(d.end_reason);
  w.key("sizing").raw(d.sizing_json);
  w.key("judged_through").timestamp(d.judged_through);
  w.key("data_checksum").string(d.data_checksum);
  w.key("summary").raw(d.summary_json);
  w.key("updated_at").timestamp(d.updated_at);
}

void write_risk_rules(json_writer& w, const program_spec& spec) {
  w.begin_object();
  w.key("rollback_pct").number(spec.risk.rollback_underperformance_pct);
  w.key("rollback_days").number(spec.risk.rollback_days);
  w.key("drawdown_pct").number(spec.risk.drawdown_limit_pct);
  w.key("drift_fraction").number(spec.risk.drift_fraction);
  w.key("drift_days").number(spec.risk.drift_days);
  w.key("max_correlation").number(spec.admission.max_correlation);
  w.end_object();
}

std::string deployments_document(const db::program_row& p, const program_spec& spec,
                                 bool active_only, const std::vector<db::deployment_row>& rows) {
  std::int64_t active = 0;
  json_writer w;
  w.begin_object().key("program_id").string(p.id).key("status").string("active");
  w.key("capital").number(fixed::from_int(spec.capital));
  w.key("mode").string(spec.automatic_deployment ? "automatic" : "manual");
  w.key("max_active").number(static_cast<std::uint64_t>(spec.admission.max_active));
  w.key("rules");
  write_risk_rules(w, spec);
  // What the rollback rule measures against.
  w.key("benchmark");
  if (spec.benchmark.empty()) {
    w.string("buy and hold of " + p.symbol);
  } else {
    std::string text = "basket:";
    for (const auto& leg : spec.benchmark) {
      std::ostringstream weight;
      weight << leg.weight;
      text += " " + leg.symbol + " " + leg.timeframe + " x" + weight.str();
    }
    w.string(text);
  }
  w.key("items").begin_array();
  for (const auto& d : rows) {
    active += d.status == "active";
    if (active_only && d.status != "active")
      continue;
    w.begin_object();
    write_deployment_fields(w, d);
    w.end_object();
  }
  w.end_array().key("active").number(active).end_object();
  return w.take();
}

} // namespace bt
