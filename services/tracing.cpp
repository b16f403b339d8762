#include "services/tracing.hpp"

#include "services/trace_context.hpp"

#include "domain/scheduling/run_attempt.hpp"

#include <algorithm>

#include <chrono>
#include <memory>
#include <mutex>

namespace bt::tracing {
namespace {

struct sink_state {
  std::mutex mutex;
  std::shared_ptr<std::function<void(span_record&&)>> sink;
};

sink_state& state() {
  static sink_state s;
  return s;
}

std::shared_ptr<std::function<void(span_record&&)>> current() {
  auto& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.sink;
}

} // namespace

void set_sink(std::function<void(span_record&&)> sink) {
  auto& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.sink = sink ? std::make_shared<std::function<void(span_record &&)>>(std::move(sink)) : nullptr;
}

bool enabled() {
  return current() != nullptr;
}

void record(span_record&& span) {
  if (auto sink = current())
    (*sink)(std::move(span));
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void attempt_attributes(span_scope& span, const run_attempt& job, const std::string& worker_id) {
  span.text("run_id", job.run_id).text("strategy_id", job.strategy_id);
  span.text("worker_id", worker_id).number("attempt", job.attempt).number("user_id", job.user_id);
}

void begin_attempt(run_attempt& job, const std::string& worker_id) {
  job.claimed_ns = now_ns();
  if (job.trace_id.size() != 32)
    return;
  job.attempt_span_id = new_span_id();
  span_record wait;
  wait.trace_id = job.trace_id;
  wait.span_id = new_span_id();
  wait.parent_span_id = job.submit_span_id;
  wait.name = "queue wait";
  wait.start_ns = std::min(job.eligible_ns, job.claimed_ns);
  wait.end_ns = job.claimed_ns;
  wait.text = {{"run_id", job.run_id}, {"strategy_id", job.strategy_id}, {"worker_id", worker_id}};
  wait.numbers = {{"attempt", job.attempt}, {"user_id", job.user_id}};
  record(std::move(wait));
}

void end_attempt(const run_attempt& job, const std::string& worker_id, const std::string& result,
                 const std::string& error) {
  if (job.attempt_span_id.empty())
    return;
  span_record s;
  s.trace_id = job.trace_id;
  s.span_id = job.attempt_span_id;
  s.parent_span_id = job.submit_span_id;
  s.name = "attempt";
  s.start_ns = job.claimed_ns;
  s.end_ns = now_ns();
  s.text = {{"run_id", job.run_id},
            {"strategy_id", job.strategy_id},
            {"worker_id", worker_id},
            {"result", result}};
  s.numbers = {{"attempt", job.attempt}, {"user_id", job.user_id}};
  s.error = !error.empty();
  s.status_message = error;
  record(std::move(s));
}

} // namespace bt::tracing

namespace bt {

span_scope::span_scope(std::string trace_id, std::string parent_span_id, std::string name,
                       int kind) {
  if (trace_id.size() != 32) {
    discarded_ = true;
    return;
  }
  span_.trace_id = std::move(trace_id);
  span_.parent_span_id = std::move(parent_span_id);
  span_.span_id = new_span_id();
  span_.name = std::move(name);
  span_.kind = kind;
  span_.start_ns = tracing::now_ns();
}

span_scope::~span_scope() {
  if (discarded_)
    return;
  span_.end_ns = tracing::now_ns();
  tracing::record(std::move(span_));
}

std::string span_scope::traceparent() const {
  return span_.trace_id.empty() ? std::string()
                                : "00-" + span_.trace_id + "-" + span_.span_id + "-01";
}

span_scope& span_scope::text(std::string key, std::string value) {
  span_.text.emplace_back(std::move(key), std::move(value));
  return *this;
}

span_scope& span_scope::number(std::string key, std::int64_t value) {
  span_.numbers.emplace_back(std::move(key), value);
  return *this;
}

void span_scope::fail(std::string message) {
  span_.error = true;
  span_.status_message = std::move(message);
}

} // namespace bt
