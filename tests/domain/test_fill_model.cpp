#include "domain/engine/fill_model.hpp"

#include "bars.hpp"

#include <boost/test/unit_test.hpp>

using namespace bt;
using bt::test::px;

namespace {
// open 100, high 105, low 95, close 102
const bar_prices b{px("100"), px("105"), px("95"), px("102")};
const fixed slip = px("0.1");
const fixed none{};

std::string price(const entry_fill& f) {
  return to_string(f.price);
}
std::string price(const exit_fill& f) {
  return to_string(f.price);
}
} // namespace

BOOST_AUTO_TEST_SUITE(fill_model)

BOOST_AUTO_TEST_CASE(market_orders_fill_at_the_open_with_adverse_slippage) {
  BOOST_TEST(price(fill_market(side::long_side, b, slip)) == "100.10000000");
  BOOST_TEST(price(fill_market(side::short_side, b, slip)) == "99.90000000");
}

BOOST_AUTO_TEST_CASE(limit_touch_versus_penetration) {
  auto touch = fill_limit(side::long_side, px("95"), none, b);
  BOOST_TEST(touch.filled);
  BOOST_TEST(price(touch) == "95.00000000");
  BOOST_TEST((touch.type == fill_type::limit));
  BOOST_TEST(!fill_limit(side::long_side, px("95"), px("0.1"), b).filled);
  auto deep = fill_limit(side::long_side, px("96"), px("1"), b);
  BOOST_TEST(deep.filled);
  BOOST_TEST(price(deep) == "96.00000000");
  BOOST_TEST(!fill_limit(side::long_side, px("96"), px("1.1"), b).filled);
  BOOST_TEST(price(fill_limit(side::short_side, px("105"), none, b)) == "105.00000000");
  BOOST_TEST(!fill_limit(side::short_side, px("105"), px("0.1"), b).filled);
  BOOST_TEST(!fill_limit(side::long_side, px("94.9"), none, b).filled);
}

BOOST_AUTO_TEST_CASE(gap_through_limit_fills_at_the_open) {
  auto buy = fill_limit(side::long_side, px("101"), px("5"), b);
  BOOST_TEST(buy.filled);
  BOOST_TEST(price(buy) == "100.00000000");
  BOOST_TEST((buy.type == fill_type::limit_gap));
  auto sell = fill_limit(side::short_side, px("99"), none, b);
  BOOST_TEST(price(sell) == "100.00000000");
  BOOST_TEST((sell.type == fill_type::limit_gap));
}

BOOST_AUTO_TEST_CASE(stop_orders_and_gaps_through_stops) {
  auto buy = fill_stop(side::long_side, px("103"), slip, b);
  BOOST_TEST(price(buy) == "103.10000000");
  BOOST_TEST((buy.type == fill_type::stop));
  auto gapped = fill_stop(side::long_side, px("99"), slip, b);
  BOOST_TEST(price(gapped) == "100.10000000");
  BOOST_TEST((gapped.type == fill_type::stop_gap));
  BOOST_TEST(price(fill_stop(side::short_side, px("96"), slip, b)) == "95.90000000");
  BOOST_TEST(price(fill_stop(side::short_side, px("101"), slip, b)) == "99.90000000");
  BOOST_TEST(!fill_stop(side::long_side, px("105.1"), slip, b).filled);
}

BOOST_AUTO_TEST_CASE(stop_wins_when_one_bar_reaches_stop_and_target) {
  auto x =
      check_bracket(side::long_side, px("96"), px("104"), slip, none, b, bracket_phase::whole_bar);
  BOOST_TEST(x.filled);
  BOOST_TEST((x.reason == exit_reason::stop_loss));
  BOOST_TEST(price(x) == "95.90000000");
  auto s =
      check_bracket(side::short_side, px("104"), px("96"), slip, none, b, bracket_phase::whole_bar);
  BOOST_TEST((s.reason == exit_reason::stop_loss));
  BOOST_TEST(price(s) == "104.10000000");
}

BOOST_AUTO_TEST_CASE(brackets_gapped_at_the_open) {
  auto stop =
      check_bracket(side::long_side, px("101"), px("110"), slip, none, b, bracket_phase::whole_bar);
  BOOST_TEST((stop.reason == exit_reason::stop_loss));
  BOOST_TEST(price(stop) == "99.90000000");
  auto target =
      check_bracket(side::long_side, px("90"), px("99"), slip, none, b, bracket_phase::whole_bar);
  BOOST_TEST((target.reason == exit_reason::take_profit));
  BOOST_TEST(price(target) == "100.00000000");
  auto only_target =
      check_bracket(side::long_side, px("90"), px("104"), slip, none, b, bracket_phase::whole_bar);
  BOOST_TEST(price(only_target) == "104.00000000");
  BOOST_TEST(!check_bracket(side::long_side, px("90"), px("104.95"), slip, px("0.1"), b,
                            bracket_phase::whole_bar)
                  .filled);
  BOOST_TEST(!check_bracket(side::long_side, std::nullopt, std::nullopt, slip, none, b,
                            bracket_phase::whole_bar)
                  .filled);
}

BOOST_AUTO_TEST_CASE(entry_bar_rules) {
  // Filled inside the bar: the stop can fill, the target cannot.
  auto stopped = check_bracket(side::long_side, px("96"), px("104"), slip, none, b,
                               bracket_phase::after_intrabar_fill);
  BOOST_TEST((stopped.reason == exit_reason::stop_loss));
  BOOST_TEST(!check_bracket(side::long_side, px("94"), px("104"), slip, none, b,
                            bracket_phase::after_intrabar_fill)
                  .filled);
  // Filled at the open: the whole bar follows the entry.
  auto target =
      check_bracket(side::long_side, px("94"), px("104"), slip, none, b, bracket_phase::from_open);
  BOOST_TEST((target.reason == exit_reason::take_profit));
  BOOST_TEST(price(target) == "104.00000000");
}

BOOST_AUTO_TEST_SUITE_END()
