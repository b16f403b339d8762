// The trades endpoint's query in memory: filters, sort keys with absent
// values last in both directions, ties by trade_id, pages.
#include "domain/report/record_fields.hpp"
#include "domain/report/trade_selection.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace bt;

namespace {

trade make(std::int64_t id, side s, unix_time entry, std::int64_t pnl_units,
           std::optional<double> r, std::int64_t bars, std::optional<zone_type> zone) {
  trade t;
  t.trade_id = id;
  t.side = s;
  t.entry_time = entry;
  t.exit_time = entry + 3600 * bars;
  t.pnl = fixed::from_units(pnl_units);
  t.r_multiple = r;
  t.holding_bars = bars;
  if (zone)
    t.zone = zone_ref{id * 10, *zone, 0.5};
  return t;
}

/// Stored in exit order, which is not entry order: trade 4 entered first.
trade_list sample() {
  trade_list all;
  all.push_back(make(1, side::long_side, 7200, 500, 1.5, 3, zone_type::demand));
  all.push_back(make(2, side::short_side, 10800, -300, std::nullopt, 1, zone_type::supply));
  all.push_back(make(3, side::long_side, 14400, 0, -1.0, 2, std::nullopt));
  all.push_back(make(4, side::short_side, 3600, 500, 2.0, 3, zone_type::supply));
  all.push_back(make(5, side::long_side, 18000, -100, std::nullopt, 2, zone_type::demand));
  return all;
}

std::vector<std::int64_t> ids(const trade_list& trades) {
  std::vector<std::int64_t> out;
  for (const auto& t : trades)
    out.push_back(t.trade_id);
  return out;
}

std::vector<std::int64_t> select_ids(const trade_filter& f) {
  return ids(select_trades(sample(), f).second);
}

trade_filter all_of_them() {
  trade_filter f;
  f.limit = -1;
  return f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(trade_selection)

BOOST_AUTO_TEST_CASE(default_order_is_entry_time_then_trade_id) {
  BOOST_TEST(select_ids(all_of_them()) == (std::vector<std::int64_t>{4, 1, 2, 3, 5}));
  auto f = all_of_them();
  f.descending = true;
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{5, 3, 2, 1, 4}));
}

BOOST_AUTO_TEST_CASE(ties_break_by_trade_id_ascending_in_either_direction) {
  auto f = all_of_them();
  f.sort = "pnl";
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{2, 5, 3, 1, 4}));
  f.descending = true;
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{1, 4, 3, 5, 2}));
  f.sort = "holding_bars";
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{1, 4, 3, 5, 2}));
}

BOOST_AUTO_TEST_CASE(absent_r_multiples_sort_last_in_both_directions) {
  auto f = all_of_them();
  f.sort = "r_multiple";
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{3, 1, 4, 2, 5}));
  f.descending = true;
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{4, 1, 3, 2, 5}));
}

BOOST_AUTO_TEST_CASE(every_written_column_sorts_and_words_sort_alphabetically) {
  // The sort keys are the trade's fields as the API writes them.
  std::vector<std::string> written;
  auto name_of = [&](const char* name, const auto&) { written.emplace_back(name); };
  trade t;
  visit_fields(t, name_of);
  BOOST_TEST(trade_sort_keys() == written);

  auto f = all_of_them();
  f.sort = "side"; // "long" before "short"
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{1, 3, 5, 2, 4}));
  f.sort = "zone_type"; // "demand" before "supply", no zone last either way
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{1, 5, 2, 4, 3}));
  f.descending = true;
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{2, 4, 1, 5, 3}));
  f.sort = "exit_time"; // 2 and 4 exit together: by trade_id
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{5, 3, 1, 2, 4}));
  f.sort = "trade_id";
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{5, 4, 3, 2, 1}));
}

BOOST_AUTO_TEST_CASE(filters_combine_and_count_before_the_page) {
  auto f = all_of_them();
  f.outcome = "win";
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{4, 1})); // pnl 0 is neither
  f.outcome = "loss";
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{2, 5}));
  f.outcome.reset();
  f.zone_type = "demand"; // a trade without a zone matches no zone type
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{1, 5}));
  f.zone_type.reset();
  f.side = "short";
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{4, 2}));
  f.side.reset();
  f.from = 7200; // inclusive at both ends
  f.to = 14400;
  BOOST_TEST(select_ids(f) == (std::vector<std::int64_t>{1, 2, 3}));

  trade_filter page;
  page.limit = 2;
  page.offset = 1;
  auto [total, trades] = select_trades(sample(), page);
  BOOST_TEST(total == 5);
  BOOST_TEST(ids(trades) == (std::vector<std::int64_t>{1, 2}));
  page.offset = 4;
  BOOST_TEST(ids(select_trades(sample(), page).second) == (std::vector<std::int64_t>{5}));
  page.offset = 1'000'000'000; // past the end: the count, no trades
  std::tie(total, trades) = select_trades(sample(), page);
  BOOST_TEST(total == 5);
  BOOST_TEST(trades.empty());
}

BOOST_AUTO_TEST_SUITE_END()
