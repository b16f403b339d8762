// The operators' endpoints: the audit log (audit:read), the retention purge
// on demand (purge) and the metrics scrape on the API listener
// (metrics:read). Their permissions are checked by guarded, as every
// endpoint's are.
#include "services/backtest_service.hpp"

#include "domain/data/timestamp.hpp"
#include "domain/report/json_writer.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/run_queue.hpp"
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

service_reply backtest_service::queue_overview_page(pqxx::connection& c,
                                                    const backtest_call& call) {
  std::int64_t limit = 200;
  std::vector<error_detail> problems;
  query_reader(call.query, problems).whole("limit", 1, 1000, limit);
  if (!problems.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(problems));
  const auto o = db::read_queue_overview(c, limit);
  json_writer w;
  auto list = [&](const char* key, const std::vector<db::queue_overview::entry>& entries) {
    w.key(key).begin_array();
    for (const auto& e : entries) {
      w.begin_object().key("run_id").string(e.run_id).key("user").string(e.user);
      w.key("status").string(e.status).key("priority").string(e.priority);
      w.key("strategy").string(e.strategy).key("symbol").string(e.symbol);
      w.key("timeframe").string(e.timeframe);
      if (e.position > 0)
        w.key("position").number(e.position);
      w.key("attempts").number(e.attempts).key("progress").number(e.progress);
      const auto text_or_null = [&](const std::string& t) { t.empty() ? w.null() : w.string(t); };
      w.key("worker_id");
      text_or_null(e.worker_id);
      w.key("error");
      text_or_null(e.error);
      w.key("created_at").timestamp(e.created_at);
      w.key("started_at").timestamp(e.started_at);
      if (e.dead_at)
        w.key("dead_lettered_at").timestamp(*e.dead_at);
      w.end_object();
    }
    w.end_array();
  };
  w.begin_object().key("queued_total").number(o.queued_total);
  list("queued", o.queued);
  list("running", o.running);
  w.key("dead_letters_total").number(o.dead_letters_total);
  list("dead_letters", o.dead_letters);
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
