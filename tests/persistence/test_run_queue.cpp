// The queue's claim against a real (embedded) PostgreSQL: which run a
// worker gets, and that the per-user limit is counted from the running runs
// alone, however long the user's history.
#include "database_fixture.hpp"

#include "persistence/run_queue.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/pqxx>

#include <string>

using namespace bt;
using bt::test::add_runs;
using bt::test::database;
using bt::test::run_id;

namespace {

std::int64_t add_user(database& d, const std::string& name) {
  pqxx::work t(*d.c);
  const auto id = t.exec_params1("INSERT INTO users (name) VALUES ($1) RETURNING id", name)[0]
                      .as<std::int64_t>();
  t.commit();
  return id;
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_queue)

BOOST_AUTO_TEST_CASE(a_claim_skips_users_at_their_limit_and_counts_only_running_runs) {
  database d;
  db::migrate(*d.c);
  const auto alice = add_user(d, "alice"), bob = add_user(d, "bob");
  add_runs(d, alice, "completed", 1, 1, 3000); // a long history
  add_runs(d, alice, "running", 1, 5000, 3);   // at a limit of 3
  add_runs(d, alice, "queued", 0, 6000, 20);   // high priority, but alice is at her limit
  add_runs(d, bob, "queued", 2, 7000, 2);      // low priority
  add_runs(d, bob, "queued", 1, 8000, 2);      // normal
  {
    pqxx::nontransaction t(*d.c);
    t.exec("ANALYZE runs");
    // The per-user count reads the running runs' index, not the history.
    std::string plan;
    for (const auto& row : t.exec_params("EXPLAIN SELECT count(*) FROM runs x WHERE x.user_id = "
                                         "$1 AND x.status = 'running'",
                                         alice))
      plan += row[0].as<std::string>() + "\n";
    BOOST_TEST_MESSAGE(plan);
    BOOST_TEST(plan.find("runs_running_user") != std::string::npos);
  }
  // Bob's normal runs in order, then his low one; alice's stay queued.
  auto first = db::claim_next(*d.c, "w1", 3);
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(first->run_id == run_id(8000));
  BOOST_TEST(first->user_id == bob);
  BOOST_TEST(db::claim_next(*d.c, "w1", 3)->run_id == run_id(8001));
  // Bob now has 2 running: a limit of 2 stops him too.
  BOOST_TEST(!db::claim_next(*d.c, "w1", 2).has_value());
  BOOST_TEST(db::claim_next(*d.c, "w1", 3)->run_id == run_id(7000));
  // A limit of 4 lets alice's high-priority runs through first.
  BOOST_TEST(db::claim_next(*d.c, "w1", 4)->run_id == run_id(6000));
}

BOOST_AUTO_TEST_SUITE_END()
