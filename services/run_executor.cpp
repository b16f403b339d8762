#include "services/run_executor.hpp"
#include "services/tracing.hpp"

#include "config/log.hpp"
#include "domain/data/bar_import.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/report/sha256.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/run_repository.hpp"
#include "persistence/sweep_store.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace bt {

// Progress every 1% of the bars (and so well within 250 ms: a 1% step is
// under a millisecond of engine time); the cancel flag at the same cadence.
std::int64_t resident_bytes() {
  // statm's second field: resident pages (one read, no stdio buffers).
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  char buf[128];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  char* rest = nullptr;
  std::strtoll(buf, &rest, 10); // size
  const long long resident = std::strtoll(rest, nullptr, 10);
  return resident * ::sysconf(_SC_PAGESIZE);
}

limit_check::limit_check(run_limits limits)
    : limits_(limits), started_(std::chrono::steady_clock::now()),
      resident_at_start_(limits.memory_bytes > 0 ? resident_bytes() : 0),
      memory_sampled_(started_) {}

void limit_check::operator()(const char* what, std::size_t done, std::size_t total) const {
  auto where = [&] {
    return std::string(what) + " " + std::to_string(done) + " of " + std::to_string(total);
  };
  if (limits_.wall_clock.count() > 0
      && std::chrono::steady_clock::now() - started_ > limits_.wall_clock) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", limits_.wall_clock.count() / 1000.0);
    throw run_limit_exceeded("the run exceeded its wall-clock limit of " + std::string(seconds)
                             + " s at " + where() + " (--run-timeout-seconds); it is not retried");
  }
  // Resident memory at most every 10 ms: reading it takes the process's
  // memory-map lock, which the other workers' page faults contend for (read
  // at every 1 % of a 2-year run it doubled the engine's time).
  const auto now = std::chrono::steady_clock::now();
  if (limits_.memory_bytes > 0 && now - memory_sampled_ >= std::chrono::milliseconds(10)) {
    memory_sampled_ = now;
    const std::int64_t grown = resident_bytes() - resident_at_start_;
    if (grown > limits_.memory_bytes)
      throw run_limit_exceeded("the run exceeded its memory limit of "
                               + std::to_string(limits_.memory_bytes >> 20) + " MiB ("
                               + std::to_string(grown >> 20) + " MiB more resident at " + where()
                               + "; --run-memory-mb); it is not retried");
  }
}

job_observer::job_observer(live_run& live, const bar_series& bars, const fault_plan& faults,
                           std::int32_t attempt, std::function<void(const live_run&)> report,
                           fixed initial_capital, std::function<void(const live_run&)> publish,
                           run_limits limits)
    : live_(live), bars_(bars), crash_at_(faults.times >= attempt ? faults.crash_at_bar : -1),
      hang_at_(faults.times >= attempt ? faults.hang_at_bar : -1), slow_ms_(faults.slow_ms_per_pct),
      report_(std::move(report)), initial_capital_(initial_capital), publish_(std::move(publish)),
      limits_(limits), hog_mb_(faults.hog_mb), hog_at_(faults.hog_at_bar),
      started_(std::chrono::steady_clock::now()) {
  const std::size_t step = std::max<std::size_t>(1, bars.size() / 100);
  interval_ = step;
  for (std::int64_t at : {crash_at_, hang_at_, hog_at_})
    if (at > 0)
      interval_ = std::min<std::size_t>(interval_, static_cast<std::size_t>(at));
}

bool job_observer::on_progress(const run_progress& p) {
  const std::size_t done = p.bars_done, total = p.bars_total, trades = p.trades;
  if (crash_at_ >= 0 && static_cast<std::int64_t>(done) >= crash_at_)
    throw std::runtime_error("injected crash at bar " + std::to_string(crash_at_)
                             + " (BACKTESTD_FAULTS)");
  if (hang_at_ >= 0 && static_cast<std::int64_t>(done) >= hang_at_)
    while (!live_.cancel.load()) // silent, as a hung worker would be
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (slow_ms_ > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms_));
  if (hog_at_ >= 0 && static_cast<std::int64_t>(done) >= hog_at_ && hog_.empty())
    hog_.assign(static_cast<std::size_t>(hog_mb_) << 20, 1); // taken and touched
  const auto now = std::chrono::steady_clock::now();
  limits_("bar", done, total); // at the progress cadence: 1 % of the bars
  const double pct = 100.0 * static_cast<double>(done) / static_cast<double>(total);
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  live_.percent = pct;
  live_.bar_time = bars_.times()[done - 1];
  live_.trades = static_cast<std::int64_t>(trades);
  live_.eta_seconds = pct > 0 ? elapsed * (100.0 - pct) / pct : 0.0;
  live_.bars_done = static_cast<std::int64_t>(done);
  live_.bars_total = static_cast<std::int64_t>(total);
  // Both within the exact range: the engine checked every sum it made.
  live_.net_profit_units = (p.equity - initial_capital_).units;
  live_.position_units = p.position.units;
  live_.beat();
  if (publish_)
    publish_(live_);
  // Remote reports at most every 250 ms: messages cost more than atomics.
  if (report_ && (now - last_report_ >= std::chrono::milliseconds(250) || done == total)) {
    last_report_ = now;
    report_(live_);
  }
  return !live_.cancel.load();
}

run_config config_from_json(const std::string& json) {
  const boost::json::value v = boost::json::parse(json);
  run_request r;
  r.symbol = std::string(v.at("symbol").as_string());
  r.timeframe = std::string(v.at("timeframe").as_string());
  r.strategy = std::string(v.at("strategy").at("name").as_string());
  r.params = &v.at("params");
  r.execution = &v.at("execution");
  unix_time t = 0;
  if (v.at("from").is_string()
      && parse_timestamp(v.at("from").as_string().c_str(), t) == timestamp_parse::ok)
    r.from = t;
  if (v.at("to").is_string()
      && parse_timestamp(v.at("to").as_string().c_str(), t) == timestamp_parse::ok)
    r.to = t;
  run_config c;
  if (auto errors = resolve_config(r, c); !errors.empty())
    throw std::runtime_error("stored configuration no longer valid: " + describe(errors));
  return c;
}

fault_plan fault_plan::from_environment() {
  fault_plan f;
  const char* env = std::getenv("BACKTESTD_FAULTS");
  if (!env)
    return f;
  std::string spec = env;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    auto comma = spec.find(',', pos);
    std::string item =
        spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto eq = item.find('=');
    if (eq != std::string::npos) {
      const std::string key = item.substr(0, eq);
      const long long value = std::atoll(item.c_str() + eq + 1);
      if (key == "crash_at_bar")
        f.crash_at_bar = value;
      else if (key == "hang_at_bar")
        f.hang_at_bar = value;
      else if (key == "times")
        f.times = static_cast<std::int32_t>(value);
      else if (key == "slow_ms_per_pct")
        f.slow_ms_per_pct = value;
      else if (key == "store_delay_ms")
        f.store_delay_ms = value;
      else if (key == "run_timeout_ms")
        f.run_timeout_ms = value;
      else if (key == "hog_mb")
        f.hog_mb = value;
      else if (key == "hog_at_bar")
        f.hog_at_bar = value;
    }
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  if ((f.crash_at_bar >= 0 || f.hang_at_bar >= 0) && f.times == 0)
    f.times = 1;
  log::warn("fault_injection_enabled", {{"crash_at_bar", f.crash_at_bar},
                                        {"hang_at_bar", f.hang_at_bar},
                                        {"times", f.times},
                                        {"slow_ms_per_pct", f.slow_ms_per_pct},
                                        {"store_delay_ms", f.store_delay_ms},
                                        {"run_timeout_ms", f.run_timeout_ms},
                                        {"hog_mb", f.hog_mb}});
  return f;
}

source_range load_source(worker_context& ctx, const run_attempt& job) {
  const auto source_tf = parse_timeframe(job.source_timeframe);
  if (!source_tf)
    throw std::runtime_error("unknown source timeframe " + job.source_timeframe);
  // The whole dataset, from the cache while its checksum is unchanged.
  std::shared_ptr<const bar_series> dataset;
  auto conn = ctx.pool->acquire();
  auto info = db::find_dataset(*conn, job.user_id, job.symbol, job.source_timeframe);
  const std::string key =
      std::to_string(job.user_id) + "/" + job.symbol + "/" + job.source_timeframe;
  if (info && !(dataset = ctx.bars->find(key, info->checksum))) {
    auto loaded = db::load_bars(*conn, job.user_id, job.symbol, *source_tf, std::nullopt,
                                std::nullopt, SIZE_MAX >> 1);
    if (loaded) {
      dataset = std::make_shared<const bar_series>(std::move(*loaded));
      ctx.bars->put(key, info->checksum, dataset);
    }
  }
  if (!dataset)
    return {};
  return {dataset->slice(job.start, job.end), info->checksum};
}

bar_series load_source_range(worker_context& ctx, const run_attempt& job) {
  return load_source(ctx, job).bars;
}

chunk_run run_chunk(const run_attempt& job, const bar_series& source, live_run& live,
                    const std::function<void(const live_run&)>& report, const fault_plan& faults,
                    run_limits limits) {
  const limit_check check(limits);
  chunk_run out;
  sweep_chunk chunk;
  if (sha256_hex(job.config_json) != job.config_hash) {
    out.error = "stored configuration does not match its hash";
    out.permanent = true;
    return out;
  }
  if (auto why = parse_chunk_config(job.config_json, chunk)) {
    out.error = *why;
    out.permanent = true;
    return out;
  }
  const timeframe tf = *parse_timeframe(chunk.spec.timeframe); // checked with the spec
  const bar_series resampled =
      job.source_timeframe == job.timeframe ? bar_series{} : resample(source, tf);
  const bar_series& bars = job.source_timeframe == job.timeframe ? source : resampled;
  const std::size_t n = chunk.last - chunk.first;
  out.rows.reserve(n);
  auto last_report = std::chrono::steady_clock::now();
  double last_reported = 0;
  for (std::size_t i = chunk.first; i < chunk.last; ++i) {
    if (live.cancel) {
      out.result = attempt_result::cancelled;
      out.rows.clear();
      return out;
    }
    try {
      check("configuration", i + 1 - chunk.first, n); // the chunk's limits, as one run's
    } catch (const run_limit_exceeded& e) {
      out.error = e.what();
      out.permanent = true;
      out.rows.clear();
      return out;
    }
    out.rows.push_back(to_stored(chunk.spec, i, run_configuration(chunk.spec, i, bars, {0, true})));
    live.percent = 100.0 * static_cast<double>(i + 1 - chunk.first) / static_cast<double>(n);
    live.beat();
    if (faults.slow_ms_per_pct > 0)
      std::this_thread::sleep_for(
          std::chrono::milliseconds(faults.slow_ms_per_pct * 100 / static_cast<std::int64_t>(n)));
    // Progress at every 1 % of the chunk's configurations, or 250 ms.
    const double pct = live.percent.load();
    if (report
        && (pct - last_reported >= 1.0 || pct >= 100.0
            || std::chrono::steady_clock::now() - last_report > std::chrono::milliseconds(250))) {
      report(live);
      last_report = std::chrono::steady_clock::now();
      last_reported = pct;
    }
  }
  out.result = attempt_result::completed;
  return out;
}

walk_forward_run run_walk_forward_job(const run_attempt& job, const bar_series& source,
                                      live_run& live,
                                      const std::function<void(const live_run&)>& report,
                                      run_limits limits, const fault_plan& faults) {
  const limit_check check(limits);
  walk_forward_run out;
  walk_forward_spec spec;
  out.permanent = true; // a failure before the folds would repeat anywhere
  if (sha256_hex(job.config_json) != job.config_hash) {
    out.error = "stored configuration does not match its hash";
    return out;
  }
  if (auto why = parse_walk_forward_config(job.config_json, spec)) {
    out.error = *why;
    return out;
  }
  const timeframe tf = *parse_timeframe(spec.sweep.timeframe);
  const bar_series resampled =
      job.source_timeframe == job.timeframe ? bar_series{} : resample(source, tf);
  const bar_series& bars = job.source_timeframe == job.timeframe ? source : resampled;
  const auto folds = plan_folds(spec.windows, bars);
  if (folds.empty() || folds.size() > max_walk_forward_folds) {
    out.error = "the windows give " + std::string(folds.empty() ? "no fold" : "too many folds")
                + " on the " + std::to_string(bars.size()) + " bars";
    return out;
  }
  walk_forward_result r;
  try {
    r = run_walk_forward(spec, bars, folds, 1, nullptr, [&](std::size_t done) {
      if (faults.slow_ms_per_pct > 0) // tests: the fault plan stretches a walk-forward too
        std::this_thread::sleep_for(std::chrono::milliseconds(
            faults.slow_ms_per_pct * 100 / static_cast<std::int64_t>(folds.size())));
      check("fold", done, folds.size()); // a run_limit_exceeded is a backtest_error
      live.percent = 100.0 * static_cast<double>(done) / static_cast<double>(folds.size());
      live.beat();
      if (report)
        report(live);
      return !live.cancel;
    });
  } catch (const backtest_error& e) {
    out.error = e.what();
    return out;
  }
  out.permanent = false;
  if (r.cancelled) {
    out.result = attempt_result::cancelled;
    return out;
  }
  json_writer w;
  write_walk_forward(w, spec, bars, r);
  out.document = w.take();
  out.trades_csv = trades_csv(r.out_of_sample.trades);
  out.equity_csv = equity_csv(r.out_of_sample.equity);
  out.result = attempt_result::completed;
  return out;
}

namespace {

/// A running attempt in the registry for as long as it runs.
class registration {
public:
  registration(run_registry& registry, const std::string& run_id, const std::string& worker_id)
      : registry_(registry), run_id_(run_id), live_(registry.start(run_id, worker_id)) {}
  ~registration() { registry_.finish(run_id_, live_.get()); }
  registration(const registration&) = delete;
  registration& operator=(const registration&) = delete;
  live_run& operator*() const { return *live_; }

private:
  run_registry& registry_;
  const std::string& run_id_;
  std::shared_ptr<live_run> live_;
};

/// A research job (a sweep's chunk, a walk-forward) through its attempt:
/// its bars, `compute(bars, live)` giving a result with `result`, `error`
/// and `permanent`, then `store(conn, result, ms)` (false: the attempt no
/// longer holds the run) in one transaction, and the book told.
template <class Compute, class Store>
job_outcome execute_research(const run_attempt& job, worker_context& ctx,
                             const std::string& worker_id, const char* what, Compute compute,
                             Store store) {
  const auto started = std::chrono::steady_clock::now();
  const registration live(*ctx.registry, job.run_id, worker_id);
  auto range = load_source(ctx, job).bars;
  if (range.empty())
    return {job.run_id, job.attempt, attempt_result::failed,
            "no bars for " + job.symbol + "/" + job.source_timeframe + " in the " + what
                + "'s range (dataset deleted?)",
            true};
  auto run = [&] {
    span_scope engine(job.trace_id, job.attempt_span_id, std::string("engine ") + what);
    tracing::attempt_attributes(engine, job, worker_id);
    auto computed = compute(range, *live);
    if (computed.result == attempt_result::failed)
      engine.fail(computed.error);
    return computed;
  }();
  if (run.result == attempt_result::failed)
    return {job.run_id, job.attempt, attempt_result::failed, run.error, run.permanent};
  auto conn = ctx.pool->acquire();
  if (run.result == attempt_result::cancelled) {
    db::finish_cancelled(*conn, job);
    ctx.book->sync(*conn, job.run_id);
    tracing::end_attempt(job, worker_id, "cancelled");
    return {job.run_id, job.attempt, attempt_result::cancelled, ""};
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  const auto computed = std::chrono::steady_clock::now();
  bool stored = false;
  {
    span_scope storage(job.trace_id, job.attempt_span_id, "store result");
    tracing::attempt_attributes(storage, job, worker_id);
    stored = store(*conn, run, ms);
  }
  if (!stored) {
    ctx.book->sync(*conn, job.run_id);
    tracing::end_attempt(job, worker_id, "stale");
    return {job.run_id, job.attempt, attempt_result::stale, ""};
  }
  ctx.book->completed(*conn, job.run_id, ms);
  tracing::end_attempt(job, worker_id, "completed");
  log::info("research_timing", {{"run_id", job.run_id},
                                {"what", what},
                                {"compute_ms", ms},
                                {"store_ms", std::chrono::duration<double, std::milli>(
                                                 std::chrono::steady_clock::now() - computed)
                                                 .count()}});
  return {job.run_id, job.attempt, attempt_result::completed, ""};
}

} // namespace

job_outcome execute_job(const run_attempt& job, worker_context& ctx, const std::string& worker_id) {
  if (is_chunk_config(job.config_json))
    return execute_research(
        job, ctx, worker_id, "sweep",
        [&](const bar_series& bars, live_run& live) {
          return run_chunk(
              job, bars, live, [&](const live_run& l) { ctx.hub->publish_progress(job.run_id, l); },
              ctx.faults, ctx.limits);
        },
        [&](pqxx::connection& c, const chunk_run& run, double ms) {
          return db::complete_chunk(c, job, run.rows, engine_version(), ms);
        });
  if (is_walk_forward_config(job.config_json))
    return execute_research(
        job, ctx, worker_id, "walk-forward",
        [&](const bar_series& bars, live_run& live) {
          // Each fold moves the walk-forward's progress stream.
          return run_walk_forward_job(
              job, bars, live, [&](const live_run& l) { ctx.hub->publish_progress(job.run_id, l); },
              ctx.limits, ctx.faults);
        },
        [&](pqxx::connection& c, const walk_forward_run& run, double ms) {
          return db::complete_walk_forward(c, job, run.document, run.trades_csv, run.equity_csv,
                                           engine_version(), ms);
        });
  const auto started = std::chrono::steady_clock::now();
  const registration live(*ctx.registry, job.run_id, worker_id);

  const run_config config = config_from_json(job.config_json);
  if (config_hash(config) != job.config_hash)
    return {job.run_id, job.attempt, attempt_result::failed,
            "stored configuration does not match its hash", true};
  auto [range, dataset_checksum] = load_source(ctx, job);
  if (range.empty())
    return {job.run_id, job.attempt, attempt_result::failed,
            "no bars for " + job.symbol + "/" + job.source_timeframe
                + " in the run's range (dataset deleted?)",
            true};
  bar_series bars =
      job.source_timeframe == job.timeframe ? std::move(range) : resample(range, config.timeframe);

  const auto loaded_at = std::chrono::steady_clock::now();
  job_observer observer(
      *live, bars, ctx.faults, job.attempt, nullptr, config.execution.initial_capital,
      [&](const live_run& l) { ctx.hub->publish_progress(job.run_id, l); }, ctx.limits);
  // The bars are decided by the dataset, the range and the timeframe, so
  // their checksum is too.
  const std::string range_key = dataset_checksum + "|" + job.timeframe + "|"
                                + std::to_string(job.start) + "|" + std::to_string(job.end);
  auto checksum = ctx.bars->find_range_checksum(range_key);
  backtest_result result;
  {
    span_scope engine(job.trace_id, job.attempt_span_id, "engine run");
    tracing::attempt_attributes(engine, job, worker_id);
    engine.number("bars", static_cast<std::int64_t>(bars.size()));
    try {
      result = checksum ? run_backtest_unhashed(config, bars, &observer)
                        : run_backtest(config, bars, &observer);
    } catch (const backtest_error& e) {
      engine.fail(e.what());
      return {job.run_id, job.attempt, attempt_result::failed, e.what(),
              true}; // deterministic: retrying cannot help
    }
  }
  if (checksum)
    result.data_checksum = std::move(*checksum);
  else
    ctx.bars->put_range_checksum(range_key, result.data_checksum);
  const auto engine_done = std::chrono::steady_clock::now();
  if (result.output.cancelled) {
    auto conn = ctx.pool->acquire();
    db::finish_cancelled(*conn, job);
    ctx.book->sync(*conn, job.run_id);
    tracing::end_attempt(job, worker_id, "cancelled");
    return {job.run_id, job.attempt, attempt_result::cancelled, ""};
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  auto conn = ctx.pool->acquire();
  bool stored = false;
  {
    span_scope storage(job.trace_id, job.attempt_span_id, "store result");
    tracing::attempt_attributes(storage, job, worker_id);
    stored = db::complete_run(*conn, job, db::to_stored(result, engine_version(), ms));
  }
  if (!stored) {
    ctx.book->sync(*conn, job.run_id);
    tracing::end_attempt(job, worker_id, "stale");
    return {job.run_id, job.attempt, attempt_result::stale, ""};
  }
  ctx.book->completed(*conn, job.run_id, ms);
  tracing::end_attempt(job, worker_id, "completed");
  using ms_t = std::chrono::duration<double, std::milli>;
  log::info("run_timing",
            {{"run_id", job.run_id},
             {"bars", static_cast<std::uint64_t>(bars.size())},
             {"load_ms", ms_t(loaded_at - started).count()},
             {"engine_ms", ms_t(engine_done - loaded_at).count()},
             {"store_ms", ms_t(std::chrono::steady_clock::now() - engine_done).count()}});
  return {job.run_id, job.attempt, attempt_result::completed, ""};
}

} // namespace bt
