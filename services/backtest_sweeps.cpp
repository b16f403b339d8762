// Parameter sweeps as queued jobs: submission (the specification of
// `backtestd sweep`, split into chunks that are ordinary queue items),
// status from the chunks, results by any metric (JSON or CSV), a heatmap
// over two parameters, the overfitting statistics, a configuration run
// alone, cancellation and deletion.
#include "services/backtest_service.hpp"
#include "services/progress_hub.hpp"
#include "services/service_reply.hpp"
#include "services/tracing.hpp"

#include "config/log.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"
#include "domain/research/overfitting.hpp"
#include "domain/strategies/registry.hpp"
#include "persistence/sweep_store.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

namespace bt {
namespace {

/// Without a chunk_size, a sweep is cut in about 8 chunks (so that two
/// workers and two nodes all get some), of at most 500 configurations.
constexpr std::size_t default_chunks = 8;
constexpr std::size_t default_max_chunk = 500;

std::vector<error_detail> details_of(const field_errors& errors) {
  std::vector<error_detail> d;
  for (const auto& e : errors)
    d.push_back({e.field, 0, e.message});
  return d;
}

/// The stored specification read back (it was valid when stored).
sweep_spec spec_of(const db::sweep_row& s) {
  sweep_spec spec;
  if (auto errors = parse_sweep_spec(boost::json::parse(s.spec_json), spec,
                                     absolute_max_sweep_configurations);
      !errors.empty())
    throw std::runtime_error("sweep " + s.id
                             + ": its stored specification no longer reads: " + describe(errors));
  return spec;
}

double rounded(double v) {
  return std::round(v * 1e10) / 1e10;
}

void write_sweep(json_writer& w, const db::sweep_row& s,
                 const std::optional<stored_configuration>& best) {
  w.begin_object();
  w.key("sweep_id").string(s.id);
  w.key("status").string(to_string(s.status()));
  w.key("symbol").string(s.symbol);
  w.key("timeframe").string(s.timeframe);
  w.key("strategy").string(s.strategy);
  w.key("start").timestamp(s.start);
  w.key("end").timestamp(s.end);
  w.key("objective").string(s.objective);
  w.key("order").string(s.maximise ? "max" : "min");
  w.key("configurations").number(s.configurations);
  w.key("progress")
      .number(s.configurations > 0 ? rounded(100.0 * static_cast<double>(s.done) / s.configurations)
                                   : 0.0);
  w.key("counts").begin_object();
  w.key("total").number(s.configurations);
  w.key("done").number(s.done);
  w.key("completed").number(s.completed);
  w.key("skipped").number(s.skipped);
  w.key("failed").number(s.failed);
  w.end_object();
  w.key("chunks").begin_object();
  w.key("total").number(s.chunks);
  w.key("queued").number(s.queued);
  w.key("running").number(s.running);
  w.key("completed").number(s.completed_chunks);
  w.key("failed").number(s.failed_chunks);
  w.key("cancelled").number(s.cancelled_chunks);
  w.end_object();
  w.key("best");
  if (best)
    write_configuration(w, *best);
  else
    w.null();
  w.key("created_at").timestamp(s.created_at);
  w.key("finished_at").timestamp(s.finished_at);
  w.end_object();
}

/// A number of a flat JSON document's member, read from its exact text.
std::optional<double> number_in(const std::string& object, const std::string& key) {
  const std::string text = flat_value_text(object, key);
  if (text.empty() || text == "null")
    return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() ? std::optional<double>(v) : std::nullopt;
}

} // namespace

std::optional<service_reply> backtest_service::read_research_queueing(boost::json::object& body,
                                                                      int& priority,
                                                                      const char* what) {
  priority = 1;
  const auto* p = body.if_contains("priority");
  if (!p)
    return std::nullopt;
  if (!p->is_string()
      || (p->as_string() != "high" && p->as_string() != "normal" && p->as_string() != "low"))
    return error_reply(service_code::unprocessable, std::string("invalid ") + what,
                       {{"priority", 0, "must be high, normal or low"}});
  priority = p->as_string() == "high" ? 0 : p->as_string() == "low" ? 2 : 1;
  body.erase("priority");
  return std::nullopt;
}

std::optional<service_reply>
backtest_service::check_research_range(const std::optional<unix_time>& from,
                                       const std::optional<unix_time>& to, double max_days,
                                       const char* what) {
  std::vector<error_detail> errors;
  if (!from)
    errors.push_back({"start", 0, "required"});
  if (!to)
    errors.push_back({"end", 0, "required"});
  if (errors.empty() && *from >= *to)
    errors.push_back({"start", 0, "must be before `end`"});
  if (errors.empty() && static_cast<double>(*to - *from) > max_days * seconds_per_day)
    errors.push_back({"end", 0,
                      "a " + std::string(what) + " may span at most "
                          + std::to_string(static_cast<int>(max_days / 365.25 + 0.5)) + " years"});
  if (errors.empty())
    return std::nullopt;
  return error_reply(service_code::unprocessable, std::string("invalid ") + what,
                     std::move(errors));
}

service_reply backtest_service::submit_sweep(pqxx::connection& c, const db::principal& who,
                                             const backtest_call& call) {
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(call.body, ec);
  if (ec)
    return error_reply(service_code::bad_request, "malformed JSON body: " + ec.message(), {});
  if (!body.is_object())
    return error_reply(service_code::bad_request, "the body must be a JSON object", {});
  auto& o = body.as_object();
  // What is the queue's, not the specification's.
  int priority = 1;
  std::size_t chunk_size = 0;
  if (auto refused = read_research_queueing(o, priority, "sweep"))
    return std::move(*refused);
  if (const auto* k = o.if_contains("chunk_size")) {
    if (!k->is_int64() || k->as_int64() < 1
        || k->as_int64() > static_cast<std::int64_t>(max_chunk_configurations))
      return error_reply(
          service_code::unprocessable, "invalid sweep",
          {{"chunk_size", 0,
            "must be a whole number from 1 to " + std::to_string(max_chunk_configurations)}});
    chunk_size = static_cast<std::size_t>(k->as_int64());
    o.erase("chunk_size");
  }
  sweep_spec spec;
  if (auto errors = parse_sweep_spec(body, spec, limits_.max_sweep_configurations); !errors.empty())
    return error_reply(service_code::unprocessable, "invalid sweep", details_of(errors));
  if (auto refused = check_research_range(spec.from, spec.to, limits_.max_span_days, "sweep"))
    return std::move(*refused);
  std::string source_tf;
  std::optional<db::dataset_info> dataset;
  if (auto refused = check_coverage(c, who, spec.symbol, spec.timeframe, *spec.from, *spec.to,
                                    source_tf, dataset))
    return std::move(*refused);

  const std::size_t total = configuration_count(spec);
  if (chunk_size == 0)
    chunk_size = std::clamp<std::size_t>((total + default_chunks - 1) / default_chunks, 1,
                                         default_max_chunk);
  const std::size_t chunks = (total + chunk_size - 1) / chunk_size;
  const auto queued = book_->queued_count();
  if ((queued ? *queued : db::read_queue_stats(c).queued) + static_cast<std::int64_t>(chunks)
      > limits_.queue_capacity)
    return error_reply(service_code::unavailable,
                       "the queue has no room for this sweep's " + std::to_string(chunks)
                           + " chunks; retry later or send a larger chunk_size",
                       {});

  const strategy_schema* schema = find_strategy(spec.strategy);
  db::new_sweep s;
  s.id = new_uuid();
  s.user_id = who.user_id;
  s.symbol = spec.symbol;
  s.timeframe = spec.timeframe;
  s.strategy = schema->name;
  s.spec_json = boost::json::serialize(body); // without priority and chunk_size
  s.objective = spec.objective;
  s.maximise = spec.maximise;
  s.start = *spec.from;
  s.end = *spec.to;
  s.configurations = static_cast<std::int64_t>(total);
  // One span for the submission; every chunk's attempts join its trace.
  span_scope span(call.trace_id, call.span_id, "submit sweep");
  span.number("user_id", who.user_id)
      .text("sweep_id", s.id)
      .text("strategy_id", schema->name + "@" + schema->version);
  span.number("configurations", s.configurations);
  for (std::size_t first = 0; first < total; first += chunk_size) {
    db::new_run r;
    r.id = new_uuid();
    r.user_id = who.user_id;
    r.priority = priority;
    r.symbol = spec.symbol;
    r.timeframe = spec.timeframe;
    r.source_timeframe = source_tf;
    r.start = *spec.from;
    r.end = *spec.to;
    r.strategy = schema->name;
    r.strategy_version = schema->version;
    r.config_json = chunk_config_json(s.spec_json, first, std::min(total, first + chunk_size));
    r.params_json = boost::json::serialize(spec.params);
    r.execution_json = boost::json::serialize(spec.execution);
    r.config_hash = sha256_hex(r.config_json);
    r.dataset_checksum = dataset->checksum;
    r.dedupe_key = "sweep:" + s.id + ":" + std::to_string(first);
    r.trace_parent = span.traceparent();
    s.chunks.push_back(std::move(r));
  }
  db::submit_sweep(c, s, db::actor_of(who));
  for (const auto& r : s.chunks)
    book_->sync(c, r.id);
  log::info("sweep_submitted", {{"sweep_id", s.id},
                                {"user_id", who.user_id},
                                {"configurations", static_cast<std::uint64_t>(total)},
                                {"chunks", static_cast<std::uint64_t>(chunks)}});
  wake_();
  json_writer w;
  w.begin_object();
  w.key("sweep_id").string(s.id);
  w.key("status").string("queued");
  w.key("configurations").number(static_cast<std::uint64_t>(total));
  w.key("chunks").number(static_cast<std::uint64_t>(chunks));
  w.key("chunk_size").number(static_cast<std::uint64_t>(chunk_size));
  w.end_object();
  return body_reply(service_code::accepted, w.take());
}

service_reply backtest_service::sweep_status(pqxx::connection& c, const db::principal& who,
                                             const backtest_call& call) {
  auto s = db::find_sweep(c, who.user_id, call.run_id);
  if (!s)
    return error_reply(service_code::not_found, "no sweep " + call.run_id, {});
  json_writer w;
  write_sweep(w, *s, db::best_of_sweep(c, *s));
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::list_sweeps(pqxx::connection& c, const db::principal& who,
                                            const backtest_call& call) {
  std::vector<error_detail> errors;
  std::int64_t limit = 50, offset = 0, total = 0;
  query_reader r(call.query, errors);
  r.whole("limit", 1, 500, limit);
  r.whole("offset", 0, 1'000'000'000, offset);
  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));
  const auto sweeps = db::list_sweeps(c, who.user_id, limit, offset, total);
  json_writer w;
  w.begin_object();
  w.key("total").number(total).key("limit").number(limit).key("offset").number(offset);
  w.key("items").begin_array();
  for (const auto& s : sweeps)
    write_sweep(w, s, std::nullopt);
  w.end_array();
  w.end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::sweep_results(pqxx::connection& c, const db::principal& who,
                                              const backtest_call& call) {
  auto s = db::find_sweep(c, who.user_id, call.run_id);
  if (!s)
    return error_reply(service_code::not_found, "no sweep " + call.run_id, {});
  std::vector<error_detail> errors;
  query_reader r(call.query, errors);
  std::int64_t limit = 100, offset = 0;
  r.whole("limit", 1, 1000, limit);
  r.whole("offset", 0, 1'000'000'000, offset);
  std::optional<std::string> status, format;
  r.choice("status", {"completed", "skipped", "failed"}, status);
  r.choice("format", {"json", "csv"}, format);
  const auto sort = query_value(call.query, "sort").value_or("index");
  if (sort != "index" && !is_metric(sort))
    errors.push_back({"sort", 0, "must be index or a numeric metric, such as sharpe_ratio"});
  bool descending = sort != "index";
  if (auto order = query_value(call.query, "order")) {
    if (*order != "asc" && *order != "desc")
      errors.push_back({"order", 0, "must be asc or desc"});
    descending = *order == "desc";
  }
  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));
  const std::optional<std::string> metric =
      sort == "index" ? std::nullopt : std::optional<std::string>(sort);

  if (format.value_or("json") == "csv") {
    // Every matching configuration, one row each: its swept values, then
    // every numeric metric, as stored.
    const sweep_spec spec = spec_of(*s);
    std::string csv = "index,status";
    for (const auto& a : spec.axes)
      csv += "," + std::string(a.execution ? "execution." : "") + a.name;
    csv += ",config_hash,meets_constraints";
    for (const auto& name : numeric_metric_names())
      csv += "," + name;
    csv += ",reason\n";
    for (std::int64_t at = 0;; at += 1000) {
      auto page = db::load_sweep_results(c, s->id, metric, descending, 1000, at, status);
      for (const auto& row : page.rows) {
        csv += std::to_string(row.index) + "," + row.status;
        const auto params = boost::json::parse(row.params_json).as_object();
        const auto execution = boost::json::parse(row.execution_json).as_object();
        for (const auto& a : spec.axes) {
          const auto& values = a.execution ? execution : params;
          json_writer v;
          if (const auto* x = values.if_contains(a.name))
            write_json_value(v, *x);
          std::string text = v.take();
          if (!text.empty() && text.front() == '"')
            text = text.substr(1, text.size() - 2); // a choice, without its quotes
          csv += "," + text;
        }
        csv += "," + row.config_hash + "," + (row.meets_constraints ? "true" : "false");
        for (const auto& name : numeric_metric_names()) {
          const std::string text = flat_value_text(row.metrics_json, name);
          csv += "," + (text == "null" ? std::string() : text);
        }
        std::string reason = row.reason;
        std::replace(reason.begin(), reason.end(), '"', '\'');
        csv += ",\"" + reason + "\"\n";
      }
      if (page.rows.size() < 1000)
        break;
    }
    return body_reply(service_code::ok, std::move(csv), "text/csv; charset=utf-8");
  }
  const auto page = db::load_sweep_results(c, s->id, metric, descending, limit, offset, status);
  json_writer w;
  w.begin_object();
  w.key("sweep_id").string(s->id);
  w.key("total").number(page.total).key("limit").number(limit).key("offset").number(offset);
  w.key("sort").string(sort).key("order").string(descending ? "desc" : "asc");
  w.key("results").begin_array();
  for (const auto& row : page.rows)
    write_configuration(w, row);
  w.end_array();
  w.end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::sweep_heatmap(pqxx::connection& c, const db::principal& who,
                                              const backtest_call& call) {
  auto s = db::find_sweep(c, who.user_id, call.run_id);
  if (!s)
    return error_reply(service_code::not_found, "no sweep " + call.run_id, {});
  const sweep_spec spec = spec_of(*s);
  std::vector<error_detail> errors;
  auto axis_named = [&](const char* key) -> const sweep_axis* {
    const auto name = query_value(call.query, key);
    if (!name) {
      errors.push_back({key, 0, "required: a swept parameter"});
      return nullptr;
    }
    for (const auto& a : spec.axes)
      if (a.name == *name)
        return &a;
    errors.push_back({key, 0, "'" + *name + "' is not a parameter this sweep varies"});
    return nullptr;
  };
  const sweep_axis* x = axis_named("x");
  const sweep_axis* y = axis_named("y");
  if (x && y && x == y)
    errors.push_back({"y", 0, "must differ from x"});
  const std::string metric = query_value(call.query, "metric").value_or(s->objective);
  if (!is_metric(metric))
    errors.push_back({"metric", 0, "must be a numeric metric, such as sharpe_ratio"});
  const std::string agg = query_value(call.query, "agg").value_or("best");
  if (agg != "best" && agg != "max" && agg != "mean")
    errors.push_back({"agg", 0, "must be best, max or mean"});
  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));

  // With agg=best, every other swept value is held at the best
  // configuration's; max and mean aggregate over them.
  const auto best = db::best_of_sweep(c, *s);
  std::optional<boost::json::object> best_params, best_execution;
  if (agg == "best") {
    if (!best)
      return error_reply(service_code::conflict,
                         "the sweep has no best configuration yet: use agg=max or agg=mean", {});
    best_params = boost::json::parse(best->params_json).as_object();
    best_execution = boost::json::parse(best->execution_json).as_object();
  }
  auto same_value = [](const boost::json::value& a, const boost::json::value& b) {
    return a.is_number() && b.is_number() ? a.to_number<double>() == b.to_number<double>() : a == b;
  };
  struct cell {
    double sum = 0, max = 0;
    std::size_t n = 0;
  };
  std::vector<boost::json::value> xs, ys;
  std::map<std::pair<std::size_t, std::size_t>, cell> cells;
  auto index_of = [&](std::vector<boost::json::value>& values, const boost::json::value& v) {
    for (std::size_t i = 0; i < values.size(); ++i)
      if (same_value(values[i], v))
        return i;
    values.push_back(v);
    return values.size() - 1;
  };
  for (std::int64_t at = 0;; at += 5000) {
    auto page =
        db::load_sweep_results(c, s->id, std::nullopt, false, 5000, at, std::string("completed"));
    for (const auto& row : page.rows) {
      const auto params = boost::json::parse(row.params_json).as_object();
      const auto execution = boost::json::parse(row.execution_json).as_object();
      auto value_of = [&](const sweep_axis& a) -> const boost::json::value* {
        return (a.execution ? execution : params).if_contains(a.name);
      };
      bool kept = true;
      if (agg == "best")
        for (const auto& a : spec.axes)
          if (&a != x && &a != y) {
            const auto* mine = value_of(a);
            const auto* theirs = (a.execution ? *best_execution : *best_params).if_contains(a.name);
            kept = kept && mine && theirs && same_value(*mine, *theirs);
          }
      const auto v = number_in(row.metrics_json, metric);
      const auto *vx = value_of(*x), *vy = value_of(*y);
      if (!kept || !v || !vx || !vy)
        continue;
      cell& c0 = cells[{index_of(xs, *vx), index_of(ys, *vy)}];
      c0.max = c0.n == 0 ? *v : std::max(c0.max, *v);
      c0.sum += *v;
      ++c0.n;
    }
    if (page.rows.size() < 5000)
      break;
  }
  // Axes in ascending order of their values (numbers as numbers).
  auto ordered = [&](const std::vector<boost::json::value>& values) {
    std::vector<std::size_t> order(values.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const auto &va = values[a], &vb = values[b];
      if (va.is_number() && vb.is_number())
        return va.to_number<double>() < vb.to_number<double>();
      return boost::json::serialize(va) < boost::json::serialize(vb);
    });
    return order;
  };
  const auto ox = ordered(xs), oy = ordered(ys);
  json_writer w;
  w.begin_object();
  w.key("sweep_id").string(s->id);
  w.key("x").string(x->name).key("y").string(y->name);
  w.key("metric").string(metric).key("agg").string(agg);
  if (agg == "best") {
    w.key("fixed").begin_object();
    for (const auto& a : spec.axes)
      if (&a != x && &a != y) {
        w.key(a.name);
        const auto* v = (a.execution ? *best_execution : *best_params).if_contains(a.name);
        if (v)
          write_json_value(w, *v);
        else
          w.null();
      }
    w.end_object();
  }
  w.key("x_values").begin_array();
  for (auto i : ox)
    write_json_value(w, xs[i]);
  w.end_array();
  w.key("y_values").begin_array();
  for (auto j : oy)
    write_json_value(w, ys[j]);
  w.end_array();
  // cells[j][i]: the metric at y_values[j] and x_values[i]; null where no
  // configuration (or none with a value) lies.
  w.key("cells").begin_array();
  for (auto j : oy) {
    w.begin_array();
    for (auto i : ox) {
      auto it = cells.find({i, j});
      if (it == cells.end())
        w.null();
      else
        w.number(agg == "mean" ? rounded(it->second.sum / static_cast<double>(it->second.n))
                               : it->second.max);
    }
    w.end_array();
  }
  w.end_array();
  w.end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::sweep_config_run(pqxx::connection& c, const db::principal& who,
                                                 const backtest_call& call, quota_ticket& quota) {
  auto s = db::find_sweep(c, who.user_id, call.run_id);
  if (!s)
    return error_reply(service_code::not_found, "no sweep " + call.run_id, {});
  const auto n_text = query_value(call.query, "config").value_or("");
  std::int64_t n = -1;
  if (!n_text.empty() && n_text.size() < 10
      && std::all_of(n_text.begin(), n_text.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    n = std::stoll(n_text);
  if (n < 0 || n >= s->configurations)
    return error_reply(service_code::not_found,
                       "no configuration " + n_text + " in sweep " + s->id + " (0 to "
                           + std::to_string(s->configurations - 1) + ")",
                       {});
  // The configuration as one submission: the base with its swept values
  // over it, the sweep's range. The same body sent to POST /v1/backtest
  // gives the same run.
  const sweep_spec spec = spec_of(*s);
  const sweep_point point = configuration_at(spec, static_cast<std::size_t>(n));
  boost::json::object params = spec.params, execution = spec.execution;
  for (const auto& kv : point.params)
    params[kv.key()] = kv.value();
  for (const auto& kv : point.execution)
    execution[kv.key()] = kv.value();
  boost::json::object body{{"symbol", spec.symbol},           {"timeframe", spec.timeframe},
                           {"strategy", spec.strategy},       {"start", format_timestamp(s->start)},
                           {"end", format_timestamp(s->end)}, {"params", params},
                           {"execution", execution}};
  backtest_call one = call;
  one.body = boost::json::serialize(body);
  one.query.clear();
  one.run_id.clear();
  return submit_run(c, who, one, &quota);
}

service_reply backtest_service::cancel_sweep(pqxx::connection& c, const db::principal& who,
                                             const backtest_call& call, bool then_delete) {
  auto s = db::find_sweep(c, who.user_id, call.run_id);
  if (!s)
    return error_reply(service_code::not_found, "no sweep " + call.run_id, {});
  const auto active = db::cancel_chunks(c, s->id, db::actor_of(who));
  for (const auto& id : active) {
    book_->sync(c, id);
    registry_->cancel(id);
  }
  if (then_delete) {
    if (active.empty())
      db::delete_sweep(c, who.user_id, s->id, db::actor_of(who));
    return body_reply(service_code::no_content, "");
  }
  if (active.empty())
    return error_reply(
        service_code::conflict,
        "the sweep is " + std::string(to_string(s->status())) + ": nothing left to cancel", {});
  log::info("sweep_cancelled",
            {{"sweep_id", s->id}, {"chunks", static_cast<std::uint64_t>(active.size())}});
  const auto now = db::find_sweep(c, who.user_id, s->id);
  json_writer w;
  write_sweep(w, *now, db::best_of_sweep(c, *now));
  return body_reply(service_code::ok, w.take());
}

bool backtest_service::load_sweep_summaries(pqxx::connection& c, const db::principal& who,
                                            const std::string& id, sweep_statistics_input& out,
                                            service_reply& refusal) {
  auto s = db::find_sweep(c, who.user_id, id);
  if (!s) {
    refusal = error_reply(service_code::not_found, "no sweep " + id, {});
    return false;
  }
  if (s->status() != run_status::completed) {
    refusal = error_reply(service_code::conflict,
                          "the sweep is " + std::string(to_string(s->status()))
                              + ": its statistics exist once every configuration ran",
                          {});
    return false;
  }
  out.spec = spec_of(*s);
  out.best = db::best_of_sweep(c, *s);
  // The returns are summarised chunk by chunk: a sweep of 100,000
  // configurations keeps a few hundred bytes of each, not every return.
  std::vector<double> returns;
  db::for_each_sweep_returns(c, s->id, [&](std::int64_t index, const double* r, std::size_t n) {
    returns.assign(r, r + n);
    out.summaries.push_back(summarise_returns(returns, out.spec.cscv_blocks));
    if (out.best && index == out.best->index)
      out.best_summary = out.summaries.size() - 1;
  });
  return true;
}

service_reply backtest_service::sweep_statistics(const sweep_statistics_input& in) {
  std::vector<const return_summary*> trials;
  for (const auto& s : in.summaries)
    trials.push_back(&s);
  deflated_sharpe_result dsr;
  if (in.best && in.best_summary)
    dsr = deflated_sharpe(trials, in.summaries[*in.best_summary]);
  else
    dsr.reason = "no best configuration";
  const pbo_result pbo = probability_of_backtest_overfitting(trials, in.spec.cscv_blocks);
  json_writer w;
  write_overfitting(w, dsr, pbo);
  return body_reply(service_code::ok, w.take());
}

std::optional<backtest_service::research_update>
backtest_service::research_transition(pqxx::connection_base& c, const db::run_row& item) {
  // The items' dedupe keys name their job: sweep:<id>:<first>, walk-forward:<id>.
  const std::string& key = item.dedupe_key;
  const bool sweep = key.rfind("sweep:", 0) == 0;
  const bool walk_forward = key.rfind("walk-forward:", 0) == 0;
  if (!sweep && !walk_forward)
    return std::nullopt;
  const std::string id = key.substr(sweep ? 6 : 13, 36);
  json_writer w;
  std::string status;
  if (sweep) {
    auto s = db::find_sweep(c, item.user_id, id);
    if (!s)
      return std::nullopt;
    status = std::string(to_string(s->status()));
    write_sweep(w, *s, db::best_of_sweep(c, *s));
    research_update u{"sweep:" + id, status, w.take()};
    // The item's configurations: every chunk but the last has the sweep's
    // chunk size, and the key names the item's first.
    const std::int64_t chunk = s->chunks > 0 ? (s->configurations + s->chunks - 1) / s->chunks : 0;
    const std::int64_t first = std::strtoll(key.c_str() + 6 + 37, nullptr, 10);
    u.configurations = std::max<std::int64_t>(0, std::min(chunk, s->configurations - first));
    u.total = s->configurations;
    u.done = s->done;
    u.active = item.status == run_status::running;
    u.completed = item.status == run_status::completed;
    return u;
  }
  auto r = db::find_walk_forward(c, item.user_id, id);
  if (!r)
    return std::nullopt;
  const std::string channel = "walk-forward:" + id;
  const std::string document =
      r->status == run_status::completed ? db::load_walk_forward_text(c, r->id, "result_json") : "";
  return research_update{channel, std::string(to_string(r->status)),
                         stream_document(channel, walk_forward_document(*r, document))};
}

} // namespace bt
