// Walk-forward analyses as queued jobs: submission (the specification of
// `backtestd walk-forward`, its folds planned on the stored bars before it
// is queued), status with the document once completed, the stitched
// trades and equity as CSV, a Monte Carlo of the out-of-sample trades,
// cancellation and deletion.
#include "services/backtest_service.hpp"
#include "services/service_reply.hpp"
#include "services/tracing.hpp"

#include "config/log.hpp"
#include "domain/data/bar_import.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/report/sha256.hpp"
#include "domain/research/walk_forward.hpp"
#include "domain/strategies/registry.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/sweep_store.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>

namespace bt {
namespace {

void write_walk_forward_row(json_writer& w, const db::walk_forward_row& r,
                            const std::string& document) {
  w.begin_object();
  w.key("walk_forward_id").string(r.id);
  w.key("status").string(to_string(r.status));
  w.key("progress").number(r.status == run_status::completed ? 100.0 : r.progress);
  w.key("symbol").string(r.symbol);
  w.key("timeframe").string(r.timeframe);
  w.key("strategy").string(r.strategy);
  w.key("start").timestamp(r.start);
  w.key("end").timestamp(r.end);
  w.key("folds").number(r.folds);
  w.key("attempts").number(static_cast<std::int64_t>(r.attempts));
  w.key("error").optional_string(r.error);
  w.key("created_at").timestamp(r.created_at);
  w.key("finished_at").timestamp(r.finished_at);
  w.key("result");
  if (document.empty())
    w.null();
  else
    w.raw(document);
  w.end_object();
}

} // namespace

std::string walk_forward_document(const db::walk_forward_row& r, const std::string& result) {
  json_writer w;
  write_walk_forward_row(w, r, result);
  return w.take();
}

service_reply backtest_service::submit_walk_forward(pqxx::connection& c, const db::principal& who,
                                                    const backtest_call& call) {
  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(call.body, ec);
  if (ec)
    return error_reply(service_code::bad_request, "malformed JSON body: " + ec.message(), {});
  if (!body.is_object())
    return error_reply(service_code::bad_request, "the body must be a JSON object", {});
  int priority = 1;
  if (auto refused = read_research_queueing(body.as_object(), priority, "walk-forward"))
    return std::move(*refused);
  walk_forward_spec spec;
  if (auto errors = parse_walk_forward_spec(body, spec, limits_.max_sweep_configurations);
      !errors.empty()) {
    std::vector<error_detail> d;
    for (const auto& e : errors)
      d.push_back({e.field, 0, e.message});
    return error_reply(service_code::unprocessable, "invalid walk-forward", std::move(d));
  }
  // Longer than a run's range: a walk-forward needs years of folds.
  if (auto refused = check_research_range(spec.sweep.from, spec.sweep.to, 3 * limits_.max_span_days,
                                          "walk-forward"))
    return std::move(*refused);
  std::string source_tf;
  std::optional<db::dataset_info> dataset;
  if (auto refused = check_coverage(c, who, spec.sweep.symbol, spec.sweep.timeframe,
                                    *spec.sweep.from, *spec.sweep.to, source_tf, dataset))
    return std::move(*refused);
  // The folds on the stored bars, so that windows that do not fit are
  // refused now rather than queued to fail.
  const timeframe tf = *parse_timeframe(spec.sweep.timeframe);
  auto source = db::load_bars(c, who.user_id, spec.sweep.symbol, *parse_timeframe(source_tf),
                              *spec.sweep.from, *spec.sweep.to, SIZE_MAX >> 1);
  const bar_series bars =
      source_tf == spec.sweep.timeframe ? std::move(*source) : resample(*source, tf);
  const auto folds = plan_folds(spec.windows, bars);
  if (folds.empty())
    return error_reply(service_code::unprocessable, "invalid walk-forward",
                       {{"windows", 0,
                         "not one train and test window fits in the " + std::to_string(bars.size())
                             + " bars of the range"}});
  if (folds.size() > max_walk_forward_folds)
    return error_reply(service_code::unprocessable, "invalid walk-forward",
                       {{"windows", 0,
                         "more than " + std::to_string(max_walk_forward_folds)
                             + " folds; lengthen step or test"}});
  const std::size_t per_fold = configuration_count(spec.sweep);
  if (per_fold > max_walk_forward_runs / folds.size())
    return error_reply(service_code::unprocessable, "invalid walk-forward",
                       {{"space", 0,
                         std::to_string(folds.size()) + " folds x " + std::to_string(per_fold)
                             + " configurations; at most " + std::to_string(max_walk_forward_runs)
                             + " runs in all"}});
  const auto queued = book_->queued_count();
  if ((queued ? *queued : db::read_queue_stats(c).queued) >= limits_.queue_capacity)
    return error_reply(service_code::unavailable, "the queue is full; retry later", {});

  const strategy_schema* schema = find_strategy(spec.sweep.strategy);
  db::new_walk_forward w;
  w.id = new_uuid();
  w.user_id = who.user_id;
  w.symbol = spec.sweep.symbol;
  w.timeframe = spec.sweep.timeframe;
  w.strategy = schema->name;
  w.spec_json = boost::json::serialize(body);
  w.start = *spec.sweep.from;
  w.end = *spec.sweep.to;
  w.folds = static_cast<std::int64_t>(folds.size());
  auto& r = w.run;
  r.id = new_uuid();
  r.user_id = who.user_id;
  r.priority = priority;
  r.symbol = w.symbol;
  r.timeframe = w.timeframe;
  r.source_timeframe = source_tf;
  r.start = w.start;
  r.end = w.end;
  r.strategy = schema->name;
  r.strategy_version = schema->version;
  r.config_json = walk_forward_config_json(w.spec_json);
  r.params_json = boost::json::serialize(spec.sweep.params);
  r.execution_json = boost::json::serialize(spec.sweep.execution);
  r.config_hash = sha256_hex(r.config_json);
  r.dataset_checksum = dataset->checksum;
  r.dedupe_key = "walk-forward:" + w.id;
  span_scope span(call.trace_id, call.span_id, "submit walk-forward");
  span.number("user_id", who.user_id).text("walk_forward_id", w.id).text("run_id", r.id);
  span.text("strategy_id", r.strategy + "@" + r.strategy_version);
  r.trace_parent = span.traceparent();
  db::submit_walk_forward(c, w, db::actor_of(who));
  book_->sync(c, r.id);
  log::info("walk_forward_submitted",
            {{"walk_forward_id", w.id}, {"user_id", who.user_id}, {"folds", w.folds}});
  wake_();
  json_writer out;
  out.begin_object();
  out.key("walk_forward_id").string(w.id);
  out.key("status").string("queued");
  out.key("folds").number(w.folds);
  out.key("configurations_per_fold").number(static_cast<std::uint64_t>(per_fold));
  out.end_object();
  return body_reply(service_code::accepted, out.take());
}

service_reply backtest_service::walk_forward_status(pqxx::connection& c, const db::principal& who,
                                                    const backtest_call& call) {
  auto r = db::find_walk_forward(c, who.user_id, call.run_id);
  if (!r)
    return error_reply(service_code::not_found, "no walk-forward " + call.run_id, {});
  json_writer w;
  write_walk_forward_row(w, *r,
                         r->status == run_status::completed
                             ? db::load_walk_forward_text(c, r->id, "result_json")
                             : std::string());
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::list_walk_forwards(pqxx::connection& c, const db::principal& who,
                                                   const backtest_call& call) {
  std::vector<error_detail> errors;
  std::int64_t limit = 50, offset = 0, total = 0;
  query_reader q(call.query, errors);
  q.whole("limit", 1, 500, limit);
  q.whole("offset", 0, 1'000'000'000, offset);
  if (!errors.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(errors));
  json_writer w;
  w.begin_object();
  w.key("total");
  const auto rows = db::list_walk_forwards(c, who.user_id, limit, offset, total);
  w.number(total).key("limit").number(limit).key("offset").number(offset);
  w.key("items").begin_array();
  for (const auto& r : rows)
    write_walk_forward_row(w, r, "");
  w.end_array();
  w.end_object();
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::walk_forward_file(pqxx::connection& c, const db::principal& who,
                                                  const backtest_call& call,
                                                  const std::string& column) {
  auto r = db::find_walk_forward(c, who.user_id, call.run_id);
  if (!r)
    return error_reply(service_code::not_found, "no walk-forward " + call.run_id, {});
  if (r->status != run_status::completed)
    return error_reply(service_code::conflict,
                       "the walk-forward is " + std::string(to_string(r->status))
                           + ": its results exist once it completed",
                       {});
  return body_reply(service_code::ok, db::load_walk_forward_text(c, r->id, column),
                    "text/csv; charset=utf-8");
}

service_reply backtest_service::cancel_walk_forward(pqxx::connection& c, const db::principal& who,
                                                    const backtest_call& call, bool then_delete) {
  auto r = db::find_walk_forward(c, who.user_id, call.run_id);
  if (!r)
    return error_reply(service_code::not_found, "no walk-forward " + call.run_id, {});
  const auto run = db::cancel_walk_forward(c, r->id, db::actor_of(who));
  if (run) {
    book_->sync(c, *run);
    registry_->cancel(*run);
  }
  if (then_delete) {
    if (!run)
      db::delete_walk_forward(c, who.user_id, r->id, db::actor_of(who));
    return body_reply(service_code::no_content, "");
  }
  if (!run)
    return error_reply(service_code::conflict,
                       "the walk-forward is " + std::string(to_string(r->status))
                           + ": nothing left to cancel",
                       {});
  const auto now = db::find_walk_forward(c, who.user_id, r->id);
  json_writer w;
  write_walk_forward_row(w, *now, "");
  return body_reply(service_code::ok, w.take());
}

service_reply backtest_service::load_walk_forward_monte_carlo(pqxx::connection& c,
                                                              const db::principal& who,
                                                              monte_carlo_request& request) {
  auto r = db::find_walk_forward(c, who.user_id, request.run_id);
  if (!r)
    return error_reply(service_code::not_found, "no walk-forward " + request.run_id, {});
  if (r->status != run_status::completed)
    return error_reply(service_code::conflict,
                       "the walk-forward is " + std::string(to_string(r->status))
                           + ": a Monte Carlo needs its out-of-sample trades",
                       {});
  // The account's initial capital: the base configuration's.
  execution_settings base;
  {
    const auto spec = boost::json::parse(r->spec_json);
    const auto* execution = spec.as_object().if_contains("execution");
    boost::json::value given = execution ? *execution : boost::json::object{};
    apply_execution(&given, base);
  }
  request.initial_capital = base.initial_capital;
  if (request.spec.method == monte_carlo_method::block_bootstrap) {
    equity_curve curve;
    if (auto error = read_equity_csv(db::load_walk_forward_text(c, r->id, "equity_csv"), curve))
      return failure_reply("walk-forward-monte-carlo");
    request.returns = daily_returns(curve, base.initial_capital);
  } else {
    trade_list trades;
    if (auto error = read_trades_csv(db::load_walk_forward_text(c, r->id, "trades_csv"), trades))
      return failure_reply("walk-forward-monte-carlo");
    // Numbered in exit order across the folds.
    for (const auto& t : trades)
      request.pnl.push_back(t.pnl);
  }
  return body_reply(service_code::ok, "", "application/json");
}

} // namespace bt
