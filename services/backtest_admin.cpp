// The operators' endpoints: the audit log (audit:read), the retention purge
// on demand (purge) and the metrics scrape on the API listener
// (metrics:read). Their permissions are checked by guarded, as every
// endpoint's are.
#include "services/backtest_service.hpp"

#include "domain/data/timestamp.hpp"
#include "domain/report/json_writer.hpp"
#include "persistence/audit_log.hpp"
#include "services/service_reply.hpp"
#include "services/telemetry.hpp"

#include <charconv>
#include <chrono>

namespace bt {
namespace {

constexpr std::int64_t max_audit_page = 1000;

// A whole number in [low, high], or the detail naming the parameter.
std::optional<std::int64_t> whole_number(const std::string& text, std::int64_t low,
                                         std::int64_t high, const char* name,
                                         std::vector<error_detail>& problems) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < low || v > high) {
    problems.push_back(
        {name, 0,
         "must be a whole number from " + std::to_string(low) + " to " + std::to_string(high)});
    return std::nullopt;
  }
  return v;
}

void write_entry(json_writer& w, const audit_record& e) {
  w.begin_object();
  w.key("seq").number(e.seq);
  w.key("at").timestamp(floor_div(e.at_ms, 1000));
  w.key("at_ms").number(e.at_ms);
  w.key("actor").string(e.actor);
  w.key("actor_user_id").optional(e.actor_user_id);
  w.key("actor_key_id").optional(e.actor_key_id);
  w.key("action").string(e.action);
  w.key("object").string(e.object);
  w.key("details").raw(e.details);
  w.key("trace_id").string(e.trace_id);
  w.key("prev_hash").string(e.prev_hash);
  w.key("hash").string(e.hash);
  w.end_object();
}

} // namespace

service_reply backtest_service::audit_page(pqxx::connection& c, const backtest_call& call) {
  db::audit_filter f;
  std::vector<error_detail> problems;
  for (const char* bound : {"from", "to"})
    if (auto text = query_value(call.query, bound)) {
      unix_time t = 0;
      if (parse_timestamp(*text, t) != timestamp_parse::ok)
        problems.push_back({bound, 0, "'" + *text + "' is not a UTC timestamp"});
      else
        (std::string(bound) == "from" ? f.from_ms : f.to_ms) = t * 1000;
    }
  f.actor = query_value(call.query, "actor").value_or("");
  f.action = query_value(call.query, "action").value_or("");
  f.object = query_value(call.query, "object").value_or("");
  if (auto text = query_value(call.query, "limit"))
    f.limit = whole_number(*text, 1, max_audit_page, "limit", problems).value_or(f.limit);
  if (auto text = query_value(call.query, "after"))
    f.after_seq =
        whole_number(*text, 0, std::numeric_limits<std::int64_t>::max(), "after", problems)
            .value_or(0);
  if (!problems.empty())
    return error_reply(service_code::bad_request, "invalid audit query", std::move(problems));
  const auto page = db::read_audit(c, f);
  json_writer w;
  w.begin_object().key("entries").begin_array();
  for (const auto& e : page.entries)
    write_entry(w, e);
  w.end_array();
  w.key("next_after").optional(page.next_after_seq);
  w.end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::purge_now(const db::principal& who, const backtest_call& call) {
  if (!retention_)
    return error_reply(service_code::unavailable, "retention is not configured", {});
  const auto dry = query_value(call.query, "dry_run").value_or("false");
  if (dry != "true" && dry != "false")
    return error_reply(service_code::bad_request, "invalid purge request",
                       {{"dry_run", 0, "must be true or false"}});
  const auto start = std::chrono::steady_clock::now();
  const auto n = retention_->purge(dry == "true", db::actor_of(who));
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return body_reply(service_code::ok, purge_document(n, dry == "true", ms, retention_->policy()));
}

} // namespace bt
