#include "domain/report/trade_selection.hpp"

#include <algorithm>

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

} // namespace

std::pair<std::int64_t, trade_list> select_trades(trade_list all, const trade_filter& f) {
  all.erase(std::remove_if(all.begin(), all.end(), [&](const trade& t) { return !matches(t, f); }),
            all.end());
  // The key's order (reversed when descending); an absent r_multiple sorts
  // after every present one whichever the direction.
  auto by_key = [&](const trade& a, const trade& b) -> int {
    if (f.sort == "r_multiple") {
      if (a.r_multiple.has_value() != b.r_multiple.has_value())
        return a.r_multiple ? -1 : 1;
      if (!a.r_multiple)
        return 0;
      const int c = compare(*a.r_multiple, *b.r_multiple);
      return f.descending ? -c : c;
    }
    const int c = f.sort == "pnl"            ? compare(a.pnl, b.pnl)
                  : f.sort == "holding_bars" ? compare(a.holding_bars, b.holding_bars)
                                             : compare(a.entry_time, b.entry_time);
    return f.descending ? -c : c;
  };
  std::sort(all.begin(), all.end(), [&](const trade& a, const trade& b) {
    const int c = by_key(a, b);
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
