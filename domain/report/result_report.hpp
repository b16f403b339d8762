#pragma once
// Results as JSON documents and CSV exports. CSV columns use the JSON field
// names; prices and money have exactly 8 decimals.

#include "domain/data/bar_import.hpp"
#include "domain/engine/backtest.hpp"

#include <string>

namespace bt {

class json_writer;

/// What became of an accepted file's bars: the CLI imports them all; an
/// upload merges them into the stored dataset (stored bars win).
struct upload_storage {
  std::int64_t imported = 0;
  std::int64_t already_stored = 0;
  std::optional<unix_time> from, to; ///< the file's first and last bar
};

/// The one upload report, shared by `backtestd run` (its "validation") and
/// POST /v1/market-data: rows_received, imported, duplicates_skipped
/// {within_file, already_stored, rows}, rejected_count, rejected, sorted,
/// values_rounded, gaps, range {from, to}, warnings. Writes the members
/// into the object the caller has opened.
void write_import_report_fields(json_writer& w, const import_report& report,
                                const upload_storage& stored);
/// The storage figures of an accepted file imported whole.
upload_storage imported_whole(const import_result& imported);
/// [{from, to, missing_bars}]
void write_gaps(json_writer& w, const std::vector<gap>& gaps);
void write_trade(json_writer& w, const trade& t);
void write_zone(json_writer& w, const zone_record& z);
/// {points, start, end, initial_equity, final_equity, min_equity, max_equity, max_drawdown_pct}
void write_equity_summary(json_writer& w, const equity_curve& curve, fixed initial);
/// [{"time", "equity", "drawdown_pct"}, ...]: a curve for a chart.
void write_equity_points(json_writer& w, const equity_curve& points);

std::string trades_csv(const trade_list& trades);
std::string equity_csv(const equity_curve& curve);
std::string zones_csv(const zone_list& zones);

/// Read back exactly what the three writers above write (trades that
/// crossed from a worker node, stored equity curves and zones). Every
/// field must be what the writer writes: an error names the line and the
/// column, and leaves `out` empty.
std::optional<std::string> read_trades_csv(std::string_view csv, trade_list& out);
std::optional<std::string> read_equity_csv(std::string_view csv, equity_curve& out);
std::optional<std::string> read_zones_csv(std::string_view csv, zone_list& out);

} // namespace bt
