#include "domain/engine/backtest_engine.hpp"

#include "bars.hpp"
#include "scripted_strategy.hpp"

#include "domain/data/synthetic_bars.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/engine/fill_model.hpp"
#include "domain/research/random_stream.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <random>
#include <stdexcept>

using namespace bt;
using bt::test::hourly;
using bt::test::px;
using bt::test::scripted_strategy;

namespace {
/// Market targets drawn from (seed, bar) alone, so that a run decides the
/// same whatever order the engine asks in: long and short, whole and
/// fractional, growing (a second trade), shrinking (a partial close), flat,
/// set twice on one bar, and skipped signals.
class random_targets final : public strategy {
public:
  random_targets(std::uint64_t seed, bool bars_only) : seed_(seed), bars_only_(bars_only) {}
  bool decides_from_bars_only() const override { return bars_only_; }
  void on_bar(const market_view& m, broker& b) override {
    const std::uint64_t r = random_stream::of(seed_, m.current()).next();
    if (r % 100 < 12) {
      const std::int64_t units = static_cast<std::int64_t>(r >> 8 & 7) - 3; // -3..4
      b.target_position(fixed::from_units(units * (r >> 12 & 1 ? 50'000'000 : 100'000'000)));
      if (r >> 13 & 1)
        b.target_position(fixed::from_units(units * 100'000'000)); // the last one counts
    } else if (r % 100 == 12) {
      b.skip_signal();
    }
    (void)m.close(m.current());
  }

private:
  std::uint64_t seed_;
  bool bars_only_;
};

/// Reports every interval() bars and cancels once `stop_at` bars are done.
class cancel_at final : public run_observer {
public:
  cancel_at(std::size_t interval, std::size_t stop_at) : interval_(interval), stop_at_(stop_at) {}
  bool on_progress(const run_progress& p) override {
    seen.push_back(p);
    return p.bars_done < stop_at_;
  }
  std::size_t interval() const override { return interval_; }
  std::vector<run_progress> seen;

private:
  std::size_t interval_, stop_at_;
};

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

/// Every field of both outputs, doubles to the bit.
void require_same_run(const engine_output& a, const engine_output& b, const std::string& what) {
  BOOST_TEST_INFO(what);
  BOOST_REQUIRE(a.trades.size() == b.trades.size());
  BOOST_REQUIRE(a.equity.size() == b.equity.size());
  BOOST_TEST(a.skipped_signals == b.skipped_signals);
  BOOST_TEST(a.bars_in_market == b.bars_in_market);
  BOOST_TEST(a.cancelled == b.cancelled);
  for (std::size_t i = 0; i < a.trades.size(); ++i) {
    const trade &x = a.trades[i], &y = b.trades[i];
    const bool same = x.trade_id == y.trade_id && x.side == y.side && x.entry_time == y.entry_time
                      && x.exit_time == y.exit_time && x.entry_bar == y.entry_bar
                      && x.exit_bar == y.exit_bar && x.entry_price == y.entry_price
                      && x.exit_price == y.exit_price && x.quantity == y.quantity && x.pnl == y.pnl
                      && same_bits(x.pnl_pct, y.pnl_pct) && x.stop_price == y.stop_price
                      && x.target_price == y.target_price && x.initial_risk == y.initial_risk
                      && x.mae == y.mae && x.mfe == y.mfe && x.holding_bars == y.holding_bars
                      && x.fill_type == y.fill_type && x.exit_reason == y.exit_reason
                      && x.commission == y.commission;
    BOOST_TEST(same, "trade " << i + 1);
  }
  for (std::size_t i = 0; i < a.equity.size(); ++i) {
    const equity_point &x = a.equity[i], &y = b.equity[i];
    BOOST_TEST(
        (x.time == y.time && x.equity == y.equity && same_bits(x.drawdown_pct, y.drawdown_pct)),
        "equity point " << i);
  }
}

auto three_bars() {
  return hourly({{"100", "101", "99", "100"},
                 {"100.5", "102", "100", "101"},
                 {"101", "103", "100.5", "102.5"}});
}
} // namespace

BOOST_AUTO_TEST_SUITE(backtest_engine)

BOOST_AUTO_TEST_CASE(no_orders_gives_a_flat_curve_with_one_point_per_bar) {
  auto bars = three_bars();
  scripted_strategy s;
  auto out = run_engine(bars, s, test::gc_execution());
  BOOST_TEST(out.trades.empty());
  BOOST_REQUIRE(out.equity.size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(out.equity[i].time == bars.times()[i]);
    BOOST_TEST(to_string(out.equity[i].equity) == "50000.00000000");
    BOOST_TEST(out.equity[i].drawdown_pct == 0.0);
  }
  BOOST_TEST(out.bars_in_market == 0);
}

BOOST_AUTO_TEST_CASE(market_entry_fills_next_open_and_closes_at_end_of_data) {
  auto bars = three_bars();
  scripted_strategy s;
  s.at(0, [](const market_view&, broker& b) { b.target_position(fixed::from_int(2)); });
  auto out = run_engine(bars, s, test::gc_execution());
  BOOST_REQUIRE(out.trades.size() == 1u);
  const trade& t = out.trades[0];
  BOOST_TEST(t.entry_time == bars.times()[1]);
  BOOST_TEST(to_string(t.entry_price) == "100.60000000"); // open 100.5 + 1 tick
  BOOST_TEST(t.exit_time == bars.times()[2]);
  BOOST_TEST(to_string(t.exit_price) == "102.50000000");
  BOOST_TEST((t.exit_reason == exit_reason::end_of_data));
  BOOST_TEST((t.fill_type == fill_type::market));
  BOOST_TEST(to_string(t.commission) == "10.00000000");
  BOOST_TEST(to_string(t.pnl) == "370.00000000"); // (102.5-100.6)*2*100 - 10
  BOOST_TEST(to_string(t.mae) == "0.60000000");   // low 100 on the entry bar
  BOOST_TEST(to_string(t.mfe) == "2.40000000");   // high 103 on the last bar
  BOOST_TEST(t.holding_bars == 1);
  BOOST_TEST(!t.r_multiple);
  BOOST_TEST(!t.initial_risk);
  BOOST_TEST(to_string(out.equity[1].equity) == "50075.00000000"); // 49995 + (101-100.6)*200
  BOOST_TEST(to_string(out.equity[2].equity) == "50370.00000000");
  BOOST_TEST(out.bars_in_market == 2);
}

BOOST_AUTO_TEST_CASE(marking_to_market_is_exact_for_whole_and_fractional_sizes) {
  // Equity on a bar with a trade open is cash plus the open profit, the
  // triple product rounded once: whole sizes take the engine's per-trade
  // factor, fractional ones (and a partial close, which changes the size)
  // the general product. Both must agree with mul itself to the last unit.
  auto bars = hourly({{"100", "101", "99", "100"},
                      {"100.5", "102", "100", "101.33333333"},
                      {"101", "103", "100.5", "102.77777777"},
                      {"102", "103", "101", "101.11111111"},
                      {"101", "102", "100", "100.99999999"}});
  for (const char* multiplier : {"100", "0.5", "0.00000003"})
    for (const char* quantity : {"3", "2.5"}) {
      scripted_strategy s;
      s.at(0, [&](const market_view&, broker& b) { b.target_position(px(quantity)); });
      s.at(2, [](const market_view&, broker& b) { b.target_position(px("1")); }); // FIFO shrink
      execution_settings exec = test::gc_execution();
      exec.multiplier = px(multiplier);
      const auto out = run_engine(bars, s, exec);
      BOOST_REQUIRE(out.trades.size() == 2u); // the shrink, then the rest at the end
      const trade& first = out.trades[0];
      const fixed entry = first.entry_price;
      const fixed commission = mul(exec.commission_per_contract, px(quantity));
      auto expect = [&](std::size_t bar, fixed cash, fixed open_quantity) {
        const fixed open_profit = mul(bars.closes()[bar] - entry, open_quantity, exec.multiplier);
        BOOST_TEST(out.equity[bar].equity == cash + open_profit,
                   "bar " << bar << " multiplier " << multiplier << " quantity " << quantity);
      };
      expect(1, exec.initial_capital - commission, px(quantity));
      expect(2, exec.initial_capital - commission, px(quantity));
      // After the shrink at bar 3's open: the closed part's gross is cash.
      const fixed shrunk = px(quantity) - px("1");
      const fixed realised = mul(first.exit_price - entry, shrunk, exec.multiplier);
      const fixed cash3 =
          exec.initial_capital - commission + realised - mul(exec.commission_per_contract, shrunk);
      expect(3, cash3, px("1"));
    }
}

BOOST_AUTO_TEST_CASE(warm_up_bars_fill_nothing_but_the_last_ones_target_fills_at_the_first_bar) {
  // Five bars, entries from bar 3 on. A target set on bar 0 is dropped (it
  // would fill on bar 1); a limit placed on bar 1 that bar 2 trades through
  // waits and fills on bar 3; the target set on bar 2 fills at bar 3's open.
  auto bars = hourly({{"100", "101", "99", "100"},
                      {"100", "101", "99", "100"},
                      {"100", "101", "90", "95"},
                      {"96", "97", "94", "96"},
                      {"96", "98", "95", "97"}});
  scripted_strategy s;
  s.at(0, [](const market_view&, broker& b) { b.target_position(fixed::from_int(1)); });
  s.at(1, [](const market_view&, broker& b) {
    entry_order o;
    o.side = side::long_side;
    o.kind = order_kind::limit;
    o.price = px("96.5");
    o.quantity = fixed::from_int(1);
    b.submit(o);
  });
  s.at(2, [](const market_view&, broker& b) { b.target_position(fixed::from_int(2)); });
  auto out = run_engine(bars, s, test::gc_execution(), nullptr, 3);
  BOOST_TEST(s.seen() == 5u); // the strategy saw every bar
  BOOST_REQUIRE(out.equity.size() == 5u);
  for (std::size_t i = 0; i < 3; ++i)
    BOOST_TEST(to_string(out.equity[i].equity) == "50000.00000000");
  BOOST_REQUIRE(out.trades.size() == 2u); // the target's 2 contracts, the limit's 1
  for (const auto& t : out.trades) {
    BOOST_TEST(t.entry_bar == 3);
    BOOST_TEST((t.exit_reason == exit_reason::end_of_data));
  }
  // Without the warm-up the bar-0 target fills at bar 1 and the limit at bar 2.
  scripted_strategy again = s;
  auto whole = run_engine(bars, again, test::gc_execution());
  BOOST_TEST(whole.trades.front().entry_bar == 1);
}

BOOST_AUTO_TEST_CASE(limit_entry_stopped_out_on_its_entry_bar) {
  auto bars = hourly(
      {{"100", "101", "99.5", "100"}, {"100", "100.5", "96", "97"}, {"97", "98", "96", "97"}});
  scripted_strategy s;
  s.at(0, [](const market_view&, broker& b) {
    entry_order o;
    o.side = side::long_side;
    o.price = px("99");
    o.quantity = fixed::from_int(1);
    o.stop_distance = px("2");
    o.target_distance = px("4");
    b.submit(o);
  });
  auto out = run_engine(bars, s, test::gc_execution());
  BOOST_REQUIRE(out.trades.size() == 1u);
  const trade& t = out.trades[0];
  BOOST_TEST(to_string(t.entry_price) == "99.00000000");
  BOOST_TEST((t.fill_type == fill_type::limit));
  BOOST_TEST(to_string(*t.stop_price) == "97.00000000");
  BOOST_TEST(to_string(*t.target_price) == "103.00000000");
  BOOST_TEST((t.exit_reason == exit_reason::stop_loss));
  BOOST_TEST(to_string(t.exit_price) == "96.90000000");
  BOOST_TEST(t.exit_time == bars.times()[1]);
  BOOST_TEST(t.holding_bars == 0);
  BOOST_TEST(to_string(t.pnl) == "-215.00000000");
  BOOST_TEST(to_string(*t.initial_risk) == "200.00000000");
  BOOST_TEST(*t.r_multiple == -1.075);
  BOOST_TEST(to_string(t.mae) == "2.10000000");
  BOOST_TEST(to_string(t.mfe) == "0.00000000");
}

BOOST_AUTO_TEST_CASE(a_signal_on_the_last_bar_never_fills) {
  auto bars = three_bars();
  scripted_strategy s;
  s.at(2, [](const market_view&, broker& b) { b.target_position(fixed::from_int(1)); });
  auto out = run_engine(bars, s, test::gc_execution());
  BOOST_TEST(out.trades.empty());
  BOOST_TEST(to_string(out.equity.back().equity) == "50000.00000000");
}

BOOST_AUTO_TEST_CASE(reversal_closes_and_opens_at_the_same_price_and_time) {
  auto bars = hourly({{"100", "101", "99", "100"},
                      {"100", "101", "99", "100"},
                      {"102", "103", "101", "102"},
                      {"101", "102", "100", "101"}});
  scripted_strategy s;
  s.at(0, [](const market_view&, broker& b) { b.target_position(fixed::from_int(1)); });
  s.at(1, [](const market_view&, broker& b) { b.target_position(fixed::from_int(-1)); });
  auto out = run_engine(bars, s, test::gc_execution());
  BOOST_REQUIRE(out.trades.size() == 2u);
  BOOST_TEST((out.trades[0].exit_reason == exit_reason::signal));
  BOOST_TEST(to_string(out.trades[0].exit_price) == "101.90000000"); // sell at open 102 - tick
  BOOST_TEST((out.trades[1].side == side::short_side));
  BOOST_TEST(to_string(out.trades[1].entry_price) == "101.90000000");
  BOOST_TEST(out.trades[1].entry_time == out.trades[0].exit_time);
  fixed sum;
  for (const auto& t : out.trades)
    sum += t.pnl;
  BOOST_TEST(out.equity.back().equity == fixed::from_int(50'000) + sum);
}

BOOST_AUTO_TEST_CASE(expiry_sessions_and_open_trade_cap) {
  auto bars = hourly({{"100", "101", "99", "100"},
                      {"100", "101", "99", "100"},
                      {"100", "101", "95", "100"},
                      {"100", "101", "95", "100"}});
  scripted_strategy s;
  order_id expiring = -1, off_hours = -1, capped = -1, first = -1;
  s.at(0, [&](const market_view&, broker& b) {
    entry_order o;
    o.price = px("96");
    o.quantity = fixed::from_int(1);
    o.good_till_bar = 1; // bars 1 only: never reaches 96 there
    expiring = b.submit(o);
    o.good_till_bar = -1;
    o.fill_hours = 1u << 5; // bars open at 00:00..03:00 UTC: never
    off_hours = b.submit(o);
    o.fill_hours = all_hours;
    o.max_open_trades = 1;
    first = b.submit(o);
    capped = b.submit(o);
  });
  auto out = run_engine(bars, s, test::gc_execution());
  BOOST_TEST(out.trades.size() == 1u);
  BOOST_TEST(out.trades[0].entry_time == bars.times()[2]);
  (void)expiring;
  (void)off_hours;
  (void)capped;
  (void)first;
}

BOOST_AUTO_TEST_CASE(order_status_follows_the_order) {
  auto bars = hourly({{"100", "101", "99", "100"},
                      {"100", "101", "95", "100"},
                      {"100", "101", "99", "100"},
                      {"100", "101", "99", "100"}});
  scripted_strategy s;
  order_id filled = -1, expired = -1, cancelled = -1;
  std::vector<order_status> seen;
  s.at(0, [&](const market_view&, broker& b) {
    entry_order o;
    o.price = px("96");
    o.quantity = fixed::from_int(1);
    o.target_distance = px("4"); // 100: reached on bar 2
    filled = b.submit(o);
    o.price = px("90");
    o.target_distance.reset();
    o.good_till_bar = 1;
    expired = b.submit(o);
    o.good_till_bar = -1;
    cancelled = b.submit(o);
    b.cancel(cancelled);
  });
  s.at(1, [&](const market_view&, broker& b) { seen.push_back(b.status(filled)); });
  s.at(3, [&](const market_view&, broker& b) {
    seen.push_back(b.status(filled));
    seen.push_back(b.status(expired));
    seen.push_back(b.status(cancelled));
  });
  run_engine(bars, s, test::gc_execution());
  BOOST_REQUIRE(seen.size() == 4u);
  BOOST_TEST((seen[0] == order_status::open));
  BOOST_TEST((seen[1] == order_status::closed));
  BOOST_TEST((seen[2] == order_status::expired));
  BOOST_TEST((seen[3] == order_status::cancelled));
}

BOOST_AUTO_TEST_CASE(a_strategy_cannot_read_a_bar_that_has_not_closed) {
  auto bars = three_bars();
  scripted_strategy s;
  s.at(1, [](const market_view& m, broker&) { (void)m.close(m.current() + 1); });
  BOOST_CHECK_THROW(run_engine(bars, s, test::gc_execution()), lookahead_error);
}

BOOST_AUTO_TEST_CASE(observer_can_cancel) {
  struct stop_at_two final : run_observer {
    bool on_progress(const run_progress& p) override { return p.bars_done < 2; }
    std::size_t interval() const override { return 1; }
  } observer;
  auto bars = three_bars();
  scripted_strategy s;
  auto out = run_engine(bars, s, test::gc_execution(), &observer);
  BOOST_TEST(out.cancelled);
  BOOST_TEST(out.equity.size() == 2u);
}

BOOST_AUTO_TEST_CASE(progress_reports_the_marked_equity_and_the_signed_position) {
  // Short 3 at bar 1's open (decided at bar 0), flat again at bar 3's open:
  // each report is the equity point of its bar and the position held then.
  auto bars = hourly({{"100", "101", "99", "100"},
                      {"100.5", "102", "100", "101"},
                      {"101", "103", "100.5", "102.5"},
                      {"102", "102", "101", "101.5"}});
  struct recorder final : run_observer {
    std::vector<run_progress> seen;
    bool on_progress(const run_progress& p) override {
      seen.push_back(p);
      return true;
    }
    std::size_t interval() const override { return 1; }
  } observer;
  scripted_strategy s;
  s.at(0, [](const market_view&, broker& b) { b.target_position(fixed::from_int(-3)); });
  s.at(2, [](const market_view&, broker& b) { b.target_position(fixed{}); });
  auto out = run_engine(bars, s, test::gc_execution(), &observer);
  BOOST_REQUIRE(observer.seen.size() == 4u);
  const fixed positions[] = {fixed{}, fixed::from_int(-3), fixed::from_int(-3), fixed{}};
  for (std::size_t t = 0; t < 4; ++t) {
    BOOST_TEST(observer.seen[t].bars_done == t + 1);
    BOOST_TEST(observer.seen[t].bars_total == 4u);
    BOOST_TEST(observer.seen[t].equity == out.equity[t].equity);
    BOOST_TEST(observer.seen[t].position == positions[t]);
  }
  BOOST_TEST(observer.seen[2].trades == 0u);
  BOOST_TEST(observer.seen[3].trades == 1u);
}

BOOST_AUTO_TEST_CASE(entries_blocked_by_open_trades_still_expire_and_looser_ones_still_fill) {
  // The engine skips its working entries while the open trades block every
  // one and none expires. A (one open trade at most, last bar 2) is blocked
  // from bar 1 by the market trade, and must still expire on bar 3; B (two
  // at most) must still fill on bar 2, when its limit is traded through.
  auto bars = hourly({{"100", "101", "99", "100"},
                      {"100", "101", "99.5", "100.5"},
                      {"100", "100.5", "97", "98"},
                      {"98", "99", "97.5", "98.5"},
                      {"99", "100", "98", "99"}});
  order_id a = -1, b_id = -1;
  std::vector<order_status> seen;
  scripted_strategy s;
  s.at(0, [&](const market_view&, broker& b) {
    b.target_position(fixed::from_int(1));
    entry_order o;
    o.side = side::long_side;
    o.kind = order_kind::limit;
    o.quantity = fixed::from_int(1);
    o.price = px("98.5");
    o.max_open_trades = 1;
    o.good_till_bar = 2;
    a = b.submit(o);
    o.price = px("98");
    o.max_open_trades = 2;
    o.good_till_bar = -1;
    b_id = b.submit(o);
  });
  s.at(2, [&](const market_view&, broker& b) {
    seen.push_back(b.status(a));
    seen.push_back(b.status(b_id));
  });
  s.at(3, [&](const market_view&, broker& b) { seen.push_back(b.status(a)); });
  const auto out = run_engine(bars, s, test::gc_execution());
  BOOST_REQUIRE(seen.size() == 3u);
  BOOST_TEST((seen[0] == order_status::working));
  BOOST_TEST((seen[1] == order_status::open));
  BOOST_TEST((seen[2] == order_status::expired));
  BOOST_REQUIRE(out.trades.size() == 2u);
  BOOST_TEST(out.trades[1].entry_bar == 2);
  BOOST_TEST(to_string(out.trades[1].entry_price) == "98.00000000");
}

BOOST_AUTO_TEST_CASE(a_bars_only_strategy_runs_the_same_in_blocks_as_bar_by_bar) {
  // The block path (decisions first, then the fills, with the bars between
  // targets in one loop) against the bar-by-bar loop on the same decisions:
  // across block ends (4,096 bars, or the progress interval), with whole
  // sizes (the 64-bit hold) and fractional ones (the general one), several
  // trades open at once, a warm-up, and a cancellation.
  synthetic_spec spec;
  spec.bars = 9'000;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    spec.seed = seed;
    const bar_series bars = generate_bars(spec);
    for (const char* multiplier : {"100", "0.5"})
      for (std::size_t interval : {0, 1, 7, 1000, 4096})
        for (std::size_t first : {0, 150}) {
          execution_settings exec = test::gc_execution();
          exec.multiplier = px(multiplier);
          const std::size_t stop_at = interval == 7 ? 6'006 : bars.size() + 1;
          cancel_at watch_blocks(interval, stop_at), watch_bars(interval, stop_at);
          random_targets in_blocks(seed, true), bar_by_bar(seed, false);
          const auto a =
              run_engine(bars, in_blocks, exec, interval ? &watch_blocks : nullptr, first);
          const auto b =
              run_engine(bars, bar_by_bar, exec, interval ? &watch_bars : nullptr, first);
          const std::string what = "seed " + std::to_string(seed) + " multiplier " + multiplier
                                   + " interval " + std::to_string(interval) + " first "
                                   + std::to_string(first);
          BOOST_TEST(a.trades.size() > 100u, what);
          require_same_run(a, b, what);
          BOOST_TEST(a.cancelled == (interval == 7), what);
          BOOST_REQUIRE(watch_blocks.seen.size() == watch_bars.seen.size());
          for (std::size_t k = 0; k < watch_blocks.seen.size(); ++k) {
            const run_progress &x = watch_blocks.seen[k], &y = watch_bars.seen[k];
            BOOST_TEST((x.bars_done == y.bars_done && x.trades == y.trades && x.equity == y.equity
                        && x.position == y.position),
                       what << " report " << k);
          }
        }
  }
}

BOOST_AUTO_TEST_CASE(resting_entries_fill_expire_and_cancel_on_the_bars_the_fill_rules_give) {
  // The engine skips its working entries on bars that reach none of their
  // prices. Random resting entries (limits on both sides, with and without
  // penetration; stops; a few market orders; some expiring, some cancelled)
  // must each leave the working set on the bar that the fill rules and the
  // expiry rule give, order by order.
  struct placed {
    order_id id;
    entry_order order;
    std::size_t bar;
    std::int64_t cancel_at; ///< -1: never
    std::int64_t left_at = -1;
    order_status status = order_status::working;
  };
  synthetic_spec spec;
  spec.bars = 3'000;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    spec.seed = seed;
    const bar_series bars = generate_bars(spec);
    std::mt19937_64 rng(seed);
    std::vector<placed> orders;
    struct limits final : strategy {
      std::mt19937_64* rng;
      std::vector<placed>* orders;
      void on_bar(const market_view& m, broker& b) override {
        const std::size_t t = m.current();
        for (auto& p : *orders)
          if (p.left_at < 0 && b.status(p.id) != order_status::working) {
            p.left_at = static_cast<std::int64_t>(t);
            p.status = b.status(p.id);
          } else if (p.left_at < 0 && p.cancel_at == static_cast<std::int64_t>(t)) {
            b.cancel(p.id);
            p.left_at = static_cast<std::int64_t>(t);
            p.status = order_status::cancelled;
          }
        if ((*rng)() % 4 != 0)
          return;
        entry_order o;
        const auto kind = (*rng)() % 20;
        o.kind = kind < 13 ? order_kind::limit : kind < 19 ? order_kind::stop : order_kind::market;
        o.side = (*rng)() % 2 ? side::long_side : side::short_side;
        const std::int64_t ticks = static_cast<std::int64_t>((*rng)() % 120); // 0 to 12 points
        const fixed away = fixed::from_units(ticks * 10'000'000);
        // A buy limit rests below the close and a buy stop above it.
        const bool below = (o.side == side::long_side) == (o.kind == order_kind::limit);
        o.price = below ? m.close(t) - away : m.close(t) + away;
        o.penetration = fixed::from_units(static_cast<std::int64_t>((*rng)() % 3) * 20'000'000);
        o.quantity = fixed::from_int(1);
        o.good_till_bar = (*rng)() % 3 == 0 ? static_cast<std::int64_t>(t + 1 + (*rng)() % 40) : -1;
        const std::int64_t cancel =
            (*rng)() % 5 == 0 ? static_cast<std::int64_t>(t + 1 + (*rng)() % 60) : -1;
        orders->push_back({b.submit(o), o, t, cancel});
      }
    } strat;
    strat.rng = &rng;
    strat.orders = &orders;
    const execution_settings exec = test::gc_execution();
    run_engine(bars, strat, exec);
    BOOST_REQUIRE(orders.size() > 500u);
    auto fills = [&](const entry_order& o, const bar_prices& b) {
      switch (o.kind) {
      case order_kind::limit:
        return fill_limit(o.side, o.price, o.penetration, b).filled;
      case order_kind::stop:
        return fill_stop(o.side, o.price, exec.slippage(), b).filled;
      case order_kind::market:
        break;
      }
      return fill_market(o.side, b, exec.slippage()).filled;
    };
    std::size_t filled = 0, expired = 0, cancelled = 0;
    for (const auto& p : orders) {
      // The reference: the first bar after placement on which the order
      // expires, fills, or is cancelled (seen at that bar's decision).
      std::int64_t left = -1;
      order_status status = order_status::working;
      for (std::size_t t = p.bar + 1; t < bars.size() && left < 0; ++t) {
        const bar_prices b{bars.opens()[t], bars.highs()[t], bars.lows()[t], bars.closes()[t]};
        if (p.order.good_till_bar >= 0 && static_cast<std::int64_t>(t) > p.order.good_till_bar) {
          left = static_cast<std::int64_t>(t);
          status = order_status::expired;
        } else if (fills(p.order, b)) {
          left = static_cast<std::int64_t>(t);
          status = order_status::open;
        } else if (p.cancel_at == static_cast<std::int64_t>(t)) {
          left = static_cast<std::int64_t>(t);
          status = order_status::cancelled;
        }
      }
      BOOST_TEST(p.left_at == left, "order " << p.id << " placed on bar " << p.bar);
      // A fill on the last bar is closed there (end of data) before it is seen.
      BOOST_TEST((p.status == status
                  || (status == order_status::open && p.status == order_status::closed)),
                 "order " << p.id);
      filled += status == order_status::open;
      expired += status == order_status::expired;
      cancelled += status == order_status::cancelled;
    }
    BOOST_TEST(filled > 100u);
    BOOST_TEST(expired > 20u);
    BOOST_TEST(cancelled > 20u);
  }
}

BOOST_AUTO_TEST_CASE(a_strategy_that_decides_from_bars_alone_may_not_read_the_account) {
  auto bars = three_bars();
  scripted_strategy s;
  s.decide_from_bars_only();
  s.at(1, [](const market_view&, broker& b) { (void)b.equity(); });
  BOOST_CHECK_THROW(run_engine(bars, s, test::gc_execution()), std::logic_error);
  scripted_strategy orders;
  orders.decide_from_bars_only();
  orders.at(0, [](const market_view&, broker& b) { b.submit(entry_order{}); });
  BOOST_CHECK_THROW(run_engine(bars, orders, test::gc_execution()), std::logic_error);
}

BOOST_AUTO_TEST_CASE(in_blocks_a_fill_that_fails_is_reported_before_a_later_strategy_error) {
  // 10^6 contracts from bar 1: at bar 3's close the open profit, 1,900
  // points times 10^8, does not fit, and the run fails there, bar by bar,
  // before the strategy's own error on bar 5. The block path, which has
  // decided bar 5 before filling bar 3, must fail the same way.
  auto bars = test::flat_closes({"100", "100", "100", "2000", "2000", "2000", "2000"});
  for (bool bars_only : {false, true}) {
    scripted_strategy s;
    if (bars_only)
      s.decide_from_bars_only();
    s.at(0, [](const market_view&, broker& b) { b.target_position(fixed::from_int(1'000'000)); });
    s.at(5, [](const market_view&, broker&) { throw std::runtime_error("strategy failed"); });
    try {
      run_engine(bars, s, test::gc_execution());
      BOOST_FAIL("the run should fail");
    } catch (const backtest_error& e) {
      BOOST_TEST(std::string(e.what()).find("exactly at bar 4 ") != std::string::npos, e.what());
    }
  }
  // And a strategy error with nothing wrong before it is the run's error.
  scripted_strategy s;
  s.decide_from_bars_only();
  s.at(5, [](const market_view&, broker&) { throw std::runtime_error("strategy failed"); });
  BOOST_CHECK_THROW(run_engine(bars, s, test::gc_execution()), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
