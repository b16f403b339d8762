// Stored bars against a real (embedded) PostgreSQL: the migration of rows
// stored by earlier versions into chunks, and merges over chunks.
#include "database_fixture.hpp"

#include "persistence/market_data_repository.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/pqxx>

using namespace bt;
using bt::test::database;

namespace {

unix_time at(int y, unsigned m, unsigned d, int hour = 0) {
  return days_from_civil(y, m, d) * seconds_per_day + hour * 3600;
}

fixed price(const char* text) {
  fixed v;
  BOOST_TEST_REQUIRE((parse_decimal(text, v) == decimal_parse::ok));
  return v;
}

bar_series load_all(database& d, const std::string& symbol) {
  auto s = db::load_bars(*d.c, d.user_id, symbol, timeframe::h1, std::nullopt, std::nullopt,
                         SIZE_MAX >> 1);
  BOOST_TEST_REQUIRE(s.has_value());
  return *s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(market_data_repository)

BOOST_AUTO_TEST_CASE(rows_stored_by_earlier_versions_become_chunks_unchanged) {
  database d;
  d.migrate_before("0006");
  d.add_user();
  // Bars as 0001_initial stored them: either side of 1970, across a month
  // end and a year end, the largest value a price can hold (INT64_MAX units).
  {
    pqxx::work t(*d.c);
    const auto ds = t.exec_params1("INSERT INTO datasets (user_id, symbol, timeframe, bars) "
                                   "VALUES ($1, 'GC', '1h', 5) RETURNING id",
                                   d.user_id)[0]
                        .as<std::int64_t>();
    t.exec_params("INSERT INTO bars VALUES "
                  "($1, '1969-12-31T23:00:00Z', 0.00000001, 2, 0.5, 1.25, 0), "
                  "($1, '2023-12-31T23:00:00Z', 2063.10000000, 2064.5, 2062.9, 2064.00000001, 17), "
                  "($1, '2024-01-01T00:00:00Z', 92233720368.54775807, 92233720368.54775807, 1, "
                  "   50000000000, 92233720368.54775807), "
                  "($1, '2024-02-29T23:00:00Z', 1, 1, 1, 1, 1), "
                  "($1, '2024-03-01T00:00:00Z', 3, 4, 2, 3.5, 0.12345678)",
                  ds);
    t.commit();
  }
  const auto applied = db::migrate(*d.c);
  BOOST_TEST_REQUIRE(applied.size() >= 1u);
  BOOST_TEST(applied.front() == "0006_bar_chunks");

  const bar_series s = load_all(d, "GC");
  BOOST_TEST_REQUIRE(s.size() == 5u);
  BOOST_TEST(s.times()[0] == -3600);
  BOOST_TEST(s.opens()[0].units == 1);
  BOOST_TEST(s.closes()[0].units == price("1.25").units);
  BOOST_TEST(s.times()[1] == at(2023, 12, 31, 23));
  BOOST_TEST(s.closes()[1].units == price("2064.00000001").units);
  BOOST_TEST(s.volumes()[1].units == price("17").units);
  BOOST_TEST(s.opens()[2].units == INT64_MAX);
  BOOST_TEST(s.volumes()[2].units == INT64_MAX);
  BOOST_TEST(s.times()[3] == at(2024, 2, 29, 23));
  BOOST_TEST(s.times()[4] == at(2024, 3, 1));
  BOOST_TEST(s.volumes()[4].units == price("0.12345678").units);

  // One chunk per month, keyed as the server computes it.
  pqxx::work t(*d.c);
  const auto months = t.exec("SELECT month_start, bars FROM bar_chunks ORDER BY month_start");
  BOOST_TEST_REQUIRE(months.size() == 5u);
  BOOST_TEST(months[0][0].as<std::int64_t>() == at(1969, 12, 1));
  BOOST_TEST(months[1][0].as<std::int64_t>() == at(2023, 12, 1));
  BOOST_TEST(months[2][0].as<std::int64_t>() == at(2024, 1, 1));
  BOOST_TEST(months[3][0].as<std::int64_t>() == at(2024, 2, 1));
  BOOST_TEST(t.exec("SELECT 1 FROM pg_tables WHERE tablename = 'bars'").empty());
}

BOOST_AUTO_TEST_CASE(stored_bars_win_and_only_touched_months_are_rewritten) {
  database d;
  db::migrate(*d.c);
  d.add_user();
  bar_series first("GC", timeframe::h1);
  for (int day = 1; day <= 31; ++day)
    first.push_back(bar{at(2024, 1, day, 10), price("10"), price("11"), price("9"), price("10.5"),
                        price("100")});
  const db::merge_result a = db::store_bars(*d.c, d.user_id, first, db::audit_actor{});
  BOOST_TEST(a.inserted == 31);
  BOOST_TEST(a.already_stored == 0);
  BOOST_TEST(a.dataset.bars == 31);

  std::string january_before;
  {
    pqxx::work t(*d.c);
    january_before = t.exec_params1("SELECT columns::text FROM bar_chunks WHERE month_start = $1",
                                    at(2024, 1, 1))[0]
                         .as<std::string>();
  }
  // Overlaps January on its last two days (with other prices: the stored
  // ones win), fills a hole at 11:00 on the 31st, and reaches into February.
  bar_series second("GC", timeframe::h1);
  second.push_back(
      bar{at(2024, 1, 30, 10), price("1"), price("1"), price("1"), price("1"), price("1")});
  second.push_back(
      bar{at(2024, 1, 31, 10), price("1"), price("1"), price("1"), price("1"), price("1")});
  second.push_back(
      bar{at(2024, 2, 1, 10), price("20"), price("21"), price("19"), price("20.5"), price("7")});
  const db::merge_result b = db::store_bars(*d.c, d.user_id, second, db::audit_actor{});
  BOOST_TEST(b.inserted == 1);
  BOOST_TEST(b.already_stored == 2);
  BOOST_TEST(b.dataset.bars == 32);
  {
    pqxx::work t(*d.c);
    // January gained nothing: its chunk is the same bytes.
    BOOST_TEST(t.exec_params1("SELECT columns::text FROM bar_chunks WHERE month_start = $1",
                              at(2024, 1, 1))[0]
                   .as<std::string>()
               == january_before);
  }
  bar_series third("GC", timeframe::h1);
  third.push_back(
      bar{at(2024, 1, 31, 11), price("30"), price("31"), price("29"), price("30"), price("3")});
  const db::merge_result c = db::store_bars(*d.c, d.user_id, third, db::audit_actor{});
  BOOST_TEST(c.inserted == 1);
  BOOST_TEST(c.dataset.bars == 33);

  const bar_series s = load_all(d, "GC");
  BOOST_TEST_REQUIRE(s.size() == 33u);
  BOOST_TEST(s.times()[29] == at(2024, 1, 30, 10));
  BOOST_TEST(s.opens()[29].units == price("10").units); // stored before: kept
  BOOST_TEST(s.times()[31] == at(2024, 1, 31, 11));
  BOOST_TEST(s.opens()[31].units == price("30").units);
  BOOST_TEST(s.times()[32] == at(2024, 2, 1, 10));
  BOOST_TEST(s.volumes()[32].units == price("7").units);
  BOOST_TEST(c.dataset.checksum == data_checksum(s));
  BOOST_TEST(c.dataset.from.value_or(0) == at(2024, 1, 1, 10));
  BOOST_TEST(c.dataset.to.value_or(0) == at(2024, 2, 1, 10));

  // Ranges and limits cut inside chunks and across them.
  auto range = db::load_bars(*d.c, d.user_id, "GC", timeframe::h1, at(2024, 1, 31, 10),
                             at(2024, 2, 1, 10), 2);
  BOOST_TEST_REQUIRE(range->size() == 2u);
  BOOST_TEST(range->times()[0] == at(2024, 1, 31, 10));
  BOOST_TEST(range->times()[1] == at(2024, 1, 31, 11));
  auto empty =
      db::load_bars(*d.c, d.user_id, "GC", timeframe::h1, at(2024, 2, 2), at(2024, 1, 1), 10);
  BOOST_TEST(empty->empty());
  BOOST_TEST(
      !db::load_bars(*d.c, d.user_id + 1, "GC", timeframe::h1, std::nullopt, std::nullopt, 10));

  // Deleting the dataset deletes its chunks.
  BOOST_TEST(db::delete_dataset(*d.c, d.user_id, "GC", "1h", db::audit_actor{}));
  pqxx::work t(*d.c);
  BOOST_TEST(t.exec1("SELECT count(*) FROM bar_chunks")[0].as<int>() == 0);
}

BOOST_AUTO_TEST_CASE(ranges_and_small_limits_read_only_the_chunks_they_need) {
  // Months with bars only before a range's start, a month with none, and a
  // month whose bars all come after a range's end: every range and limit
  // must give what filtering all the bars gives (a probe for one bar reads
  // only limit + 1 chunks).
  database d;
  db::migrate(*d.c);
  d.add_user();
  bar_series s("GC", timeframe::h1);
  auto add = [&](unix_time t) {
    s.push_back(bar{t, price("10"), price("11"), price("9"), price("10.5"), price("1")});
  };
  for (int h = 0; h < 10; ++h)
    add(at(2024, 1, 5, h)); // January; February has nothing
  for (int h = 0; h < 5; ++h)
    add(at(2024, 3, 20, h));
  for (int h = 0; h < 3; ++h)
    add(at(2024, 4, 1, h));
  add(at(2024, 6, 30, 23));
  db::store_bars(*d.c, d.user_id, s, db::audit_actor{});
  const bar_series all = load_all(d, "GC");
  BOOST_TEST_REQUIRE(all.size() == 19u);
  const std::vector<unix_time> bounds{at(2023, 12, 1),     at(2024, 1, 5),  at(2024, 1, 5, 5),
                                      at(2024, 1, 6),      at(2024, 2, 10), at(2024, 3, 19),
                                      at(2024, 3, 20, 2),  at(2024, 3, 31), at(2024, 4, 1, 2),
                                      at(2024, 6, 30, 23), at(2024, 12, 31)};
  int cases = 0, empty = 0;
  for (unix_time from : bounds)
    for (unix_time to : bounds) {
      if (from > to)
        continue;
      for (std::size_t limit :
           {std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{7}, std::size_t{100}}) {
        std::vector<unix_time> expected;
        for (std::size_t i = 0; i < all.size() && expected.size() < limit; ++i)
          if (all.times()[i] >= from && all.times()[i] <= to)
            expected.push_back(all.times()[i]);
        auto got = db::load_bars(*d.c, d.user_id, "GC", timeframe::h1, from, to, limit);
        BOOST_TEST_REQUIRE(got.has_value());
        BOOST_TEST_REQUIRE(got->size() == expected.size(),
                           "from " << from << " to " << to << " limit " << limit);
        for (std::size_t i = 0; i < expected.size(); ++i)
          BOOST_TEST(got->times()[i] == expected[i]);
        ++cases;
        empty += expected.empty();
      }
    }
  BOOST_TEST(cases == 330);
  BOOST_TEST(empty > 0); // ranges inside gaps, across whole months and within one
}

BOOST_AUTO_TEST_SUITE_END()
