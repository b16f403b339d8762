#pragma once
// Results as JSON documents and CSV exports. CSV columns use the JSON field
// names; prices and money have exactly 8 decimals.

#include "domain/data/bar_import.hpp"
#include "domain/engine/backtest.hpp"

#include <string>

namespace bt {

class json_writer;

void write_import_report(json_writer& w, const import_report& report);
/// [{from, to, missing_bars}]
void write_gaps(json_writer& w, const std::vector<gap>& gaps);
void write_trade(json_writer& w, const trade& t);
void write_zone(json_writer& w, const zone_record& z);
/// {points, start, end, initial_equity, final_equity, min_equity, max_equity, max_drawdown_pct}
void write_equity_summary(json_writer& w, const std::vector<equity_point>& curve, fixed initial);

std::string trades_csv(const std::vector<trade>& trades);
/// Reads trades_csv() output back (for results that crossed nodes as CSV);
/// false when the text is not in that format.
bool parse_trades_csv(std::string_view csv, std::vector<trade>& out);
std::string equity_csv(const std::vector<equity_point>& curve);
std::string zones_csv(const std::vector<zone_record>& zones);

} // namespace bt
