#pragma once
// Private to the run repository: reading rows of the runs table.

#include "persistence/run_store.hpp"

#include <pqxx/pqxx>

#include <cctype>
#include <optional>
#include <string>

namespace bt::db::detail {

// Run ids are compared as uuid so that the primary key is used (a text
// comparison scans the table); text that is not a UUID names no run.
inline bool is_uuid_text(const std::string& id) {
  if (id.size() != 36)
    return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

inline constexpr const char* run_columns =
    "id::text, user_id, status, priority, queue_seq, symbol, timeframe, source_timeframe, "
    "extract(epoch FROM start_time)::bigint, extract(epoch FROM end_time)::bigint, strategy, "
    "strategy_version, "
    "config_json, params_json, execution_json, config_hash, dataset_checksum, data_checksum, "
    "error, worker_id, "
    "engine_version, metrics_json, errors::text, dedupe_key, attempts, progress, trades_so_far, "
    "extract(epoch FROM created_at)::bigint, extract(epoch FROM started_at)::bigint, "
    "extract(epoch FROM finished_at)::bigint, duration_ms, warnings_json";

template <class T>
std::optional<T> opt(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return f.as<T>();
}

inline run_row read_run(const pqxx::row& r) {
  run_row x;
  x.id = r[0].as<std::string>();
  x.user_id = r[1].as<std::int64_t>();
  x.status = parse_run_status(r[2].as<std::string>()).value_or(run_status::failed);
  x.priority = r[3].as<int>();
  x.queue_seq = r[4].as<std::int64_t>();
  x.symbol = r[5].as<std::string>();
  x.timeframe = r[6].as<std::string>();
  x.source_timeframe = r[7].as<std::string>();
  x.start = r[8].as<std::int64_t>();
  x.end = r[9].as<std::int64_t>();
  x.strategy = r[10].as<std::string>();
  x.strategy_version = r[11].as<std::string>();
  x.config_json = r[12].as<std::string>();
  x.params_json = r[13].as<std::string>();
  x.execution_json = r[14].as<std::string>();
  x.config_hash = r[15].as<std::string>();
  x.dataset_checksum = r[16].as<std::string>();
  x.data_checksum = opt<std::string>(r[17]);
  x.error = opt<std::string>(r[18]);
  x.worker_id = opt<std::string>(r[19]);
  x.engine_version = opt<std::string>(r[20]);
  x.metrics_json = opt<std::string>(r[21]);
  x.errors_json = r[22].as<std::string>();
  x.dedupe_key = r[23].as<std::string>();
  x.attempts = r[24].as<std::int32_t>();
  x.progress = r[25].as<double>();
  x.trades_so_far = r[26].as<std::int64_t>();
  x.created_at = r[27].as<std::int64_t>();
  x.started_at = opt<std::int64_t>(r[28]);
  x.finished_at = opt<std::int64_t>(r[29]);
  x.duration_ms = opt<double>(r[30]);
  x.warnings_json = r[31].as<std::string>();
  return x;
}

inline fixed price_of(const pqxx::field& f) {
  fixed v;
  parse_decimal(f.c_str(), v);
  return v;
}

inline std::optional<fixed> opt_price(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return price_of(f);
}

inline std::string opt_text(const std::optional<fixed>& v) {
  return v ? to_string(*v) : std::string();
}

} // namespace bt::db::detail
