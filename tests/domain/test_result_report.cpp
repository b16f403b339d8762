#include "domain/report/result_report.hpp"

#include "bars.hpp"
#include "domain/report/json_writer.hpp"

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

BOOST_AUTO_TEST_CASE(trades_csv_reads_back_exactly) {
  trade without_zone = sample();
  without_zone.trade_id = 8;
  without_zone.zone.reset();
  without_zone.r_multiple.reset();
  const std::string csv = trades_csv({sample(), without_zone});
  std::vector<trade> back;
  BOOST_REQUIRE(parse_trades_csv(csv, back));
  BOOST_REQUIRE(back.size() == 2u);
  BOOST_TEST(trades_csv(back) == csv);
  BOOST_TEST(!back[1].zone);
  std::vector<trade> none;
  BOOST_TEST(!parse_trades_csv("not,a,trades,file\n", none));
}

BOOST_AUTO_TEST_CASE(equity_and_zone_exports) {
  std::vector<equity_point> curve{{1'704'200'400, px("50000"), 0},
                                  {1'704'204'000, px("49500.5"), 0.999}};
  BOOST_TEST(equity_csv(curve)
             == "time,equity,drawdown_pct\n2024-01-02T13:00:00Z,50000.00000000,0\n"
                "2024-01-02T14:00:00Z,49500.50000000,0.999\n");
  zone_record z;
  z.id = 1;
  z.type = zone_type::demand;
  z.created_at = 1'704'200'400;
  z.top = px("2000.5");
  z.bottom = px("1999");
  z.strength = 1.25;
  z.touches = 2;
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
