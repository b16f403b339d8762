// Engine throughput: both strategies on 12k, 120k and 1.2M generated bars
// (2, 20 and 200 years of GC hours). Each scenario runs in its own process
// so that its peak memory (VmHWM) is its own.
//
//   build/bench/engine_bench [--repeat N] [--strategy NAME] [--bars N]
//
// Prints, per scenario: bars, repetitions, best and median engine time
// (strategy + fills + accounting), ns/bar, bars/s, full run_backtest time
// (plus data checksum and metrics), trades, peak RSS, page faults per run.

#include "domain/data/synthetic_bars.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/strategies/registry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

bt::run_config config_for(const std::string& strategy) {
  bt::run_request r;
  r.symbol = "GC";
  r.strategy = strategy;
  bt::run_config c;
  bt::resolve_config(r, c);
  return c;
}

void scenario(const std::string& strategy, std::size_t bars_count, int repeat) {
  bt::synthetic_spec spec;
  spec.bars = bars_count;
  spec.seed = 42;
  const bt::bar_series bars = bt::generate_bars(spec);
  const bt::run_config config = config_for(strategy);

  std::vector<double> engine_ns;
  std::size_t trades = 0;
  // Untimed runs first, for about 20 ms: the first runs of a process take
  // fresh memory and meet a cold CPU, and at 2 years they were 3x slower
  // than the rest (a median of 20 runs read 3.5 ms where 200 read 1.0 ms).
  const auto warm_until = clock_type::now() + std::chrono::milliseconds(20);
  do {
    auto strat = bt::make_strategy(*config.strategy, config.params);
    bt::run_engine(bars, *strat, config.execution);
  } while (clock_type::now() < warm_until);
  // Page faults of the engine runs alone (what /usr/bin/time -v counts for
  // the process): fresh equity and trade buffers fault in every run.
  rusage before{};
  ::getrusage(RUSAGE_SELF, &before);
  for (int i = 0; i < repeat; ++i) {
    auto strat = bt::make_strategy(*config.strategy, config.params);
    auto start = clock_type::now();
    auto out = bt::run_engine(bars, *strat, config.execution);
    engine_ns.push_back(
        std::chrono::duration<double, std::nano>(clock_type::now() - start).count());
    trades = out.trades.size();
  }
  rusage after{};
  ::getrusage(RUSAGE_SELF, &after);
  const double faults_per_run =
      static_cast<double>(after.ru_minflt - before.ru_minflt + after.ru_majflt - before.ru_majflt)
      / repeat;
  std::sort(engine_ns.begin(), engine_ns.end());
  auto full_start = clock_type::now();
  auto full = bt::run_backtest(config, bars);
  double full_ms =
      std::chrono::duration<double, std::milli>(clock_type::now() - full_start).count();

  const double best = engine_ns.front(), median = engine_ns[engine_ns.size() / 2];
  std::printf(
      "%-20s %9zu bars  x%-4d engine best %9.3f ms  median %9.3f ms  %6.1f ns/bar  %7.2f M bars/s  "
      "run_backtest %8.3f ms (engine %.3f ms)  trades %6zu  peak RSS %7.1f MiB  "
      "page faults/run %8.0f\n",
      strategy.c_str(), bars.size(), repeat, best / 1e6, median / 1e6, best / bars.size(),
      bars.size() / best * 1e3, full_ms, full.engine_ms, trades, peak_rss_kib() / 1024.0,
      faults_per_run);
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  int repeat_small = 200, repeat_large = 5;
  std::vector<std::string> strategies{"dual_sma", "supply_demand_zones"};
  // 2, 20 and 200 years of hourly bars.
  std::vector<std::size_t> sizes{12'000, 120'000, 1'200'000};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--repeat"))
      repeat_small = repeat_large = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--strategy"))
      strategies = {argv[i + 1]};
    else if (!std::strcmp(argv[i], "--bars"))
      sizes = {static_cast<std::size_t>(std::atoll(argv[i + 1]))};
  }
  std::printf("engine_bench: one core, synthetic GC 1h bars (seed 42), default parameters\n");
  std::fflush(stdout);
  for (const auto& strategy : strategies)
    for (std::size_t n : sizes) {
      pid_t pid = ::fork();
      if (pid == 0) {
        scenario(strategy, n, n < 100'000 ? repeat_small : n < 1'000'000 ? 20 : repeat_large);
        std::_Exit(0);
      }
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  return 0;
}
