#pragma once
// A completed run's results: stored in one transaction, read back for the
// results endpoints.

#include "domain/report/trade_selection.hpp"
#include "persistence/run_store.hpp"

namespace pqxx {
class connection_base;
}

namespace bt::db {

/// A finished attempt's results in the form they are stored (and sent
/// between nodes): metrics JSON, the trades and zones CSVs, and the equity
/// curve's columns (equity_blob.hpp).
struct stored_result {
  std::string metrics_json;
  std::string warnings_json = "[]";
  std::string trades_csv, zones_csv, equity_blob;
  std::int64_t trades = 0, zones = 0, points = 0;
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
zone_list load_zones(pqxx::connection_base& c, const std::string& run_id);

using trade_filter = bt::trade_filter;
/// The count of a run's trades matching `f`, and their page (select_trades).
std::pair<std::int64_t, trade_list> load_trades(pqxx::connection_base& c, const std::string& run_id,
                                                const trade_filter& f);

} // namespace bt::db
