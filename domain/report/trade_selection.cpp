#include "domain/report/trade_selection.hpp"

#include <algorithm>
#include <string_view>

namespace bt {

namespace {

bool matches(const trade& t, const trade_filter& f) {
  if (f.side && to_string(t.side) != *f.side)
    return false;
  if (f.zone_type && (!t.zone || to_string(t.zone->type) != *f.zone_type))
    return false;
  if (f.outcome
      && !((*f.outcome == "win" && t.pnl > fixed()) || (*f.outcome == "loss" && t.pnl < fixed())))
    return false;
  if (f.from && t.entry_time < *f.from)
    return false;
  if (f.to && t.entry_time > *f.to)
    return false;
  return true;
}

/// -1, 0 or 1 as a orders before, with or after b by the key alone.
template <class T>
int compare(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

/// How two trades order by one column: `absent` (not reversed by the
/// direction: a trade without the value sorts after every trade with it)
/// and `value` (reversed when descending).
struct ordering {
  int absent = 0, value = 0;
};

template <class T>
ordering by_value(const T& a, const T& b) {
  return {0, compare(a, b)};
}
template <class T>
ordering by_optional(const std::optional<T>& a, const std::optional<T>& b) {
  if (a.has_value() != b.has_value())
    return {a ? -1 : 1, 0};
  return {0, a ? compare(*a, *b) : 0};
}
template <class E>
ordering by_name(E a, E b) { // enumerations sort by the word the API writes
  return {0, compare(to_string(a), to_string(b))};
}

using column_order = ordering (*)(const trade&, const trade&);

/// Every field of a trade's JSON and CSV (record_fields.hpp) that a table
/// may sort by, in the same order.
const std::pair<std::string_view, column_order> columns[] = {
    {"trade_id", [](const trade& a, const trade& b) { return by_value(a.trade_id, b.trade_id); }},
    {"side", [](const trade& a, const trade& b) { return by_name(a.side, b.side); }},
    {"entry_time",
     [](const trade& a, const trade& b) { return by_value(a.entry_time, b.entry_time); }},
    {"exit_time",
     [](const trade& a, const trade& b) { return by_value(a.exit_time, b.exit_time); }},
    {"entry_price",
     [](const trade& a, const trade& b) { return by_value(a.entry_price, b.entry_price); }},
    {"exit_price",
     [](const trade& a, const trade& b) { return by_value(a.exit_price, b.exit_price); }},
    {"quantity", [](const trade& a, const trade& b) { return by_value(a.quantity, b.quantity); }},
    {"pnl", [](const trade& a, const trade& b) { return by_value(a.pnl, b.pnl); }},
    {"pnl_pct", [](const trade& a, const trade& b) { return by_value(a.pnl_pct, b.pnl_pct); }},
    {"stop_price",
     [](const trade& a, const trade& b) { return by_optional(a.stop_price, b.stop_price); }},
    {"target_price",
     [](const trade& a, const trade& b) { return by_optional(a.target_price, b.target_price); }},
    {"initial_risk",
     [](const trade& a, const trade& b) { return by_optional(a.initial_risk, b.initial_risk); }},
    {"r_multiple",
     [](const trade& a, const trade& b) { return by_optional(a.r_multiple, b.r_multiple); }},
    {"mae", [](const trade& a, const trade& b) { return by_value(a.mae, b.mae); }},
    {"mfe", [](const trade& a, const trade& b) { return by_value(a.mfe, b.mfe); }},
    {"holding_bars",
     [](const trade& a, const trade& b) { return by_value(a.holding_bars, b.holding_bars); }},
    {"fill_type", [](const trade& a, const trade& b) { return by_name(a.fill_type, b.fill_type); }},
    {"exit_reason",
     [](const trade& a, const trade& b) { return by_name(a.exit_reason, b.exit_reason); }},
    {"commission",
     [](const trade& a, const trade& b) { return by_value(a.commission, b.commission); }},
    {"zone_id",
     [](const trade& a, const trade& b) {
       return by_optional(a.zone ? std::optional(a.zone->id) : std::nullopt,
                          b.zone ? std::optional(b.zone->id) : std::nullopt);
     }},
    {"zone_type",
     [](const trade& a, const trade& b) {
       if (a.zone.has_value() != b.zone.has_value())
         return ordering{a.zone ? -1 : 1, 0};
       return a.zone ? by_name(a.zone->type, b.zone->type) : ordering{};
     }},
    {"zone_strength",
     [](const trade& a, const trade& b) {
       return by_optional(a.zone ? std::optional(a.zone->strength) : std::nullopt,
                          b.zone ? std::optional(b.zone->strength) : std::nullopt);
     }},
};

} // namespace

const std::vector<std::string>& trade_sort_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const auto& [name, order] : columns)
      out.emplace_back(name);
    return out;
  }();
  return keys;
}

std::pair<std::int64_t, trade_list> select_trades(trade_list all, const trade_filter& f) {
  all.erase(std::remove_if(all.begin(), all.end(), [&](const trade& t) { return !matches(t, f); }),
            all.end());
  column_order order = columns[2].second; // entry_time
  for (const auto& [name, by] : columns)
    if (name == f.sort)
      order = by;
  std::sort(all.begin(), all.end(), [&](const trade& a, const trade& b) {
    const ordering o = order(a, b);
    if (o.absent != 0)
      return o.absent < 0;
    const int c = f.descending ? -o.value : o.value;
    return c != 0 ? c < 0 : a.trade_id < b.trade_id;
  });
  const auto total = static_cast<std::int64_t>(all.size());
  const auto first = static_cast<std::size_t>(std::min(std::max<std::int64_t>(f.offset, 0), total));
  const std::size_t last =
      f.limit < 0
          ? all.size()
          : first + std::min<std::size_t>(static_cast<std::size_t>(f.limit), all.size() - first);
  trade_list page(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first)),
                  std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(last)));
  return {total, std::move(page)};
}

} // namespace bt
