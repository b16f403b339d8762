#include "domain/research/walk_forward.hpp"

#include "domain/engine/backtest.hpp"
#include "domain/metrics/metrics.hpp"
#include "domain/report/chart.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/strategies/registry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace bt {
namespace {

constexpr double seconds_per_year = 365.25 * 86'400;
/// The stitched equity curve in the document (the CSV has every point).
constexpr std::size_t equity_chart_points = 2'000;

/// A window length: a whole number of bars, or a duration "N" + d, h or w.
std::optional<field_error> read_length(const boost::json::object& o, const char* key, bool& by_time,
                                       bool& seen, std::int64_t& out) {
  const std::string field = std::string("windows.") + key;
  const auto* v = o.if_contains(key);
  if (!v)
    return std::nullopt;
  bool is_time = false;
  std::int64_t value = 0;
  if (v->is_int64()) {
    value = v->as_int64();
    if (value < 1 || value > 100'000'000)
      return field_error{field, "a number of bars must be from 1 to 100000000"};
  } else if (v->is_string()) {
    const std::string_view s = v->as_string();
    const char unit = s.empty() ? '\0' : s.back();
    const std::int64_t scale = unit == 'h'   ? 3'600
                               : unit == 'd' ? 86'400
                               : unit == 'w' ? 604'800
                                             : 0;
    std::int64_t n = 0;
    bool digits = s.size() >= 2 && s.size() <= 7;
    for (std::size_t i = 0; digits && i + 1 < s.size(); ++i) {
      digits = s[i] >= '0' && s[i] <= '9';
      n = n * 10 + (s[i] - '0');
    }
    if (!scale || !digits || n < 1)
      return field_error{field, "must be a number of bars or a duration such as \"180d\", "
                                "\"12h\" or \"4w\""};
    value = n * scale;
    is_time = true;
  } else {
    return field_error{field, "must be a number of bars or a duration such as \"180d\""};
  }
  if (seen && is_time != by_time)
    return field_error{field, "train, test and step must all be bars or all be durations"};
  seen = true;
  by_time = is_time;
  out = value;
  return std::nullopt;
}

std::string describe_window(std::int64_t v, bool by_time) {
  return by_time ? std::to_string(v / 3600) + " hours" : std::to_string(v) + " bars";
}

/// The span of bars [begin, end) in seconds, to their last bar's close.
double span_seconds(const bar_series& bars, std::size_t begin, std::size_t end) {
  return static_cast<double>(bars.times()[end - 1] + seconds_of(bars.timeframe())
                             - bars.times()[begin]);
}

/// Bars [begin, end) as a series of their own.
bar_series bars_between(const bar_series& bars, std::size_t begin, std::size_t end) {
  return bars.slice(bars.times()[begin], bars.times()[end - 1]);
}

} // namespace

field_errors parse_walk_forward_spec(const boost::json::value& spec, walk_forward_spec& out,
                                     std::size_t max_configurations) {
  if (!spec.is_object())
    return {{"", "the walk-forward specification must be a JSON object"}};
  boost::json::object sweep = spec.as_object();
  const auto* given = sweep.if_contains("windows");
  if (!given || !given->is_object())
    return {{"windows", "required: {\"train\": N | \"180d\", \"test\": N | \"30d\", \"step\", "
                        "\"anchored\", \"min_trades\"}"}};
  const boost::json::object windows = given->as_object();
  sweep.erase("windows");
  if (const auto* mc = sweep.if_contains("monte_carlo")) {
    monte_carlo_spec m;
    if (auto e = parse_monte_carlo_spec(*mc, m); !e.empty()) {
      for (auto& x : e)
        x.field = "monte_carlo" + (x.field.empty() ? "" : "." + x.field);
      return e;
    }
    out.monte_carlo = m;
    sweep.erase("monte_carlo");
  }
  if (auto e = parse_sweep_spec(sweep, out.sweep, max_configurations); !e.empty())
    return e;
  for (const auto& kv : windows)
    if (kv.key() != "train" && kv.key() != "test" && kv.key() != "step" && kv.key() != "anchored"
        && kv.key() != "min_trades")
      return {{"windows." + std::string(kv.key()), "unknown field"}};
  auto& w = out.windows;
  bool seen = false;
  for (auto [key, target] : {std::pair{"train", &w.train}, std::pair{"test", &w.test}}) {
    if (!windows.contains(key))
      return {{std::string("windows.") + key, "required"}};
    if (auto e = read_length(windows, key, w.by_time, seen, *target))
      return {*e};
  }
  w.step = w.test;
  if (auto e = read_length(windows, "step", w.by_time, seen, w.step))
    return {*e};
  if (w.step < w.test)
    return {{"windows.step", "must be at least the test window ("
                                 + describe_window(w.test, w.by_time)
                                 + "): test windows must not overlap, they are one account"}};
  if (const auto* a = windows.if_contains("anchored")) {
    if (!a->is_bool())
      return {{"windows.anchored", "must be true or false"}};
    w.anchored = a->as_bool();
  }
  if (const auto* m = windows.if_contains("min_trades")) {
    if (!m->is_int64() || m->as_int64() < 0 || m->as_int64() > 1'000'000'000)
      return {{"windows.min_trades", "must be a whole number from 0 to 1000000000"}};
    w.min_trades = m->as_int64();
  }
  return {};
}

std::string walk_forward_config_json(const std::string& spec_json) {
  return "{\"walk_forward\":" + spec_json + "}";
}

bool is_walk_forward_config(std::string_view config_json) {
  return config_json.substr(0, 16) == "{\"walk_forward\":";
}

std::optional<std::string> parse_walk_forward_config(const std::string& config_json,
                                                     walk_forward_spec& out) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(config_json, ec);
  const auto* spec = !ec && v.is_object() ? v.as_object().if_contains("walk_forward") : nullptr;
  if (!spec || !is_walk_forward_config(config_json))
    return "not a walk-forward's configuration";
  if (auto errors = parse_walk_forward_spec(*spec, out, absolute_max_sweep_configurations);
      !errors.empty())
    return "the walk-forward's specification is invalid: " + describe(errors);
  return std::nullopt;
}

std::vector<fold_window> plan_folds(const walk_forward_windows& w, const bar_series& bars) {
  std::vector<fold_window> folds;
  const std::size_t n = bars.size();
  if (n == 0)
    return folds;
  const unix_time* times = bars.times();
  const unix_time first = times[0], end = times[n - 1] + seconds_of(bars.timeframe());
  auto index_at = [&](unix_time t) {
    return static_cast<std::size_t>(std::lower_bound(times, times + n, t) - times);
  };
  // One more than the limit, so that the caller can refuse with the count.
  for (std::int64_t k = 0; folds.size() <= max_walk_forward_folds; ++k) {
    fold_window f;
    if (w.by_time) {
      const unix_time start = first + k * w.step, train_end = start + w.train,
                      test_end = train_end + w.test;
      if (test_end > end)
        break;
      f = {index_at(w.anchored ? first : start), index_at(train_end), index_at(test_end)};
    } else {
      const auto start = static_cast<std::size_t>(k * w.step);
      const std::size_t train_end = start + static_cast<std::size_t>(w.train),
                        test_end = train_end + static_cast<std::size_t>(w.test);
      if (test_end > n)
        break;
      f = {w.anchored ? 0 : start, train_end, test_end};
    }
    // A window of durations can fall on a market's closure: a fold needs
    // two bars to train on and one to test.
    if (f.train_end - f.train_begin >= 2 && f.test_end > f.train_end)
      folds.push_back(f);
  }
  return folds;
}

walk_forward_result run_walk_forward(const walk_forward_spec& spec, const bar_series& bars,
                                     const std::vector<fold_window>& folds, unsigned threads,
                                     std::atomic<std::size_t>* done,
                                     const std::function<bool(std::size_t)>& after_fold) {
  walk_forward_result r;
  const unix_time bar_seconds = seconds_of(bars.timeframe());
  // One account from the base configuration's initial capital (a swept
  // initial_capital would size a fold's train sweep only).
  execution_settings base;
  {
    boost::json::value execution = spec.sweep.execution;
    apply_execution(&execution, base); // checked when the specification was read
  }
  const fixed initial = base.initial_capital;
  r.initial_capital = initial;
  fixed equity = initial;
  double in_sample_annualised = 0;
  std::size_t chose = 0, profitable = 0;
  for (const auto& window : folds) {
    fold_result f;
    f.window = window;
    f.start_equity = equity;
    const bar_series train = bars_between(bars, window.train_begin, window.train_end);
    std::vector<configuration_result> results =
        run_configurations(spec.sweep, train, threads, 0, done);
    for (const auto& c : results) {
      f.skipped += c.status == sweep_outcome::skipped;
      f.failed += c.status == sweep_outcome::failed;
      f.completed += c.status == sweep_outcome::completed;
      f.meeting += c.status == sweep_outcome::completed && c.meets_constraints
                   && c.metrics.total_trades >= spec.windows.min_trades;
    }
    std::size_t best = best_configuration(spec.sweep, results, spec.windows.min_trades);

    engine_output part;
    if (equity.units <= 0 && best < results.size()) {
      // Nothing left to trade with: sizing from a capital of zero or less
      // has no exact meaning, so the account stops here.
      f.reason = "the account has no equity left to trade";
      best = results.size();
    }
    if (best == results.size()) {
      if (f.reason.empty())
        f.reason = f.meeting == 0 ? "no configuration met the constraints and min_trades in sample"
                                  : "no configuration had a value of the objective in sample";
      // No position: the account stands still through the test window.
      for (std::size_t i = window.train_end; i < window.test_end; ++i)
        part.equity.push_back({bars.times()[i], equity, 0.0});
    } else {
      f.chosen_index = best;
      f.chosen = std::move(results[best]);
      run_config config = f.chosen->config;
      config.execution.initial_capital = equity;
      const bar_series history = bars_between(bars, window.train_begin, window.test_end);
      const std::size_t first_test_bar = window.train_end - window.train_begin;
      auto strat = make_strategy(*config.strategy, config.params);
      engine_output whole = run_engine(history, *strat, config.execution, nullptr, first_test_bar);
      part.trades = std::move(whole.trades);
      part.equity.assign(whole.equity.begin() + static_cast<std::ptrdiff_t>(first_test_bar),
                         whole.equity.end());
      part.bars_in_market = whole.bars_in_market;
      part.skipped_signals = whole.skipped_signals;
      try {
        f.out_of_sample = compute_metrics(part, equity, bar_seconds);
      } catch (const fixed_overflow& e) {
        throw backtest_error(std::string("fold ") + std::to_string(r.folds.size() + 1)
                             + ": the out-of-sample metrics cannot be computed exactly: "
                             + e.what());
      }
      ++chose;
      profitable += f.out_of_sample->net_profit.units > 0;
      in_sample_annualised += f.chosen->metrics.total_return_pct * seconds_per_year
                              / span_seconds(bars, window.train_begin, window.train_end);
      if (!part.equity.empty())
        equity = part.equity.back().equity;
    }
    // One account: trades numbered on, bars counted in the whole series.
    for (auto& t : part.trades) {
      t.trade_id = static_cast<std::int64_t>(r.out_of_sample.trades.size()) + 1;
      t.entry_bar += static_cast<std::int64_t>(window.train_begin);
      t.exit_bar += static_cast<std::int64_t>(window.train_begin);
      r.out_of_sample.trades.push_back(t);
    }
    r.out_of_sample.equity.insert(r.out_of_sample.equity.end(), part.equity.begin(),
                                  part.equity.end());
    r.out_of_sample.bars_in_market += part.bars_in_market;
    r.out_of_sample.skipped_signals += part.skipped_signals;
    r.folds.push_back(std::move(f));
    if (after_fold && !after_fold(r.folds.size())) {
      r.cancelled = true;
      return r;
    }
  }
  fill_drawdowns(r.out_of_sample.equity, initial);
  try {
    r.out_of_sample_metrics = compute_metrics(r.out_of_sample, initial, bar_seconds);
  } catch (const fixed_overflow& e) {
    throw backtest_error(std::string("the out-of-sample metrics cannot be computed exactly: ")
                         + e.what());
  }
  if (chose > 0) {
    r.profitable_folds_pct = 100.0 * static_cast<double>(profitable) / static_cast<double>(chose);
    double test_span = 0;
    for (const auto& f : r.folds)
      test_span += span_seconds(bars, f.window.train_end, f.window.test_end);
    const double oos = r.out_of_sample_metrics.total_return_pct * seconds_per_year / test_span;
    const double is = in_sample_annualised / static_cast<double>(chose);
    if (is != 0)
      r.efficiency = round_ten_places(oos / is);
  }
  r.profitable_folds_pct = round_ten_places(r.profitable_folds_pct);
  if (spec.monte_carlo) {
    // On what the stitched account stored, as for a single run.
    try {
      if (spec.monte_carlo->method == monte_carlo_method::block_bootstrap) {
        r.monte_carlo = simulate_daily_returns(daily_returns(r.out_of_sample.equity, initial),
                                               initial, *spec.monte_carlo, threads);
      } else {
        std::vector<fixed> pnl;
        pnl.reserve(r.out_of_sample.trades.size());
        for (const auto& t : r.out_of_sample.trades)
          pnl.push_back(t.pnl);
        r.monte_carlo = simulate_trades(pnl, initial, *spec.monte_carlo, threads);
      }
    } catch (const fixed_overflow& e) {
      throw backtest_error(std::string("a simulated out-of-sample equity cannot be computed "
                                       "exactly: ")
                           + e.what());
    }
  }
  return r;
}

void write_walk_forward(json_writer& w, const walk_forward_spec& spec, const bar_series& bars,
                        const walk_forward_result& r) {
  const unix_time* times = bars.times();
  auto window = [&](std::size_t begin, std::size_t end) {
    w.begin_object();
    w.key("from").timestamp(times[begin]);
    w.key("to").timestamp(times[end - 1]);
    w.key("bars").number(static_cast<std::uint64_t>(end - begin));
    w.end_object();
  };
  const strategy_schema* schema = find_strategy(spec.sweep.strategy);
  w.begin_object();
  w.key("walk_forward").begin_object();
  w.key("strategy").begin_object();
  w.key("name").string(schema->name).key("version").string(schema->version);
  w.end_object();
  w.key("symbol").string(spec.sweep.symbol);
  w.key("timeframe").string(spec.sweep.timeframe);
  w.key("method").string(sweep_method_name(spec.sweep));
  w.key("configurations_per_fold")
      .number(static_cast<std::uint64_t>(configuration_count(spec.sweep)));
  w.key("objective").string(spec.sweep.objective);
  w.key("order").string(spec.sweep.maximise ? "max" : "min");
  const auto& win = spec.windows;
  auto length = [&](std::int64_t v) {
    if (win.by_time)
      w.string(std::to_string(v % 86'400 == 0 ? v / 86'400 : v / 3'600)
               + (v % 86'400 == 0 ? "d" : "h"));
    else
      w.number(v);
  };
  w.key("windows").begin_object();
  w.key("train");
  length(win.train);
  w.key("test");
  length(win.test);
  w.key("step");
  length(win.step);
  w.key("anchored").boolean(win.anchored);
  w.key("min_trades").number(win.min_trades);
  w.end_object();
  w.key("folds").number(static_cast<std::uint64_t>(r.folds.size()));
  w.end_object();
  w.key("engine_version").string(engine_version());
  w.key("data_checksum").string(data_checksum(bars));

  w.key("folds").begin_array();
  for (std::size_t k = 0; k < r.folds.size(); ++k) {
    const auto& f = r.folds[k];
    w.begin_object();
    w.key("fold").number(static_cast<std::uint64_t>(k + 1));
    w.key("train");
    window(f.window.train_begin, f.window.train_end);
    w.key("test");
    window(f.window.train_end, f.window.test_end);
    w.key("configurations").begin_object();
    w.key("completed").number(static_cast<std::uint64_t>(f.completed));
    w.key("skipped").number(static_cast<std::uint64_t>(f.skipped));
    w.key("failed").number(static_cast<std::uint64_t>(f.failed));
    w.key("eligible").number(static_cast<std::uint64_t>(f.meeting));
    w.end_object();
    w.key("start_equity").number(f.start_equity);
    if (f.chosen) {
      w.key("chosen").begin_object();
      w.key("index").number(static_cast<std::uint64_t>(f.chosen_index));
      w.key("params");
      write_json_value(w, f.chosen->point.params);
      w.key("execution");
      write_json_value(w, f.chosen->point.execution);
      w.key("config_hash").string(f.chosen->config_hash);
      w.end_object();
      w.key("in_sample").raw(f.chosen->metrics_json);
      w.key("out_of_sample");
      write_metrics(w, *f.out_of_sample);
    } else {
      w.key("chosen").null();
      w.key("reason").string(f.reason);
    }
    w.end_object();
  }
  w.end_array();

  // Per swept parameter: the value each fold chose, how often it changed
  // from one choosing fold to the next, and its range.
  w.key("parameter_stability").begin_object();
  for (const auto& axis : spec.sweep.axes) {
    std::vector<boost::json::value> chosen;
    for (const auto& f : r.folds)
      if (f.chosen) {
        const auto& values = axis.execution ? f.chosen->point.execution : f.chosen->point.params;
        chosen.push_back(values.at(axis.name));
      }
    w.key((axis.execution ? "execution." : "") + axis.name).begin_object();
    w.key("values").begin_array();
    for (const auto& v : chosen)
      write_json_value(w, v);
    w.end_array();
    std::uint64_t changes = 0;
    for (std::size_t i = 1; i < chosen.size(); ++i)
      changes += chosen[i] != chosen[i - 1];
    w.key("changes").number(changes);
    bool numeric = !chosen.empty();
    double lo = 0, hi = 0;
    for (std::size_t i = 0; i < chosen.size() && numeric; ++i) {
      numeric = chosen[i].is_number();
      if (numeric) {
        const double x = chosen[i].to_number<double>();
        lo = i == 0 ? x : std::min(lo, x);
        hi = i == 0 ? x : std::max(hi, x);
      }
    }
    if (numeric) {
      w.key("min").number(lo);
      w.key("max").number(hi);
    }
    w.end_object();
  }
  w.end_object();

  w.key("out_of_sample").begin_object();
  w.key("metrics");
  write_metrics(w, r.out_of_sample_metrics);
  w.key("walk_forward_efficiency").optional(r.efficiency);
  w.key("profitable_folds_pct").number(r.profitable_folds_pct);
  // Annualised volatility of the stitched account's daily returns: a
  // component of an evaluation program's score.
  {
    const auto daily = daily_returns(r.out_of_sample.equity, r.initial_capital);
    std::optional<double> volatility;
    if (daily.size() >= 2)
      volatility = round_places(std::sqrt(sample_variance(daily, mean_of(daily)) * 252.0) * 100.0);
    w.key("volatility_pct").optional(volatility);
  }
  // Its daily returns by day: what a program's scorecard breaks down by
  // the volatility regime of each day.
  w.key("daily_returns").begin_array();
  for (const auto& [day, ret] : daily_returns_by_day(r.out_of_sample.equity, r.initial_capital))
    w.begin_array().timestamp(day).number(ret).end_array();
  w.end_array();
  w.key("equity");
  write_equity_summary(w, r.out_of_sample.equity, r.initial_capital);
  w.key("equity_curve");
  write_equity_points(w, downsample_equity(r.out_of_sample.equity, equity_chart_points));
  w.key("trades").begin_array();
  for (const auto& t : r.out_of_sample.trades)
    write_trade(w, t);
  w.end_array();
  w.end_object();
  if (r.monte_carlo) {
    w.key("monte_carlo");
    write_monte_carlo(w, *spec.monte_carlo, *r.monte_carlo);
  }
  w.end_object();
}

} // namespace bt
