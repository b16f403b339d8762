#include "domain/report/result_report.hpp"

#include "bars.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/record_fields.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace bt;
using bt::test::px;

namespace {
trade sample() {
  trade t;
  t.trade_id = 7;
  t.side = side::short_side;
  t.entry_time = 1'704'200'400;
  t.exit_time = 1'704'204'000;
  t.entry_price = px("2034.1");
  t.exit_price = px("2030");
  t.quantity = px("2");
  t.pnl = px("810");
  t.pnl_pct = 1.62;
  t.stop_price = px("2040.1");
  t.initial_risk = px("1200");
  t.r_multiple = 0.675;
  t.mae = px("1.5");
  t.mfe = px("4.2");
  t.holding_bars = 1;
  t.fill_type = fill_type::limit;
  t.exit_reason = exit_reason::signal;
  t.commission = px("10");
  t.zone = zone_ref{3, zone_type::supply, 2.5};
  return t;
}

zone_record sample_zone() {
  zone_record z;
  z.id = 1;
  z.type = zone_type::demand;
  z.created_at = 1'704'200'400;
  z.top = px("2000.5");
  z.bottom = px("1999");
  z.strength = 1.25;
  z.touches = 2;
  return z;
}
} // namespace

BOOST_AUTO_TEST_SUITE(result_report)

BOOST_AUTO_TEST_CASE(trades_csv_uses_json_names_and_eight_decimals) {
  std::string csv = trades_csv({sample()});
  auto nl = csv.find('\n');
  std::string header = csv.substr(0, nl);
  std::string row = csv.substr(nl + 1);
  BOOST_TEST(row
             == "7,short,2024-01-02T13:00:00Z,2024-01-02T14:00:00Z,2034.10000000,2030.00000000,"
                "2.00000000,810.00000000,1.62,2040.10000000,,1200.00000000,0.675,1.50000000,"
                "4.20000000,1,limit,signal,10.00000000,3,supply,2.5\n");
  json_writer w;
  write_trade(w, sample());
  auto v = boost::json::parse(w.str()).as_object();
  std::size_t column = 0;
  for (const auto& kv : v) {
    auto end = header.find(',', column);
    BOOST_TEST(header.substr(column, end - column) == std::string(kv.key()));
    column = end + 1;
  }
  BOOST_TEST(w.str().find("\"entry_price\":2034.10000000") != std::string::npos);
  BOOST_TEST(w.str().find("\"target_price\":null") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(trade_field_count_matches_the_list) {
  BOOST_TEST(field_names<trade>().size() == trade_field_count);
}

BOOST_AUTO_TEST_CASE(trades_csv_reads_back_exactly) {
  trade without_zone = sample();
  without_zone.trade_id = 8;
  without_zone.zone.reset();
  without_zone.r_multiple.reset();
  const std::string csv = trades_csv({sample(), without_zone});
  trade_list back;
  BOOST_REQUIRE(!read_trades_csv(csv, back));
  BOOST_REQUIRE(back.size() == 2u);
  BOOST_TEST(trades_csv(back) == csv);
  BOOST_TEST(!back[1].zone);
  BOOST_TEST(back[0].zone->id == 3);
  BOOST_TEST(back[0].pnl.units == px("810").units);
  BOOST_TEST(*back[0].r_multiple == 0.675);
  trade_list none;
  BOOST_TEST(read_trades_csv("not,a,trades,file\n", none).value()
             == "line 1: not the expected header");
}

namespace {
// The trade CSV with field `column` of its one row replaced by `text`.
std::string with_field(std::size_t column, const std::string& text) {
  std::string csv = trades_csv({sample()});
  std::size_t start = csv.find('\n') + 1;
  for (std::size_t i = 0; i < column; ++i)
    start = csv.find(',', start) + 1;
  const std::size_t end = csv.find_first_of(",\n", start);
  return csv.replace(start, end - start, text);
}
} // namespace

// Everything the writer cannot have written is refused, naming the line
// and the column, and nothing half-read is kept.
BOOST_AUTO_TEST_CASE(trades_csv_refuses_what_the_writer_never_writes) {
  trade_list back;
  auto error = [&](std::size_t column, const std::string& text) {
    back.assign(3, trade{});
    auto e = read_trades_csv(with_field(column, text), back);
    BOOST_TEST(back.size() == (e ? 0u : 1u));
    return e.value_or("accepted");
  };
  BOOST_TEST(error(1, "sideways") == "line 2: column side: 'sideways' is not a valid value");
  BOOST_TEST(
      error(2, "2024-01-02T13:00:00+01:00")
      == "line 2: column entry_time: '2024-01-02T13:00:00+01:00' is not an ISO-8601 UTC time");
  BOOST_TEST(error(7, "810.123456789")
             == "line 2: column pnl: '810.123456789' is not a valid value");
  BOOST_TEST(error(7, "") == "line 2: column pnl: '' is not a valid value");
  BOOST_TEST(error(8, "nan") == "line 2: column pnl_pct: 'nan' is not a valid value");
  BOOST_TEST(error(8, "1.5x") == "line 2: column pnl_pct: '1.5x' is not a valid value");
  BOOST_TEST(error(0, "7.0") == "line 2: column trade_id: '7.0' is not a valid value");
  BOOST_TEST(error(0, "99999999999999999999")
             == "line 2: column trade_id: '99999999999999999999' is not a valid value");
  BOOST_TEST(error(20, "") == "line 2: an optional part (such as a trade's zone) is partly empty");
  BOOST_TEST(error(21, "2.5,extra") == "line 2: 23 fields, expected 22");
  BOOST_TEST(error(16, "\"limit") == "line 2: malformed quote");
  // A quoted field is a field like any other.
  BOOST_TEST(error(16, "\"limit\"") == "accepted");
}

BOOST_AUTO_TEST_CASE(equity_and_zones_read_back_exactly) {
  equity_curve curve{{-86'400, px("50000"), 0}, {1'704'204'000, px("-0.5"), 12.5e-9}};
  equity_curve curve_back;
  BOOST_REQUIRE(!read_equity_csv(equity_csv(curve), curve_back));
  BOOST_TEST(equity_csv(curve_back) == equity_csv(curve));
  BOOST_TEST(curve_back[0].time == -86'400);
  BOOST_TEST(curve_back[1].drawdown_pct == 12.5e-9);

  zone_record z = sample_zone();
  z.id = 4;
  z.type = zone_type::supply;
  z.touches = 0;
  z.status = zone_status::broken;
  z.ended_at = 1'704'204'000;
  zone_record open = z;
  open.status = zone_status::active;
  open.ended_at.reset();
  zone_list zones_back;
  BOOST_REQUIRE(!read_zones_csv(zones_csv({z, open}), zones_back));
  BOOST_TEST(zones_csv(zones_back) == zones_csv({z, open}));
  BOOST_TEST(to_string(zones_back[0].status) == "broken");
  BOOST_TEST(!zones_back[1].ended_at);
  BOOST_TEST(read_zones_csv("id,type\n", zones_back).value() == "line 1: not the expected header");
  BOOST_TEST(
      read_equity_csv("time,equity,drawdown_pct\n2024-01-02T13:00:00Z,1,0,9\n", curve_back).value()
      == "line 2: 4 fields, expected 3");
}

BOOST_AUTO_TEST_CASE(equity_and_zone_exports) {
  equity_curve curve{{1'704'200'400, px("50000"), 0}, {1'704'204'000, px("49500.5"), 0.999}};
  BOOST_TEST(equity_csv(curve)
             == "time,equity,drawdown_pct\n2024-01-02T13:00:00Z,50000.00000000,0\n"
                "2024-01-02T14:00:00Z,49500.50000000,0.999\n");
  const zone_record z = sample_zone();
  BOOST_TEST(zones_csv({z})
             == "id,type,created_at,top,bottom,strength,touches,status,ended_at\n"
                "1,demand,2024-01-02T13:00:00Z,2000.50000000,1999.00000000,1.25,2,active,\n");
  json_writer w;
  write_equity_summary(w, curve, px("50000"));
  auto v = boost::json::parse(w.str());
  BOOST_TEST(v.at("points").to_number<int>() == 2);
  BOOST_TEST(v.at("min_equity").to_number<double>() == 49500.5);
}

BOOST_AUTO_TEST_SUITE_END()
