// Runs the real backtestd binary: exit codes, messages and output files.

#include "app/cli_process.hpp"
#include "domain/data/bar_import.hpp"
#include "domain/report/sha256.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

using namespace bt::test;

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(gen_data_then_run_prints_one_complete_document) {
  temp_dir dir;
  auto gen = run("gen-data --symbol GC --bars 3000 --seed 11 --out " + dir.file("gc.csv"));
  BOOST_REQUIRE_MESSAGE(gen.code == 0, gen.err);
  auto r = run("run --data " + dir.file("gc.csv") + " --symbol GC --timeframe 1h --out "
               + dir.file("out"));
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
  auto doc = boost::json::parse(r.out).as_object();
  for (const char* key : {"config", "config_hash", "data_checksum", "engine_version", "strategy",
                          "validation", "metrics", "trades", "zones", "equity_summary", "timing"})
    BOOST_TEST(doc.contains(key), key);
  BOOST_TEST(doc.at("strategy").at("name").as_string() == "supply_demand_zones");
  BOOST_TEST(doc.at("config").at("params").at("atr_period").to_number<int>() == 14);
  BOOST_TEST(doc.at("validation").at("imported").to_number<int>() == 3000);
  for (const char* f : {"trades.csv", "equity.csv", "zones.csv", "result.json"})
    BOOST_TEST(fs::exists(dir.path / "out" / f), f);
  BOOST_TEST(slurp(dir.file("out/result.json")) == r.out);
  // equity.csv: header plus one row per bar.
  auto equity = slurp(dir.file("out/equity.csv"));
  BOOST_TEST(std::count(equity.begin(), equity.end(), '\n') == 3001);
}

BOOST_AUTO_TEST_CASE(identical_runs_differ_only_in_timing) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 2000 --seed 3 --out " + dir.file("gc.csv")).code
                == 0);
  const std::string args =
      "run --data " + dir.file("gc.csv")
      + " --symbol GC --strategy dual_sma --params '{\"fast_period\":5,\"slow_period\":20}'";
  auto a = boost::json::parse(run(args).out).as_object();
  auto b = boost::json::parse(run(args).out).as_object();
  a.erase("timing");
  b.erase("timing");
  BOOST_TEST(boost::json::serialize(a) == boost::json::serialize(b));
  BOOST_TEST(a.at("metrics").at("total_trades").to_number<int>() > 0);
}

BOOST_AUTO_TEST_CASE(from_and_to_are_inclusive) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 500 --seed 3 --start 2024-01-02T00:00:00Z --out "
                    + dir.file("gc.csv"))
                    .code
                == 0);
  auto r = run("run --data " + dir.file("gc.csv")
               + " --symbol GC --from 2024-01-03T00:00:00Z --to 2024-01-04T05:00:00Z");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
  auto doc = boost::json::parse(r.out);
  BOOST_TEST(doc.at("bars").at("from").as_string() == "2024-01-03T00:00:00Z");
  BOOST_TEST(doc.at("bars").at("to").as_string() == "2024-01-04T05:00:00Z");
  BOOST_TEST(doc.at("equity_summary").at("points").to_number<int>()
             == doc.at("bars").at("count").to_number<int>());
}

BOOST_AUTO_TEST_CASE(hourly_file_resampled_to_four_hours) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 2000 --seed 5 --out " + dir.file("gc.csv")).code
                == 0);
  auto r = run("run --data " + dir.file("gc.csv")
               + " --symbol GC --timeframe 4h --data-timeframe 1h --strategy dual_sma");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
  auto doc = boost::json::parse(r.out);
  const int bars = doc.at("bars").at("count").to_number<int>();
  BOOST_TEST(bars < 2000 / 3);
  BOOST_TEST(bars > 2000 / 5);
  BOOST_TEST(doc.at("config").at("timeframe").as_string() == "4h");
  BOOST_TEST(
      run("run --data " + dir.file("gc.csv") + " --symbol GC --timeframe 1h --data-timeframe 4h")
          .code
      == 2);
}

// The run hashes an exported file's own bytes instead of writing its bars'
// canonical text again; the checksum must still be that of the bars the run
// took, whatever the file looks like and however much of it the run took.
BOOST_AUTO_TEST_CASE(the_data_checksum_is_that_of_the_bars_the_run_took) {
  temp_dir dir;
  BOOST_REQUIRE(run("gen-data --symbol GC --bars 900 --seed 9 --start 2024-01-02T00:00:00Z --out "
                    + dir.file("gc.csv"))
                    .code
                == 0);
  const std::string text = slurp(dir.file("gc.csv"));
  std::string crlf;
  for (char c : text)
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  std::ofstream(dir.file("crlf.csv"), std::ios::binary) << crlf;
  std::ofstream(dir.file("unended.csv"), std::ios::binary) << text.substr(0, text.size() - 1);

  // What the checksum must be, from the bars (the export's formatting).
  auto expected = [&](bt::timeframe tf, bt::unix_time from, bt::unix_time to) {
    auto imported = bt::import_bars_csv(text, "GC", bt::timeframe::h1);
    BOOST_REQUIRE(imported.accepted);
    bt::bar_series bars =
        tf == bt::timeframe::h1 ? std::move(imported.bars) : bt::resample(imported.bars, tf);
    return bt::data_checksum(bars.slice(from, to));
  };
  auto checksum = [&](const std::string& file, const std::string& options) {
    auto r = run("run --data " + dir.file(file) + " --symbol GC --strategy dual_sma" + options);
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    return std::string(boost::json::parse(r.out).at("data_checksum").as_string());
  };
  const std::string whole = expected(bt::timeframe::h1, INT64_MIN, INT64_MAX);
  BOOST_TEST(whole == bt::sha256_hex(text));
  for (const char* file : {"gc.csv", "crlf.csv", "unended.csv"}) {
    BOOST_TEST_CONTEXT(file) {
      BOOST_TEST(checksum(file, "") == whole);
      BOOST_TEST(checksum(file, " --from 2000-01-01 --to 2100-01-01") == whole);
      BOOST_TEST(checksum(file, " --from 2024-01-10")
                 == expected(bt::timeframe::h1, 1704844800, INT64_MAX));
      BOOST_TEST(checksum(file, " --to 2024-01-20")
                 == expected(bt::timeframe::h1, INT64_MIN, 1705795199));
      BOOST_TEST(checksum(file, " --timeframe 4h --data-timeframe 1h")
                 == expected(bt::timeframe::h4, INT64_MIN, INT64_MAX));
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_input_exits_non_zero_naming_the_problem) {
  temp_dir dir;
  write(dir.file("ok.csv"),
        "timestamp,open,high,low,close,volume\n2024-01-02T10:00:00Z,10,11,9,10,1\n");
  write(dir.file("bad.csv"),
        "timestamp,open,high,low,close,volume\n2024-01-02T10:00:00Z,10,11,9,10,1\n"
        "2024-01-02T11:00:00Z,10,eleven,9,10,1\n");
  struct case_t {
    std::string args;
    int code;
    std::string message;
  };
  for (const auto& c : {
           case_t{"run --data " + dir.file("ok.csv") + " --symbol GC --strategy nope", 2,
                  "unknown strategy 'nope'"},
           case_t{"run --data " + dir.file("ok.csv") + " --symbol GC --params '{\"atr_period\":1}'",
                  2, "params.atr_period: must be an integer from 2 to 200"},
           case_t{"run --data " + dir.file("ok.csv") + " --symbol GC --params '{oops'", 2,
                  "--params is not valid JSON"},
           case_t{"run --data " + dir.file("bad.csv") + " --symbol GC", 3,
                  "row 2: high 'eleven' is not a number"},
           case_t{"run --data " + dir.file("missing.csv") + " --symbol GC", 2, "cannot read"},
           case_t{"run --data " + dir.file("ok.csv"), 2, "--symbol is required"},
           case_t{"run --data " + dir.file("ok.csv") + " --symbol GC --from 2030-01-01", 3,
                  "no bars in the requested range"},
           case_t{"run --data " + dir.file("ok.csv") + " --symbol GC --frobnicate 1", 2,
                  "unknown option --frobnicate"},
           case_t{"gen-data --symbol GC --bars -5 --seed 1", 2, "--bars must be a whole number"},
           case_t{"teleport", 2, "unknown command"},
       }) {
    auto r = run(c.args);
    BOOST_TEST(r.code == c.code, c.args);
    BOOST_TEST(r.err.find(c.message) != std::string::npos, c.args << " -> " << r.err);
    BOOST_TEST(r.out.empty(), c.args);
  }
}

BOOST_AUTO_TEST_CASE(strategies_lists_the_registry) {
  auto r = run("strategies");
  BOOST_REQUIRE(r.code == 0);
  auto v = boost::json::parse(r.out);
  BOOST_TEST(v.at("strategies").as_array().size() == 2u);
}

#ifdef BACKTESTD_CLI_STATIC_RUNTIME
// Start-up: a CLI command starts in a few milliseconds because the binary
// loads nothing but the C library (its C++ runtime, Boost and libcrypto are
// linked in; the server's libraries are a module loaded only by serve,
// worker and keys). A new shared dependency would cost every command.
BOOST_AUTO_TEST_CASE(the_binary_loads_only_the_c_library) {
  FILE* pipe = ::popen(("readelf -d " + std::string(BACKTESTD_BINARY)).c_str(), "r");
  BOOST_REQUIRE(pipe);
  std::string dynamic;
  std::array<char, 4096> buf;
  for (std::size_t got; (got = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;)
    dynamic.append(buf.data(), got);
  BOOST_REQUIRE(::pclose(pipe) == 0);
  std::vector<std::string> needed;
  std::istringstream lines(dynamic);
  for (std::string line; std::getline(lines, line);)
    if (line.find("(NEEDED)") != std::string::npos) {
      const auto open = line.find('['), close = line.find(']');
      needed.push_back(line.substr(open + 1, close - open - 1));
    }
  std::sort(needed.begin(), needed.end());
  const std::vector<std::string> expected{"ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6"};
  BOOST_TEST(needed == expected, boost::test_tools::per_element());
}
#endif

BOOST_AUTO_TEST_SUITE_END()
