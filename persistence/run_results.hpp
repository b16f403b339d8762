#pragma once
// A completed run's results: stored in one transaction, read back for the
// results endpoints.

#include "persistence/run_store.hpp"

namespace pqxx {
class connection_base;
}

namespace bt::db {

/// A finished attempt's results in the form they are stored (and sent
/// between nodes): metrics JSON, trades, and the zones and equity CSVs.
struct stored_result {
  std::string metrics_json;
  std::string warnings_json = "[]";
  trade_list trades;
  std::string zones_csv, equity_csv;
  std::int64_t zones = 0, points = 0;
  std::string data_checksum, engine_version;
  double duration_ms = 0;
};

/// The stored form of a result computed here.
stored_result to_stored(const backtest_result& result, const std::string& engine_version,
                        double duration_ms);

/// Stores a finished attempt's results in one transaction, unless the run
/// was cancelled or handed to another attempt meanwhile (then false and
/// nothing is written).
bool complete_run(pqxx::connection_base& c, const run_attempt& job, const stored_result& result);

equity_curve load_equity(pqxx::connection_base& c, const std::string& run_id);
/// The stored equity.csv document of a run (empty when none).
std::string load_equity_csv(pqxx::connection_base& c, const std::string& run_id);
zone_list load_zones(pqxx::connection_base& c, const std::string& run_id);

struct trade_filter {
  std::optional<std::string> side, zone_type, outcome; ///< outcome: win | loss
  std::optional<unix_time> from, to;                   ///< entry_time range, inclusive
  std::string sort = "entry_time";
  bool descending = false;
  std::int64_t limit = 50, offset = 0; ///< limit < 0: all
};
std::pair<std::int64_t, trade_list> load_trades(pqxx::connection_base& c, const std::string& run_id,
                                                const trade_filter& f);

} // namespace bt::db
