#include "domain/strategies/supply_demand_zones.hpp"

#include "bars.hpp"
#include "domain/engine/backtest_engine.hpp"
#include "scripted_strategy.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace bt;
using bt::test::hourly;

namespace {

// Hand-traced in the comments below with swing_strength 1 and atr_period 2.
bar_series story() {
  return hourly({
      {"100", "101", "99", "100"},
      {"100", "102", "99.5", "101"},
      {"101", "105", "100.5", "103"},   // 2: swing high
      {"102", "102.5", "100", "100.5"}, // 3: confirms supply zone 1 [103, 105]; ATR 3.1875
      {"100.5", "103.2", "100", "102"}, // 4: touch 1, short fills at 103; demand zone 2
      {"102", "104", "101", "101.5"},   // 5: still inside: no new touch
      {"101.5", "102", "92", "93"},     // 6: target 93.4; zone 2 broken; supply zone 3
      {"93", "106", "93", "105.5"},     // 7: short again at 103; zones 1 and 3 broken
  });
}

struct run_result {
  engine_output out;
  zone_list zones;
};

run_result run(const bar_series& bars, const std::string& params_json) {
  param_set params;
  boost::json::value given = boost::json::parse(params_json);
  auto errors = resolve_params(supply_demand_zones_schema(), &given, params);
  BOOST_REQUIRE_MESSAGE(errors.empty(), describe(errors));
  supply_demand_zones s(params);
  auto out = run_engine(bars, s, test::gc_execution());
  return {out, s.zones()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(supply_demand_zones)

BOOST_AUTO_TEST_CASE(zones_are_confirmed_late_and_tracked) {
  auto r = run(story(), R"({"swing_strength": 1, "atr_period": 2, "direction": "short_only"})");
  const auto bars = story();
  BOOST_REQUIRE(r.zones.size() == 4u);
  const zone_record& z1 = r.zones[0];
  BOOST_TEST((z1.type == zone_type::supply));
  BOOST_TEST(z1.created_at == bars.times()[3]); // pivot bar 2, confirmed one bar later
  BOOST_TEST(to_string(z1.top) == "105.00000000");
  BOOST_TEST(to_string(z1.bottom) == "103.00000000");
  BOOST_TEST(z1.strength == 1.5686); // (105 - 100) / 3.1875
  BOOST_TEST(z1.touches == 1);
  BOOST_TEST((z1.status == zone_status::broken));
  BOOST_TEST(*z1.ended_at == bars.times()[7]);

  const zone_record& z2 = r.zones[1];
  BOOST_TEST((z2.type == zone_type::demand));
  BOOST_TEST(z2.created_at == bars.times()[4]);
  BOOST_TEST(to_string(z2.top) == "100.50000000");
  BOOST_TEST(to_string(z2.bottom) == "100.00000000");
  BOOST_TEST((z2.status == zone_status::broken));
  BOOST_TEST(*z2.ended_at == bars.times()[6]);
  BOOST_TEST(z2.touches == 0);

  BOOST_TEST((r.zones[2].type == zone_type::supply));
  BOOST_TEST(to_string(r.zones[2].top) == "104.00000000");
  BOOST_TEST((r.zones[3].type == zone_type::demand));
  BOOST_TEST((r.zones[3].status == zone_status::active));
  BOOST_TEST(!r.zones[3].ended_at);
}

BOOST_AUTO_TEST_CASE(limit_entries_at_the_proximal_edge_with_atr_bracket) {
  auto r = run(story(), R"({"swing_strength": 1, "atr_period": 2, "direction": "short_only"})");
  const auto bars = story();
  BOOST_REQUIRE(r.out.trades.size() == 2u);
  const trade& t1 = r.out.trades[0];
  BOOST_TEST((t1.side == side::short_side));
  BOOST_TEST(t1.entry_time == bars.times()[4]);
  BOOST_TEST(to_string(t1.entry_price) == "103.00000000");
  BOOST_TEST(to_string(t1.quantity) == "2.00000000");      // 1000 / (4.8 * 100)
  BOOST_TEST(to_string(*t1.stop_price) == "107.80000000"); // 1.5 * 3.1875 -> 4.8
  BOOST_TEST(to_string(*t1.target_price) == "93.40000000");
  BOOST_TEST((t1.exit_reason == exit_reason::take_profit));
  BOOST_TEST(t1.exit_time == bars.times()[6]);
  BOOST_TEST(to_string(t1.pnl) == "1910.00000000");
  BOOST_TEST(*t1.r_multiple == 1.9895833333); // 1910 / 960, to 10 places
  BOOST_REQUIRE(t1.zone);
  BOOST_TEST(t1.zone->id == 1);
  BOOST_TEST(t1.zone->strength == 1.5686);

  const trade& t2 = r.out.trades[1];
  BOOST_TEST(t2.entry_time == bars.times()[7]);
  BOOST_TEST(to_string(t2.quantity) == "1.00000000"); // 51910 * 2% / (9.8 * 100)
  BOOST_TEST(to_string(*t2.stop_price) == "112.80000000");
  BOOST_TEST((t2.exit_reason == exit_reason::end_of_data));
  BOOST_TEST(to_string(t2.pnl) == "-255.00000000");
}

BOOST_AUTO_TEST_CASE(direction_filter) {
  auto r = run(story(), R"({"swing_strength": 1, "atr_period": 2, "direction": "long_only"})");
  for (const auto& t : r.out.trades)
    BOOST_TEST((t.side == side::long_side));
}

BOOST_AUTO_TEST_CASE(sessions_gate_the_fill_hour) {
  BOOST_TEST(session_hours({"asia"}) == 0b1111'1100'0000'0000'0000'0011u);
  BOOST_TEST(session_hours({"europe"}) == 0b1111'1100u);
  BOOST_TEST(session_hours({"ny_am"}) == 0b1111u << 8);
  BOOST_TEST(session_hours({"ny_pm"}) == 0b11'1111u << 12);
  BOOST_TEST(session_hours({"asia", "europe", "ny_am", "ny_pm"}) == all_hours);
  // The story's bars open at 00:00-07:00 UTC: asia and europe only.
  auto r =
      run(story(), R"({"swing_strength": 1, "atr_period": 2, "sessions": ["ny_am", "ny_pm"]})");
  BOOST_TEST(r.out.trades.empty());
}

BOOST_AUTO_TEST_CASE(signals_too_small_to_size_are_skipped_and_counted) {
  // 0.5% of 50,000 = 250 is less than one contract's risk of 4.8 * 100 = 480.
  auto r = run(story(), R"({"swing_strength": 1, "atr_period": 2, "direction": "short_only",
                            "risk_per_trade_pct": 0.5})");
  BOOST_TEST(r.out.trades.empty());
  BOOST_TEST(r.out.skipped_signals >= 1);
}

BOOST_AUTO_TEST_CASE(weak_zones_are_not_kept_and_touch_limit_expires) {
  auto strong_only =
      run(story(), R"({"swing_strength": 1, "atr_period": 2, "min_zone_strength": 1.6})");
  for (const auto& z : strong_only.zones)
    BOOST_TEST(z.strength >= 1.6);
  BOOST_TEST(strong_only.zones.size() < 4u);
  auto once = run(story(), R"({"swing_strength": 1, "atr_period": 2, "max_touches": 1,
                               "direction": "short_only"})");
  BOOST_TEST(once.zones[0].touches == 1); // one touch is allowed, the zone stays until broken
}

BOOST_AUTO_TEST_CASE(a_crash_ends_many_zones_at_once_and_none_trades_again) {
  // An uptrend in 4-bar steps of 1.0: each step's second bar is a swing low,
  // so a demand zone [b - 0.2, b + 0.2] per step, never revisited. Then a
  // crash closes below every zone, the market climbs back through all of
  // them, then falls through them again. Prices in tenths.
  bar_series bars("TEST", timeframe::h1);
  unix_time t = 1'704'153'600;
  auto add = [&](std::int64_t o, std::int64_t h, std::int64_t l, std::int64_t c) {
    const auto tenths = [](std::int64_t v) { return fixed::from_units(v * 10'000'000); };
    bars.push_back(bar{t, tenths(o), tenths(h), tenths(l), tenths(c), fixed::from_int(100)});
    t += 3600;
  };
  for (std::int64_t k = 0; k < 40; ++k) {
    const std::int64_t b = 1000 + 10 * k;
    add(b, b + 4, b + 1, b + 3);
    add(b + 3, b + 5, b - 2, b + 2); // the swing low
    add(b + 2, b + 6, b + 1, b + 5);
    add(b + 5, b + 8, b + 3, b + 7);
  }
  const unix_time crash = t;
  BOOST_REQUIRE(floor_div(crash, 3600) % 24 == 16);
  add(1397, 1398, 900, 901);
  for (std::int64_t p = 901; p < 1450; p += 12)
    add(p, p + 14, p - 1, p + 12);
  for (std::int64_t p = 1450; p > 1000; p -= 30)
    add(p, p + 2, p - 31, p - 30);
  // Entries may not fill from 12:00 to 18:00 UTC, the crash bar's hour
  // (16:00): the working limits outlive it, and only their cancellation
  // keeps them from filling when the market comes back. The entry 0.5
  // above a zone's top (b + 0.7) waits for a close beyond it, so the last
  // zone is still waiting, without an order, when the crash comes.
  auto r = run(bars, R"({"swing_strength": 1, "sessions": ["asia", "europe", "ny_am"],
                         "entry_offset_ticks": 5})");

  std::size_t ended_by_crash = 0;
  for (const auto& z : r.zones)
    if (z.ended_at && *z.ended_at == crash) {
      ++ended_by_crash;
      BOOST_TEST((z.status == zone_status::broken));
    }
  BOOST_TEST(ended_by_crash >= 30u); // one bar retires them all
  // No zone trades after it ended: its working order was cancelled then.
  for (const auto& tr : r.out.trades) {
    if (!tr.zone)
      continue;
    const zone_record& z = r.zones.at(static_cast<std::size_t>(tr.zone->id - 1));
    BOOST_TEST(z.id == tr.zone->id);
    if (z.ended_at)
      BOOST_TEST(tr.entry_time <= *z.ended_at);
  }
}

BOOST_AUTO_TEST_SUITE_END()
