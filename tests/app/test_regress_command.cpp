// backtestd regress, run as a process on a copy of tests/golden: the
// recorded cases pass, each kind of difference is named (the first
// differing trade, a file's hash, a metric), stale entries are flagged
// without failing, and --update records anew only with a reason.

#include "app/cli_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace bt::test;

namespace {

/// A copy of the checked-in harness, to tamper with.
std::string copy_golden(const temp_dir& dir) {
  const fs::path to = dir.path / "golden";
  fs::copy(fs::path(BACKTESTD_SOURCE_DIR) / "tests" / "golden", to, fs::copy_options::recursive);
  return to.string();
}

void replace_in(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = slurp(path);
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, from << " not in " << path);
  text.replace(at, from.size(), to);
  write(path, text);
}

} // namespace

BOOST_AUTO_TEST_SUITE(regress_command)

BOOST_AUTO_TEST_CASE(the_recorded_cases_are_what_run_computes) {
  temp_dir dir;
  const std::string golden = copy_golden(dir);
  const auto r = run("regress --golden " + golden);
  BOOST_TEST(r.code == 0, r.out << r.err);
  BOOST_TEST(r.out.find("5 passed, 0 failed") != std::string::npos, r.out);
  // A recorded trades file is byte for byte what `backtestd run --out` writes.
  const auto out = run("run --data " + golden + "/data/messy_gc_1h.csv --symbol GC --strategy "
                       + "dual_sma --params '{\"fast_period\": 5, \"slow_period\": 20}' --out "
                       + dir.file("messy"));
  BOOST_REQUIRE_MESSAGE(out.code == 0, out.err);
  BOOST_TEST((slurp(dir.file("messy") + "/trades.csv")
              == slurp(golden + "/expected/dual_sma_messy_file.trades.csv")));
  const auto doc = boost::json::parse(out.out).as_object();
  const auto manifest = boost::json::parse(slurp(golden + "/manifest.json")).as_object();
  for (const auto& c : manifest.at("cases").as_array())
    if (c.at("name").as_string() == "dual_sma_messy_file") {
      BOOST_TEST(c.at("expected").at("config_hash") == doc.at("config_hash"));
      BOOST_TEST(c.at("expected").at("data_checksum") == doc.at("data_checksum"));
    }
}

BOOST_AUTO_TEST_CASE(every_difference_is_named) {
  temp_dir dir;
  const std::string golden = copy_golden(dir);
  const std::string trades = golden + "/expected/dual_sma_gc_1h.trades.csv";
  // Trade 3 recorded with another exit price (and the hash of that file).
  std::string text = slurp(trades);
  std::size_t line = 0;
  for (int k = 0; k < 3; ++k)
    line = text.find('\n', line) + 1;
  const std::string third = text.substr(line, text.find('\n', line) - line);
  BOOST_REQUIRE(third.rfind("3,", 0) == 0);
  const auto manifest = boost::json::parse(slurp(golden + "/manifest.json")).as_object();
  const std::string hash = std::string(
      manifest.at("cases").as_array()[0].at("expected").at("trades_sha256").as_string());
  replace_in(trades, third, third + "0");
  replace_in(golden + "/manifest.json", "\"sharpe_ratio\": \"1.3292719603\"",
             "\"sharpe_ratio\": \"1.3292719604\"");
  replace_in(golden + "/manifest.json", "\"zones_sha256\": \"00acf1b0",
             "\"zones_sha256\": \"00acf1b1");
  const auto r = run("regress --golden " + golden);
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find("FAIL  dual_sma_gc_1h") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("metrics.sharpe_ratio: expected 1.3292719604, got 1.3292719603")
                 != std::string::npos,
             r.out);
  BOOST_TEST(r.out.find("FAIL  zones_gc_1h\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("zones.csv differs") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("3 passed, 2 failed") != std::string::npos, r.out);
  // The trades file changed but not its recorded hash: not a difference of
  // the results. With the hash of the tampered file, trade 3 is named.
  replace_in(golden + "/manifest.json", hash,
             "0000000000000000000000000000000000000000000000000000000000000000");
  const auto named = run("regress --golden " + golden);
  BOOST_TEST(named.out.find("trades.csv differs (112 trades recorded, 112 now): first at trade 3")
                 != std::string::npos,
             named.out);
  BOOST_TEST(named.out.find("expected: " + third + "0") != std::string::npos, named.out);
}

BOOST_AUTO_TEST_CASE(old_entries_are_stale_and_update_needs_a_reason) {
  temp_dir dir;
  const std::string golden = copy_golden(dir);
  std::string manifest = slurp(golden + "/manifest.json");
  const auto at = manifest.find("\"date\": \"");
  BOOST_REQUIRE(at != std::string::npos);
  manifest.replace(at + 9, 10, "2020-01-01");
  write(golden + "/manifest.json", manifest);
  auto r = run("regress --golden " + golden);
  BOOST_TEST(r.code == 0, r.out);
  BOOST_TEST(r.out.find("stale dual_sma_gc_1h: recorded") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("5 passed, 0 failed, 1 stale") != std::string::npos, r.out);

  r = run("regress --golden " + golden + " --update");
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("--reason") != std::string::npos, r.err);
  // Recording anew resets the date and keeps the reason.
  r = run("regress --golden " + golden + " --update --reason 'test: re-recorded'");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
  const auto recorded = boost::json::parse(slurp(golden + "/manifest.json")).as_object();
  for (const auto& c : recorded.at("cases").as_array())
    BOOST_TEST(c.at("recorded").at("reason").as_string() == "test: re-recorded");
  r = run("regress --golden " + golden);
  BOOST_TEST(r.out.find("5 passed, 0 failed, 0 stale") != std::string::npos, r.out);
  // The manifest itself must be sound.
  write(golden + "/manifest.json", "{\"cases\": []}");
  r = run("regress --golden " + golden);
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("non-empty \"cases\"") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
