#include "domain/engine/run_config.hpp"

#include "domain/data/instrument.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "domain/strategies/registry.hpp"

#ifndef BACKTESTD_ENGINE_VERSION
#define BACKTESTD_ENGINE_VERSION "unknown"
#endif

namespace bt {

const char* engine_version() {
  return BACKTESTD_ENGINE_VERSION;
}

namespace {} // namespace

field_errors resolve_config(const run_request& request, run_config& out) {
  field_errors errors;
  out.symbol = request.symbol;
  if (!valid_symbol(request.symbol))
    errors.push_back({"symbol", "must match [A-Z0-9._-]{1,16}"});
  if (auto tf = parse_timeframe(request.timeframe))
    out.timeframe = *tf;
  else
    errors.push_back({"timeframe", "must be one of " + timeframe_names()});
  out.strategy = find_strategy(request.strategy);
  if (!out.strategy) {
    std::string known;
    for (const auto* s : strategy_schemas())
      known += (known.empty() ? "" : ", ") + s->name;
    errors.push_back(
        {"strategy", "unknown strategy '" + request.strategy + "' (known: " + known + ")"});
  } else {
    auto e = resolve_params(*out.strategy, request.params, out.params);
    errors.insert(errors.end(), e.begin(), e.end());
  }
  out.execution = default_execution(lookup_instrument(request.symbol));
  auto e = apply_execution(request.execution, out.execution);
  errors.insert(errors.end(), e.begin(), e.end());
  out.from = request.from;
  out.to = request.to;
  if (out.from && out.to && *out.from > *out.to)
    errors.push_back({"from", "must not be after to"});
  return errors;
}

void write_config(json_writer& w, const run_config& c) {
  w.begin_object();
  w.key("execution");
  write_execution(w, c.execution);
  w.key("from").timestamp(c.from);
  w.key("params");
  write_params(w, c.params);
  w.key("strategy").begin_object();
  w.key("name").string(c.strategy->name);
  w.key("version").string(c.strategy->version);
  w.end_object();
  w.key("symbol").string(c.symbol);
  w.key("timeframe").string(to_string(c.timeframe));
  w.key("to").timestamp(c.to);
  w.end_object();
}

std::string canonical_json(const run_config& c) {
  json_writer w;
  write_config(w, c);
  return w.take();
}

std::string config_hash(const run_config& c) {
  return sha256_hex(canonical_json(c));
}

} // namespace bt
