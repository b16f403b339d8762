#pragma once
// The trades endpoint's query over one run's trades: filters, one sort key
// and a page. A run's trades are read whole (they are stored as one
// document per run), so the query runs in memory.

#include "domain/engine/trade.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bt {

struct trade_filter {
  std::optional<std::string> side, zone_type, outcome; ///< outcome: win | loss
  std::optional<unix_time> from, to;                   ///< entry_time range, inclusive
  std::string sort = "entry_time";                     ///< one of trade_sort_keys()
  bool descending = false;
  std::int64_t limit = 50, offset = 0; ///< limit < 0: all
};

/// The columns a trades table sorts by: every field a trade is written
/// with (record_fields.hpp), enumerations by their words.
const std::vector<std::string>& trade_sort_keys();

/// The matching trades' count, and the page of them in the filter's order:
/// by the sort key (absent values last, in either direction), then by
/// trade_id ascending. An unknown sort key sorts by entry_time.
std::pair<std::int64_t, trade_list> select_trades(trade_list all, const trade_filter& f);

} // namespace bt
