// A run's stored results: trades kept as one document per run (migration
// 0009) and the equity curve as columns (0010), converted exactly from what
// older binaries stored, and gone with their run or their user.
#include "database_fixture.hpp"

#include "domain/report/result_report.hpp"
#include "persistence/equity_blob.hpp"
#include "persistence/run_results.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/pqxx>

using bt::test::database;

namespace {

const char* const run_a = "00000000-0000-0000-0000-00000000000a";
const char* const run_b = "00000000-0000-0000-0000-00000000000b";

void add_run(database& d, const char* run_id, const char* status) {
  pqxx::work t(*d.c);
  t.exec_params("INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, "
                "source_timeframe, start_time, end_time, strategy, strategy_version, config_json, "
                "params_json, execution_json, config_hash, dataset_checksum, dedupe_key, attempts) "
                "VALUES ($1::uuid, $2, $3, 1, 'GC', '1h', '1h', now(), now(), "
                "'supply_demand_zones', 1, '{}', '{}', '{}', 'h', 'c', $1, 1)",
                run_id, d.user_id, status);
  t.commit();
}

long count(database& d, const std::string& sql) {
  pqxx::work t(*d.c);
  return t.exec1(sql)[0].as<long>();
}

bt::fixed units(std::int64_t u) {
  return bt::fixed::from_units(u);
}

/// Trades with every kind of field: absent and present options, a zone,
/// negative money, fractions that need all 17 digits of a double.
bt::trade_list sample_trades() {
  bt::trade_list out;
  bt::trade a;
  a.trade_id = 1;
  a.side = bt::side::long_side;
  a.entry_time = 1'704'200'400; // 2024-01-02T13:00:00Z
  a.exit_time = 1'704'218'400;
  a.entry_price = units(204'530'000'000);
  a.exit_price = units(205'010'000'000);
  a.quantity = units(200'000'000);
  a.pnl = units(95'876'000'000);
  a.pnl_pct = 0.95876000000000001;
  a.stop_price = units(203'910'000'000);
  a.target_price = units(205'010'000'000);
  a.initial_risk = units(124'000'000'000);
  a.r_multiple = 0.77319354838709675;
  a.mae = units(12'345'678);
  a.mfe = units(48'000'000'000);
  a.holding_bars = 5;
  a.fill_type = bt::fill_type::limit;
  a.exit_reason = bt::exit_reason::take_profit;
  a.commission = units(500'000'000);
  a.zone = bt::zone_ref{17, bt::zone_type::demand, 0.6180339887498949};
  out.push_back(a);
  bt::trade b;
  b.trade_id = 2;
  b.side = bt::side::short_side;
  b.entry_time = 1'704'225'600;
  b.exit_time = 1'704'229'200;
  b.entry_price = units(205'000'000'000);
  b.exit_price = units(205'500'000'000);
  b.quantity = units(100'000'000);
  b.pnl = units(-50'250'000'000);
  b.pnl_pct = -0.50249999999999995;
  b.mae = units(50'000'000'000);
  b.mfe = units(0);
  b.holding_bars = 1;
  b.fill_type = bt::fill_type::market;
  b.exit_reason = bt::exit_reason::end_of_data;
  b.commission = units(250'000'000);
  out.push_back(b);
  return out;
}

void insert_old_rows(database& d, const char* run_id, const bt::trade_list& trades) {
  // As binaries before migration 0009 stored them: one row per trade, each
  // value in its column type.
  pqxx::work t(*d.c);
  for (const auto& x : trades) {
    auto opt_fixed = [](const std::optional<bt::fixed>& v) {
      return v ? std::optional<std::string>(bt::to_string(*v)) : std::nullopt;
    };
    std::optional<std::int64_t> zone_id;
    std::optional<std::string> zone_type;
    std::optional<double> zone_strength;
    if (x.zone) {
      zone_id = x.zone->id;
      zone_type = std::string(bt::to_string(x.zone->type));
      zone_strength = x.zone->strength;
    }
    t.exec_params(
        "INSERT INTO run_trades (run_id, trade_id, side, entry_time, exit_time, entry_price, "
        "exit_price, quantity, pnl, pnl_pct, stop_price, target_price, initial_risk, r_multiple, "
        "mae, mfe, holding_bars, fill_type, exit_reason, commission, zone_id, zone_type, "
        "zone_strength) VALUES ($1::uuid, $2, $3, to_timestamp($4), to_timestamp($5), $6, $7, $8, "
        "$9, $10::float8, $11, $12, $13, $14::float8, $15, $16, $17, $18, $19, $20, $21, $22, "
        "$23::float8)",
        run_id, x.trade_id, std::string(bt::to_string(x.side)), x.entry_time, x.exit_time,
        bt::to_string(x.entry_price), bt::to_string(x.exit_price), bt::to_string(x.quantity),
        bt::to_string(x.pnl), x.pnl_pct, opt_fixed(x.stop_price), opt_fixed(x.target_price),
        opt_fixed(x.initial_risk), x.r_multiple, bt::to_string(x.mae), bt::to_string(x.mfe),
        x.holding_bars, std::string(bt::to_string(x.fill_type)),
        std::string(bt::to_string(x.exit_reason)), bt::to_string(x.commission), zone_id, zone_type,
        zone_strength);
  }
  t.commit();
}

/// Irregular steps, negative equity, drawdowns that need all 17 digits.
bt::equity_curve sample_curve() {
  bt::equity_curve c;
  c.push_back({1'704'200'400, units(10'000'000'000'000), 0});
  c.push_back({1'704'204'000, units(9'987'654'321'012), 0.12345678901234568});
  c.push_back({1'704'463'200, units(-5), 100.00000000000005});
  c.push_back({1'704'466'800, units(10'000'000'000'001), 0});
  return c;
}

bt::db::trade_filter everything() {
  bt::db::trade_filter f;
  f.limit = -1;
  return f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_results)

BOOST_AUTO_TEST_CASE(old_trade_rows_become_the_same_trades_in_one_document) {
  database d;
  d.migrate_before("0009");
  d.add_user();
  add_run(d, run_a, "completed");
  add_run(d, run_b, "completed"); // completed without a trade
  const auto trades = sample_trades();
  insert_old_rows(d, run_a, trades);
  {
    // The server's float8 output setting must not decide the converted text.
    pqxx::work t(*d.c);
    t.exec("ALTER DATABASE backtestd SET extra_float_digits = 0");
    t.commit();
  }
  d.c = std::make_unique<pqxx::connection>(d.pg->connection_string());
  bt::db::migrate(*d.c);
  BOOST_TEST(count(d, "SELECT count(*) FROM pg_class WHERE relname = 'run_trades'") == 0);
  BOOST_TEST(count(d, "SELECT count(*) FROM run_trade_lists") == 2);
  auto [total, loaded] = bt::db::load_trades(*d.c, run_a, everything());
  BOOST_TEST(total == 2);
  BOOST_TEST(bt::trades_csv(loaded) == bt::trades_csv(trades));
  BOOST_TEST(
      count(d, std::string("SELECT trades FROM run_trade_lists WHERE run_id = '") + run_a + "'")
      == 2);
  BOOST_TEST(bt::db::load_trades(*d.c, run_b, everything()).first == 0);
}

BOOST_AUTO_TEST_CASE(old_equity_documents_become_the_same_curve_in_columns) {
  database d;
  d.migrate_before("0010");
  d.add_user();
  add_run(d, run_a, "completed");
  add_run(d, run_b, "completed");
  const auto curve = sample_curve();
  {
    pqxx::work t(*d.c);
    t.exec_params("INSERT INTO run_equity (run_id, points, csv) VALUES ($1::uuid, 4, $2)", run_a,
                  bt::equity_csv(curve));
    t.exec_params("INSERT INTO run_equity (run_id, points, csv) VALUES ($1::uuid, 0, $2)", run_b,
                  bt::equity_csv({}));
    t.exec("ALTER DATABASE backtestd SET TimeZone = 'America/New_York'"); // must not matter
    t.commit();
  }
  d.c = std::make_unique<pqxx::connection>(d.pg->connection_string());
  bt::db::migrate(*d.c);
  const auto back = bt::db::load_equity(*d.c, run_a);
  BOOST_TEST(bt::equity_csv(back) == bt::equity_csv(curve));
  BOOST_TEST(bt::db::encode_equity(back) == bt::db::encode_equity(curve)); // the same bytes
  BOOST_TEST(bt::db::load_equity(*d.c, run_b).empty());
  BOOST_TEST(count(d, "SELECT count(*) FROM information_schema.columns WHERE table_name = "
                      "'run_equity' AND column_name = 'csv'")
             == 0);
}

BOOST_AUTO_TEST_CASE(a_completed_run_keeps_its_trades_until_it_or_its_user_goes) {
  database d;
  bt::db::migrate(*d.c);
  d.add_user();
  add_run(d, run_a, "running");
  add_run(d, run_b, "running");
  bt::db::stored_result result;
  result.metrics_json = R"({"total_trades":2,"net_profit":"456.26000000","sharpe_ratio":1.5})";
  const auto trades = sample_trades();
  result.trades_csv = bt::trades_csv(trades);
  result.trades = 2;
  result.zones_csv = bt::zones_csv({});
  result.equity_blob = bt::db::encode_equity(sample_curve());
  result.points = 4;
  for (const char* id : {run_a, run_b}) {
    bt::run_attempt job;
    job.run_id = id;
    job.attempt = 1;
    BOOST_TEST(bt::db::complete_run(*d.c, job, result));
    job.attempt = 2; // a stale attempt stores nothing
    BOOST_TEST(!bt::db::complete_run(*d.c, job, result));
  }
  BOOST_TEST(bt::trades_csv(bt::db::load_trades(*d.c, run_a, everything()).second)
             == bt::trades_csv(trades));
  BOOST_TEST(count(d, std::string("SELECT total_trades FROM runs WHERE id = '") + run_a + "'")
             == 2);
  BOOST_TEST(bt::equity_csv(bt::db::load_equity(*d.c, run_a)) == bt::equity_csv(sample_curve()));
  // The filter reaches the stored list: one losing short.
  bt::db::trade_filter losses = everything();
  losses.outcome = "loss";
  auto [total, page] = bt::db::load_trades(*d.c, run_a, losses);
  BOOST_TEST(total == 1);
  BOOST_REQUIRE(page.size() == 1u);
  BOOST_TEST(page[0].trade_id == 2);
  {
    pqxx::work t(*d.c);
    t.exec_params("DELETE FROM runs WHERE id = $1::uuid", run_a);
    t.commit();
  }
  BOOST_TEST(count(d, "SELECT count(*) FROM run_trade_lists") == 1);
  BOOST_TEST(count(d, "SELECT count(*) FROM run_equity") == 1);
  BOOST_TEST(bt::db::load_trades(*d.c, run_a, everything()).first == 0);
  {
    pqxx::work t(*d.c); // runs go by the cascade from users, their trades with them
    t.exec_params("DELETE FROM users WHERE id = $1", d.user_id);
    t.commit();
  }
  BOOST_TEST(count(d, "SELECT count(*) FROM runs") == 0);
  BOOST_TEST(count(d, "SELECT count(*) FROM run_trade_lists") == 0);
  BOOST_TEST(count(d, "SELECT count(*) FROM run_equity") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
