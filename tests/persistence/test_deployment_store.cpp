// Paper deployments in a real (embedded) PostgreSQL: a decision is written
// with its audit entry or not at all, a deployment changes only while it is
// active (an override that came first wins), and what a program keeps is
// bounded: its newest alerts and ended deployments, its newest replays.
#include "database_fixture.hpp"

#include "persistence/audit_log.hpp"
#include "persistence/deployment_store.hpp"
#include "persistence/program_store.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/pqxx>

#include <string>

using namespace bt;
using bt::test::database;

namespace {

const std::string program_id = "10000000-0000-4000-8000-000000000001";

std::string uuid(int n) {
  std::string tail = std::to_string(n);
  return "20000000-0000-4000-8000-" + std::string(12 - tail.size(), '0') + tail;
}

void add_program(database& d) {
  d.add_user();
  db::program_row p;
  p.id = program_id;
  p.user_id = d.user_id;
  p.name = "p";
  p.symbol = "GC";
  p.timeframe = "1h";
  p.spec_json = "{}";
  db::create_program(*d.c, p, db::audit_actor{});
}

db::deployment_row deployment(int n) {
  db::deployment_row r;
  r.id = uuid(n);
  r.identity = "dual_sma\n{}\nGC" + std::to_string(n);
  r.strategy = "dual_sma";
  r.symbol = "GC";
  r.params_json = "{}";
  r.walk_forward_id = "wf";
  r.capital = "1000.00000000";
  r.history_from = 1'700'000'000;
  r.deployed_at = 1'700'086'400;
  return r;
}

std::int64_t count(database& d, const std::string& sql) {
  pqxx::work t(*d.c);
  return t.exec(sql)[0][0].as<std::int64_t>();
}

} // namespace

BOOST_AUTO_TEST_SUITE(deployment_store)

BOOST_AUTO_TEST_CASE(a_decision_is_stored_with_its_audit_entry_and_only_while_active) {
  database d;
  db::migrate(*d.c);
  add_program(d);
  const auto audit_before = count(d, "SELECT count(*) FROM audit_log");
  BOOST_TEST(
      db::record_decisions(*d.c, program_id, {deployment(1)}, {},
                           {{0, uuid(1), "drawdown", 1'700'172'800, 21.5, 20.0, "halved", "{}", 0}},
                           {{"deployment.promoted", "{\"n\":1}"}}, db::audit_actor{}));
  BOOST_TEST(count(d, "SELECT count(*) FROM audit_log") == audit_before + 1);
  auto stored = db::find_deployment(*d.c, program_id, uuid(1));
  BOOST_REQUIRE(stored);
  BOOST_TEST(stored->symbol == "GC");
  BOOST_TEST(stored->status == "active");
  // An override ends it; a pass that read it before cannot change it after.
  auto overridden = *stored;
  overridden.status = "deactivated";
  overridden.ended_at = 1'700'200'000;
  BOOST_TEST(db::record_decisions(*d.c, program_id, {}, {overridden}, {},
                                  {{"deployment.deactivated", "{}"}}, db::audit_actor{}));
  auto late = *stored;
  late.sizing_json = "[{\"from\":1,\"factor\":0.5}]";
  const auto audit_now = count(d, "SELECT count(*) FROM audit_log");
  BOOST_TEST(!db::record_decisions(*d.c, program_id, {}, {late},
                                   {{0, uuid(1), "drawdown", 0, 1.0, 1.0, "m", "{}", 0}},
                                   {{"deployment.size_halved", "{}"}}, db::audit_actor{}));
  BOOST_TEST(count(d, "SELECT count(*) FROM audit_log") == audit_now); // nothing written
  BOOST_TEST(db::find_deployment(*d.c, program_id, uuid(1))->status == "deactivated");
  BOOST_TEST(db::find_deployment(*d.c, program_id, uuid(1))->sizing_json == "[]");
  std::int64_t total = 0;
  BOOST_TEST(db::list_alerts(*d.c, program_id, std::nullopt, 100, 0, total).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_program_keeps_its_newest_alerts_and_ended_deployments) {
  database d;
  db::migrate(*d.c);
  add_program(d);
  // More ended deployments than are kept: each ended in its own decision.
  const int n = static_cast<int>(db::max_ended_deployments_per_program) + 5;
  std::vector<db::deployment_row> batch;
  for (int i = 1; i <= n; ++i)
    batch.push_back(deployment(i));
  BOOST_REQUIRE(db::record_decisions(*d.c, program_id, batch, {}, {}, {}, db::audit_actor{}));
  for (int i = 1; i <= n; i += 200) {
    std::vector<db::deployment_row> ended;
    for (int k = i; k < std::min(n + 1, i + 200); ++k) {
      auto r = deployment(k);
      r.status = "demoted";
      r.ended_at = 1'700'100'000;
      ended.push_back(r);
    }
    BOOST_REQUIRE(db::record_decisions(*d.c, program_id, {}, ended, {}, {}, db::audit_actor{}));
  }
  BOOST_TEST(count(d, "SELECT count(*) FROM deployments") == db::max_ended_deployments_per_program);
  // More alerts than are kept: the newest stay.
  std::vector<db::alert_row> alerts(static_cast<std::size_t>(db::max_alerts_per_program) + 7);
  for (std::size_t i = 0; i < alerts.size(); ++i)
    alerts[i] = {0,
                 std::nullopt,
                 "full",
                 1'700'000'000,
                 std::nullopt,
                 std::nullopt,
                 "m" + std::to_string(i),
                 "{}",
                 0};
  BOOST_REQUIRE(db::record_decisions(*d.c, program_id, {}, {}, alerts, {}, db::audit_actor{}));
  std::int64_t total = 0;
  const auto newest = db::list_alerts(*d.c, program_id, std::nullopt, 1, 0, total);
  BOOST_TEST(total == db::max_alerts_per_program);
  BOOST_TEST(newest.at(0).message == "m" + std::to_string(alerts.size() - 1));
}

BOOST_AUTO_TEST_CASE(a_program_keeps_its_newest_replays_and_two_pending_at_most) {
  database d;
  db::migrate(*d.c);
  add_program(d);
  for (int i = 1; i <= 60; ++i) {
    db::replay_row r;
    r.id = uuid(i);
    r.program_id = program_id;
    r.from = 1'700'000'000;
    r.to = 1'710'000'000;
    r.cycles_total = 3;
    BOOST_REQUIRE(db::create_replay(*d.c, r, 2, db::audit_actor{}));
    const auto claimed = db::claim_replay(*d.c);
    BOOST_REQUIRE(claimed);
    db::finish_replay(*d.c, claimed->id, true, "{}");
  }
  BOOST_TEST(count(d, "SELECT count(*) FROM program_replays")
             == db::max_replays_per_program - 1); // 48 kept + the last one
  // Two queued: a third is refused.
  for (int i = 61; i <= 62; ++i) {
    db::replay_row r;
    r.id = uuid(i);
    r.program_id = program_id;
    BOOST_REQUIRE(db::create_replay(*d.c, r, 2, db::audit_actor{}));
  }
  db::replay_row third;
  third.id = uuid(63);
  third.program_id = program_id;
  BOOST_TEST(!db::create_replay(*d.c, third, 2, db::audit_actor{}));
  // A restart puts a running one back in the queue.
  BOOST_REQUIRE(db::claim_replay(*d.c));
  BOOST_TEST(db::requeue_replays(*d.c) == 1);
}

BOOST_AUTO_TEST_SUITE_END()
