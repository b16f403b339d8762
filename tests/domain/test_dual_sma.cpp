#include "domain/strategies/dual_sma.hpp"

#include "bars.hpp"
#include "domain/engine/backtest_engine.hpp"
#include "scripted_strategy.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace bt;
using bt::test::flat_closes;

namespace {
engine_output run(const bar_series& bars, const char* params_json) {
  param_set params;
  boost::json::value given = boost::json::parse(params_json);
  auto errors = resolve_params(dual_sma_schema(), &given, params);
  BOOST_REQUIRE(errors.empty());
  dual_sma s(params);
  auto exec = test::gc_execution();
  exec.slippage_ticks = fixed{};
  exec.commission_per_contract = fixed{};
  return run_engine(bars, s, exec);
}
} // namespace

BOOST_AUTO_TEST_SUITE(dual_sma)

BOOST_AUTO_TEST_CASE(crossings_ties_and_a_zero_seed) {
  // fast 2, slow 3. d: i2 0 (seed m=0), i3 +1 (m was 0: no signal), i4 tie (no
  // signal, m stays +1), i5 -1 (down-cross), i6 tie, i7 +1 (up-cross).
  auto bars = flat_closes({"10", "10", "10", "11", "9", "9", "9", "12", "12"});
  auto out = run(bars, R"({"fast_period": 2, "slow_period": 3})");
  BOOST_REQUIRE(out.trades.size() == 2u);
  const trade& shrt = out.trades[0];
  BOOST_TEST((shrt.side == side::short_side));
  BOOST_TEST(shrt.entry_time == bars.times()[6]); // signal on 5 fills at 6's open
  BOOST_TEST(to_string(shrt.entry_price) == "9.00000000");
  BOOST_TEST(shrt.exit_time == bars.times()[8]); // signal on 7 fills at 8's open
  BOOST_TEST((shrt.exit_reason == exit_reason::signal));
  BOOST_TEST(to_string(shrt.pnl) == "-300.00000000");
  const trade& lng = out.trades[1];
  BOOST_TEST((lng.side == side::long_side));
  BOOST_TEST(lng.entry_time == bars.times()[8]);
  BOOST_TEST((lng.exit_reason == exit_reason::end_of_data));
}

BOOST_AUTO_TEST_CASE(first_possible_signal_is_bar_slow_period) {
  // i2: fast 10.5 < slow 11 (seed -1); i3: fast 11.5 > slow 11.33: up-cross.
  auto bars = flat_closes({"12", "11", "10", "13", "14"});
  auto out = run(bars, R"({"fast_period": 2, "slow_period": 3})");
  BOOST_REQUIRE(out.trades.size() == 1u);
  BOOST_TEST(out.trades[0].entry_time == bars.times()[4]);
  BOOST_TEST(to_string(out.trades[0].entry_price) == "14.00000000");
}

BOOST_AUTO_TEST_CASE(no_signal_before_the_seed) {
  // A fast/slow relation flip between bars 1 and 2 is not a crossing: slow is
  // first defined on bar 2, which only seeds m.
  auto bars = flat_closes({"10", "12", "8", "8", "8"});
  auto out = run(bars, R"({"fast_period": 2, "slow_period": 3})");
  BOOST_TEST(out.trades.empty());
}

BOOST_AUTO_TEST_CASE(long_only_goes_flat_instead_of_short) {
  auto bars = flat_closes({"10", "10", "10", "11", "9", "9", "9", "12", "12", "8", "7", "7"});
  auto out =
      run(bars, R"({"fast_period": 2, "slow_period": 3, "mode": "long_only", "quantity": 3})");
  BOOST_REQUIRE(!out.trades.empty());
  for (const auto& t : out.trades) {
    BOOST_TEST((t.side == side::long_side));
    BOOST_TEST(to_string(t.quantity) == "3.00000000");
  }
  BOOST_TEST(out.trades[0].entry_time == bars.times()[8]);
  BOOST_TEST((out.trades[0].exit_reason == exit_reason::signal));
}

BOOST_AUTO_TEST_CASE(slow_must_exceed_fast) {
  param_set params;
  boost::json::value given = boost::json::parse(R"({"fast_period": 20, "slow_period": 20})");
  auto errors = resolve_params(dual_sma_schema(), &given, params);
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].field == "params.slow_period");
}

BOOST_AUTO_TEST_SUITE_END()
