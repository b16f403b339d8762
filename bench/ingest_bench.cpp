// CSV ingest: import_bars_csv (parse, validation, sort/duplicate checks,
// gaps) on a trader's file, repeated in one process.
//
//   build/bench/ingest_bench FILE.csv [--symbol GC] [--timeframe 1h] [--repeat N]
//
// Prints rows, bytes, the best and median import time over N repetitions,
// rows/s and MB/s, as one JSON object per line (bench/run_all reads it).

#include "domain/data/bar_import.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: ingest_bench FILE.csv [--symbol S] [--timeframe TF] [--repeat N]\n");
    return 2;
  }
  std::string symbol = "GC", tf_text = "1h";
  int repeat = 20;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--symbol"))
      symbol = argv[i + 1];
    else if (!std::strcmp(argv[i], "--timeframe"))
      tf_text = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeat"))
      repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  const auto tf = bt::parse_timeframe(tf_text);
  if (!tf) {
    std::fprintf(stderr, "unknown timeframe %s\n", tf_text.c_str());
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string csv = ss.str();

  std::vector<double> ms;
  std::size_t rows = 0;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    bt::import_result r = bt::import_bars_csv(csv, symbol, *tf);
    const auto t1 = std::chrono::steady_clock::now();
    if (!r.accepted) {
      std::fprintf(stderr, "file rejected: %s\n",
                   r.errors.empty() ? "?" : r.errors.front().reason.c_str());
      return 1;
    }
    rows = r.bars.size();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms[ms.size() / 2];
  std::printf("{\"rows\":%zu,\"bytes\":%zu,\"repeat\":%d,\"best_ms\":%.3f,\"median_ms\":%.3f,"
              "\"rows_per_s\":%.0f,\"mb_per_s\":%.1f}\n",
              rows, csv.size(), repeat, ms.front(), median, rows / (median / 1000.0),
              csv.size() / 1e6 / (median / 1000.0));
  return 0;
}
