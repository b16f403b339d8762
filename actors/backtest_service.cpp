#include "actors/backtest_service.hpp"

#include "actors/service_reply.hpp"
#include "config/log.hpp"
#include "domain/report/hex.hpp"
#include "domain/scheduling/queue_forecast.hpp"
#include "domain/data/instrument.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "domain/strategies/registry.hpp"
#include "persistence/market_data_repository.hpp"

#include <boost/json.hpp>
#include <openssl/rand.h>
#include <pqxx/pqxx>

#include <set>

namespace bt {

namespace {

service_reply json_reply(service_code code, std::string body) {
  return body_reply(code, std::move(body));
}

std::string new_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1)
    throw std::runtime_error("the system random number generator failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40); // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
  const std::string h = to_hex(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

bool looks_like_uuid(const std::string& s) {
  if (s.size() != 36)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

const char* priority_name(int p) {
  return p == 0 ? "high" : p == 2 ? "low" : "normal";
}

// Writes a parsed JSON value with our writer (Boost.JSON would print 1.5
// as 1.5E0).
void write_value(json_writer& w, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: w.null(); break;
    case boost::json::kind::bool_: w.boolean(v.get_bool()); break;
    case boost::json::kind::int64: w.number(v.get_int64()); break;
    case boost::json::kind::uint64: w.number(v.get_uint64()); break;
    case boost::json::kind::double_: w.number(v.get_double()); break;
    case boost::json::kind::string: w.string(v.get_string()); break;
    case boost::json::kind::array:
      w.begin_array();
      for (const auto& e : v.get_array())
        write_value(w, e);
      w.end_array();
      break;
    case boost::json::kind::object:
      w.begin_object();
      for (const auto& kv : v.get_object()) {
        w.key(kv.key());
        write_value(w, kv.value());
      }
      w.end_object();
      break;
  }
}

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
  return d.symbol + "/" + d.timeframe + " " + (d.from ? format_timestamp(*d.from) : "-") + " to " +
         (d.to ? format_timestamp(*d.to) : "-");
}

// The stretches of data around a requested range that has no bars: the
// stored range cut at its gaps; the nearest before and after the request.
std::vector<std::string> available_segments(const db::dataset_info& d, unix_time step, unix_time start, unix_time end) {
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
      out.push_back(d.symbol + "/" + d.timeframe + " " + format_timestamp(s->first) + " to " +
                    format_timestamp(s->second));
  return out;
}

} // namespace

service_reply backtest_service::handle(const backtest_call& call) {
  try {
    auto conn = pool_->acquire();
    auto who = auth_.authenticate(*conn, call.api_key);
    if (!who)
      return error_reply(service_code::unauthorized, "missing, unknown or revoked API key (X-API-Key)", {});
    if (call.op == "strategies") {
      json_writer w;
      w.begin_object().key("strategies").begin_array();
      for (const auto* s : strategy_schemas())
        write_schema(w, *s);
      w.end_array().end_object();
      return json_reply(service_code::ok, w.take());
    }
    if (call.op == "submit")
      return submit(*conn, *who, call);
    if (call.op == "cluster") {
      // Admins only; everyone else is told there is nothing here.
      if (who->role != "admin")
        return error_reply(service_code::not_found, "no such endpoint: /v1/admin/cluster", {});
      json_writer w;
      w.begin_object().key("nodes").begin_array();
      if (cluster_)
        for (const auto& n : cluster_->nodes()) {
          w.begin_object();
          w.key("node_id").string(n.node_id);
          w.key("address").string(n.address);
          w.key("status").string(n.status);
          w.key("workers").number(static_cast<std::uint64_t>(n.workers));
          w.key("running_runs").begin_array();
          for (const auto& r : n.running_runs)
            w.string(r);
          w.end_array();
          w.key("last_heartbeat").timestamp(n.last_heartbeat);
          w.end_object();
        }
      w.end_array().end_object();
      return json_reply(service_code::ok, w.take());
    }
    if (call.op == "queue") {
      const auto stats = db::read_queue_stats(*conn);
      json_writer w;
      w.begin_object();
      w.key("queued").number(stats.queued);
      w.key("running").number(stats.running);
      w.key("workers").number(static_cast<std::uint64_t>(available_workers()));
      w.key("capacity").number(limits_.queue_capacity);
      w.key("avg_run_ms").number(round_places(stats.avg_duration_ms, 3));
      w.key("depth_warning").boolean(stats.queued > limits_.depth_warning);
      w.key("depth_warning_threshold").number(limits_.depth_warning);
      w.end_object();
      return json_reply(service_code::ok, w.take());
    }
    if (call.op == "list")
      return list(*conn, *who, call.query);
    if (call.op == "compare")
      return compare(*conn, *who, call.query);
    // Everything else names a run; a malformed id is simply not found.
    if (!looks_like_uuid(call.run_id))
      return error_reply(service_code::not_found, "no run " + call.run_id, {});
    if (call.op == "get")
      return get(*conn, *who, call.run_id);
    if (call.op == "cancel")
      return cancel(*conn, *who, call.run_id);
    if (call.op == "delete")
      return remove(*conn, *who, call.run_id);
    return results(*conn, *who, call);
  } catch (...) {
    return failure_reply(call.op);
  }
}

service_reply backtest_service::submit(pqxx::connection& c, const db::principal& who, const backtest_call& call) {
  boost::json::error_code ec;
  const boost::json::value body = boost::json::parse(call.body, ec);
  if (ec)
    return error_reply(service_code::bad_request, "malformed JSON body: " + ec.message(), {});
  if (!body.is_object())
    return error_reply(service_code::bad_request, "the body must be a JSON object", {});
  std::vector<error_detail> errors;
  static const std::set<std::string> known{"symbol", "timeframe", "start", "end", "strategy",
                                           "params", "execution", "priority"};
  for (const auto& kv : body.as_object())
    if (!known.count(std::string(kv.key())))
      errors.push_back({std::string(kv.key()), 0, "unknown field (known: symbol, timeframe, start, end, strategy, "
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
    if (t && parse_range_bound(*t, std::string_view(name) == "end" ? range_bound::end : range_bound::start, out)
             != timestamp_parse::ok)
      errors.push_back({name, 0, "'" + *t + "' is not a UTC timestamp (e.g. 2024-01-02T00:00:00Z)"});
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
                       : error_detail{e.field == "from" ? "start" : e.field == "to" ? "end" : e.field, 0, e.message});
  if (start >= end && errors.empty())
    errors.push_back({"start", 0, "must be before `end`"});
  if (static_cast<double>(end - start) > limits_.max_span_days * seconds_per_day)
    errors.push_back({"end", 0, "the range may span at most 3 years"});
  if (!errors.empty())
    return error_reply(service_code::unprocessable, "invalid backtest request", std::move(errors));

  // The data: the timeframe itself, or 1h bars resampled to 4h and 1d.
  std::string source_tf = *timeframe;
  auto dataset = db::find_dataset(c, who.user_id, *symbol, source_tf);
  if (!dataset && (*timeframe == "4h" || *timeframe == "1d")) {
    source_tf = "1h";
    dataset = db::find_dataset(c, who.user_id, *symbol, source_tf);
  }
  auto available = [&] {
    std::vector<error_detail> d;
    for (const auto& ds : db::list_datasets(c, who.user_id))
      if (ds.symbol == *symbol)
        d.push_back({"available", 0, range_text(ds)});
    return d;
  };
  if (!dataset || dataset->bars == 0) {
    auto d = available();
    d.insert(d.begin(), {"timeframe", 0, "no " + *symbol + " data at " + *timeframe +
                                           (*timeframe == "4h" || *timeframe == "1d" ? " or 1h" : "")});
    return error_reply(service_code::unprocessable, "no data for " + *symbol + "/" + *timeframe, std::move(d));
  }
  const trading_calendar calendar(lookup_instrument(*symbol).calendar);
  const unix_time step = seconds_of(*parse_timeframe(source_tf));
  if (*dataset->from > first_expected(calendar, start, step) || *dataset->to < last_expected(calendar, end, step)) {
    auto d = available();
    d.insert(d.begin(), {"start", 0, "the range " + format_timestamp(start) + " to " + format_timestamp(end) +
                                       " is not covered by the stored data"});
    return error_reply(service_code::unprocessable, "the requested range is not covered by your data", std::move(d));
  }
  // Covered, but no bar inside the range (it falls in a gap of the data):
  // refused now rather than queued to fail.
  if (auto probe = db::load_bars(c, who.user_id, *symbol, *parse_timeframe(source_tf), start, end, 1);
      !probe || probe->empty()) {
    std::vector<error_detail> d{{"start", 0, "no " + *symbol + "/" + source_tf + " bar between " +
                                               format_timestamp(start) + " and " + format_timestamp(end) +
                                               ": the range falls inside a gap of the data"}};
    for (auto& segment : available_segments(*dataset, step, start, end))
      d.push_back({"available", 0, std::move(segment)});
    return error_reply(service_code::unprocessable, "no bars in the requested range", std::move(d));
  }
  const auto stats = db::read_queue_stats(c);
  if (stats.queued >= limits_.queue_capacity)
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
  run.dedupe_key = sha256_hex(std::to_string(who.user_id) + "|" + run.config_json + "|" + source_tf + "|" +
                              dataset->checksum + "|" + config.strategy->version);
  if (!call.idempotency_key.empty())
    run.idempotency_key = call.idempotency_key;
  auto outcome = db::submit_run(c, run);
  if (outcome.replay && run.idempotency_key && outcome.run.dedupe_key != run.dedupe_key)
    return error_reply(service_code::unprocessable, "this Idempotency-Key was used for a different request",
                       {{"Idempotency-Key", 0, "reuse a key only to repeat the same request"}});
  if (!outcome.replay) {
    log::info("run_submitted", {{"run_id", run.id}, {"user_id", who.user_id}, {"priority", priority_name(priority)}});
    wake_();
  }
  if (outcome.replay)
    return json_reply(service_code::ok, run_document(c, outcome.run, true));
  const queue_outlook q = outlook(c, outcome.run.id, db::queue_position(c, outcome.run));
  json_writer w;
  w.begin_object();
  w.key("run_id").string(outcome.run.id);
  w.key("status").string(outcome.run.status);
  w.key("queue_position").number(q.position);
  w.key("eta_seconds").optional(q.eta_seconds);
  if (q.no_workers)
    w.key("no_workers").boolean(true);
  w.end_object();
  return json_reply(service_code::accepted, w.take());
}

std::string backtest_service::run_document(pqxx::connection& c, const db::run_row& run, bool replay) {
  json_writer w;
  w.begin_object();
  w.key("run_id").string(run.id);
  w.key("status").string(run.status);
  std::shared_ptr<live_run> live = run.status == "running" ? registry_->find(run.id) : nullptr;
  double progress = run.status == "completed" ? 100.0 : live ? live->percent.load() : run.progress;
  w.key("progress").number(round_places(progress, 2));
  std::optional<std::int64_t> position;
  std::optional<double> eta;
  bool no_workers = false;
  if (run.status == "queued") {
    const queue_outlook q = outlook(c, run.id, db::queue_position(c, run));
    position = q.position;
    eta = q.eta_seconds;
    no_workers = q.no_workers;
  } else if (live) {
    eta = round_places(live->eta_seconds.load(), 3);
  }
  w.key("queue_position").optional(position);
  w.key("eta_seconds").optional(eta);
  if (no_workers)
    w.key("no_workers").boolean(true);
  w.key("priority").string(priority_name(run.priority));
  w.key("attempts").number(static_cast<std::int64_t>(run.attempts));
  w.key("worker_id");
  if (run.worker_id)
    w.string(*run.worker_id);
  else
    w.null();
  w.key("error");
  if (run.error)
    w.string(*run.error);
  else
    w.null();
  w.key("attempt_errors").raw(run.errors_json);
  if (live) {
    w.key("current_bar_time").timestamp(live->bar_time.load());
    w.key("trades_so_far").number(live->trades.load());
  }
  w.key("created_at").timestamp(run.created_at);
  w.key("started_at").timestamp(run.started_at);
  w.key("finished_at").timestamp(run.finished_at);
  w.key("duration_ms").optional(run.duration_ms);
  w.key("symbol").string(run.symbol);
  w.key("timeframe").string(run.timeframe);
  w.key("source_timeframe").string(run.source_timeframe);
  w.key("start").timestamp(run.start);
  w.key("end").timestamp(run.end);
  w.key("strategy").begin_object().key("name").string(run.strategy).key("version").string(run.strategy_version).end_object();
  w.key("params").raw(run.params_json);
  w.key("execution").raw(run.execution_json);
  w.key("config_hash").string(run.config_hash);
  w.key("data_checksum");
  if (run.data_checksum)
    w.string(*run.data_checksum);
  else
    w.null();
  w.key("engine_version");
  if (run.engine_version)
    w.string(*run.engine_version);
  else
    w.null();
  w.key("metrics");
  if (run.metrics_json)
    w.raw(*run.metrics_json);
  else
    w.null();
  w.key("warnings").raw(run.warnings_json);
  if (replay)
    w.key("idempotent_replay").boolean(true);
  w.end_object();
  return w.take();
}

std::size_t backtest_service::available_workers() const {
  std::size_t n = limits_.workers;
  if (cluster_)
    for (const auto& node : cluster_->nodes())
      if (node.status == "up")
        n += static_cast<std::size_t>(node.workers);
  return n;
}

backtest_service::queue_outlook backtest_service::outlook(pqxx::connection& c, const std::string& run_id,
                                                          std::int64_t fallback_position) {
  queue_outlook out;
  out.position = fallback_position;
  forecast_input in;
  in.workers = available_workers();
  if (in.workers == 0) {
    out.no_workers = true; // nothing will run it until a worker or node joins
    return out;
  }
  in.per_user_limit = limits_.per_user_limit;
  in.run_seconds = db::read_queue_stats(c).avg_duration_ms / 1000.0;
  const auto snapshot = db::read_queue_snapshot(c);
  for (const auto& r : snapshot.active) {
    // What a running run still needs: its own estimate where it runs here,
    // otherwise the average less the time it has run.
    double remaining = std::max(0.0, in.run_seconds - r.elapsed_seconds);
    if (auto live = registry_->find(r.run_id); live && live->percent.load() > 0)
      remaining = live->eta_seconds.load();
    in.running.push_back({r.user_id, remaining});
  }
  for (const auto& q : snapshot.queue)
    in.queued.push_back({q.run_id, q.user_id, q.ready_in_seconds});
  if (auto f = forecast_run(in, run_id)) {
    out.position = f->position;
    out.eta_seconds = round_places(f->eta_seconds, 3);
  }
  return out;
}

service_reply backtest_service::get(pqxx::connection& c, const db::principal& who, const std::string& id) {
  const std::string cache_key = std::to_string(who.user_id) + "/" + id;
  {
    std::lock_guard<std::mutex> lock(finished_mutex_);
    if (const std::string* doc = finished_docs_.find(cache_key))
      return json_reply(service_code::ok, *doc);
  }
  auto run = db::find_run(c, who.user_id, id);
  if (!run)
    return error_reply(service_code::not_found, "no run " + id, {});
  std::string doc = run_document(c, *run, false);
  if (run->status == "completed" || run->status == "failed" || run->status == "cancelled") {
    std::lock_guard<std::mutex> lock(finished_mutex_);
    finished_docs_.put(cache_key, doc);
  }
  return json_reply(service_code::ok, std::move(doc));
}

service_reply backtest_service::cancel(pqxx::connection& c, const db::principal& who, const std::string& id) {
  auto before = db::cancel_run(c, who.user_id, id);
  if (!before)
    return error_reply(service_code::not_found, "no run " + id, {});
  if (*before != "queued" && *before != "running")
    return error_reply(service_code::conflict,
                       "the run is " + *before + ": " +
                         (*before == "completed" ? "completed runs cannot be cancelled"
                                                 : "only queued or running runs can be cancelled"),
                       {});
  if (*before == "running")
    registry_->cancel(id); // the worker stops within its next progress step
  log::info("run_cancelled", {{"run_id", id}, {"was", *before}});
  return get(c, who, id);
}

service_reply backtest_service::remove(pqxx::connection& c, const db::principal& who, const std::string& id) {
  auto run = db::find_run(c, who.user_id, id);
  if (!run)
    return error_reply(service_code::not_found, "no run " + id, {});
  if (run->status == "queued" || run->status == "running") {
    db::cancel_run(c, who.user_id, id);
    registry_->cancel(id);
  } else {
    db::delete_run(c, who.user_id, id);
    std::lock_guard<std::mutex> lock(finished_mutex_);
    finished_docs_.erase(std::to_string(who.user_id) + "/" + id);
  }
  return json_reply(service_code::no_content, "");
}

service_reply backtest_service::list(pqxx::connection& c, const db::principal& who, const query_map& q) {
  db::run_filter f;
  std::vector<error_detail> errors;
  query_reader r(q, errors);
  r.choice("status", {"queued", "running", "completed", "failed", "cancelled"}, f.status);
  f.symbol = r.text("symbol");
  f.strategy = r.text("strategy");
  r.time("from", f.created_from);
  r.time("to", f.created_to);
  r.whole("limit", 1, 500, f.limit);
  r.whole("offset", 0, 1'000'000'000, f.offset);
  std::optional<std::string> sort;
  r.choice("sort", db::sortable_run_columns(), sort);
  if (sort)
    f.sort = *sort;
  r.order("order", f.descending);
  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));
  auto [total, runs] = db::list_runs(c, who.user_id, f);
  json_writer w;
  w.begin_object();
  w.key("total").number(total);
  w.key("limit").number(f.limit);
  w.key("offset").number(f.offset);
  w.key("items").begin_array();
  for (const auto& r : runs) {
    w.begin_object();
    w.key("run_id").string(r.id);
    w.key("status").string(r.status);
    w.key("symbol").string(r.symbol);
    w.key("timeframe").string(r.timeframe);
    w.key("start").timestamp(r.start);
    w.key("end").timestamp(r.end);
    w.key("strategy").begin_object().key("name").string(r.strategy).key("version").string(r.strategy_version).end_object();
    w.key("created_at").timestamp(r.created_at);
    w.key("finished_at").timestamp(r.finished_at);
    w.key("metrics");
    if (r.metrics_json)
      w.raw(*r.metrics_json);
    else
      w.null();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return json_reply(service_code::ok, w.take());
}

service_reply backtest_service::compare(pqxx::connection& c, const db::principal& who, const query_map& q) {
  std::vector<std::string> ids;
  if (auto text = query_value(q, "ids")) {
    std::size_t pos = 0;
    while (pos <= text->size()) {
      auto comma = text->find(',', pos);
      std::string id = text->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
        ids.push_back(id);
      if (comma == std::string::npos)
        break;
      pos = comma + 1;
    }
  }
  if (ids.size() < 2 || ids.size() > 10)
    return error_reply(service_code::bad_request, "ids must name 2 to 10 different runs",
                       {{"ids", 0, "comma-separated run ids, 2 to 10"}});
  std::vector<db::run_row> runs;
  for (const auto& id : ids) {
    auto r = looks_like_uuid(id) ? db::find_run(c, who.user_id, id) : std::nullopt;
    if (!r)
      return error_reply(service_code::not_found, "no run " + id, {});
    if (r->status != "completed")
      return error_reply(service_code::conflict, "run " + id + " is " + r->status + "; only completed runs compare", {});
    runs.push_back(*r);
  }
  std::vector<boost::json::value> params, executions;
  std::set<std::string> names, exec_names;
  for (const auto& r : runs) {
    params.push_back(boost::json::parse(r.params_json));
    executions.push_back(boost::json::parse(r.execution_json));
    for (const auto& kv : params.back().as_object())
      names.insert(std::string(kv.key()));
    for (const auto& kv : executions.back().as_object())
      exec_names.insert(std::string(kv.key()));
  }
  json_writer w;
  w.begin_object();
  w.key("runs").begin_array();
  for (const auto& r : runs) {
    w.begin_object().key("run_id").string(r.id).key("symbol").string(r.symbol).key("timeframe").string(r.timeframe);
    w.key("strategy").begin_object().key("name").string(r.strategy).key("version").string(r.strategy_version).end_object();
    w.key("start").timestamp(r.start).key("end").timestamp(r.end).end_object();
  }
  w.end_array();
  auto side_by_side = [&](const char* key, const std::set<std::string>& keys, const std::vector<boost::json::value>& values) {
    w.key(key).begin_array();
    for (const auto& name : keys) {
      w.begin_object().key("name").string(name).key("values").begin_object();
      bool differs = false;
      const boost::json::value* first = nullptr;
      for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& obj = values[i].as_object();
        auto it = obj.find(name);
        w.key(runs[i].id);
        if (it == obj.end()) {
          w.null();
          differs = true;
          continue;
        }
        write_value(w, it->value());
        if (!first)
          first = &it->value();
        else if (*first != it->value())
          differs = true;
      }
      w.end_object().key("differs").boolean(differs).end_object();
    }
    w.end_array();
  };
  side_by_side("params", names, params);
  side_by_side("execution", exec_names, executions);
  w.key("metrics").begin_object();
  for (const auto& r : runs)
    w.key(r.id).raw(r.metrics_json.value_or("null"));
  w.end_object();
  // Equity on one time axis: the union of the runs' bar times, thinned to at
  // most max_points; a run without a point at a time shows null.
  std::size_t max_points = 1000;
  if (auto m = query_value(q, "max_points"))
    max_points = std::clamp<std::size_t>(std::strtoul(m->c_str(), nullptr, 10), 10, 100'000);
  std::vector<std::vector<equity_point>> curves;
  std::set<unix_time> times;
  for (const auto& r : runs) {
    curves.push_back(db::load_equity(c, r.id));
    for (const auto& p : curves.back())
      times.insert(p.time);
  }
  std::vector<unix_time> axis(times.begin(), times.end());
  if (axis.size() > max_points) {
    std::vector<unix_time> thin;
    for (std::size_t i = 0; i < max_points; ++i)
      thin.push_back(axis[i * (axis.size() - 1) / (max_points - 1)]);
    axis = std::move(thin);
  }
  w.key("equity").begin_object();
  w.key("times").begin_array();
  for (auto t : axis)
    w.timestamp(t);
  w.end_array();
  w.key("series").begin_object();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    w.key(runs[i].id).begin_array();
    std::size_t k = 0;
    for (auto t : axis) {
      while (k < curves[i].size() && curves[i][k].time < t)
        ++k;
      if (k < curves[i].size() && curves[i][k].time == t)
        w.number(curves[i][k].equity);
      else
        w.null();
    }
    w.end_array();
  }
  w.end_object().end_object();
  w.end_object();
  return json_reply(service_code::ok, w.take());
}

} // namespace bt
