#include "services/market_data_service.hpp"

#include "services/gzip.hpp"

#include "config/log.hpp"
#include "domain/data/bar_import.hpp"
#include "domain/data/instrument.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/research/regimes.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/user_repository.hpp"
#include "services/permissions.hpp"
#include "services/service_reply.hpp"
#include "services/telemetry.hpp"

#include <pqxx/pqxx>

#include <limits>

namespace bt {

namespace {

service_reply json_reply(service_code code, std::string body) {
  return body_reply(code, std::move(body));
}

std::vector<error_detail> check_dataset_name(const std::string& symbol,
                                             const std::string& timeframe) {
  std::vector<error_detail> d;
  if (!valid_symbol(symbol))
    d.push_back({"symbol", 0, "must match [A-Z0-9._-]{1,16}"});
  if (!parse_timeframe(timeframe))
    d.push_back({"timeframe", 0, "must be one of " + timeframe_names()});
  return d;
}

void write_dataset(json_writer& w, const db::dataset_info& d, bool gap_list) {
  w.begin_object();
  w.key("symbol").string(d.symbol);
  w.key("timeframe").string(d.timeframe);
  w.key("from").timestamp(d.from);
  w.key("to").timestamp(d.to);
  w.key("bars").number(d.bars);
  if (gap_list) {
    w.key("gaps");
    write_gaps(w, d.gaps);
  } else {
    w.key("gaps").number(d.gap_count);
  }
  w.key("checksum").string(d.checksum);
  w.key("updated_at").timestamp(d.updated_at);
  w.end_object();
}

// Parses an optional query timestamp; an error names the parameter.
bool query_time(const std::string& name, const std::string& text, std::optional<unix_time>& out,
                std::vector<error_detail>& errors) {
  if (text.empty())
    return true;
  unix_time t = 0;
  if (parse_range_bound(text, name == "to" ? range_bound::end : range_bound::start, t)
      != timestamp_parse::ok) {
    errors.push_back(
        {name, 0, "'" + text + "' is not a UTC timestamp (e.g. 2024-01-02T13:00:00Z)"});
    return false;
  }
  out = t;
  return true;
}

} // namespace

template <class Request, class F>
service_reply market_data_service::guarded(const Request& request, const char* operation,
                                           F&& body) {
  const log::trace_scope traced(request.trace_id); // every log line of the request
  try {
    auto conn = pool_->acquire();
    auto who = auth_.authenticate(*conn, request.api_key);
    if (!who)
      return error_reply(service_code::unauthorized,
                         "missing, unknown or revoked API key (X-API-Key)");
    who->trace_id = request.trace_id;
    service_reply reply;
    if (auto refused = refuse_unpermitted(who->role, operation))
      reply = std::move(*refused);
    else
      reply = body(*conn, *who);
    reply.admin = who->role == "admin";
    return reply;
  } catch (...) {
    return failure_reply("market_data");
  }
}

service_reply market_data_service::upload(const upload_request& r) {
  // The key is checked first: an unauthenticated caller learns nothing
  // about its file.
  return guarded(r, "upload", [&](pqxx::connection& c, const db::principal& who) {
    return store_upload(c, who, r);
  });
}

service_reply market_data_service::store_upload(pqxx::connection& c, const db::principal& who,
                                                const upload_request& r) {
  auto problems = check_dataset_name(r.symbol, r.timeframe);
  if (!problems.empty())
    return error_reply(service_code::unprocessable, "invalid dataset name", std::move(problems));
  const auto validate_start = std::chrono::steady_clock::now();
  import_limits limits;
  limits.max_rows = limits_.max_upload_rows;
  limits.latest_bar_time = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()
                           + future_bar_tolerance;
  // A gzip upload is inflated here (a detached worker), its size checked
  // while inflating: a small bomb never becomes a large buffer.
  std::string inflated;
  if (r.gzip) {
    switch (gzip_inflate(r.csv, limits_.max_upload_bytes, inflated)) {
    case inflate_status::ok:
      break;
    case inflate_status::too_large:
      return error_reply(service_code::payload_too_large,
                         "the gzip upload inflates past the limit of "
                             + std::to_string(limits_.max_upload_bytes) + " bytes",
                         {{"Content-Encoding", 0,
                           "the decompressed CSV may have at most "
                               + std::to_string(limits_.max_upload_bytes) + " bytes"}});
    case inflate_status::corrupt:
      return error_reply(service_code::bad_request, "the gzip upload is corrupt or truncated",
                         {{"Content-Encoding", 0, "send one complete gzip stream"}});
    }
  }
  const std::string& csv = r.gzip ? inflated : r.csv;
  // Validation is pure CPU work: do it before taking a database connection.
  import_result imported = import_bars_csv(csv, r.symbol, *parse_timeframe(r.timeframe), limits);
  if (imported.too_many_rows)
    return error_reply(service_code::payload_too_large,
                       "the file has more than " + std::to_string(limits_.max_upload_rows)
                           + " data rows; split it into several uploads");
  if (!imported.accepted) {
    std::vector<error_detail> details;
    for (const auto& e : imported.errors)
      details.push_back({e.row == 0 ? "header" : "", static_cast<std::int64_t>(e.row), e.reason});
    return error_reply(service_code::unprocessable,
                       "the file was rejected (" + std::to_string(imported.error_count)
                           + " errors); nothing was stored",
                       std::move(details));
  }
  if (imported.bars.empty()) {
    std::vector<error_detail> details;
    for (const auto& e : imported.report.rejected)
      details.push_back({"", static_cast<std::int64_t>(e.row), e.reason});
    return error_reply(service_code::unprocessable, "no valid rows; nothing was stored",
                       std::move(details));
  }
  const double validate_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - validate_start)
          .count();
  {
    const auto started = std::chrono::steady_clock::now();
    db::merge_result merged = db::store_bars(c, who.user_id, imported.bars, db::actor_of(who));
    const import_report& rep = imported.report;
    json_writer w;
    w.begin_object();
    w.key("symbol").string(r.symbol);
    w.key("timeframe").string(r.timeframe);
    upload_storage stored = imported_whole(imported);
    stored.imported = merged.inserted;
    stored.already_stored = merged.already_stored;
    write_import_report_fields(w, rep, stored);
    w.key("checksum").string(merged.dataset.checksum);
    w.key("dataset");
    write_dataset(w, merged.dataset, false);
    w.end_object();
    log::info("market_data_uploaded", {{"user_id", who.user_id},
                                       {"symbol", r.symbol},
                                       {"timeframe", r.timeframe},
                                       {"rows", static_cast<std::uint64_t>(rep.rows_received)},
                                       {"imported", merged.inserted},
                                       {"validate_ms", validate_ms},
                                       {"store_ms", std::chrono::duration<double, std::milli>(
                                                        std::chrono::steady_clock::now() - started)
                                                        .count()},
                                       {"trace_id", who.trace_id}});
    telemetry::upload(r.csv.size(), static_cast<std::uint64_t>(rep.rows_received));
    return json_reply(service_code::created, w.take());
  }
}

service_reply market_data_service::list(const dataset_request& r) {
  return guarded(r, "list", [&](pqxx::connection& c, const db::principal& who) {
    json_writer w;
    w.begin_object().key("datasets").begin_array();
    for (const auto& d : db::list_datasets(c, who.user_id))
      write_dataset(w, d, false);
    w.end_array().end_object();
    return json_reply(service_code::ok, w.take());
  });
}

service_reply market_data_service::describe(const dataset_request& r) {
  return guarded(r, "describe", [&](pqxx::connection& c, const db::principal& who) {
    auto d = db::find_dataset(c, who.user_id, r.symbol, r.timeframe);
    if (!d)
      return error_reply(service_code::not_found, "no dataset " + r.symbol + "/" + r.timeframe);
    json_writer w;
    write_dataset(w, *d, true);
    return json_reply(service_code::ok, w.take());
  });
}

service_reply market_data_service::bars(const dataset_request& r) {
  std::vector<error_detail> problems;
  std::optional<unix_time> from, to;
  query_time("from", r.from, from, problems);
  query_time("to", r.to, to, problems);
  // The one reader of numeric query values (the same rules everywhere).
  std::int64_t wanted = static_cast<std::int64_t>(limits_.default_bars_per_request);
  const query_reader::query q{{"limit", r.limit}};
  query_reader(q, problems)
      .whole("limit", 1, static_cast<std::int64_t>(limits_.max_bars_per_request), wanted);
  const std::size_t limit = static_cast<std::size_t>(wanted);
  if (r.format != "json" && r.format != "csv")
    problems.push_back({"format", 0, "must be json or csv"});
  if (from && to && *from > *to)
    problems.push_back({"from", 0, "must not be after `to`"});
  if (!problems.empty())
    return error_reply(service_code::bad_request, "invalid query", std::move(problems));
  return guarded(r, "bars", [&](pqxx::connection& c, const db::principal& who) {
    auto tf = parse_timeframe(r.timeframe);
    std::optional<bar_series> loaded;
    if (tf)
      loaded = db::load_bars(c, who.user_id, r.symbol, *tf, from, to, limit);
    if (!loaded)
      return error_reply(service_code::not_found, "no dataset " + r.symbol + "/" + r.timeframe);
    const bar_series& bars = *loaded;
    if (r.format == "csv") {
      service_reply out = json_reply(service_code::ok, to_csv(bars));
      out.content_type = "text/csv; charset=utf-8";
      return out;
    }
    json_writer w;
    w.begin_object();
    w.key("symbol").string(r.symbol);
    w.key("timeframe").string(r.timeframe);
    w.key("count").number(static_cast<std::uint64_t>(bars.size()));
    w.key("limit").number(static_cast<std::uint64_t>(limit));
    w.key("bars").begin_array();
    for (std::size_t i = 0; i < bars.size(); ++i) {
      w.begin_object();
      w.key("timestamp").timestamp(bars.times()[i]);
      w.key("open").number(bars.opens()[i]);
      w.key("high").number(bars.highs()[i]);
      w.key("low").number(bars.lows()[i]);
      w.key("close").number(bars.closes()[i]);
      w.key("volume").number(bars.volumes()[i]);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    return json_reply(service_code::ok, w.take());
  });
}

service_reply market_data_service::regimes(const dataset_request& r) {
  // The query is read once the permission is known: a role without
  // data:read is told so, whatever it asked.
  return guarded(r, "regimes", [&](pqxx::connection& c, const db::principal& who) {
    std::vector<error_detail> problems;
    if (r.symbol.empty())
      problems.push_back({"symbol", 0, "required"});
    if (r.timeframe.empty())
      problems.push_back({"timeframe", 0, "required"});
    if (!problems.empty())
      return error_reply(service_code::bad_request, "invalid query", std::move(problems));
    auto tf = parse_timeframe(r.timeframe);
    std::optional<bar_series> loaded;
    if (tf) // every bar: a dataset is at most max_bars_per_dataset long
      loaded = db::load_bars(c, who.user_id, r.symbol, *tf, std::nullopt, std::nullopt,
                             std::numeric_limits<std::size_t>::max());
    if (!loaded)
      return error_reply(service_code::not_found, "no dataset " + r.symbol + "/" + r.timeframe);
    const regime_settings settings;
    const auto days = classify_regimes(*loaded, settings);
    json_writer w;
    w.begin_object();
    w.key("symbol").string(r.symbol).key("timeframe").string(r.timeframe);
    w.key("window_days").number(static_cast<std::int64_t>(settings.window_days));
    w.key("annualisation_days").number(settings.annualisation);
    w.key("trigger_change_pct").number(settings.trigger_change * 100);
    const regime_day* current = nullptr;
    for (const auto& d : days)
      if (d.regime)
        current = &d;
    w.key("current");
    auto day = [&](const regime_day& d) {
      w.begin_object().key("date").timestamp(d.day).key("close").number(d.close);
      w.key("return_pct").optional(d.return_pct).key("volatility_pct").optional(d.volatility_pct);
      if (d.thresholds)
        w.key("p25")
            .number((*d.thresholds)[0])
            .key("p50")
            .number((*d.thresholds)[1])
            .key("p75")
            .number((*d.thresholds)[2]);
      w.key("regime");
      d.regime ? w.string(to_string(*d.regime)) : w.null();
      w.key("trigger");
      d.trigger != regime_trigger::none ? w.string(to_string(d.trigger)) : w.null();
      w.end_object();
    };
    if (current)
      day(*current);
    else
      w.null();
    w.key("series").begin_array();
    for (const auto& d : days)
      day(d);
    w.end_array().end_object();
    return json_reply(service_code::ok, w.take());
  });
}

service_reply market_data_service::remove(const dataset_request& r) {
  return guarded(r, "delete-data", [&](pqxx::connection& c, const db::principal& who) {
    if (!db::delete_dataset(c, who.user_id, r.symbol, r.timeframe, db::actor_of(who)))
      return error_reply(service_code::not_found, "no dataset " + r.symbol + "/" + r.timeframe);
    log::info("market_data_deleted",
              {{"user_id", who.user_id}, {"symbol", r.symbol}, {"timeframe", r.timeframe}});
    return json_reply(service_code::no_content, "");
  });
}

service_reply market_data_service::ready() {
  try {
    auto conn = pool_->acquire(std::chrono::milliseconds(2000));
    pqxx::nontransaction q(*conn);
    q.exec("SELECT 1");
    return json_reply(service_code::ok, R"({"status":"ready","database":"reachable"})");
  } catch (const std::exception& e) {
    return error_reply(service_code::unavailable, "the database is not reachable");
  }
}

} // namespace bt
