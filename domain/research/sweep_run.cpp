#include "domain/research/sweep_run.hpp"

#include "domain/engine/backtest.hpp"
#include "domain/report/json_writer.hpp"

#include <thread>

namespace bt {

configuration_result run_configuration(const sweep_spec& spec, std::size_t index,
                                       const bar_series& bars, const returns_kept& keep) {
  configuration_result r;
  r.point = configuration_at(spec, index);
  sweep_request_storage storage;
  if (field_errors errors = resolve_config(configuration_request(spec, r.point, storage), r.config);
      !errors.empty()) {
    // Every value was checked against its range when the sweep was read:
    // what is left is a rule across parameters, which skips the combination.
    r.status = sweep_outcome::skipped;
    r.reason = describe(errors);
    return r;
  }
  try {
    backtest_result result = run_backtest_unhashed(r.config, bars);
    r.status = sweep_outcome::completed;
    r.config_hash = std::move(result.config_hash);
    r.metrics = result.metrics;
    json_writer w;
    write_metrics(w, result.metrics);
    r.metrics_json = w.take();
    r.meets_constraints = meets_constraints(spec, result.metrics);
    if (keep.summary_blocks > 0)
      r.returns = summarise_returns(result.daily_returns, keep.summary_blocks);
    if (keep.every_return)
      r.daily_returns = std::move(result.daily_returns);
  } catch (const backtest_error& e) {
    r.status = sweep_outcome::failed; // exact or refused: this configuration cannot be computed
    r.reason = e.what();
  }
  return r;
}

std::vector<configuration_result> run_configurations(const sweep_spec& spec, const bar_series& bars,
                                                     unsigned threads, std::size_t summarise_blocks,
                                                     std::atomic<std::size_t>* done) {
  // Configurations are taken one at a time from a shared counter: their
  // costs differ (a long slow_period trades less), so a fixed split would
  // leave a thread idle. Results land at their index, so nothing depends on
  // the threads.
  const std::size_t total = configuration_count(spec);
  std::vector<configuration_result> results(total);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < total;) {
      results[i] = run_configuration(spec, i, bars, {summarise_blocks, false});
      if (done)
        done->fetch_add(1, std::memory_order_relaxed);
    }
  };
  threads =
      static_cast<unsigned>(std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(total, 1)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (auto& t : pool)
    t.join();
  return results;
}

std::size_t best_configuration(const sweep_spec& spec,
                               const std::vector<configuration_result>& results,
                               std::int64_t min_trades) {
  const std::size_t none = results.size();
  std::size_t best = none;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (r.status != sweep_outcome::completed || !r.meets_constraints
        || r.metrics.total_trades < min_trades)
      continue;
    if (best == none || ranks_before(spec, r.metrics, results[best].metrics))
      best = i; // ties keep the lower index
  }
  // The best needs an objective value: a configuration whose objective is
  // empty (no trades, say) is not a best.
  if (best < none && !metric_value(results[best].metrics, spec.objective))
    best = none;
  return best;
}

} // namespace bt
