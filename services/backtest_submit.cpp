// POST /v1/backtest: validation, coverage of the data, idempotency, queueing.
#include "services/backtest_service.hpp"

#include "config/log.hpp"
#include "domain/data/instrument.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/report/hex.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "domain/scheduling/queue_forecast.hpp"
#include "domain/strategies/registry.hpp"
#include "persistence/market_data_repository.hpp"
#include "services/run_presenter.hpp"
#include "services/service_reply.hpp"
#include "services/tracing.hpp"

#include <boost/json.hpp>
#include <openssl/rand.h>
#include <pqxx/pqxx>

#include <set>

namespace bt {
namespace {

unix_time first_expected(const trading_calendar& cal, unix_time t, unix_time step) {
  t = floor_div(t + step - 1, step) * step;
  for (int k = 0; k < 100'000 && !cal.expects_bar(t, step); ++k)
    t += step;
  return t;
}

unix_time last_expected(const trading_calendar& cal, unix_time t, unix_time step) {
  t = floor_div(t, step) * step;
  for (int k = 0; k < 100'000 && !cal.expects_bar(t, step); ++k)
    t -= step;
  return t;
}

std::string range_text(const db::dataset_info& d) {
  return d.symbol + "/" + d.timeframe + " " + (d.from ? format_timestamp(*d.from) : "-") + " to "
         + (d.to ? format_timestamp(*d.to) : "-");
}

// The stretches of data around a requested range that has no bars: the
// stored range cut at its gaps; the nearest before and after the request.
std::vector<std::string> available_segments(const db::dataset_info& d, unix_time step,
                                            unix_time start, unix_time end) {
  std::vector<std::pair<unix_time, unix_time>> segments;
  if (!d.from || !d.to)
    return {};
  unix_time begin = *d.from;
  for (const auto& g : d.gaps) {
    if (g.from - step >= begin)
      segments.emplace_back(begin, g.from - step);
    begin = g.to + step;
  }
  if (begin <= *d.to)
    segments.emplace_back(begin, *d.to);
  std::vector<std::string> out;
  const std::pair<unix_time, unix_time>* before = nullptr;
  const std::pair<unix_time, unix_time>* after = nullptr;
  for (const auto& s : segments) {
    if (s.second < start)
      before = &s;
    if (s.first > end && !after)
      after = &s;
  }
  for (const auto* s : {before, after})
    if (s)
      out.push_back(d.symbol + "/" + d.timeframe + " " + format_timestamp(s->first) + " to "
                    + format_timestamp(s->second));
  return out;
}

} // namespace

std::optional<service_reply>
backtest_service::check_coverage(pqxx::connection& c, const db::principal& who,
                                 const std::string& symbol, const std::string& timeframe,
                                 unix_time start, unix_time end, std::string& source_tf,
                                 std::optional<db::dataset_info>& dataset) {
  // The data: the timeframe itself, or 1h bars resampled to 4h and 1d.
  source_tf = timeframe;
  dataset = db::find_dataset(c, who.user_id, symbol, source_tf);
  if (!dataset && (timeframe == "4h" || timeframe == "1d")) {
    source_tf = "1h";
    dataset = db::find_dataset(c, who.user_id, symbol, source_tf);
  }
  auto available = [&] {
    std::vector<error_detail> d;
    for (const auto& ds : db::list_datasets(c, who.user_id))
      if (ds.symbol == symbol)
        d.push_back({"available", 0, range_text(ds)});
    return d;
  };
  if (!dataset || dataset->bars == 0) {
    auto d = available();
    d.insert(d.begin(), {"timeframe", 0,
                         "no " + symbol + " data at " + timeframe
                             + (timeframe == "4h" || timeframe == "1d" ? " or 1h" : "")});
    return error_reply(service_code::unprocessable, "no data for " + symbol + "/" + timeframe,
                       std::move(d));
  }
  const trading_calendar calendar(lookup_instrument(symbol).calendar);
  const unix_time step = seconds_of(*parse_timeframe(source_tf));
  if (*dataset->from > first_expected(calendar, start, step)
      || *dataset->to < last_expected(calendar, end, step)) {
    auto d = available();
    d.insert(d.begin(), {"start", 0,
                         "the range " + format_timestamp(start) + " to " + format_timestamp(end)
                             + " is not covered by the stored data"});
    return error_reply(service_code::unprocessable,
                       "the requested range is not covered by your data", std::move(d));
  }
  // Covered, but no bar inside the range (it falls in a gap of the data):
  // refused now rather than queued to fail.
  if (auto probe =
          db::load_bars(c, who.user_id, symbol, *parse_timeframe(source_tf), start, end, 1);
      !probe || probe->empty()) {
    std::vector<error_detail> d{{"start", 0,
                                 "no " + symbol + "/" + source_tf + " bar between "
                                     + format_timestamp(start) + " and " + format_timestamp(end)
                                     + ": the range falls inside a gap of the data"}};
    for (auto& segment : available_segments(*dataset, step, start, end))
      d.push_back({"available", 0, std::move(segment)});
    return error_reply(service_code::unprocessable, "no bars in the requested range", std::move(d));
  }
  return std::nullopt;
}

service_reply backtest_service::submit_run(pqxx::connection& c, const db::principal& who,
                                           const backtest_call& call, quota_ticket* quota) {
  // The submission's span: the run's attempts, engine runs and storage
  // join its trace (runs.trace_parent).
  span_scope span(call.trace_id, call.span_id, "submit backtest");
  span.number("user_id", who.user_id);
  boost::json::error_code ec;
  const boost::json::value body = boost::json::parse(call.body, ec);
  if (ec)
    return error_reply(service_code::bad_request, "malformed JSON body: " + ec.message(), {});
  if (!body.is_object())
    return error_reply(service_code::bad_request, "the body must be a JSON object", {});
  std::vector<error_detail> errors;
  static const std::set<std::string> known{"symbol",   "timeframe", "start",     "end",
                                           "strategy", "params",    "execution", "priority"};
  for (const auto& kv : body.as_object())
    if (!known.count(std::string(kv.key())))
      errors.push_back({std::string(kv.key()), 0,
                        "unknown field (known: symbol, timeframe, start, end, strategy, "
                        "params, execution, priority)"});
  auto text = [&](const char* name, bool required) -> std::optional<std::string> {
    auto it = body.as_object().find(name);
    if (it == body.as_object().end() || it->value().is_null()) {
      if (required)
        errors.push_back({name, 0, "required"});
      return std::nullopt;
    }
    if (!it->value().is_string()) {
      errors.push_back({name, 0, "must be a string"});
      return std::nullopt;
    }
    return std::string(it->value().as_string());
  };
  const auto symbol = text("symbol", true), timeframe = text("timeframe", true);
  const auto start_text = text("start", true), end_text = text("end", true);
  const auto strategy = text("strategy", false), priority_text = text("priority", false);
  int priority = 1;
  if (priority_text) {
    if (*priority_text == "high")
      priority = 0;
    else if (*priority_text == "low")
      priority = 2;
    else if (*priority_text != "normal")
      errors.push_back({"priority", 0, "must be high, normal or low"});
  }
  unix_time start = 0, end = 0;
  auto time_field = [&](const char* name, const std::optional<std::string>& t, unix_time& out) {
    if (t
        && parse_range_bound(
               *t, std::string_view(name) == "end" ? range_bound::end : range_bound::start, out)
               != timestamp_parse::ok)
      errors.push_back(
          {name, 0, "'" + *t + "' is not a UTC timestamp (e.g. 2024-01-02T00:00:00Z)"});
  };
  time_field("start", start_text, start);
  time_field("end", end_text, end);
  if (!errors.empty())
    return error_reply(service_code::unprocessable, "invalid backtest request", std::move(errors));

  run_request request;
  request.symbol = *symbol;
  request.timeframe = *timeframe;
  request.strategy = strategy.value_or("supply_demand_zones");
  auto find_value = [&](const char* name) -> const boost::json::value* {
    auto it = body.as_object().find(name);
    return it == body.as_object().end() ? nullptr : &it->value();
  };
  request.params = find_value("params");
  request.execution = find_value("execution");
  request.from = start;
  request.to = end;
  run_config config;
  for (auto& e : resolve_config(request, config))
    errors.push_back(e.field == "from" && e.message == "must not be after to"
                         ? error_detail{"start", 0, "must not be after `end`"}
                         : error_detail{e.field == "from" ? "start"
                                        : e.field == "to" ? "end"
                                                          : e.field,
                                        0, e.message});
  if (start >= end && errors.empty())
    errors.push_back({"start", 0, "must be before `end`"});
  if (static_cast<double>(end - start) > limits_.max_span_days * seconds_per_day)
    errors.push_back({"end", 0, "the range may span at most 3 years"});
  if (!errors.empty())
    return error_reply(service_code::unprocessable, "invalid backtest request", std::move(errors));

  std::string source_tf;
  std::optional<db::dataset_info> dataset;
  if (auto refused = check_coverage(c, who, *symbol, *timeframe, start, end, source_tf, dataset))
    return std::move(*refused);
  // The book's count when it holds the whole queue (a query less on every
  // submission); otherwise the database's.
  const auto queued = book_->queued_count();
  if ((queued ? *queued : db::read_queue_stats(c).queued) >= limits_.queue_capacity)
    return error_reply(service_code::unavailable, "the queue is full; retry later", {});

  db::new_run run;
  run.id = new_uuid();
  run.user_id = who.user_id;
  run.priority = priority;
  run.symbol = *symbol;
  run.timeframe = *timeframe;
  run.source_timeframe = source_tf;
  run.start = start;
  run.end = end;
  run.strategy = config.strategy->name;
  run.strategy_version = config.strategy->version;
  run.config_json = canonical_json(config);
  {
    json_writer p, e;
    write_params(p, config.params);
    write_execution(e, config.execution);
    run.params_json = p.take();
    run.execution_json = e.take();
  }
  run.config_hash = config_hash(config);
  run.dataset_checksum = dataset->checksum;
  run.dedupe_key = sha256_hex(std::to_string(who.user_id) + "|" + run.config_json + "|" + source_tf
                              + "|" + dataset->checksum + "|" + config.strategy->version);
  if (!call.idempotency_key.empty())
    run.idempotency_key = call.idempotency_key;
  run.trace_parent = span.traceparent();
  span.text("run_id", run.id).text("strategy_id", run.strategy + "@" + run.strategy_version);
  // The quota is asked only when the run is new: a replay is answered even
  // to a key that has used up its quota, and counts as nothing.
  std::optional<service_reply> over_quota;
  auto outcome = db::submit_run(c, run, db::actor_of(who), [&] {
    if (!quota)
      return true;
    over_quota = take_quota(who, *quota);
    return !over_quota;
  });
  if (outcome.refused)
    return std::move(*over_quota);
  if (outcome.replay && quota)
    quota->give_back = true;
  if (outcome.replay && run.idempotency_key && outcome.run.dedupe_key != run.dedupe_key)
    return error_reply(service_code::unprocessable,
                       "this Idempotency-Key was used for a different request",
                       {{"Idempotency-Key", 0, "reuse a key only to repeat the same request"}});
  if (!outcome.replay) {
    book_->sync(c, outcome.run.id);
    log::info(
        "run_submitted",
        {{"run_id", run.id}, {"user_id", who.user_id}, {"priority", priority_name(priority)}});
    wake_();
  }
  if (outcome.replay)
    return body_reply(service_code::ok, run_document(outcome.run, view_of(c, outcome.run), true));
  const queue_outlook q = outlook(c, outcome.run);
  json_writer w;
  w.begin_object();
  w.key("run_id").string(outcome.run.id);
  w.key("status").string(to_string(outcome.run.status));
  w.key("queue_position").number(q.position);
  w.key("eta_seconds").optional(q.eta_seconds);
  if (q.no_workers)
    w.key("no_workers").boolean(true);
  w.end_object();
  return body_reply(service_code::accepted, w.take());
}

} // namespace bt
