// The micro paths of a run, with Google Benchmark, each beside what a
// general-purpose program would call for the same job, measured in the same
// run on the same inputs (2 years of generated GC 1h bars):
//
//   decimal parse     parse_decimal (exact, 8 decimals)   std::from_chars to double
//   decimal format    format_fixed                        std::to_chars of the double
//   timestamp parse   parse_export_timestamp (day memo)   strptime + timegm
//   timestamp format  timestamp_formatter                 gmtime_r + strftime
//   CSV tokenizer     csv_reader, a row's fields          std::getline + a split on ','
//   JSON writer       write_trade into json_writer        boost::json object + serialize
//
//   build/bench/micro_bench [--benchmark_filter=REGEX] [--benchmark_min_time=0.2]
//
// Items per second count prices, timestamps, rows or trades. The zone
// update is not here: it is inlined into the zones strategy's bar loop,
// which engine_bench measures per bar.

#include "domain/data/bar_series.hpp"
#include "domain/data/csv_reader.hpp"
#include "domain/data/decimal.hpp"
#include "domain/data/synthetic_bars.hpp"
#include "domain/data/timestamp.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/engine/run_config.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <charconv>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

namespace {

const bt::bar_series& bars() {
  static const bt::bar_series series = [] {
    bt::synthetic_spec spec;
    spec.bars = 12'000;
    return bt::generate_bars(spec);
  }();
  return series;
}

const std::string& csv_text() {
  static const std::string text = bt::to_csv(bars());
  return text;
}

// Every price and volume of the series as the export writes it.
const std::vector<std::string>& decimal_texts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    const bt::fixed* columns[] = {bars().opens(), bars().highs(), bars().lows(), bars().closes(),
                                  bars().volumes()};
    for (std::size_t i = 0; i < bars().size(); ++i)
      for (const bt::fixed* c : columns)
        out.push_back(bt::to_string(c[i]));
    return out;
  }();
  return texts;
}

const std::vector<std::string>& timestamp_texts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < bars().size(); ++i)
      out.push_back(bt::format_timestamp(bars().times()[i]));
    return out;
  }();
  return texts;
}

const bt::backtest_result& dual_sma_result() {
  static const bt::backtest_result result = [] {
    bt::run_request request;
    request.symbol = "GC";
    request.strategy = "dual_sma";
    bt::run_config config;
    if (!bt::resolve_config(request, config).empty())
      throw std::runtime_error("dual_sma's defaults do not resolve");
    return bt::run_backtest_unhashed(config, bars());
  }();
  return result;
}

void decimal_parse_ours(benchmark::State& state) {
  const auto& texts = decimal_texts();
  for (auto _ : state)
    for (const auto& t : texts) {
      bt::fixed v;
      benchmark::DoNotOptimize(bt::parse_decimal(t, v));
      benchmark::DoNotOptimize(v);
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * texts.size()));
}
BENCHMARK(decimal_parse_ours);

void decimal_parse_from_chars_double(benchmark::State& state) {
  const auto& texts = decimal_texts();
  for (auto _ : state)
    for (const auto& t : texts) {
      double v;
      benchmark::DoNotOptimize(std::from_chars(t.data(), t.data() + t.size(), v));
      benchmark::DoNotOptimize(v);
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * texts.size()));
}
BENCHMARK(decimal_parse_from_chars_double);

void decimal_format_ours(benchmark::State& state) {
  const bt::fixed* closes = bars().closes();
  char buf[32];
  for (auto _ : state)
    for (std::size_t i = 0; i < bars().size(); ++i) {
      benchmark::DoNotOptimize(bt::format_fixed(buf, closes[i]));
      benchmark::ClobberMemory();
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bars().size()));
}
BENCHMARK(decimal_format_ours);

void decimal_format_to_chars_double(benchmark::State& state) {
  std::vector<double> values;
  for (std::size_t i = 0; i < bars().size(); ++i)
    values.push_back(bars().closes()[i].to_double());
  char buf[32];
  for (auto _ : state)
    for (double v : values) {
      benchmark::DoNotOptimize(std::to_chars(buf, buf + sizeof buf, v).ptr);
      benchmark::ClobberMemory();
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * values.size()));
}
BENCHMARK(decimal_format_to_chars_double);

void timestamp_parse_ours(benchmark::State& state) {
  const auto& texts = timestamp_texts();
  for (auto _ : state) {
    bt::timestamp_memo memo;
    for (const auto& t : texts) {
      bt::unix_time v;
      benchmark::DoNotOptimize(bt::parse_export_timestamp(t, v, memo));
      benchmark::DoNotOptimize(v);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * texts.size()));
}
BENCHMARK(timestamp_parse_ours);

void timestamp_parse_strptime_timegm(benchmark::State& state) {
  const auto& texts = timestamp_texts();
  for (auto _ : state)
    for (const auto& t : texts) {
      std::tm tm{};
      benchmark::DoNotOptimize(::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm));
      benchmark::DoNotOptimize(::timegm(&tm));
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * texts.size()));
}
BENCHMARK(timestamp_parse_strptime_timegm);

void timestamp_format_ours(benchmark::State& state) {
  char buf[24];
  for (auto _ : state) {
    bt::timestamp_formatter times;
    for (std::size_t i = 0; i < bars().size(); ++i) {
      benchmark::DoNotOptimize(times.format(buf, bars().times()[i]));
      benchmark::ClobberMemory();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bars().size()));
}
BENCHMARK(timestamp_format_ours);

void timestamp_format_gmtime_strftime(benchmark::State& state) {
  char buf[24];
  for (auto _ : state)
    for (std::size_t i = 0; i < bars().size(); ++i) {
      const std::time_t t = static_cast<std::time_t>(bars().times()[i]);
      std::tm tm{};
      ::gmtime_r(&t, &tm);
      benchmark::DoNotOptimize(std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
      benchmark::ClobberMemory();
    }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bars().size()));
}
BENCHMARK(timestamp_format_gmtime_strftime);

void csv_tokenizer_ours(benchmark::State& state) {
  std::vector<std::string_view> fields;
  for (auto _ : state) {
    bt::csv_reader reader(csv_text());
    while (reader.next(fields) != bt::csv_reader::record::end)
      benchmark::DoNotOptimize(fields.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * (bars().size() + 1)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * csv_text().size()));
}
BENCHMARK(csv_tokenizer_ours);

void csv_tokenizer_getline_split(benchmark::State& state) {
  std::vector<std::string> fields;
  for (auto _ : state) {
    std::istringstream in(csv_text());
    std::string line;
    while (std::getline(in, line)) {
      fields.clear();
      std::istringstream row(line);
      for (std::string field; std::getline(row, field, ',');)
        fields.push_back(field);
      benchmark::DoNotOptimize(fields.data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * (bars().size() + 1)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * csv_text().size()));
}
BENCHMARK(csv_tokenizer_getline_split);

void json_trades_ours(benchmark::State& state) {
  const auto& trades = dual_sma_result().output.trades;
  for (auto _ : state) {
    bt::json_writer w;
    w.begin_array();
    for (const auto& t : trades)
      bt::write_trade(w, t);
    w.end_array();
    benchmark::DoNotOptimize(w.str().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * trades.size()));
}
BENCHMARK(json_trades_ours);

// The DOM route: each trade's fields into a boost::json::object (prices as
// doubles, which is what loses their decimals), then serialize.
void json_trades_boost_json_dom(benchmark::State& state) {
  const auto& trades = dual_sma_result().output.trades;
  for (auto _ : state) {
    boost::json::array a;
    a.reserve(trades.size());
    for (const auto& t : trades) {
      boost::json::object o;
      o["trade_id"] = t.trade_id;
      o["side"] = std::string(bt::to_string(t.side));
      o["entry_time"] = bt::format_timestamp(t.entry_time);
      o["exit_time"] = bt::format_timestamp(t.exit_time);
      o["entry_price"] = t.entry_price.to_double();
      o["exit_price"] = t.exit_price.to_double();
      o["quantity"] = t.quantity.to_double();
      o["pnl"] = t.pnl.to_double();
      o["pnl_pct"] = t.pnl_pct;
      o["stop_price"] = t.stop_price ? boost::json::value(t.stop_price->to_double()) : nullptr;
      o["target_price"] =
          t.target_price ? boost::json::value(t.target_price->to_double()) : nullptr;
      o["initial_risk"] =
          t.initial_risk ? boost::json::value(t.initial_risk->to_double()) : nullptr;
      o["r_multiple"] = t.r_multiple ? boost::json::value(*t.r_multiple) : nullptr;
      o["mae"] = t.mae.to_double();
      o["mfe"] = t.mfe.to_double();
      o["holding_bars"] = t.holding_bars;
      o["fill_type"] = std::string(bt::to_string(t.fill_type));
      o["exit_reason"] = std::string(bt::to_string(t.exit_reason));
      o["commission"] = t.commission.to_double();
      o["zone_id"] = nullptr;
      o["zone_type"] = nullptr;
      o["zone_strength"] = nullptr;
      a.push_back(std::move(o));
    }
    const std::string text = boost::json::serialize(a);
    benchmark::DoNotOptimize(text.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * trades.size()));
}
BENCHMARK(json_trades_boost_json_dom);

} // namespace

BENCHMARK_MAIN();
