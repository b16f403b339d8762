// A run's trades leave with their run, whether the run is deleted or its
// user is, now that a statement-level trigger (migration 0008) does what the
// per-row foreign key did.
#include "database_fixture.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/pqxx>

using bt::test::database;

namespace {

const char* const run_a = "00000000-0000-0000-0000-00000000000a";
const char* const run_b = "00000000-0000-0000-0000-00000000000b";

void add_run_with_trades(database& d, const char* run_id, int trades) {
  pqxx::work t(*d.c);
  t.exec_params("INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, "
                "source_timeframe, start_time, end_time, strategy, strategy_version, config_json, "
                "params_json, execution_json, config_hash, dataset_checksum, dedupe_key) VALUES "
                "($1::uuid, $2, 'completed', 1, 'GC', '1h', '1h', now(), now(), "
                "'supply_demand_zones', 1, '{}', '{}', '{}', 'h', 'c', $1)",
                run_id, d.user_id);
  for (int i = 1; i <= trades; ++i)
    t.exec_params("INSERT INTO run_trades (run_id, trade_id, side, entry_time, exit_time, "
                  "entry_price, exit_price, quantity, pnl, pnl_pct, mae, mfe, holding_bars, "
                  "fill_type, exit_reason, commission) VALUES ($1::uuid, $2, 'long', now(), now(), "
                  "1, 2, 1, 1, 100, 0, 1, 1, 'limit', 'target', 0)",
                  run_id, i);
  t.commit();
}

long count(database& d, const std::string& sql) {
  pqxx::work t(*d.c);
  return t.exec1(sql)[0].as<long>();
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_trades_cascade)

BOOST_AUTO_TEST_CASE(trades_go_with_their_run_and_with_their_user) {
  database d;
  bt::db::migrate(*d.c);
  d.add_user();
  add_run_with_trades(d, run_a, 3);
  add_run_with_trades(d, run_b, 2);
  // No per-row check is left on the insert path.
  BOOST_TEST(count(d, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'run_trades'::regclass "
                      "AND contype = 'f'")
             == 0);
  {
    pqxx::work t(*d.c);
    t.exec_params("DELETE FROM runs WHERE id = $1::uuid", run_a);
    t.commit();
  }
  BOOST_TEST(count(d, std::string("SELECT count(*) FROM run_trades WHERE run_id = '") + run_a + "'")
             == 0);
  BOOST_TEST(count(d, "SELECT count(*) FROM run_trades") == 2);
  {
    pqxx::work t(*d.c); // runs go by the cascade from users, trades by the trigger
    t.exec_params("DELETE FROM users WHERE id = $1", d.user_id);
    t.commit();
  }
  BOOST_TEST(count(d, "SELECT count(*) FROM runs") == 0);
  BOOST_TEST(count(d, "SELECT count(*) FROM run_trades") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
