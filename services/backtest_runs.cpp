// A user's runs: status, cancellation, deletion, history and comparison.
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

#include <boost/json.hpp>
#include <openssl/rand.h>
#include <pqxx/pqxx>

#include <set>

namespace bt {

service_reply backtest_service::run_status(pqxx::connection& c, const db::principal& who,
                                           const std::string& id) {
  if (auto doc = book_->finished_document(who.user_id, id))
    return body_reply(service_code::ok, std::move(*doc));
  if (auto active = book_->find(who.user_id, id))
    return body_reply(service_code::ok, run_document(*active, view_of(c, *active), false));
  auto run = db::find_run(c, who.user_id, id);
  if (!run)
    return error_reply(service_code::not_found, "no run " + id, {});
  if (is_finished(run->status))
    return body_reply(service_code::ok, book_->remember_finished(*run));
  return body_reply(service_code::ok, run_document(*run, view_of(c, *run), false));
}

service_reply backtest_service::cancel_run(pqxx::connection& c, const db::principal& who,
                                           const std::string& id) {
  auto before = db::cancel_run(c, who.user_id, id, db::actor_of(who));
  if (!before)
    return error_reply(service_code::not_found, "no run " + id, {});
  book_->sync(c, id);
  if (*before != run_status::queued && *before != run_status::running)
    return error_reply(service_code::conflict,
                       "the run is " + std::string(to_string(*before)) + ": "
                           + (*before == run_status::completed
                                  ? "completed runs cannot be cancelled"
                                  : "only queued or running runs can be cancelled"),
                       {});
  if (*before == run_status::running)
    registry_->cancel(id); // the worker stops within its next progress step
  log::info("run_cancelled", {{"run_id", id}, {"was", std::string(to_string(*before))}});
  return run_status(c, who, id);
}

service_reply backtest_service::delete_run(pqxx::connection& c, const db::principal& who,
                                           const std::string& id) {
  auto run = db::find_run(c, who.user_id, id);
  if (!run)
    return error_reply(service_code::not_found, "no run " + id, {});
  if (run->status == run_status::queued || run->status == run_status::running) {
    db::cancel_run(c, who.user_id, id, db::actor_of(who));
    book_->sync(c, id);
    registry_->cancel(id);
  } else {
    db::delete_run(c, who.user_id, id, db::actor_of(who));
    book_->forget(id);
  }
  return body_reply(service_code::no_content, "");
}

service_reply backtest_service::list_runs(pqxx::connection& c, const db::principal& who,
                                          const query_map& q) {
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
  const db::run_page page = db::list_runs(c, who.user_id, f);
  const auto& runs = page.runs;
  json_writer w;
  w.begin_object();
  w.key("total").number(page.total);
  w.key("total_exact").boolean(page.total_exact);
  w.key("limit").number(f.limit);
  w.key("offset").number(f.offset);
  w.key("items").begin_array();
  for (const auto& r : runs) {
    w.begin_object();
    w.key("run_id").string(r.id);
    w.key("status").string(to_string(r.status));
    w.key("symbol").string(r.symbol);
    w.key("timeframe").string(r.timeframe);
    w.key("start").timestamp(r.start);
    w.key("end").timestamp(r.end);
    w.key("strategy");
    write_strategy(w, r);
    w.key("created_at").timestamp(r.created_at);
    w.key("finished_at").timestamp(r.finished_at);
    w.key("metrics").optional_raw(r.metrics_json);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::compare_runs(pqxx::connection& c, const db::principal& who,
                                             const query_map& q) {
  std::vector<std::string> ids;
  if (auto text = query_value(q, "ids")) {
    std::size_t pos = 0;
    while (pos <= text->size()) {
      auto comma = text->find(',', pos);
      std::string id =
          text->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
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
  // The shared equity axis's most points: a chart of ten curves needs no
  // more than a screen's width of them, and each costs 10 numbers.
  std::int64_t max_points = 1000;
  std::vector<error_detail> errors;
  query_reader(q, errors).whole("max_points", 10, 100'000, max_points);
  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));
  std::vector<db::run_row> runs;
  for (const auto& id : ids) {
    auto r = looks_like_uuid(id) ? db::find_run(c, who.user_id, id) : std::nullopt;
    if (!r)
      return error_reply(service_code::not_found, "no run " + id, {});
    if (r->status != run_status::completed)
      return error_reply(service_code::conflict,
                         "run " + id + " is " + std::string(to_string(r->status))
                             + "; only completed runs compare",
                         {});
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
    w.begin_object()
        .key("run_id")
        .string(r.id)
        .key("symbol")
        .string(r.symbol)
        .key("timeframe")
        .string(r.timeframe);
    w.key("strategy");
    write_strategy(w, r);
    w.key("start").timestamp(r.start).key("end").timestamp(r.end).end_object();
  }
  w.end_array();
  auto side_by_side = [&](const char* key, const std::set<std::string>& keys,
                          const std::vector<boost::json::value>& values) {
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
        write_json_value(w, it->value());
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
    w.key(r.id).optional_raw(r.metrics_json);
  w.end_object();
  // Equity on one time axis: the union of the runs' bar times, thinned to at
  // most max_points; a run without a point at a time shows null.
  std::vector<equity_curve> curves;
  std::set<unix_time> times;
  for (const auto& r : runs) {
    curves.push_back(db::load_equity(c, r.id));
    for (const auto& p : curves.back())
      times.insert(p.time);
  }
  std::vector<unix_time> axis(times.begin(), times.end());
  if (axis.size() > static_cast<std::size_t>(max_points)) {
    const auto m = static_cast<std::size_t>(max_points);
    std::vector<unix_time> thin;
    for (std::size_t i = 0; i < m; ++i)
      thin.push_back(axis[i * (axis.size() - 1) / (m - 1)]);
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
  return body_reply(service_code::ok, w.take());
}

} // namespace bt
