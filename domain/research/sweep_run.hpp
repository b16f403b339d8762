#pragma once
// A sweep's configurations run over one in-memory bar series, on as many
// threads as asked: what `backtestd sweep` prints and what each
// walk-forward fold optimises with.

#include "domain/data/bar_series.hpp"
#include "domain/research/overfitting.hpp"
#include "domain/research/sweep.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace bt {

enum class sweep_outcome : std::uint8_t { completed, skipped, failed };

/// One configuration's result.
struct configuration_result {
  sweep_point point; ///< its swept values
  sweep_outcome status = sweep_outcome::skipped;
  run_config config; ///< completed: what ran
  std::string config_hash;
  bt::metrics metrics;
  std::string metrics_json; ///< completed
  std::string reason;       ///< skipped or failed
  bool meets_constraints = false;
  return_summary returns;            ///< completed, when asked for: its daily returns summarised
  std::vector<double> daily_returns; ///< completed, when asked for: every one
};

/// What to keep of each configuration's daily returns.
struct returns_kept {
  std::size_t summary_blocks = 0; ///< > 0: summarised for that many CSCV blocks
  bool every_return = false;      ///< the returns themselves (a stored sweep's)
};

/// Configuration `index` of `spec` run over `bars`.
configuration_result run_configuration(const sweep_spec& spec, std::size_t index,
                                       const bar_series& bars, const returns_kept& keep);

/// Runs every configuration of `spec` over `bars`, results in index order
/// whatever the threads. With `summarise_blocks` > 0 each completed one
/// keeps its daily returns summarised for that many CSCV blocks. `done`,
/// when given, counts the configurations as they finish (a progress bar's).
std::vector<configuration_result> run_configurations(const sweep_spec& spec, const bar_series& bars,
                                                     unsigned threads, std::size_t summarise_blocks,
                                                     std::atomic<std::size_t>* done = nullptr);

/// The best completed configuration meeting the constraints and trading at
/// least `min_trades` times, by the objective (ties: the lower index); none
/// (results.size()) when no configuration has an objective value.
std::size_t best_configuration(const sweep_spec& spec,
                               const std::vector<configuration_result>& results,
                               std::int64_t min_trades = 0);

} // namespace bt
