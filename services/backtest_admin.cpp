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

#include <chrono>
#include <limits>

namespace bt {
namespace {

constexpr std::int64_t max_audit_page = 1000;

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
  query_reader r(call.query, problems);
  // Both ends included, as every range of the API (a date alone as `to`
  // is its whole day); entries carry milliseconds.
  std::optional<unix_time> from, to;
  r.time("from", from);
  r.time("to", to);
  if (from)
    f.from_ms = *from * 1000;
  if (to)
    f.to_ms = (*to + 1) * 1000;
  f.actor = r.text("actor").value_or("");
  f.action = r.text("action").value_or("");
  f.object = r.text("object").value_or("");
  r.whole("limit", 1, max_audit_page, f.limit);
  r.whole("after", 0, std::numeric_limits<std::int64_t>::max(), f.after_seq);
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
