// backtestd sweep, run as a process: every configuration as `backtestd run`
// would compute it alone, the same document on any number of threads, and
// bad specifications refused before anything runs.

#include "app/cli_process.hpp"
#include "domain/research/overfitting.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
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

BOOST_AUTO_TEST_CASE(overfitting_statistics_come_from_each_configurations_own_daily_returns) {
  // The sweep's deflated Sharpe ratio and PBO against the same statistics
  // computed here from each configuration's equity.csv, written by
  // `backtestd run` alone: the last equity of each UTC day, the first
  // return from the initial capital.
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 3000 --seed 7 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("grid.json"), R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": [5, 10, 15], "slow_period": [20, 30, 50]}},
      "overfitting": {"blocks": 8}})");
  const auto swept = run("sweep --data " + dir.file("gc.csv") + " --spec " + dir.file("grid.json"));
  BOOST_REQUIRE_MESSAGE(swept.code == 0, swept.err);
  const auto doc = boost::json::parse(swept.out).as_object();
  const auto& results = doc.at("results").as_array();
  BOOST_REQUIRE(results.size() == 9u);
  std::vector<bt::return_summary> summaries;
  for (const auto& v : results) {
    const auto& r = v.as_object();
    const std::string out = dir.file("run" + std::to_string(r.at("index").as_int64()));
    const auto alone =
        run("run --data " + dir.file("gc.csv") + " --symbol GC --strategy dual_sma --params '"
            + boost::json::serialize(r.at("params")) + "' --out " + out);
    BOOST_REQUIRE_MESSAGE(alone.code == 0, alone.err);
    std::ifstream csv(out + "/equity.csv");
    std::string line;
    std::getline(csv, line); // header
    std::map<std::string, double> last_of_day;
    while (std::getline(csv, line))
      last_of_day[line.substr(0, 10)] = std::stod(line.substr(line.find(',') + 1));
    std::vector<double> returns;
    double previous = 50'000;
    for (const auto& [day, equity] : last_of_day) {
      returns.push_back(equity / previous - 1);
      previous = equity;
    }
    summaries.push_back(bt::summarise_returns(returns, 8));
  }
  std::vector<const bt::return_summary*> trials;
  for (const auto& s : summaries)
    trials.push_back(&s);
  const auto best = doc.at("best").at("index").as_int64();
  const auto dsr = bt::deflated_sharpe(trials, summaries[static_cast<std::size_t>(best)]);
  const auto pbo = bt::probability_of_backtest_overfitting(trials, 8);
  BOOST_REQUIRE(dsr.available);
  BOOST_REQUIRE(pbo.available);
  // Boost.JSON 1.81 parses doubles to within an ulp, not always to the
  // nearest: compare to 1e-15.
  auto same = [](const boost::json::value& v, double x) {
    return std::fabs(v.to_number<double>() - x) <= 1e-15 * std::max(1.0, std::fabs(x));
  };
  const auto& stats = doc.at("overfitting").as_object();
  const auto& d = stats.at("deflated_sharpe").as_object();
  BOOST_TEST(d.at("available").as_bool());
  BOOST_TEST(same(d.at("probability"), dsr.probability));
  BOOST_TEST(d.at("trials").as_int64() == 9);
  BOOST_TEST(d.at("observations").as_int64() == static_cast<std::int64_t>(dsr.observations));
  BOOST_TEST(same(d.at("expected_max_sharpe_daily"), dsr.expected_max_sharpe));
  const auto& p = stats.at("pbo").as_object();
  BOOST_TEST(same(p.at("probability"), pbo.probability));
  BOOST_TEST(p.at("combinations").as_int64() == 70);
  BOOST_TEST(p.at("configurations").as_int64() == 9);
  BOOST_TEST(same(p.at("degradation").at("slope"), pbo.degradation_slope));
  // The best's annualised Sharpe ratio is its metrics' (reported to 10 places).
  BOOST_TEST(std::fabs(d.at("sharpe_annualised").to_number<double>()
                       - results[static_cast<std::size_t>(best)]
                             .at("metrics")
                             .at("sharpe_ratio")
                             .to_number<double>())
             < 1e-9);
}

BOOST_AUTO_TEST_CASE(progress_goes_to_a_terminal_only) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 2000 --seed 5 --out " + dir.file("gc.csv")).code
                == 0);
  write(dir.file("grid.json"), grid_spec);
  const std::string args =
      "sweep --data " + dir.file("gc.csv") + " --spec " + dir.file("grid.json");
  // Standard error a pipe: no bar, nothing at all.
  const auto piped = run(args);
  BOOST_REQUIRE(piped.code == 0);
  BOOST_TEST(piped.err.empty(), piped.err);
  // Standard error a terminal (script(1) gives the command a pseudo-terminal;
  // the document goes to a file): the bar ends at every configuration.
  const std::string command = "script -qfec \"" + std::string(BACKTESTD_BINARY) + " " + args + " > "
                              + dir.file("doc.json") + "\" /dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe);
  std::string terminal;
  char buf[4096];
  for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;)
    terminal.append(buf, got);
  BOOST_TEST(::pclose(pipe) == 0);
  BOOST_TEST(terminal.find("] 100% 12/12 configurations") != std::string::npos, terminal);
  BOOST_TEST(boost::json::parse(slurp(dir.file("doc.json"))).at("sweep").at("completed") == 8);
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
  write(dir.file("blocks.json"), R"({"symbol": "GC", "strategy": "dual_sma",
      "space": {"params": {"fast_period": [5, 6]}}, "overfitting": {"blocks": 7}})");
  r = run("sweep --data " + dir.file("gc.csv") + " --spec " + dir.file("blocks.json"));
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("overfitting.blocks") != std::string::npos, r.err);
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
