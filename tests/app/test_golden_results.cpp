// Golden results: the SHA-256 of every file `backtestd run --out` writes,
// for both strategies on several datasets (clean, another timeframe and
// seed, and a messy file with duplicates, rejected rows, unsorted rows,
// gaps, quotes and CRLF). Recorded before the fast-path work; any change to
// the bytes of a result, the import report or an error row number fails
// here. Only `timing` (the last member of result.json) and
// `engine_version` may vary.

#include "app/cli_process.hpp"
#include "domain/report/sha256.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace bt::test;

namespace {

struct golden {
  const char* dataset;
  const char* args;
  const char *trades, *equity, *zones, *result;
};

// Cuts `,"timing":{...}}` and blanks the engine version (it names the
// commit), so the rest of the document can be compared.
std::string without_timing(const std::string& result) {
  const auto at = result.rfind(",\"timing\":");
  BOOST_REQUIRE(at != std::string::npos);
  std::string doc = result.substr(0, at);
  const std::string key = "\"engine_version\":\"";
  const auto v = doc.find(key);
  BOOST_REQUIRE(v != std::string::npos);
  doc.erase(v + key.size(), doc.find('"', v + key.size()) - v - key.size());
  return doc;
}

// A file a trader might really send: CRLF, a quoted field, a duplicate
// timestamp, two rows out of order, a row whose high is below its close,
// and a day missing (a gap).
std::string messy_from(const std::string& clean) {
  std::vector<std::string> lines;
  for (std::size_t pos = 0; pos < clean.size();) {
    const auto nl = clean.find('\n', pos);
    lines.push_back(clean.substr(pos, nl - pos));
    pos = nl + 1;
  }
  BOOST_REQUIRE(lines.size() > 1200);
  lines.resize(1200);
  lines.erase(lines.begin() + 700, lines.begin() + 724); // a gap in trading hours
  std::swap(lines[300], lines[301]);                     // unsorted
  lines.insert(lines.begin() + 400, lines[399]);         // a duplicate
  // The high of row 500 below its close: rejected.
  std::string& bad = lines[500];
  const auto c1 = bad.find(','), c2 = bad.find(',', c1 + 1), c3 = bad.find(',', c2 + 1);
  bad.replace(c2 + 1, c3 - c2 - 1, "1.0");
  lines[600] = "\"" + lines[600].substr(0, lines[600].find(',')) + "\""
               + lines[600].substr(lines[600].find(','));
  std::string out;
  for (const auto& l : lines)
    out += l + "\r\n";
  return out;
}

// Recorded with the engine as it was before the fast path (engine 1.x).
const golden cases[] = {
    {"clean", "--symbol GC", "2d232e770bdd85cc0c4becb57a346c8f1054d4937720ef87e4f2de877dfb1f28",
     "c919ef38ee997e8d11f2b849d1acf34f57d5a633de6c96217d50f81003962982",
     "f972c042c98002a1c5b044eb732cff8d92f0d0e4ef8b1592aa1a91a4f8da40f7",
     "174873ee1fa6110133a940d3d4f67ff1c1b7369a6c5806ffd71797797f66852b"},
    {"clean", "--symbol GC --strategy dual_sma",
     "67da17c3f16e818039ff85bd26854bcc8f86d0c90a73b805e3130fe94670e582",
     "1d790a1286462a827021a330ca7c5850d01223f504ae3cf6b7c24ebcdb2aeb77",
     "efdda26669aba98a8bd491fb9caadd9f64075aea9c58ab0a706c5f7cc48ca9d4",
     "c71cf92e325004f8411f2f909b975975115f7680588087aadcbe6b9ef7d1be19"},
    {"clean",
     "--symbol GC --timeframe 4h --data-timeframe 1h --execution "
     "'{\"commission_per_contract\":2.5,\"slippage_ticks\":1}'",
     "bdef0d6fa4947c5d862c5c66dd7be92acbd500c50310f3ac5151e2a504f50da1",
     "d58bbb568e8934e37e21e1e05e8ae3628cf2035eeb2c71f0e058202716089c14",
     "113bae1380da177e1e47c8be8753e0e0e1e654d644765cab2a4106f15e744c80",
     "5f201889e1f33ae9620c8d7761ee123230279232f78c132645cd9a84cc7c11ee"},
    {"four_hour", "--symbol GC --timeframe 4h",
     "ded046ac4bb8f9c2142f9966329bcadac36c9fef3e17689e7f3ec4259d79af78",
     "c6eba625003a616efad5ba684baa437e81f887a8a0c7d1c207f57ee3cc839859",
     "e9dbedb6bf2f394cbb689afcabc1616fb97db3b4479333584a0cdf10c54f5532",
     "4667789847d71e43c21254731c3adcfeb20fb3bc264b72ea166591e96bd8adec"},
    {"four_hour", "--symbol GC --timeframe 4h --strategy dual_sma",
     "7e7ae796a0fe752b5df26ea65262323ec4db567d4fc2740199b4cfe911f0daa3",
     "f2d715eb861c06871fedb49e28e515b6fff971a3c6df67c54cec1735e5370980",
     "efdda26669aba98a8bd491fb9caadd9f64075aea9c58ab0a706c5f7cc48ca9d4",
     "f68c0df82418eca23f1a4a0f2d99f714eae6551ee0cd6a8a4812b1c1336deca0"},
    {"messy", "--symbol GC", "0c0d4ee9bcccdfea059ee27a53ab7a9999cb5ad2c1865bed19941125a94dea3a",
     "41a8fe981a2a1f1872ff81a0d26bb4926ac915587de6049451fd25cb607786f9",
     "ccde110d7933e039b55b5ca09b4699ab8a084deae5f8edf27fa2bd54b725d77b",
     "36b9a0e23b791cf18c9a05f02c65fc8559310377b76346301f8c738bbfa18e42"},
    {"messy", "--symbol GC --strategy dual_sma --params '{\"fast_period\":5,\"slow_period\":30}'",
     "450786c6de3c73bb6b886c325b92cce229f62b99745e33dff4981a4fcc724332",
     "36158d7a5c4c36a52e58473520775eb381aeeefc7b3021d5c61080399da17e15",
     "efdda26669aba98a8bd491fb9caadd9f64075aea9c58ab0a706c5f7cc48ca9d4",
     "d39fadefcc110cc1620eaa60207e4411b7c9b4678903538bfd9a7c37e55f10e4"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(golden_results)

BOOST_AUTO_TEST_CASE(results_are_byte_identical_to_the_recorded_ones) {
  temp_dir dir;
  auto gen = run("gen-data --symbol GC --bars 12000 --seed 42 --out " + dir.file("clean.csv"));
  BOOST_REQUIRE_MESSAGE(gen.code == 0, gen.err);
  gen = run("gen-data --symbol GC --timeframe 4h --bars 3000 --seed 7 --out "
            + dir.file("four_hour.csv"));
  BOOST_REQUIRE_MESSAGE(gen.code == 0, gen.err);
  write(dir.file("messy.csv"), messy_from(slurp(dir.file("clean.csv"))));

  int n = 0;
  for (const auto& g : cases) {
    const std::string out = dir.file("out" + std::to_string(n++));
    auto r = run(std::string("run --data ") + dir.file(std::string(g.dataset) + ".csv") + " "
                 + g.args + " --out " + out);
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
    const std::string what = std::string(g.dataset) + " " + g.args;
    const std::string trades = bt::sha256_hex(slurp(out + "/trades.csv"));
    const std::string equity = bt::sha256_hex(slurp(out + "/equity.csv"));
    const std::string zones = bt::sha256_hex(slurp(out + "/zones.csv"));
    const std::string result = bt::sha256_hex(without_timing(slurp(out + "/result.json")));
    BOOST_TEST_MESSAGE("{\"" << g.dataset << "\", ..., \"" << trades << "\", \"" << equity
                             << "\", \"" << zones << "\", \"" << result << "\"}");
    BOOST_TEST(trades == g.trades, what);
    BOOST_TEST(equity == g.equity, what);
    BOOST_TEST(zones == g.zones, what);
    BOOST_TEST(result == g.result, what);
  }
}

// The messy file's report: what was skipped, rejected and sorted, by row.
BOOST_AUTO_TEST_CASE(the_messy_file_is_reported_row_by_row) {
  temp_dir dir;
  BOOST_REQUIRE(
      run("gen-data --symbol GC --bars 1300 --seed 42 --out " + dir.file("clean.csv")).code == 0);
  write(dir.file("messy.csv"), messy_from(slurp(dir.file("clean.csv"))));
  auto r = run("run --data " + dir.file("messy.csv") + " --symbol GC");
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.err);
  const std::string doc = r.out;
  BOOST_TEST(
      doc.find("\"duplicates_skipped\":{\"within_file\":1,\"already_stored\":0,\"rows\":[400]}")
      != std::string::npos);
  BOOST_TEST(doc.find("\"rejected\":[{\"row\":500,") != std::string::npos);
  BOOST_TEST(doc.find("\"sorted\":true") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
