#include "domain/engine/execution_settings.hpp"

#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>

#include <array>

namespace bt {

execution_settings default_execution(const instrument& inst) {
  execution_settings s;
  s.multiplier = inst.multiplier;
  s.tick_size = inst.tick_size;
  s.quantity_step = inst.quantity_step;
  return s;
}

namespace {

struct setting {
  std::string_view name;
  fixed execution_settings::*member;
  double min, max;
  bool min_exclusive; // must be strictly greater than min
};

constexpr std::array<setting, 6> settings{{
    {"commission_per_contract", &execution_settings::commission_per_contract, 0, 1'000, false},
    {"initial_capital", &execution_settings::initial_capital, 1'000, 10'000'000, false},
    {"multiplier", &execution_settings::multiplier, 0, 1'000'000, true},
    {"quantity_step", &execution_settings::quantity_step, 0, 1'000'000, true},
    {"slippage_ticks", &execution_settings::slippage_ticks, 0, 1'000, false},
    {"tick_size", &execution_settings::tick_size, 0, 10'000, true},
}};

std::string range_text(const setting& s) {
  std::string lo, hi;
  append_double(lo, s.min);
  append_double(hi, s.max);
  return s.min_exclusive ? "must be a number greater than " + lo + " and at most " + hi
                         : "must be a number from " + lo + " to " + hi;
}

} // namespace

field_errors apply_execution(const boost::json::value* given, execution_settings& s) {
  field_errors errors;
  if (!given || given->is_null())
    return errors;
  if (!given->is_object()) {
    errors.push_back({"execution", "must be a JSON object"});
    return errors;
  }
  for (const auto& kv : given->as_object()) {
    const setting* match = nullptr;
    for (const auto& st : settings)
      if (st.name == kv.key())
        match = &st;
    std::string field = "execution." + std::string(kv.key());
    if (!match) {
      errors.push_back({field, "unknown setting (known: commission_per_contract, initial_capital, "
                               "multiplier, quantity_step, slippage_ticks, tick_size)"});
      continue;
    }
    const auto& v = kv.value();
    double d = v.is_number() ? v.to_number<double>() : -1;
    bool ok = v.is_number() && (match->min_exclusive ? d > match->min : d >= match->min)
              && d <= match->max;
    fixed f = ok ? fixed::from_double(d) : fixed{};
    if (ok && match->min_exclusive && f.units <= 0)
      ok = false; // positive but below 1e-8
    if (!ok) {
      errors.push_back({field, range_text(*match)});
      continue;
    }
    s.*(match->member) = f;
  }
  return errors;
}

void write_execution(json_writer& w, const execution_settings& s) {
  w.begin_object();
  for (const auto& st : settings)
    w.key(st.name).number(s.*(st.member));
  w.end_object();
}

} // namespace bt
