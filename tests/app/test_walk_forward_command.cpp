// backtestd walk-forward, run as a process: each fold's in-sample choice is
// what `backtestd sweep` finds on the train window alone, the document does
// not depend on the threads, --out writes the stitched account, and bad
// windows are refused before anything runs.

#include "app/cli_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>

using namespace bt::test;

namespace {

const char* space = R"("symbol": "GC", "strategy": "dual_sma",
  "space": {"params": {"fast_period": [5, 10, 20], "slow_period": [30, 60, 120]}})";

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(walk_forward_command)

BOOST_AUTO_TEST_CASE(each_fold_chooses_what_a_sweep_of_its_train_window_finds) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 4000 --seed 9 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("wf.json"),
        std::string("{") + space + R"(, "windows": {"train": 1500, "test": 500}})");
  const auto two = run("walk-forward --threads 2 --data " + dir.file("gc.csv") + " --spec "
                       + dir.file("wf.json") + " --out " + dir.file("out"));
  BOOST_REQUIRE_MESSAGE(two.code == 0, two.err);
  auto doc = boost::json::parse(two.out).as_object();
  const auto& folds = doc.at("folds").as_array();
  BOOST_REQUIRE(folds.size() == 5u);
  for (const auto& v : folds) {
    const auto& f = v.as_object();
    // The same space swept on the train window alone, as `sweep` does it.
    write(dir.file("train.json"), std::string("{") + space + R"(, "start": ")"
                                      + std::string(f.at("train").at("from").as_string())
                                      + R"(", "end": ")"
                                      + std::string(f.at("train").at("to").as_string()) + "\"}");
    const auto swept =
        run("sweep --data " + dir.file("gc.csv") + " --spec " + dir.file("train.json"));
    BOOST_REQUIRE_MESSAGE(swept.code == 0, swept.err);
    const auto sweep = boost::json::parse(swept.out).as_object();
    BOOST_TEST(sweep.at("bars").at("count") == f.at("train").at("bars"));
    BOOST_TEST(sweep.at("best").at("index") == f.at("chosen").at("index"));
    BOOST_TEST(boost::json::serialize(sweep.at("best").at("metrics"))
               == boost::json::serialize(f.at("in_sample")));
  }
  // The stitched account's files agree with the document.
  const std::string trades = read(dir.file("out") + "/trades.csv");
  std::size_t rows = 0;
  for (char c : trades)
    rows += c == '\n';
  BOOST_TEST(rows - 1
             == static_cast<std::size_t>(
                 doc.at("out_of_sample").at("metrics").at("total_trades").as_int64()));
  // The file is the document printed (which ends with a newline); compared
  // without printing either on a failure.
  BOOST_TEST((read(dir.file("out") + "/walk_forward.json") + "\n" == two.out));
  // One thread: the same document but for the timing.
  const auto one = run("walk-forward --threads 1 --data " + dir.file("gc.csv") + " --spec "
                       + dir.file("wf.json"));
  BOOST_REQUIRE_MESSAGE(one.code == 0, one.err);
  auto single = boost::json::parse(one.out).as_object();
  doc.erase("timing");
  single.erase("timing");
  BOOST_TEST((boost::json::serialize(doc) == boost::json::serialize(single)));
}

BOOST_AUTO_TEST_CASE(windows_that_do_not_fit_or_do_not_parse_are_refused) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 600 --seed 9 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("long.json"),
        std::string("{") + space + R"(, "windows": {"train": 500, "test": 200}})");
  auto r = run("walk-forward --data " + dir.file("gc.csv") + " --spec " + dir.file("long.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("not one train and test window fits in the 600 bars") != std::string::npos,
             r.err);
  BOOST_TEST(r.out.empty());
  write(dir.file("overlap.json"),
        std::string("{") + space + R"(, "windows": {"train": 100, "test": 50, "step": 10}})");
  r = run("walk-forward --data " + dir.file("gc.csv") + " --spec " + dir.file("overlap.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("windows.step") != std::string::npos, r.err);
  write(dir.file("many.json"),
        std::string("{") + space + R"(, "windows": {"train": 2, "test": 1}})");
  r = run("walk-forward --data " + dir.file("gc.csv") + " --spec " + dir.file("many.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("more than 500 folds") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
