// backtestd regress: the golden-result regression harness. Every case of a
// manifest (tests/golden/manifest.json) is run as `backtestd run` would run
// it, and its identity (config_hash, data_checksum), its files (SHA-256 of
// trades.csv, equity.csv, zones.csv; the trades themselves, to name the
// first that differs) and its key metrics are compared with what was
// recorded. --update --reason TEXT records them anew, with the engine
// version, the date and the reason; an entry recorded more than 90 days ago
// is reported as stale (re-check it and record it again), which does not
// fail the run.

#include "app/bar_file.hpp"
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/data/synthetic_bars.hpp"
#include "domain/engine/backtest.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/result_report.hpp"
#include "domain/report/sha256.hpp"

#include <boost/json.hpp>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace bt::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::int64_t stale_after_days = 90;
/// The metrics recorded per case (their text as write_metrics writes it).
const char* const key_metrics[] = {"total_trades",  "net_profit",       "final_equity",
                                   "win_rate",      "profit_factor",    "sharpe_ratio",
                                   "sortino_ratio", "max_drawdown_pct", "expectancy"};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw usage_error("cannot read " + path.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos)
      nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

/// What a case produced, in the form it is recorded.
struct outcome {
  std::string config_hash, data_checksum, trades_csv, trades_sha256, equity_sha256, zones_sha256;
  std::size_t trades = 0;
  std::vector<std::pair<std::string, std::string>> metrics; ///< name, JSON text
};

std::string string_at(const json::object& o, const char* key, const std::string& where) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string())
    throw usage_error(where + ": \"" + key + "\" must be a string");
  return std::string(v->as_string());
}

outcome run_case(const json::object& c, const std::string& name, const fs::path& golden,
                 const fs::path& scratch) {
  const std::string where = "case " + name;
  const auto* data = c.if_contains("data");
  const auto* run = c.if_contains("run");
  if (!data || !data->is_object() || !run || !run->is_object())
    throw usage_error(where + ": needs \"data\" and \"run\" objects");
  const json::object& r = run->as_object();

  // The bars come from a CSV file either way, read as `run` reads one.
  fs::path csv;
  if (const auto* gen = data->as_object().if_contains("generate")) {
    if (!gen->is_object())
      throw usage_error(where + ": data.generate must be an object");
    const auto& g = gen->as_object();
    synthetic_spec spec;
    spec.symbol = string_at(g, "symbol", where);
    if (const auto* n = g.if_contains("bars"); n && n->is_int64() && n->as_int64() > 0)
      spec.bars = static_cast<std::size_t>(n->as_int64());
    if (const auto* s = g.if_contains("seed"); s && s->is_int64() && s->as_int64() >= 0)
      spec.seed = static_cast<std::uint64_t>(s->as_int64());
    if (const auto* tf = g.if_contains("timeframe")) {
      auto parsed = tf->is_string() ? parse_timeframe(tf->as_string()) : std::nullopt;
      if (!parsed)
        throw usage_error(where + ": data.generate.timeframe is not a timeframe");
      spec.timeframe = *parsed;
    }
    csv = scratch / (name + ".csv");
    write_file_atomic(csv.string(), to_csv(generate_bars(spec)));
  } else {
    csv = golden / string_at(data->as_object(), "file", where);
  }

  run_request request;
  request.symbol = string_at(r, "symbol", where);
  request.strategy = string_at(r, "strategy", where);
  if (r.contains("timeframe"))
    request.timeframe = string_at(r, "timeframe", where);
  request.params = r.if_contains("params");
  request.execution = r.if_contains("execution");
  for (auto [key, target, which] : {std::tuple{"start", &request.from, range_bound::start},
                                    std::tuple{"end", &request.to, range_bound::end}}) {
    if (!r.contains(key))
      continue;
    unix_time t = 0;
    if (parse_range_bound(string_at(r, key, where), which, t) != timestamp_parse::ok)
      throw usage_error(where + ": run." + key + " is not a UTC timestamp");
    *target = t;
  }
  run_config config;
  if (auto errors = resolve_config(request, config); !errors.empty())
    throw usage_error(where + ": " + describe(errors));
  auto file = load_bar_file("regress", csv.string(), config.symbol, config.timeframe,
                            config.timeframe, config.from, config.to,
                            hash_file_text::no); // the run hashes its bars: the check
  if (!file)
    throw std::runtime_error(where + ": its data was rejected (above)");
  const backtest_result result = run_backtest(config, file->bars);
  outcome o;
  o.config_hash = result.config_hash;
  o.data_checksum = result.data_checksum;
  o.trades = result.output.trades.size();
  o.trades_csv = trades_csv(result.output.trades);
  o.trades_sha256 = sha256_hex(o.trades_csv);
  o.equity_sha256 = sha256_hex(equity_csv(result.output.equity));
  o.zones_sha256 = sha256_hex(zones_csv(result.zones));
  json_writer w;
  write_metrics(w, result.metrics);
  const std::string metrics = w.take();
  for (const char* m : key_metrics)
    o.metrics.emplace_back(m, flat_value_text(metrics, m));
  return o;
}

/// Every difference of `got` from the case's expectations, one message each.
std::vector<std::string> differences(const json::object& expected, const outcome& got,
                                     const fs::path& trades_file) {
  std::vector<std::string> out;
  auto text = [&](const char* key) {
    const auto* v = expected.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string("(none recorded)");
  };
  for (auto [key, value] :
       {std::pair{"config_hash", &got.config_hash}, std::pair{"data_checksum", &got.data_checksum}})
    if (text(key) != *value)
      out.push_back(std::string(key) + ": expected " + text(key) + ", got " + *value);
  if (text("trades_sha256") != got.trades_sha256) {
    std::string what = "trades.csv differs";
    std::string recorded;
    if (fs::exists(trades_file))
      recorded = read_text(trades_file);
    const auto want = lines_of(recorded), have = lines_of(got.trades_csv);
    // Line 0 is the header; line k is trade k.
    std::size_t k = 0;
    while (k < want.size() && k < have.size() && want[k] == have[k])
      ++k;
    what += " (" + std::to_string(want.empty() ? 0 : want.size() - 1) + " trades recorded, "
            + std::to_string(got.trades) + " now)";
    if (want.empty())
      what += ": none recorded at " + trades_file.string();
    else if (k == 0)
      what += ": the header differs";
    else
      what += ": first at trade " + std::to_string(k);
    what +=
        "\n        expected: " + (k < want.size() ? want[k] : std::string("(no more trades)"))
        + "\n        got:      " + (k < have.size() ? have[k] : std::string("(no more trades)"));
    out.push_back(what);
  }
  for (auto [key, file, value] : {std::tuple{"equity_sha256", "equity.csv", &got.equity_sha256},
                                  std::tuple{"zones_sha256", "zones.csv", &got.zones_sha256}})
    if (text(key) != *value)
      out.push_back(std::string(file) + " differs: SHA-256 " + *value + ", recorded " + text(key));
  const auto* metrics = expected.if_contains("metrics");
  for (const auto& [name, value] : got.metrics) {
    const json::value* recorded =
        metrics && metrics->is_object() ? metrics->as_object().if_contains(name) : nullptr;
    const std::string want = recorded && recorded->is_string() ? std::string(recorded->as_string())
                                                               : std::string("(none recorded)");
    if (want != value)
      out.push_back("metrics." + name + ": expected " + want + ", got " + value);
  }
  return out;
}

std::string today_utc() {
  return format_timestamp(static_cast<unix_time>(std::time(nullptr))).substr(0, 10);
}

/// Days since the case was recorded, or nothing when no date is.
std::optional<std::int64_t> age_in_days(const json::object& c) {
  const auto* rec = c.if_contains("recorded");
  const json::value* date =
      rec && rec->is_object() ? rec->as_object().if_contains("date") : nullptr;
  unix_time t = 0;
  if (!date || !date->is_string()
      || parse_range_bound(date->as_string(), range_bound::start, t) != timestamp_parse::ok)
    return std::nullopt;
  return (static_cast<std::int64_t>(std::time(nullptr)) - t) / 86'400;
}

void write_expected(json_writer& w, const outcome& o) {
  w.begin_object();
  w.key("config_hash").string(o.config_hash);
  w.key("data_checksum").string(o.data_checksum);
  w.key("trades").number(static_cast<std::uint64_t>(o.trades));
  w.key("trades_sha256").string(o.trades_sha256);
  w.key("equity_sha256").string(o.equity_sha256);
  w.key("zones_sha256").string(o.zones_sha256);
  w.key("metrics").begin_object();
  for (const auto& [name, value] : o.metrics)
    w.key(name).string(value);
  w.end_object();
  w.end_object();
}

} // namespace

int regress_command(int argc, char** argv) {
  command_line args(argc, argv, 2, {"golden", "reason"}, {"update"});
  const fs::path golden = args.get("golden").value_or("tests/golden");
  const bool update = args.flag("update");
  const std::string reason = args.get("reason").value_or("");
  if (update && reason.empty())
    throw usage_error("--update needs --reason TEXT: why the expected results change");
  const fs::path manifest_path = golden / "manifest.json";
  const json::value manifest = read_json_file(manifest_path.string());
  const json::value* cases =
      manifest.is_object() ? manifest.as_object().if_contains("cases") : nullptr;
  if (!cases || !cases->is_array() || cases->as_array().empty())
    throw usage_error(manifest_path.string() + ": needs a non-empty \"cases\" array");

  // Generated data goes to a scratch directory of this process's own.
  const fs::path scratch =
      fs::temp_directory_path() / ("backtestd-regress-" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  struct remove_scratch {
    fs::path dir;
    ~remove_scratch() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{scratch};

  std::cout << "regress: " << cases->as_array().size() << " cases from " << manifest_path.string()
            << '\n';
  std::size_t passed = 0, failed = 0, stale = 0;
  json_writer w; // the manifest anew, with --update
  w.begin_object();
  w.key("format").number(1);
  w.key("cases").begin_array();
  for (const auto& v : cases->as_array()) {
    if (!v.is_object())
      throw usage_error(manifest_path.string() + ": every case must be an object");
    const auto& c = v.as_object();
    const std::string name = string_at(c, "name", "a case");
    const fs::path trades_file = golden / "expected" / (name + ".trades.csv");
    const outcome got = run_case(c, name, golden, scratch);
    if (update) {
      fs::create_directories(trades_file.parent_path());
      write_file_atomic(trades_file.string(), got.trades_csv);
      w.begin_object();
      w.key("name").string(name);
      if (const auto* d = c.if_contains("description"))
        w.key("description").raw(json::serialize(*d));
      w.key("data").raw(json::serialize(c.at("data")));
      w.key("run").raw(json::serialize(c.at("run")));
      w.key("expected");
      write_expected(w, got);
      w.key("recorded").begin_object();
      w.key("engine_version").string(engine_version());
      w.key("date").string(today_utc());
      w.key("reason").string(reason);
      w.end_object();
      w.end_object();
      std::cout << "recorded " << name << " (" << got.trades << " trades)\n";
      continue;
    }
    const auto* expected = c.if_contains("expected");
    const auto diffs =
        differences(expected && expected->is_object() ? expected->as_object() : json::object{}, got,
                    trades_file);
    if (diffs.empty()) {
      ++passed;
      std::cout << "ok    " << name << " (" << got.trades << " trades)\n";
    } else {
      ++failed;
      std::cout << "FAIL  " << name << '\n';
      for (const auto& d : diffs)
        std::cout << "      " << d << '\n';
    }
    const auto age = age_in_days(c);
    if (!age || *age > stale_after_days) {
      ++stale;
      std::cout << "stale " << name << ": "
                << (age ? "recorded " + std::to_string(*age) + " days ago (over "
                              + std::to_string(stale_after_days) + ")"
                        : std::string("no recording date"))
                << "; check it and record it again with --update --reason TEXT\n";
    }
  }
  w.end_array();
  w.end_object();
  if (update) {
    write_file_atomic(manifest_path.string(), pretty_json(w.take()) + "\n");
    std::cout << "regress: recorded " << cases->as_array().size() << " cases in "
              << manifest_path.string() << '\n';
    return exit_ok;
  }
  std::cout << "regress: " << passed << " passed, " << failed << " failed, " << stale << " stale\n";
  return failed == 0 ? exit_ok : exit_failure;
}

} // namespace bt::app
