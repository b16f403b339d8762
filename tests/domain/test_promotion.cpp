// The promotion gate (29 days in the top is not enough, 30 is), capital
// allocation with its cap, and admission: the 35 limit with demotion, the
// cap per strategy type, the correlation flag naming the pair.
#include "domain/evaluation/promotion.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <string>

using namespace bt;

namespace {

bool promoted(const std::vector<candidate>& c, const std::string& key) {
  return std::any_of(c.begin(), c.end(), [&](const candidate& x) { return x.key == key; });
}

constexpr unix_time day0 = 1'704'067'200; // 2024-01-01

/// Daily cycles of 20 configurations c0..c19; `leader` first on days
/// [from, to], c0 first otherwise.
std::vector<ranked_cycle> cycles(int days, const std::string& leader, int from, int to) {
  std::vector<ranked_cycle> out;
  for (int d = 0; d < days; ++d) {
    ranked_cycle c{day0 + d * seconds_per_day, {}};
    for (int i = 0; i < 20; ++i)
      c.ranked.push_back("c" + std::to_string(i));
    if (d >= from && d <= to)
      std::iter_swap(c.ranked.begin(), std::find(c.ranked.begin(), c.ranked.end(), leader));
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::pair<unix_time, double>> returns(int days, double (*f)(int)) {
  std::vector<std::pair<unix_time, double>> out;
  for (int d = 0; d < days; ++d)
    out.emplace_back(day0 + d * seconds_per_day, f(d));
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(promotion)

BOOST_AUTO_TEST_CASE(thirty_days_in_the_top_promote_and_twenty_nine_do_not) {
  // 20 configurations: the top 10 % are the first two. c1 is always second;
  // c7 leads from day 5.
  auto history = cycles(35, "c7", 5, 34); // c7 first on days 5..34: 29 days
  auto c = promotion_candidates(history);
  BOOST_TEST(!promoted(c, "c7"));
  BOOST_TEST(promoted(c, "c1"));     // 34 days second
  history = cycles(36, "c7", 5, 35); // ... to day 35: 30 days
  c = promotion_candidates(history);
  BOOST_TEST(promoted(c, "c7"));
  for (const auto& x : c)
    if (x.key == "c7")
      BOOST_TEST(x.since == day0 + 5 * seconds_per_day); // its streak's first cycle
  // A day out of the top restarts the streak.
  history = cycles(50, "c7", 5, 49);
  history[20].ranked = cycles(1, "c0", 0, 0)[0].ranked;
  history[20].as_of = day0 + 20 * seconds_per_day;
  c = promotion_candidates(history); // c7 back on day 21: 28 days to day 49
  BOOST_TEST(!promoted(c, "c7"));
}

BOOST_AUTO_TEST_CASE(capital_follows_the_scores_under_a_cap) {
  const fixed capital = fixed::from_int(1'000'000);
  // Two scores: 3 to 1 would be 750k and 250k; capped at 40 %: 400k each
  // (what the cap takes from the first cannot go to the second: also capped).
  auto a = allocate_capital(capital, {3, 1}, 0.4);
  BOOST_TEST(a[0] == fixed::from_int(400'000));
  BOOST_TEST(a[1] == fixed::from_int(400'000));
  // Uncapped: in proportion, to the cent, never more than the capital.
  a = allocate_capital(capital, {1, 1, 1}, 1.0);
  BOOST_TEST(a[0] == fixed::from_units(33'333'333'00'000'000 / 100)); // 333,333.33
  BOOST_TEST((a[0] + a[1] + a[2]) <= capital);
  // A cap moves what it takes to the others: 0.5 capped at 0.3, the rest
  // shared 0.7 by 1:1.
  a = allocate_capital(capital, {5, 2.5, 2.5}, 0.35);
  BOOST_TEST(a[0] == fixed::from_int(350'000));
  BOOST_TEST(a[1] == fixed::from_int(325'000));
  a = allocate_capital(capital, {0, -1}, 0.5); // no positive score: nothing
  BOOST_TEST(a[0] == fixed{});
}

BOOST_AUTO_TEST_CASE(the_thirty_sixth_demotes_the_lowest_and_a_type_holds_ten_slots) {
  std::vector<deployment_facts> active;
  for (int i = 0; i < 35; ++i)
    active.push_back(
        {"d" + std::to_string(i), i < 10 ? "dual_sma" : "zones_" + std::to_string(i), 1.0 + i, {}});
  deployment_facts candidate{"new", "supply_demand_zones", 20.5, {}};
  auto a = admit(active, candidate);
  BOOST_TEST((a.outcome == admission_outcome::deploy));
  BOOST_TEST(a.demote.value_or("") == "d0"); // the lowest score
  candidate.score = 0.5;                     // below every active one
  BOOST_TEST((admit(active, candidate).outcome == admission_outcome::full));
  // dual_sma holds 10 of the 35 slots (30 %): an eleventh is capped ...
  candidate = {"sma11", "dual_sma", 50, {}};
  active[0].strategy = "other"; // (d0, the lowest, is not dual_sma now)
  active.push_back({"d35", "dual_sma", 2, {}});
  active.erase(active.begin() + 20); // 35 active, 10 of them dual_sma (d1..d9, d35)
  a = admit(active, candidate);
  BOOST_TEST((a.outcome == admission_outcome::type_capped));
  BOOST_TEST(!a.demote);
  // ... unless the one demoted is a dual_sma.
  active[0].strategy = "dual_sma";
  active.back().strategy = "other";
  BOOST_TEST((admit(active, candidate).outcome == admission_outcome::deploy));
}

BOOST_AUTO_TEST_CASE(a_candidate_that_moves_with_an_active_one_is_flagged_with_the_pair) {
  auto wave = [](int d) { return std::sin(d * 0.7) * 0.01; };
  auto other = [](int d) { return std::cos(d * 1.9) * 0.01; };
  auto near = [](int d) { return std::sin(d * 0.7) * 0.012 + std::cos(d * 5.0) * 0.001; };
  std::vector<deployment_facts> active{{"a", "dual_sma", 1, returns(90, other)},
                                       {"b", "dual_sma", 1, returns(90, wave)}};
  auto a = admit(active, {"c", "supply_demand_zones", 2, returns(90, near)});
  BOOST_TEST((a.outcome == admission_outcome::redundant));
  BOOST_TEST(a.correlated_with.value_or("") == "b");
  BOOST_TEST(*a.correlation > 0.8);
  // Uncorrelated: deployed.
  a = admit({active[0]}, {"c", "supply_demand_zones", 2, returns(90, near)});
  BOOST_TEST((a.outcome == admission_outcome::deploy));
  // Too few days in common: not judged.
  BOOST_TEST(!return_correlation(returns(10, wave), returns(10, near), 60, 20));
}

BOOST_AUTO_TEST_CASE(a_promotion_round_admits_in_rank_order_within_the_capital) {
  admission_settings s;
  s.max_active = 3;
  s.max_type_share = 1;
  auto money = [](std::int64_t v) { return fixed::from_int(v); };
  // Two active deployments hold 60,000 of a 100,000 capital.
  std::vector<round_active> active{{"d1", "k1", "dual_sma", 0.5, money(30'000), {}},
                                   {"d2", "k2", "dual_sma", 0.4, money(30'000), {}}};
  std::vector<round_ended> ended{{"k4", 1'000}};
  std::vector<round_candidate> candidates{
      {"n1", "k1", "dual_sma", 0.9, money(10'000), 500, {}},   // running already
      {"n3", "k3", "dual_sma", 0.8, money(25'000), 500, {}},   // joins: the 3rd slot
      {"n4", "k4", "dual_sma", 0.7, money(10'000), 900, {}},   // ended during its streak
      {"n5", "k5", "dual_sma", 0.6, money(20'000), 2'000, {}}, // full: demotes d2 (0.4)
      {"n6", "k6", "dual_sma", 0.3, money(5'000), 2'000, {}}}; // full: scores below all
  const auto steps = promotion_round(active, ended, candidates, money(100'000), s);
  BOOST_REQUIRE(steps.size() == 5u);
  BOOST_TEST((steps[0].outcome == round_outcome::already_deployed));
  BOOST_TEST((steps[1].outcome == round_outcome::deployed));
  BOOST_TEST(steps[1].granted == money(25'000)); // 40,000 in reserve
  BOOST_TEST((steps[2].outcome == round_outcome::ended));
  BOOST_TEST((steps[3].outcome == round_outcome::deployed));
  BOOST_TEST(steps[3].admission.demote.value_or("") == "d2");
  // 15,000 in reserve and d2's 30,000 back: the whole 20,000 allocation.
  BOOST_TEST(steps[3].granted == money(20'000));
  BOOST_TEST((steps[4].outcome == round_outcome::refused));
  BOOST_TEST((steps[4].admission.outcome == admission_outcome::full));
  // A reserve that is spent gives nothing: no capital, and nobody demoted.
  std::vector<round_active> rich{{"d1", "k1", "dual_sma", 0.5, money(100'000), {}}};
  const auto none = promotion_round(rich, {}, {{"n9", "k9", "dual_sma", 0.9, money(10'000), 0, {}}},
                                    money(100'000), s);
  BOOST_TEST((none[0].outcome == round_outcome::no_capital));
  BOOST_TEST(!none[0].admission.demote);
}

BOOST_AUTO_TEST_SUITE_END()
