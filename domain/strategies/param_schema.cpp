#include "domain/strategies/param_schema.hpp"

#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace bt {

double param_set::number(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || !std::holds_alternative<double>(it->second))
    throw std::logic_error("parameter not in schema: " + std::string(name));
  return std::get<double>(it->second);
}

const std::string& param_set::text(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || !std::holds_alternative<std::string>(it->second))
    throw std::logic_error("parameter not in schema: " + std::string(name));
  return std::get<std::string>(it->second);
}

const std::vector<std::string>& param_set::list(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || !std::holds_alternative<std::vector<std::string>>(it->second))
    throw std::logic_error("parameter not in schema: " + std::string(name));
  return std::get<std::vector<std::string>>(it->second);
}

namespace {

std::string format_number(double v) {
  std::string s;
  append_double(s, v);
  return s;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string range_text(const param_spec& p) {
  switch (p.type) {
  case param_type::integer:
    return "an integer from " + format_number(p.min) + " to " + format_number(p.max);
  case param_type::number:
    return "a number from " + format_number(p.min) + " to " + format_number(p.max);
  case param_type::choice:
    return "one of: " + join(p.choices);
  case param_type::choice_set:
    return "a non-empty list of: " + join(p.choices);
  }
  return {};
}

std::string_view type_name(param_type t) {
  switch (t) {
  case param_type::integer:
    return "integer";
  case param_type::number:
    return "number";
  case param_type::choice:
    return "string";
  case param_type::choice_set:
    return "array";
  }
  return "string";
}

// Converts one JSON value per the spec; returns an error message or "".
std::string convert(const param_spec& p, const boost::json::value& v, param_value& out) {
  const std::string expected = "must be " + range_text(p);
  switch (p.type) {
  case param_type::integer:
  case param_type::number: {
    if (!v.is_number())
      return expected;
    double d = v.to_number<double>();
    if (!std::isfinite(d) || d < p.min || d > p.max)
      return expected;
    if (p.type == param_type::integer && d != std::floor(d))
      return expected;
    out = d;
    return {};
  }
  case param_type::choice: {
    if (!v.is_string())
      return expected;
    std::string s(v.as_string());
    if (std::find(p.choices.begin(), p.choices.end(), s) == p.choices.end())
      return expected;
    out = s;
    return {};
  }
  case param_type::choice_set: {
    std::vector<std::string> picked;
    if (v.is_string()) {
      picked.emplace_back(v.as_string());
    } else if (v.is_array()) {
      for (const auto& e : v.as_array()) {
        if (!e.is_string())
          return expected;
        picked.emplace_back(e.as_string());
      }
    } else {
      return expected;
    }
    if (picked.empty())
      return expected;
    for (const auto& s : picked)
      if (std::find(p.choices.begin(), p.choices.end(), s) == p.choices.end())
        return "'" + s + "' is not allowed: " + expected;
    // Schema order makes equal sets canonical (and hash equal).
    std::vector<std::string> ordered;
    for (const auto& c : p.choices)
      if (std::find(picked.begin(), picked.end(), c) != picked.end())
        ordered.push_back(c);
    out = ordered;
    return {};
  }
  }
  return expected;
}

} // namespace

field_errors resolve_params(const strategy_schema& schema, const boost::json::value* given,
                            param_set& out) {
  field_errors errors;
  for (const auto& p : schema.params) {
    if (p.type == param_type::integer || p.type == param_type::number)
      out.set(p.name, p.default_number);
    else if (p.type == param_type::choice)
      out.set(p.name, p.default_choices.front());
    else
      out.set(p.name, p.default_choices);
  }
  if (given && !given->is_null()) {
    if (!given->is_object()) {
      errors.push_back({"params", "must be a JSON object"});
      return errors;
    }
    for (const auto& kv : given->as_object()) {
      std::string name(kv.key());
      auto spec = std::find_if(schema.params.begin(), schema.params.end(),
                               [&](const param_spec& p) { return p.name == name; });
      if (spec == schema.params.end()) {
        std::vector<std::string> names;
        for (const auto& p : schema.params)
          names.push_back(p.name);
        errors.push_back({"params." + name, "unknown parameter for strategy " + schema.name
                                                + " (known: " + join(names) + ")"});
        continue;
      }
      param_value v;
      std::string problem = convert(*spec, kv.value(), v);
      if (!problem.empty())
        errors.push_back({"params." + name, problem});
      else
        out.set(name, std::move(v));
    }
  }
  if (errors.empty() && schema.cross_check)
    errors = schema.cross_check(out);
  return errors;
}

void write_schema(json_writer& w, const strategy_schema& schema) {
  w.begin_object();
  w.key("name").string(schema.name);
  w.key("version").string(schema.version);
  w.key("description").string(schema.description);
  w.key("parameters").begin_array();
  for (const auto& p : schema.params) {
    w.begin_object();
    w.key("name").string(p.name);
    w.key("type").string(type_name(p.type));
    w.key("description").string(p.description);
    if (p.type == param_type::integer || p.type == param_type::number) {
      w.key("default").number(p.default_number);
      w.key("min").number(p.min);
      w.key("max").number(p.max);
    } else {
      w.key("default");
      if (p.type == param_type::choice) {
        w.string(p.default_choices.front());
      } else {
        w.begin_array();
        for (const auto& c : p.default_choices)
          w.string(c);
        w.end_array();
      }
      w.key("choices").begin_array();
      for (const auto& c : p.choices)
        w.string(c);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_params(json_writer& w, const param_set& params) {
  w.begin_object();
  for (const auto& [name, value] : params.values()) {
    w.key(name);
    if (auto d = std::get_if<double>(&value)) {
      w.number(*d);
    } else if (auto s = std::get_if<std::string>(&value)) {
      w.string(*s);
    } else {
      w.begin_array();
      for (const auto& c : std::get<std::vector<std::string>>(value))
        w.string(c);
      w.end_array();
    }
  }
  w.end_object();
}

} // namespace bt
