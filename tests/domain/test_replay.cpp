// A program's promotion process replayed over two years of bars: the same
// decisions byte for byte when run twice, every cycle reading only bars up
// to its as-of time (a replay on bars cut at a cycle's as-of time decides
// exactly what the full one decided up to it), and survival counted from
// its own promotions.
#include "domain/evaluation/replay.hpp"

#include "domain/data/synthetic_bars.hpp"
#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

using namespace bt;

namespace {

program_spec replayed_program() {
  const auto given = boost::json::parse(R"({"name": "replayed", "symbol": "GC",
    "templates": [{"strategy": "dual_sma", "params": {},
      "space": {"fast_period": {"from": 4, "to": 24, "step": 4},
                "slow_period": {"from": 30, "to": 120, "step": 10}}}],
    "generator": {"method": "grid"}, "windows": {"train": 400, "test": 200},
    "lookback_days": 60, "schedule": {"every": "4w"},
    "gate": {"top_pct": 50, "days": 30, "max_allocation_pct": 20},
    "deployment": {"max_active": 5}})");
  program_spec spec;
  const auto errors = parse_program_spec(given, spec);
  BOOST_REQUIRE_MESSAGE(errors.empty(), (errors.empty() ? std::string() : errors[0].message));
  return spec;
}

const bar_series& two_years() {
  static const bar_series bars = generate_bars(synthetic_spec{});
  return bars;
}

} // namespace

BOOST_AUTO_TEST_SUITE(replay)

BOOST_AUTO_TEST_CASE(a_schedule_gives_one_as_of_time_per_point) {
  const auto spec = replayed_program();
  const auto& bars = two_years();
  const unix_time from = bars.times()[0] + 90 * seconds_per_day;
  const auto points = replay_points(spec, bars, from, from + 20 * 7 * seconds_per_day);
  BOOST_REQUIRE(points.size() == 6u); // weeks 0, 4, 8, 12, 16, 20
  for (std::size_t i = 0; i < points.size(); ++i) {
    const unix_time point = from + static_cast<unix_time>(i) * 28 * seconds_per_day;
    BOOST_TEST(points[i] <= point);                      // the last bar at or before it
    BOOST_TEST(point - points[i] < 4 * seconds_per_day); // a weekend at most
  }
}

BOOST_AUTO_TEST_CASE(two_replays_decide_the_same_and_no_cycle_reads_a_later_bar) {
  const auto spec = replayed_program();
  const auto& bars = two_years();
  const unix_time from = bars.times()[0] + 90 * seconds_per_day;
  const unix_time to = bars.times()[bars.size() - 1];
  const auto first = replay_program(spec, bars, from, to);
  BOOST_REQUIRE(first.cycles.size() >= 20u);
  BOOST_TEST(first.cycles[0].configurations == 60u);
  BOOST_TEST(first.promotions > 0u);
  for (const auto& c : first.cycles)
    BOOST_TEST(c.last_bar_used <= c.as_of);
  const auto second = replay_program(spec, bars, from, to);
  BOOST_TEST(second.digest == first.digest);
  BOOST_REQUIRE(second.decisions.size() == first.decisions.size());
  json_writer a, b;
  write_replay(a, first);
  write_replay(b, second);
  BOOST_TEST(a.str() == b.str());

  // Cut the bars at the as-of time of cycle 10: a replay of the range up to
  // there decides exactly what one with every bar does, and its cycles
  // rank as the whole replay's first ten did.
  const unix_time point = from + 9 * 28 * seconds_per_day; // cycle 10's schedule point
  const auto cut_bars = bars.slice(bars.times()[0], first.cycles[9].as_of);
  const auto early = replay_program(spec, cut_bars, from, point);
  const auto same_range = replay_program(spec, bars, from, point);
  BOOST_TEST(early.digest == same_range.digest);
  BOOST_REQUIRE(early.cycles.size() == 10u);
  for (std::size_t i = 0; i < early.cycles.size(); ++i)
    BOOST_TEST(early.cycles[i].best_params_json == first.cycles[i].best_params_json);
  std::size_t before_cut = 0;
  for (const auto& d : first.decisions)
    before_cut += d.cycle <= 10 && d.action != "rolled_back" && d.action != "size_halved"
                  && d.action != "drift_alert";
  std::size_t early_gate = 0;
  for (const auto& d : early.decisions)
    early_gate +=
        d.action != "rolled_back" && d.action != "size_halved" && d.action != "drift_alert";
  BOOST_TEST(early_gate == before_cut);

  // Survival is counted from the promotions themselves.
  std::size_t promoted = 0;
  for (const auto& d : first.decisions)
    promoted += d.action == "promoted";
  BOOST_TEST(promoted == first.promotions);
  BOOST_TEST(first.survived <= first.judged_promotions);
  BOOST_TEST(first.judged_promotions <= first.promotions);
  if (first.judged_promotions > 0)
    BOOST_TEST(*first.survival_rate
                   == static_cast<double>(first.survived)
                          / static_cast<double>(first.judged_promotions),
               boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_program_of_two_symbols_replays_each_on_its_own_bars) {
  auto given = boost::json::parse(R"({"name": "two", "symbols": ["GC", "SI"],
    "templates": [{"strategy": "dual_sma", "params": {},
      "space": {"fast_period": {"from": 4, "to": 24, "step": 4},
                "slow_period": {"from": 30, "to": 120, "step": 10}}}],
    "generator": {"method": "grid"}, "windows": {"train": 400, "test": 200},
    "lookback_days": 60, "schedule": {"every": "4w"},
    "gate": {"top_pct": 50, "days": 30, "max_allocation_pct": 10}})");
  program_spec spec;
  BOOST_REQUIRE(parse_program_spec(given, spec).empty());
  synthetic_spec si;
  si.symbol = "SI";
  si.seed = 7;
  si.start_price = 24;
  symbol_bars bars{{"GC", two_years()}, {"SI", generate_bars(si)}};
  const unix_time from = two_years().times()[0] + 90 * seconds_per_day;
  const unix_time to = from + 40 * 7 * seconds_per_day;
  const auto r = replay_program(spec, bars, from, to);
  BOOST_REQUIRE(!r.cycles.empty());
  BOOST_TEST(r.cycles[0].configurations == 120u);                            // 60 on each
  BOOST_TEST(replay_points(spec, bars, from, to).size() == r.cycles.size()); // what is refused on
  std::set<std::string> promoted_on;
  for (const auto& d : r.decisions)
    if (d.action == "promoted")
      promoted_on.insert(d.symbol);
  BOOST_TEST(r.promotions > 0u);
  for (const auto& s : promoted_on)
    BOOST_TEST((s == "GC" || s == "SI"));
  BOOST_TEST(replay_program(spec, bars, from, to).digest == r.digest);
  // Each symbol cut at cycle 6's as-of time: the same first six cycles.
  const unix_time cut = r.cycles[5].as_of;
  symbol_bars early{{"GC", bars["GC"].slice(0, cut)}, {"SI", bars["SI"].slice(0, cut)}};
  const auto e = replay_program(spec, early, from, from + 5 * 28 * seconds_per_day);
  BOOST_REQUIRE(e.cycles.size() == 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    BOOST_TEST(e.cycles[i].best_params_json == r.cycles[i].best_params_json);
    BOOST_TEST(e.cycles[i].best_symbol == r.cycles[i].best_symbol);
  }
}

BOOST_AUTO_TEST_SUITE_END()
