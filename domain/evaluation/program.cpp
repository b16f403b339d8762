#include "domain/evaluation/program.hpp"

#include "domain/research/sweep.hpp"
#include "domain/research/walk_forward.hpp"

#include <algorithm>
#include <sstream>
#include <tuple>

namespace bt {

namespace {

/// The sweep a template stands for in one cycle: its base and space, the
/// program's method, `samples` of them, with `seed`.
boost::json::object template_sweep(const program_spec& p, const program_template& t,
                                   std::size_t samples, std::uint64_t seed) {
  boost::json::object space{{"method", p.method}, {"params", t.space}};
  if (p.method != "grid") {
    space["samples"] = static_cast<std::int64_t>(samples);
    space["seed"] = static_cast<std::int64_t>(seed & 0x7fff'ffff'ffff'ffffULL);
  }
  return {{"symbol", p.symbol},
          {"timeframe", p.timeframe},
          {"strategy", t.strategy},
          {"params", t.params},
          {"space", space}};
}

/// Template k's share of `samples` drawn in turn over `templates`.
std::size_t share(std::size_t samples, std::size_t templates, std::size_t k) {
  return samples / templates + (k < samples % templates ? 1 : 0);
}

std::uint64_t cycle_seed(const program_spec& p, int cycle) {
  return p.seed + static_cast<std::uint64_t>(cycle) * 1'000'003ULL;
}

} // namespace

namespace {

/// A number of `section`.`key` within [lo, hi] (whole when asked).
field_errors bounded(const boost::json::value& v, const std::string& field, double lo, double hi,
                     bool whole, double& out) {
  if (!v.is_number() || (whole && !v.is_int64()) || v.to_number<double>() < lo
      || v.to_number<double>() > hi) {
    std::ostringstream range;
    range << (whole ? "must be a whole number from " : "must be a number from ") << lo << " to "
          << hi;
    return {{field, range.str()}};
  }
  out = v.to_number<double>();
  return {};
}

field_errors parse_deployment(const boost::json::object& o, program_spec& p) {
  if (const auto* d = o.if_contains("deployment")) {
    if (!d->is_object())
      return {{"deployment", "must be an object: {\"mode\", \"max_active\", \"max_type_pct\", "
                             "\"max_correlation\"}"}};
    for (const auto& kv : d->as_object()) {
      const std::string key(kv.key()), field = "deployment." + key;
      double v = 0;
      field_errors e;
      if (key == "mode") {
        if (!kv.value().is_string()
            || (kv.value().as_string() != "automatic" && kv.value().as_string() != "manual"))
          return {{field, "must be automatic or manual"}};
        p.automatic_deployment = kv.value().as_string() == "automatic";
        continue;
      } else if (key == "max_active") {
        if ((e = bounded(kv.value(), field, 1, 35, true, v)).empty())
          p.admission.max_active = static_cast<std::size_t>(v);
      } else if (key == "max_type_pct") {
        if ((e = bounded(kv.value(), field, 1, 100, false, v)).empty())
          p.admission.max_type_share = v / 100;
      } else if (key == "max_correlation") {
        if ((e = bounded(kv.value(), field, 0, 1, false, v)).empty())
          p.admission.max_correlation = v;
      } else {
        return {{field, "unknown field (mode, max_active, max_type_pct, max_correlation)"}};
      }
      if (!e.empty())
        return e;
    }
  }
  if (const auto* r = o.if_contains("risk")) {
    if (!r->is_object())
      return {{"risk", "must be an object: {\"rollback_pct\", \"rollback_days\", "
                       "\"drawdown_pct\", \"drift_fraction\", \"drift_days\"}"}};
    for (const auto& kv : r->as_object()) {
      const std::string key(kv.key()), field = "risk." + key;
      double v = 0;
      field_errors e;
      if (key == "rollback_pct") {
        if ((e = bounded(kv.value(), field, 1, 100, false, v)).empty())
          p.risk.rollback_underperformance_pct = v;
      } else if (key == "rollback_days") {
        if ((e = bounded(kv.value(), field, 5, 365, true, v)).empty())
          p.risk.rollback_days = static_cast<int>(v);
      } else if (key == "drawdown_pct") {
        if ((e = bounded(kv.value(), field, 1, 99, false, v)).empty())
          p.risk.drawdown_limit_pct = v;
      } else if (key == "drift_fraction") {
        if ((e = bounded(kv.value(), field, 0, 1, false, v)).empty())
          p.risk.drift_fraction = v;
      } else if (key == "drift_days") {
        if ((e = bounded(kv.value(), field, 20, 365, true, v)).empty())
          p.risk.drift_days = static_cast<int>(v);
      } else {
        return {{field, "unknown field (rollback_pct, rollback_days, drawdown_pct, "
                        "drift_fraction, drift_days)"}};
      }
      if (!e.empty())
        return e;
    }
  }
  if (const auto* b = o.if_contains("benchmark")) {
    const auto* basket = b->is_object() ? b->as_object().if_contains("basket") : nullptr;
    if (!basket || b->as_object().size() != 1 || !basket->is_array() || basket->as_array().empty()
        || basket->as_array().size() > 10)
      return {{"benchmark", "must be {\"basket\": [{\"symbol\", \"timeframe\", \"weight\"}]} "
                            "with 1 to 10 series (absent: buy and hold of the symbol)"}};
    for (std::size_t i = 0; i < basket->as_array().size(); ++i) {
      const std::string field = "benchmark.basket[" + std::to_string(i) + "]";
      const auto& leg = basket->as_array()[i];
      if (!leg.is_object())
        return {{field, "must be an object: {\"symbol\", \"timeframe\", \"weight\"}"}};
      program_spec::benchmark_leg l;
      for (const auto& kv : leg.as_object()) {
        const std::string key(kv.key());
        if ((key == "symbol" || key == "timeframe") && kv.value().is_string()
            && !kv.value().as_string().empty() && kv.value().as_string().size() <= 100)
          (key == "symbol" ? l.symbol : l.timeframe) = std::string(kv.value().as_string());
        else if (key == "weight" && kv.value().is_number() && kv.value().to_number<double>() > 0
                 && kv.value().to_number<double>() <= 100)
          l.weight = kv.value().to_number<double>();
        else
          return {{field + "." + key, key == "weight" ? "must be a number above 0, at most 100"
                                      : key == "symbol" || key == "timeframe"
                                          ? "must be a text of 1 to 100 characters"
                                          : "unknown field (symbol, timeframe, weight)"}};
      }
      if (l.symbol.empty())
        return {{field + ".symbol", "required"}};
      p.benchmark.push_back(std::move(l));
    }
  }
  return {};
}

} // namespace

field_errors parse_program_spec(const boost::json::value& given, program_spec& out) {
  if (!given.is_object())
    return {{"", "the program must be a JSON object"}};
  const auto& o = given.as_object();
  static const char* known[] = {
      "name",      "symbol",  "symbols",       "timeframe",          "templates",
      "generator", "windows", "lookback_days", "max_configurations", "score",
      "schedule",  "gate",    "capital",       "deployment",         "risk",
      "benchmark"};
  for (const auto& kv : o)
    if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known))
      return {{std::string(kv.key()), "unknown field"}};
  program_spec p;
  auto text = [&](const char* key, std::string& into, bool required) -> field_errors {
    const auto* v = o.if_contains(key);
    if (!v)
      return required ? field_errors{{key, "required"}} : field_errors{};
    if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 100)
      return {{key, "must be a text of 1 to 100 characters"}};
    into = std::string(v->as_string());
    return {};
  };
  const auto* many = o.if_contains("symbols");
  for (auto [key, into, required] :
       {std::tuple{"name", &p.name, true}, std::tuple{"symbol", &p.symbol, !many},
        std::tuple{"timeframe", &p.timeframe, false}})
    if (auto e = text(key, *into, required); !e.empty())
      return e;
  if (many) {
    if (o.contains("symbol"))
      return {{"symbols", "give symbol or symbols, not both"}};
    if (!many->is_array() || many->as_array().empty() || many->as_array().size() > 10)
      return {{"symbols", "must be a list of 1 to 10 symbols"}};
    for (std::size_t i = 0; i < many->as_array().size(); ++i) {
      const auto& v = many->as_array()[i];
      const std::string field = "symbols[" + std::to_string(i) + "]";
      if (!v.is_string() || v.as_string().empty() || v.as_string().size() > 100)
        return {{field, "must be a text of 1 to 100 characters"}};
      const std::string sym(v.as_string());
      if (std::find(p.symbols.begin(), p.symbols.end(), sym) != p.symbols.end())
        return {{field, "repeats " + sym}};
      p.symbols.push_back(sym);
    }
    p.symbol = p.symbols.front();
  } else {
    p.symbols = {p.symbol};
  }
  auto whole = [&](const char* key, std::int64_t lo, std::int64_t hi, auto& into) -> field_errors {
    const auto* v = o.if_contains(key);
    if (!v)
      return {};
    if (!v->is_int64() || v->as_int64() < lo || v->as_int64() > hi)
      return {
          {key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi)}};
    into = static_cast<std::remove_reference_t<decltype(into)>>(v->as_int64());
    return {};
  };
  if (auto e = whole("lookback_days", 60, 3650, p.lookback_days); !e.empty())
    return e;
  if (auto e = whole("max_configurations", static_cast<std::int64_t>(min_cycle_configurations),
                     static_cast<std::int64_t>(max_cycle_configurations), p.max_configurations);
      !e.empty())
    return e;
  if (const auto* g = o.if_contains("generator")) {
    if (!g->is_object())
      return {{"generator", "must be an object: {\"method\", \"samples\", \"seed\"}"}};
    for (const auto& kv : g->as_object()) {
      if (kv.key() == "method") {
        if (!kv.value().is_string()
            || (kv.value().as_string() != "grid" && kv.value().as_string() != "random"
                && kv.value().as_string() != "latin_hypercube"))
          return {{"generator.method", "must be grid, random or latin_hypercube"}};
        p.method = std::string(kv.value().as_string());
      } else if (kv.key() == "samples" || kv.key() == "seed") {
        if (!kv.value().is_int64() || kv.value().as_int64() < 0)
          return {{"generator." + std::string(kv.key()), "must be a whole number of at least 0"}};
        (kv.key() == "samples" ? p.samples : p.seed) =
            static_cast<std::size_t>(kv.value().as_int64());
      } else {
        return {{"generator." + std::string(kv.key()), "unknown field (method, samples, seed)"}};
      }
    }
  }
  if (const auto* s = o.if_contains("score")) {
    if (!s->is_object())
      return {{"score", "must be an object: {\"weights\": {...}}"}};
    for (const auto& kv : s->as_object())
      if (kv.key() != "weights")
        return {{"score." + std::string(kv.key()), "unknown field (weights)"}};
    if (const auto* w = s->as_object().if_contains("weights"))
      if (auto e = parse_score_weights(*w, p.weights); !e.empty())
        return e;
  }
  if (auto e = whole("capital", 1000, 1'000'000'000, p.capital); !e.empty())
    return e;
  if (const auto* g = o.if_contains("gate")) {
    if (!g->is_object())
      return {{"gate", "must be an object: {\"top_pct\", \"days\", \"max_allocation_pct\"}"}};
    for (const auto& kv : g->as_object()) {
      const std::string key(kv.key());
      const double v = kv.value().is_number() ? kv.value().to_number<double>() : -1;
      if (key == "top_pct" && v >= 1 && v <= 50)
        p.top_pct = v;
      else if (key == "days" && kv.value().is_int64() && v >= 1 && v <= 365)
        p.gate_days = static_cast<int>(v);
      else if (key == "max_allocation_pct" && v >= 1 && v <= 100)
        p.max_allocation_pct = v;
      else
        return {{"gate." + key, key == "top_pct" ? "must be a number from 1 to 50"
                                : key == "days"  ? "must be a whole number from 1 to 365"
                                : key == "max_allocation_pct" ? "must be a number from 1 to 100"
                                                              : "unknown field (top_pct, days, "
                                                                "max_allocation_pct)"}};
    }
  }
  if (auto e = parse_deployment(o, p); !e.empty())
    return e;
  if (const auto* s = o.if_contains("schedule")) {
    if (!s->is_object())
      return {{"schedule", "must be an object: {\"every\": \"1d\", \"on_regime_change\": false, "
                           "\"on_upload\": false}"}};
    for (const auto& kv : s->as_object()) {
      if (kv.key() == "every") {
        // A whole number of hours, days or weeks of market-data time.
        const auto* text = kv.value().if_string();
        unix_time seconds = 0;
        if (text && text->size() >= 2) {
          const char unit = text->back();
          const std::string digits(text->begin(), text->end() - 1);
          const bool whole = !digits.empty() && digits.size() <= 4
                             && std::all_of(digits.begin(), digits.end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
          const unix_time per = unit == 'h'   ? 3600
                                : unit == 'd' ? 86'400
                                : unit == 'w' ? 604'800
                                              : 0;
          if (whole && per)
            seconds = std::stoll(digits) * per;
        }
        if (seconds < 3600 || seconds > 365 * 86'400)
          return {{"schedule.every", "must be a duration from 1h to 365d, such as \"12h\", "
                                     "\"1d\" or \"1w\""}};
        p.every = seconds;
      } else if (kv.key() == "on_regime_change" || kv.key() == "on_upload") {
        if (!kv.value().is_bool())
          return {{"schedule." + std::string(kv.key()), "must be true or false"}};
        (kv.key() == "on_upload" ? p.on_upload : p.on_regime_change) = kv.value().as_bool();
      } else {
        return {{"schedule." + std::string(kv.key()),
                 "unknown field (every, on_regime_change, on_upload)"}};
      }
    }
  }
  const auto* windows = o.if_contains("windows");
  if (!windows || !windows->is_object())
    return {{"windows", "required: {\"train\", \"test\", ...} as a walk-forward's"}};
  p.windows = windows->as_object();
  const auto* templates = o.if_contains("templates");
  if (!templates || !templates->is_array() || templates->as_array().empty()
      || templates->as_array().size() > 10)
    return {{"templates", "required: 1 to 10 of {\"strategy\", \"params\", \"space\"}"}};
  for (std::size_t k = 0; k < templates->as_array().size(); ++k) {
    const std::string field = "templates[" + std::to_string(k) + "]";
    const auto& t = templates->as_array()[k];
    if (!t.is_object())
      return {{field, "must be an object"}};
    program_template pt;
    for (const auto& kv : t.as_object()) {
      if (kv.key() == "strategy" && kv.value().is_string())
        pt.strategy = std::string(kv.value().as_string());
      else if ((kv.key() == "params" || kv.key() == "space") && kv.value().is_object())
        (kv.key() == "params" ? pt.params : pt.space) = kv.value().as_object();
      else
        return {{field + "." + std::string(kv.key()),
                 kv.key() == "strategy" || kv.key() == "params" || kv.key() == "space"
                     ? "has the wrong type"
                     : "unknown field (strategy, params, space)"}};
    }
    if (pt.strategy.empty())
      return {{field + ".strategy", "required"}};
    if (pt.space.empty())
      return {{field + ".space", "required: the parameters the program varies"}};
    p.templates.push_back(std::move(pt));
  }
  // Each template as the sweep of one cycle: its values checked, its count.
  std::size_t total = 0;
  for (std::size_t k = 0; k < p.templates.size(); ++k) {
    sweep_spec s;
    const std::size_t n = share(p.samples, p.templates.size(), k);
    auto e =
        parse_sweep_spec(template_sweep(p, p.templates[k], std::max<std::size_t>(n, 1), p.seed), s,
                         max_cycle_configurations);
    for (auto& x : e)
      x.field = "templates[" + std::to_string(k) + "]." + x.field;
    if (!e.empty())
      return e;
    total += p.method == "grid" ? configuration_count(s) : n;
  }
  if (total < min_cycle_configurations || total > p.max_configurations)
    return {{p.method == "grid" ? "templates" : "generator.samples",
             std::to_string(total) + " configurations a cycle; from "
                 + std::to_string(min_cycle_configurations) + " to "
                 + std::to_string(p.max_configurations) + " (max_configurations)"}};
  // The windows as a walk-forward of the first configuration would read them.
  const auto first = cycle_configurations(p, 1);
  walk_forward_spec w;
  auto e = parse_walk_forward_spec(configuration_walk_forward(p, first.at(0), 0, 86'400), w);
  for (auto& x : e)
    if (x.field.rfind("windows", 0) == 0)
      return {x};
  for (std::size_t i = 0; i < p.benchmark.size(); ++i) {
    auto& leg = p.benchmark[i];
    if (leg.timeframe.empty())
      leg.timeframe = p.timeframe;
    if (!parse_timeframe(leg.timeframe))
      return {{"benchmark.basket[" + std::to_string(i) + "].timeframe",
               "must be one of " + timeframe_names()}};
  }
  out = std::move(p);
  return {};
}

std::vector<cycle_configuration> cycle_configurations(const program_spec& p, int cycle) {
  std::vector<cycle_configuration> out;
  for (std::size_t k = 0; k < p.templates.size(); ++k) {
    const std::size_t n = share(p.samples, p.templates.size(), k);
    if (p.method != "grid" && n == 0)
      continue;
    sweep_spec s;
    if (!parse_sweep_spec(template_sweep(p, p.templates[k], n, cycle_seed(p, cycle) + k), s,
                          max_cycle_configurations)
             .empty())
      continue; // checked when the program was accepted
    for (std::size_t i = 0; i < configuration_count(s); ++i) {
      cycle_configuration c;
      c.index = out.size();
      c.template_index = k;
      c.params = p.templates[k].params;
      for (const auto& kv : configuration_at(s, i).params)
        c.params[kv.key()] = kv.value();
      out.push_back(std::move(c));
    }
  }
  return out;
}

boost::json::object configuration_walk_forward(const program_spec& p, const cycle_configuration& c,
                                               unix_time from, unix_time to,
                                               const std::string& symbol) {
  const program_template& t = p.templates.at(c.template_index);
  // One swept parameter with its one value: the space a walk-forward needs.
  const std::string axis(t.space.begin()->key());
  boost::json::object space{
      {"method", "grid"},
      {"params", boost::json::object{{axis, boost::json::array{c.params.at(axis)}}}}};
  return {{"symbol", symbol.empty() ? p.symbol : symbol},
          {"timeframe", p.timeframe},
          {"strategy", t.strategy},
          {"start", format_timestamp(from)},
          {"end", format_timestamp(to)},
          {"params", c.params},
          {"space", space},
          {"windows", p.windows}};
}

} // namespace bt
