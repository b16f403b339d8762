#include "domain/research/sweep.hpp"

#include "domain/data/timestamp.hpp"
#include "domain/engine/execution_settings.hpp"
#include "domain/research/overfitting.hpp"
#include "domain/research/random_stream.hpp"
#include "domain/strategies/registry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace bt {
namespace {

// The execution settings a space may sweep (apply_execution's keys).
const std::vector<std::string>& execution_names() {
  static const std::vector<std::string> names{
      "commission_per_contract", "initial_capital", "multiplier",
      "quantity_step",           "slippage_ticks",  "tick_size"};
  return names;
}

const param_spec* find_param(const strategy_schema& s, std::string_view name) {
  for (const auto& p : s.params)
    if (p.name == name)
      return &p;
  return nullptr;
}

/// Per-value checks only: the rules across parameters are what a sweep
/// skips a configuration for, so they are left out here.
field_errors check_param_value(const strategy_schema& schema, const std::string& name,
                               const boost::json::value& v) {
  strategy_schema alone = schema;
  alone.cross_check = nullptr;
  boost::json::value given = boost::json::object{{name, v}};
  param_set ignored;
  return resolve_params(alone, &given, ignored);
}

field_errors check_execution_value(const std::string& name, const boost::json::value& v) {
  boost::json::value given = boost::json::object{{name, v}};
  execution_settings ignored;
  return apply_execution(&given, ignored);
}

std::optional<double> number_of(const boost::json::value& v) {
  if (v.is_int64())
    return static_cast<double>(v.as_int64());
  if (v.is_uint64())
    return static_cast<double>(v.as_uint64());
  if (v.is_double() && std::isfinite(v.as_double()))
    return v.as_double();
  return std::nullopt;
}

/// A JSON value for a swept number: integers as integers.
boost::json::value number_value(double v, bool integer) {
  if (integer)
    return boost::json::value(static_cast<std::int64_t>(v));
  return boost::json::value(v);
}

/// One axis of a grid or a random space, from its JSON description.
field_errors read_axis(const strategy_schema& schema, const std::string& name, bool execution,
                       const boost::json::value& v, bool random, std::size_t max_values,
                       sweep_axis& out) {
  const std::string field = std::string("space.") + (execution ? "execution." : "params.") + name;
  out.name = name;
  out.execution = execution;
  const param_spec* p = execution ? nullptr : find_param(schema, name);
  if (execution ? std::find(execution_names().begin(), execution_names().end(), name)
                      == execution_names().end()
                : p == nullptr)
    return {{field, execution ? "not an execution setting" : "not a parameter of " + schema.name}};
  auto check = [&](const boost::json::value& value) {
    field_errors e =
        execution ? check_execution_value(name, value) : check_param_value(schema, name, value);
    for (auto& x : e)
      x.field = field;
    return e;
  };
  const bool integer = p && p->type == param_type::integer;
  if (p && p->type == param_type::choice_set)
    return {{field, "a choice-set parameter cannot be swept"}};

  if (random) {
    if (!v.is_object())
      return {{field, "must be an object: {} for the parameter's whole range, or {\"min\", "
                      "\"max\"}"}};
    const auto& o = v.as_object();
    if (p && p->type == param_type::choice) {
      if (!o.empty())
        return {{field, "a choice parameter is sampled from all its choices: give {}"}};
      out.choices = p->choices;
      return {};
    }
    const auto* lo = o.if_contains("min");
    const auto* hi = o.if_contains("max");
    if (execution && (!lo || !hi))
      return {{field, "an execution setting needs {\"min\", \"max\"}"}};
    for (const auto& kv : o)
      if (kv.key() != "min" && kv.key() != "max")
        return {{field, "unknown key '" + std::string(kv.key()) + "' (only min and max)"}};
    out.integer = integer;
    out.min = p ? p->min : 0;
    out.max = p ? p->max : 0;
    for (auto [key, given, bound] : {std::tuple{"min", lo, &out.min}, {"max", hi, &out.max}}) {
      if (!given)
        continue;
      auto n = number_of(*given);
      if (!n)
        return {{field + "." + key, "must be a number"}};
      if (integer && *n != std::floor(*n))
        return {{field + "." + key, "must be a whole number"}};
      if (auto e = check(*given); !e.empty())
        return e;
      *bound = *n;
    }
    if (out.min > out.max)
      return {{field, "min must not be greater than max"}};
    return {};
  }

  if (v.is_array()) {
    const auto& a = v.as_array();
    if (a.empty())
      return {{field, "must list at least one value"}};
    if (a.size() > max_values)
      return {{field, "lists " + std::to_string(a.size()) + " values; at most "
                          + std::to_string(max_values)}};
    for (const auto& value : a) {
      if (auto e = check(value); !e.empty())
        return e;
      out.values.push_back(value);
    }
    return {};
  }
  if (!v.is_object())
    return {{field, "must be a list of values or {\"from\", \"to\", \"step\"}"}};
  const auto& o = v.as_object();
  if (p && p->type == param_type::choice)
    return {{field, "a choice parameter's grid is a list of its choices"}};
  double bounds[3] = {0, 0, 0};
  const char* keys[3] = {"from", "to", "step"};
  for (int k = 0; k < 3; ++k) {
    const auto* given = o.if_contains(keys[k]);
    auto n = given ? number_of(*given) : std::nullopt;
    if (!n)
      return {{field + "." + keys[k], "must be a number"}};
    if (integer && *n != std::floor(*n))
      return {{field + "." + keys[k], "must be a whole number"}};
    bounds[k] = *n;
  }
  if (o.size() != 3)
    return {{field, "only from, to and step"}};
  // Steps in exact decimals: 0.1 + 0.1 + 0.1 is 0.3 here, not 0.30000000000000004.
  fixed from, to, step;
  try {
    from = fixed::from_double(bounds[0]);
    to = fixed::from_double(bounds[1]);
    step = fixed::from_double(bounds[2]);
  } catch (const fixed_overflow&) {
    return {{field, "from, to and step must lie within the parameter's range"}};
  }
  if (step.units <= 0)
    return {{field + ".step", "must be greater than 0"}};
  if (from > to)
    return {{field, "from must not be greater than to"}};
  // In 128 bits: from and to may lie at opposite ends of the fixed range.
  const __int128 count = (static_cast<__int128>(to.units) - from.units) / step.units + 1;
  if (count > static_cast<__int128>(max_values))
    return {{field, "has " + std::to_string(static_cast<unsigned long long>(count))
                        + " values; at most " + std::to_string(max_values)}};
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(count); ++k) {
    const fixed x = fixed::from_units(
        static_cast<std::int64_t>(from.units + static_cast<__int128>(k) * step.units));
    boost::json::value value = number_value(x.to_double(), integer);
    if (auto e = check(value); !e.empty())
      return e;
    out.values.push_back(std::move(value));
  }
  return {};
}

} // namespace

field_errors parse_sweep_spec(const boost::json::value& spec, sweep_spec& out,
                              std::size_t max_configurations) {
  out = sweep_spec{}; // what a reused specification held is not this one's
  if (!spec.is_object())
    return {{"", "the sweep specification must be a JSON object"}};
  const auto& o = spec.as_object();
  static const std::vector<std::string> known{
      "constraints", "end",   "execution", "objective", "order",  "overfitting",
      "params",      "space", "start",     "strategy",  "symbol", "timeframe"};
  for (const auto& kv : o)
    if (std::find(known.begin(), known.end(), kv.key()) == known.end())
      return {{std::string(kv.key()), "unknown field"}};
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (const auto* v = o.if_contains(key); v && v->is_string())
      return std::string(v->as_string());
    return std::nullopt;
  };
  field_errors errors;
  if (auto s = text("symbol"))
    out.symbol = *s;
  else
    errors.push_back({"symbol", "required: a string"});
  if (auto s = text("strategy"))
    out.strategy = *s;
  else
    errors.push_back({"strategy", "required: a string"});
  if (o.contains("timeframe")) {
    if (auto s = text("timeframe"))
      out.timeframe = *s;
    else
      errors.push_back({"timeframe", "must be a string"});
  }
  for (auto [key, target, which] : {std::tuple{"start", &out.from, range_bound::start},
                                    std::tuple{"end", &out.to, range_bound::end}}) {
    if (!o.contains(key))
      continue;
    unix_time t = 0;
    auto s = text(key);
    if (!s || parse_range_bound(*s, which, t) != timestamp_parse::ok)
      errors.push_back({key, "must be a UTC timestamp such as 2024-01-02T00:00:00Z"});
    else
      *target = t;
  }
  for (auto [key, target] :
       {std::pair{"params", &out.params}, std::pair{"execution", &out.execution}}) {
    if (const auto* v = o.if_contains(key)) {
      if (v->is_object())
        *target = v->as_object();
      else
        errors.push_back({key, "must be an object"});
    }
  }
  if (!errors.empty())
    return errors;

  // The base configuration, checked as a run would be (its own parameters
  // per value: a base that breaks a rule across parameters may be mended
  // by the swept values).
  const strategy_schema* schema = find_strategy(out.strategy);
  {
    run_request base;
    base.symbol = out.symbol;
    base.timeframe = out.timeframe;
    base.strategy = out.strategy;
    boost::json::value execution = out.execution;
    base.execution = &execution;
    base.from = out.from;
    base.to = out.to;
    run_config ignored;
    for (auto& e : resolve_config(base, ignored))
      errors.push_back(e.field == "from" ? field_error{"start", "must not be after end"} : e);
    if (!errors.empty())
      return errors;
    strategy_schema alone = *schema;
    alone.cross_check = nullptr;
    boost::json::value params = out.params;
    param_set ignored_params;
    if (auto e = resolve_params(alone, &params, ignored_params); !e.empty())
      return e;
  }

  const auto* space = o.if_contains("space");
  if (!space || !space->is_object())
    return {{"space", "required: {\"method\": \"grid\" | \"random\" | \"latin_hypercube\", "
                      "\"params\": {...}, "
                      "\"execution\": {...}}"}};
  const auto& s = space->as_object();
  for (const auto& kv : s)
    if (kv.key() != "method" && kv.key() != "params" && kv.key() != "execution"
        && kv.key() != "samples" && kv.key() != "seed")
      return {{"space." + std::string(kv.key()), "unknown field"}};
  std::string method = "grid";
  if (const auto* m = s.if_contains("method")) {
    if (!m->is_string()
        || (m->as_string() != "grid" && m->as_string() != "random"
            && m->as_string() != "latin_hypercube"))
      return {{"space.method", "must be \"grid\", \"random\" or \"latin_hypercube\""}};
    method = std::string(m->as_string());
  }
  out.latin_hypercube = method == "latin_hypercube";
  out.random = method == "random" || out.latin_hypercube;
  if (out.random) {
    const auto* n = s.if_contains("samples");
    if (!n || !n->is_int64() || n->as_int64() < 1)
      return {
          {"space.samples", "required for a " + method + " space: a whole number of at least 1"}};
    if (static_cast<std::uint64_t>(n->as_int64()) > max_configurations)
      return {{"space.samples", std::to_string(n->as_int64()) + " configurations; at most "
                                    + std::to_string(max_configurations) + " per sweep"}};
    out.samples = static_cast<std::size_t>(n->as_int64());
    const auto* seed = s.if_contains("seed");
    if (!seed || !seed->is_int64() || seed->as_int64() < 0)
      return {{"space.seed", "required for a " + method
                                 + " space (the same seed gives the same "
                                   "configurations): a whole number of at least 0"}};
    out.seed = static_cast<std::uint64_t>(seed->as_int64());
  } else if (s.contains("samples") || s.contains("seed")) {
    return {{"space", "samples and seed belong to a random or latin_hypercube space"}};
  }
  for (auto [key, execution] : {std::pair{"params", false}, std::pair{"execution", true}}) {
    const auto* axes = s.if_contains(key);
    if (!axes)
      continue;
    if (!axes->is_object())
      return {{std::string("space.") + key, "must be an object"}};
    for (const auto& kv : axes->as_object()) {
      sweep_axis axis;
      if (auto e = read_axis(*schema, std::string(kv.key()), execution, kv.value(), out.random,
                             max_configurations, axis);
          !e.empty())
        return e;
      out.axes.push_back(std::move(axis));
    }
  }
  if (out.axes.empty())
    return {{"space", "sweeps nothing: name at least one parameter or execution setting"}};
  if (out.latin_hypercube) {
    // One permutation of the strata per axis, from the seed alone (a
    // stream per axis, numbered past any configuration's).
    for (std::size_t k = 0; k < out.axes.size(); ++k) {
      std::vector<std::uint32_t> order(out.samples);
      for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<std::uint32_t>(i);
      random_stream rng = random_stream::of(out.seed, (std::uint64_t{1} << 62) + k);
      for (std::size_t i = order.size(); i > 1; --i) // Fisher-Yates
        std::swap(order[i - 1], order[rng.below(i)]);
      out.strata.push_back(std::move(order));
    }
  }
  if (!out.random) {
    std::size_t count = 1;
    for (const auto& a : out.axes) {
      if (count > max_configurations / a.values.size()) {
        // The exact size, unless it does not even fit in 64 bits.
        long double total = 1;
        for (const auto& b : out.axes)
          total *= static_cast<long double>(b.values.size());
        return {{"space", "the grid has "
                              + std::to_string(static_cast<unsigned long long>(
                                  std::min<long double>(total, 1.8e19L)))
                              + " configurations; at most " + std::to_string(max_configurations)
                              + " per sweep"}};
      }
      count *= a.values.size();
    }
  }

  if (const auto* obj = o.if_contains("objective")) {
    if (!obj->is_string() || !is_metric(obj->as_string()))
      return {{"objective", "must name a numeric metric, such as sharpe_ratio or net_profit"}};
    out.objective = std::string(obj->as_string());
  }
  if (const auto* order = o.if_contains("order")) {
    if (!order->is_string() || (order->as_string() != "max" && order->as_string() != "min"))
      return {{"order", "must be \"max\" or \"min\""}};
    out.maximise = order->as_string() == "max";
  }
  if (auto e = parse_cscv_blocks(o.if_contains("overfitting"), out.cscv_blocks); !e.empty())
    return e;
  if (const auto* c = o.if_contains("constraints")) {
    if (!c->is_object())
      return {{"constraints", "must be an object such as {\"total_trades\": {\"min\": 30}}"}};
    for (const auto& kv : c->as_object()) {
      const std::string field = "constraints." + std::string(kv.key());
      if (!is_metric(kv.key()))
        return {{field, "not a numeric metric"}};
      if (!kv.value().is_object() || kv.value().as_object().empty())
        return {{field, "must be {\"min\": x} and/or {\"max\": y}"}};
      metric_bound b;
      for (const auto& bound : kv.value().as_object()) {
        auto n = number_of(bound.value());
        if ((bound.key() != "min" && bound.key() != "max") || !n)
          return {{field + "." + std::string(bound.key()), "only min and max, as numbers"}};
        (bound.key() == "min" ? b.min : b.max) = *n;
      }
      out.constraints.emplace_back(std::string(kv.key()), b);
    }
  }
  return {};
}

std::size_t configuration_count(const sweep_spec& spec) {
  if (spec.random)
    return spec.samples;
  std::size_t count = 1;
  for (const auto& a : spec.axes)
    count *= a.values.size();
  return count;
}

sweep_point configuration_at(const sweep_spec& spec, std::size_t index) {
  sweep_point p;
  if (!spec.random) {
    // Mixed radix, the last axis fastest.
    std::vector<std::size_t> digit(spec.axes.size());
    for (std::size_t k = spec.axes.size(); k-- > 0;) {
      digit[k] = index % spec.axes[k].values.size();
      index /= spec.axes[k].values.size();
    }
    for (std::size_t k = 0; k < spec.axes.size(); ++k)
      (spec.axes[k].execution ? p.execution : p.params)[spec.axes[k].name] =
          spec.axes[k].values[digit[k]];
    return p;
  }
  // Each configuration its own stream: independent of which others run.
  random_stream rng = random_stream::of(spec.seed, index);
  for (std::size_t k = 0; k < spec.axes.size(); ++k) {
    const sweep_axis& a = spec.axes[k];
    // The `width` values of the axis (choices, whole numbers, or multiples
    // of 1e-8); which one: uniform, or uniform within this configuration's
    // stratum of a Latin hypercube.
    auto draw = [&](std::uint64_t width) -> std::uint64_t {
      if (!spec.latin_hypercube)
        return rng.below(width);
      // Stratum s of n covers [s * width, (s + 1) * width) of n * width
      // equal steps; a step's value is its position / n. Exact in 128 bits.
      const auto n = static_cast<unsigned __int128>(spec.samples);
      const unsigned __int128 step =
          static_cast<unsigned __int128>(spec.strata[k][index]) * width + rng.below(width);
      return static_cast<std::uint64_t>(step / n);
    };
    boost::json::value v;
    if (!a.choices.empty()) {
      v = boost::json::string(a.choices[draw(a.choices.size())]);
    } else if (a.integer) {
      const auto lo = static_cast<std::int64_t>(a.min), hi = static_cast<std::int64_t>(a.max);
      v = lo + static_cast<std::int64_t>(draw(static_cast<std::uint64_t>(hi - lo) + 1));
    } else {
      // A multiple of 1e-8, like every price and setting.
      const std::int64_t lo = fixed::from_double(a.min).units, hi = fixed::from_double(a.max).units;
      const auto units =
          lo + static_cast<std::int64_t>(draw(static_cast<std::uint64_t>(hi - lo) + 1));
      v = fixed::from_units(units).to_double();
    }
    (a.execution ? p.execution : p.params)[a.name] = std::move(v);
  }
  return p;
}

run_request configuration_request(const sweep_spec& spec, const sweep_point& point,
                                  sweep_request_storage& storage) {
  boost::json::object params = spec.params, execution = spec.execution;
  for (const auto& kv : point.params)
    params[kv.key()] = kv.value();
  for (const auto& kv : point.execution)
    execution[kv.key()] = kv.value();
  storage.params = std::move(params);
  storage.execution = std::move(execution);
  run_request r;
  r.symbol = spec.symbol;
  r.timeframe = spec.timeframe;
  r.strategy = spec.strategy;
  r.params = &storage.params;
  r.execution = &storage.execution;
  r.from = spec.from;
  r.to = spec.to;
  return r;
}

bool meets_constraints(const sweep_spec& spec, const metrics& m) {
  for (const auto& [name, bound] : spec.constraints) {
    const auto v = metric_value(m, name);
    if (!v || (bound.min && *v < *bound.min) || (bound.max && *v > *bound.max))
      return false;
  }
  return true;
}

bool ranks_before(const sweep_spec& spec, const metrics& a, const metrics& b) {
  const auto x = metric_value(a, spec.objective), y = metric_value(b, spec.objective);
  if (!x || !y)
    return x.has_value() && !y.has_value();
  return spec.maximise ? *x > *y : *x < *y;
}

} // namespace bt
