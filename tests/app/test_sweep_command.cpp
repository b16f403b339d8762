// backtestd sweep, run as a process: every configuration as `backtestd run`
// would compute it alone, the same document on any number of threads, and
// bad specifications refused before anything runs.

#include "app/cli_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

using namespace bt::test;

namespace {

const char* grid_spec = R"({"symbol": "GC", "strategy": "dual_sma", "params": {"quantity": 2},
  "space": {"method": "grid",
            "params": {"fast_period": [5, 10, 40], "slow_period": [20, 30]},
            "execution": {"slippage_ticks": [0, 2]}},
  "constraints": {"total_trades": {"min": 10}}})";

} // namespace

BOOST_AUTO_TEST_SUITE(sweep_command)

BOOST_AUTO_TEST_CASE(every_configuration_is_what_running_it_alone_gives) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 3000 --seed 5 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("grid.json"), grid_spec);
  const auto two =
      run("sweep --threads 2 --data " + dir.file("gc.csv") + " --spec " + dir.file("grid.json"));
  BOOST_REQUIRE_MESSAGE(two.code == 0, two.err);
  auto doc = boost::json::parse(two.out).as_object();
  const auto& sweep = doc.at("sweep").as_object();
  BOOST_TEST(sweep.at("configurations").as_int64() == 12);
  BOOST_TEST(sweep.at("completed").as_int64() == 8);
  BOOST_TEST(sweep.at("skipped").as_int64() == 4); // fast_period 40 is not below 20 or 30
  BOOST_TEST(sweep.at("failed").as_int64() == 0);
  const auto& results = doc.at("results").as_array();
  BOOST_REQUIRE(results.size() == 12u);
  double best_sharpe = -1e300;
  std::int64_t best_index = -1;
  for (const auto& v : results) {
    const auto& r = v.as_object();
    const auto& params = r.at("params").as_object();
    if (params.at("fast_period").as_int64() == 40) {
      BOOST_TEST(r.at("status").as_string() == "skipped");
      BOOST_TEST(std::string(r.at("reason").as_string()).find("slow_period") != std::string::npos);
      continue;
    }
    BOOST_REQUIRE(r.at("status").as_string() == "completed");
    // The same configuration run alone: the base's quantity with the swept values.
    boost::json::object all = params;
    all["quantity"] = 2;
    const auto alone =
        run("run --data " + dir.file("gc.csv") + " --symbol GC --strategy dual_sma --params '"
            + boost::json::serialize(all) + "' --execution '"
            + boost::json::serialize(r.at("execution")) + "'");
    BOOST_REQUIRE_MESSAGE(alone.code == 0, alone.err);
    const auto single = boost::json::parse(alone.out).as_object();
    BOOST_TEST(boost::json::serialize(single.at("metrics"))
                   == boost::json::serialize(r.at("metrics")),
               "configuration " << r.at("index").as_int64());
    BOOST_TEST(single.at("config_hash") == r.at("config_hash"));
    const auto& m = r.at("metrics").as_object();
    BOOST_TEST(r.at("meets_constraints").as_bool() == (m.at("total_trades").as_int64() >= 10));
    if (r.at("meets_constraints").as_bool() && m.at("sharpe_ratio").is_number()
        && m.at("sharpe_ratio").to_number<double>() > best_sharpe) {
      best_sharpe = m.at("sharpe_ratio").to_number<double>();
      best_index = r.at("index").as_int64();
    }
  }
  BOOST_REQUIRE(best_index >= 0);
  BOOST_TEST(doc.at("best").at("index").as_int64() == best_index);
  // One thread gives the same document: only the timing differs.
  const auto one =
      run("sweep --threads 1 --data " + dir.file("gc.csv") + " --spec " + dir.file("grid.json"));
  BOOST_REQUIRE_MESSAGE(one.code == 0, one.err);
  auto single_thread = boost::json::parse(one.out).as_object();
  doc.erase("timing");
  single_thread.erase("timing");
  BOOST_TEST(boost::json::serialize(doc) == boost::json::serialize(single_thread));
}

BOOST_AUTO_TEST_CASE(bad_specifications_and_data_are_refused_before_anything_runs) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 500 --seed 5 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("range.json"), R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": [1, 5]}}})");
  auto r = run("sweep --data " + dir.file("gc.csv") + " --spec " + dir.file("range.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("space.params.fast_period") != std::string::npos, r.err);
  BOOST_TEST(r.out.empty());
  write(dir.file("grid.json"), grid_spec);
  r = run("sweep --max-configurations 5 --data " + dir.file("gc.csv") + " --spec "
          + dir.file("grid.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("12 configurations; at most 5") != std::string::npos, r.err);
  write(dir.file("broken.json"), "{\"symbol\": ");
  r = run("sweep --data " + dir.file("gc.csv") + " --spec " + dir.file("broken.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("not valid JSON") != std::string::npos, r.err);
  write(dir.file("bad.csv"), "when,price\n2024-01-02T00:00:00Z,1\n");
  r = run("sweep --data " + dir.file("bad.csv") + " --spec " + dir.file("grid.json"));
  BOOST_TEST(r.code == 3);
  BOOST_TEST(r.err.find("rejected") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("header") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
