#include "domain/research/sweep_chunk.hpp"

#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <cstring>

namespace bt {
namespace {

constexpr std::string_view chunk_prefix = "{\"sweep_chunk\":";

std::string hex_of(double v) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, bits >>= 4)
    out[static_cast<std::size_t>(i)] = digits[bits & 0xF];
  return out;
}

bool double_of(std::string_view hex, double& out) {
  if (hex.size() != 16)
    return false;
  std::uint64_t bits = 0;
  for (char c : hex) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0)
      return false;
    bits = bits << 4 | static_cast<std::uint64_t>(d);
  }
  std::memcpy(&out, &bits, sizeof out);
  return true;
}

} // namespace

std::string chunk_config_json(const std::string& spec_json, std::size_t first, std::size_t last) {
  return std::string(chunk_prefix) + "{\"first\":" + std::to_string(first)
         + ",\"last\":" + std::to_string(last) + "},\"spec\":" + spec_json + "}";
}

bool is_chunk_config(std::string_view config_json) {
  return config_json.substr(0, chunk_prefix.size()) == chunk_prefix;
}

std::optional<std::string> parse_chunk_config(const std::string& config_json, sweep_chunk& out) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(config_json, ec);
  if (ec || !v.is_object() || !is_chunk_config(config_json))
    return "not a sweep chunk's configuration";
  const auto& o = v.as_object();
  const auto* range = o.if_contains("sweep_chunk");
  const auto* spec = o.if_contains("spec");
  if (!range || !range->is_object() || !spec)
    return "a sweep chunk needs its range and specification";
  const auto* first = range->as_object().if_contains("first");
  const auto* last = range->as_object().if_contains("last");
  if (!first || !last || !first->is_int64() || !last->is_int64() || first->as_int64() < 0
      || last->as_int64() <= first->as_int64())
    return "a sweep chunk's range must be 0 <= first < last";
  if (auto errors = parse_sweep_spec(*spec, out.spec, absolute_max_sweep_configurations);
      !errors.empty())
    return "the sweep's specification is invalid: " + describe(errors);
  out.first = static_cast<std::size_t>(first->as_int64());
  out.last = static_cast<std::size_t>(last->as_int64());
  if (out.last > configuration_count(out.spec) || out.last - out.first > max_chunk_configurations)
    return "a sweep chunk's range is outside its sweep";
  return std::nullopt;
}

stored_configuration to_stored(const sweep_spec& spec, std::size_t index,
                               const configuration_result& r) {
  stored_configuration s;
  s.index = static_cast<std::int64_t>(index);
  s.status = r.status == sweep_outcome::completed ? "completed"
             : r.status == sweep_outcome::skipped ? "skipped"
                                                  : "failed";
  json_writer p, e;
  write_json_value(p, r.point.params);
  write_json_value(e, r.point.execution);
  s.params_json = p.take();
  s.execution_json = e.take();
  if (r.status == sweep_outcome::completed) {
    s.config_hash = r.config_hash;
    s.metrics_json = r.metrics_json;
    s.objective = metric_value(r.metrics, spec.objective);
    s.meets_constraints = r.meets_constraints;
    s.daily_returns = r.daily_returns;
  } else {
    s.reason = r.reason;
  }
  return s;
}

void write_configuration(json_writer& w, const stored_configuration& r) {
  w.begin_object();
  w.key("index").number(r.index);
  w.key("params").raw(r.params_json);
  w.key("execution").raw(r.execution_json);
  w.key("status").string(r.status);
  if (r.status == "completed") {
    w.key("config_hash").string(r.config_hash);
    w.key("meets_constraints").boolean(r.meets_constraints);
    w.key("metrics").raw(r.metrics_json);
  } else {
    w.key("reason").string(r.reason);
  }
  w.end_object();
}

std::string encode_chunk_results(const std::vector<stored_configuration>& results) {
  json_writer w;
  w.begin_object();
  w.key("results").begin_array();
  for (const auto& r : results) {
    w.begin_object();
    w.key("index").number(r.index);
    w.key("status").string(r.status);
    w.key("params").raw(r.params_json);
    w.key("execution").raw(r.execution_json);
    w.key("config_hash").string(r.config_hash);
    w.key("metrics").string(r.metrics_json);
    w.key("reason").string(r.reason);
    w.key("objective");
    if (r.objective)
      w.string(hex_of(*r.objective));
    else
      w.null();
    w.key("meets_constraints").boolean(r.meets_constraints);
    std::string returns;
    returns.reserve(r.daily_returns.size() * 16);
    for (double x : r.daily_returns)
      returns += hex_of(x);
    w.key("returns").string(returns);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::optional<std::string> decode_chunk_results(std::string_view text, std::size_t first,
                                                std::size_t last,
                                                std::vector<stored_configuration>& out) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object())
    return "the chunk's results are not a JSON object";
  const auto* results = v.as_object().if_contains("results");
  if (!results || !results->is_array() || results->as_array().size() != last - first)
    return "the chunk's results do not hold one result per configuration of its range";
  out.clear();
  out.reserve(last - first);
  std::size_t expected = first;
  for (const auto& item : results->as_array()) {
    const auto* o = item.if_object();
    auto text_of = [&](const char* key) -> const boost::json::string* {
      const auto* x = o ? o->if_contains(key) : nullptr;
      return x && x->is_string() ? &x->as_string() : nullptr;
    };
    const auto* index = o ? o->if_contains("index") : nullptr;
    if (!index || !index->is_int64() || index->as_int64() != static_cast<std::int64_t>(expected))
      return "the chunk's results are not its configurations in order, each once";
    stored_configuration s;
    s.index = index->as_int64();
    const auto *status = text_of("status"), *hash = text_of("config_hash"),
               *metrics = text_of("metrics"), *reason = text_of("reason"),
               *returns = text_of("returns");
    const auto* params = o->if_contains("params");
    const auto* execution = o->if_contains("execution");
    const auto* meets = o->if_contains("meets_constraints");
    const auto* objective = o->if_contains("objective");
    if (!status || !hash || !metrics || !reason || !returns || !params || !params->is_object()
        || !execution || !execution->is_object() || !meets || !meets->is_bool() || !objective)
      return "configuration " + std::to_string(expected) + ": a field is missing";
    s.status = std::string(*status);
    if (s.status != "completed" && s.status != "skipped" && s.status != "failed")
      return "configuration " + std::to_string(expected) + ": unknown status " + s.status;
    json_writer p, e;
    write_json_value(p, *params);
    write_json_value(e, *execution);
    s.params_json = p.take();
    s.execution_json = e.take();
    s.config_hash = std::string(*hash);
    s.metrics_json = std::string(*metrics);
    s.reason = std::string(*reason);
    s.meets_constraints = meets->as_bool();
    if (s.status == "completed") {
      // The metrics must be a document the result endpoints can serve.
      const auto m = boost::json::parse(s.metrics_json, ec);
      if (ec || !m.is_object() || s.config_hash.size() != 64)
        return "configuration " + std::to_string(expected) + ": unreadable metrics";
    }
    if (objective->is_string()) {
      double x = 0;
      if (!double_of(objective->as_string(), x) || !std::isfinite(x))
        return "configuration " + std::to_string(expected) + ": unreadable objective";
      s.objective = x;
    } else if (!objective->is_null()) {
      return "configuration " + std::to_string(expected) + ": unreadable objective";
    }
    if (returns->size() % 16 != 0)
      return "configuration " + std::to_string(expected) + ": unreadable returns";
    s.daily_returns.resize(returns->size() / 16);
    for (std::size_t i = 0; i < s.daily_returns.size(); ++i)
      if (!double_of(std::string_view(*returns).substr(i * 16, 16), s.daily_returns[i])
          || !std::isfinite(s.daily_returns[i]))
        return "configuration " + std::to_string(expected) + ": unreadable returns";
    out.push_back(std::move(s));
    ++expected;
  }
  return std::nullopt;
}

} // namespace bt
