// The run book against a real (embedded) PostgreSQL: active runs held while
// they are active, the documents of finished runs kept after their last
// transition, and a deleted run never brought back.
#include "persistence/database_fixture.hpp"

#include "persistence/migrations.hpp"
#include "persistence/run_store.hpp"
#include "services/run_book.hpp"

#include <boost/test/unit_test.hpp>
#include <pqxx/pqxx>

#include <string>

using namespace bt;
using bt::test::add_runs;
using bt::test::database;

namespace {

const std::string run_id = bt::test::run_id(1);

void set_status(database& d, const char* status) {
  pqxx::work t(*d.c);
  t.exec_params("UPDATE runs SET status = $2, finished_at = now() WHERE id = $1::uuid", run_id,
                status);
  t.commit();
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_book)

BOOST_AUTO_TEST_CASE(a_run_is_held_while_active_and_its_document_kept_once_finished) {
  database d;
  db::migrate(*d.c);
  d.add_user();
  add_runs(d, d.user_id, "queued", 1, 1, 1);
  bt::run_book book;
  book.sync(*d.c, run_id);
  BOOST_REQUIRE(book.find(d.user_id, run_id).has_value());
  BOOST_TEST(!book.find(d.user_id + 1, run_id).has_value()); // another user's: nothing
  BOOST_TEST(!book.finished_document(d.user_id, run_id).has_value());
  set_status(d, "cancelled");
  book.sync(*d.c, run_id);
  BOOST_TEST(!book.find(d.user_id, run_id).has_value()); // no longer active
  const auto doc = book.finished_document(d.user_id, run_id);
  BOOST_REQUIRE(doc.has_value());
  BOOST_TEST(doc->find("\"status\":\"cancelled\"") != std::string::npos, *doc);
  BOOST_TEST(!book.finished_document(d.user_id + 1, run_id).has_value());
  // The document is the one the database path writes for the same row.
  const auto row = db::find_run(*d.c, d.user_id, run_id);
  BOOST_REQUIRE(row.has_value());
  bt::run_book other;
  BOOST_TEST(other.remember_finished(*row) == *doc);
}

BOOST_AUTO_TEST_CASE(a_deleted_run_is_not_brought_back_by_a_read_that_raced_the_deletion) {
  database d;
  db::migrate(*d.c);
  d.add_user();
  add_runs(d, d.user_id, "completed", 1, 1, 1);
  bt::run_book book;
  book.sync(*d.c, run_id);
  BOOST_REQUIRE(book.finished_document(d.user_id, run_id).has_value());
  // A status read took the row from the database before the deletion and
  // hands it to the book after it.
  const auto row = db::find_run(*d.c, d.user_id, run_id);
  BOOST_REQUIRE(row.has_value());
  book.forget(run_id);
  BOOST_TEST(!book.finished_document(d.user_id, run_id).has_value());
  BOOST_TEST(!book.remember_finished(*row).empty());                  // that read still answers
  BOOST_TEST(!book.finished_document(d.user_id, run_id).has_value()); // the book does not keep it
}

BOOST_AUTO_TEST_SUITE_END()
