// backtestd monte-carlo, run as a process: one backtest as `run` computes it,
// then simulations that a seed reproduces byte for byte.

#include "app/cli_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace bt::test;

BOOST_AUTO_TEST_SUITE(monte_carlo_command)

BOOST_AUTO_TEST_CASE(a_seed_reproduces_the_document_and_a_shuffle_keeps_the_final_equity) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 3000 --seed 8 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("mc.json"), R"({"simulations": 500, "method": "shuffle", "seed": 21})");
  const std::string args = "--data " + dir.file("gc.csv") + " --symbol GC --strategy dual_sma "
                           + "--params '{\"fast_period\": 5, \"slow_period\": 20}'";
  const auto first = run("monte-carlo " + args + " --spec " + dir.file("mc.json"));
  BOOST_REQUIRE_MESSAGE(first.code == 0, first.err);
  const auto again = run("monte-carlo " + args + " --spec " + dir.file("mc.json"));
  auto a = boost::json::parse(first.out).as_object(), b = boost::json::parse(again.out).as_object();
  a.erase("timing");
  b.erase("timing");
  BOOST_TEST(boost::json::serialize(a) == boost::json::serialize(b));
  // The run is the one `run` computes.
  const auto alone = run("run " + args);
  BOOST_REQUIRE_MESSAGE(alone.code == 0, alone.err);
  const auto single = boost::json::parse(alone.out).as_object();
  BOOST_TEST(single.at("config_hash") == a.at("run").at("config_hash"));
  BOOST_TEST(boost::json::serialize(single.at("metrics"))
             == boost::json::serialize(a.at("run").at("metrics")));
  const auto& mc = a.at("monte_carlo").as_object();
  BOOST_TEST(mc.at("simulations").as_int64() == 500);
  BOOST_TEST(mc.at("steps").as_int64() == single.at("trades").as_array().size());
  const double final_equity = single.at("metrics").at("final_equity").to_number<double>();
  for (const char* p : {"p1", "p50", "p99"}) // the trades' sum in any order
    BOOST_TEST(mc.at("final_equity").at(p).to_number<double>() == final_equity, p);
  const auto& fan = mc.at("fan").as_array();
  BOOST_TEST(fan.front().at("step").as_int64() == 0);
  BOOST_TEST(fan.back().at("p5").to_number<double>() == final_equity);
  // Another seed: other paths.
  write(dir.file("mc2.json"), R"({"simulations": 500, "method": "shuffle", "seed": 22})");
  const auto other = run("monte-carlo " + args + " --spec " + dir.file("mc2.json"));
  BOOST_REQUIRE(other.code == 0);
  BOOST_TEST(boost::json::serialize(boost::json::parse(other.out).at("monte_carlo"))
             != boost::json::serialize(mc));
}

BOOST_AUTO_TEST_CASE(a_bad_specification_is_refused_naming_the_field) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 300 --seed 8 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("mc.json"), R"({"simulations": 500})");
  const auto r = run("monte-carlo --data " + dir.file("gc.csv") + " --symbol GC --spec "
                     + dir.file("mc.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("seed") != std::string::npos, r.err);
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_SUITE_END()
