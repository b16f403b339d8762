#include "persistence/market_data_repository.hpp"

#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <tuple>

namespace bt::db {
namespace {

// Column 6 is the gap list (describe) or NULL (listings); 8 the gap count.
constexpr const char* dataset_columns =
    "symbol, timeframe, bars, extract(epoch FROM first_bar)::bigint, "
    "extract(epoch FROM last_bar)::bigint, checksum, gaps::text, extract(epoch FROM "
    "updated_at)::bigint, gap_count";
constexpr const char* dataset_summary_columns =
    "symbol, timeframe, bars, extract(epoch FROM first_bar)::bigint, "
    "extract(epoch FROM last_bar)::bigint, checksum, NULL, extract(epoch FROM updated_at)::bigint, "
    "gap_count";

dataset_info read_dataset(const pqxx::row& r) {
  dataset_info d;
  d.symbol = r[0].as<std::string>();
  d.timeframe = r[1].as<std::string>();
  d.bars = r[2].as<std::int64_t>();
  if (!r[3].is_null())
    d.from = r[3].as<std::int64_t>();
  if (!r[4].is_null())
    d.to = r[4].as<std::int64_t>();
  d.checksum = r[5].as<std::string>();
  if (!r[6].is_null()) {
    const boost::json::value gaps = boost::json::parse(r[6].as<std::string>());
    for (const auto& g : gaps.as_array()) {
      gap x;
      x.from = g.at("from").to_number<std::int64_t>();
      x.to = g.at("to").to_number<std::int64_t>();
      x.missing_bars = g.at("missing_bars").to_number<std::int64_t>();
      d.gaps.push_back(x);
    }
  }
  d.updated_at = r[7].as<std::int64_t>();
  d.gap_count = r[8].as<std::int64_t>();
  return d;
}

// Gaps are kept as Unix seconds inside the database.
std::string gaps_json(const std::vector<gap>& gaps) {
  json_writer w;
  w.begin_array();
  for (const auto& g : gaps) {
    w.begin_object();
    w.key("from").number(g.from);
    w.key("to").number(g.to);
    w.key("missing_bars").number(g.missing_bars);
    w.end_object();
  }
  w.end_array();
  return w.take();
}

fixed parse_price(const pqxx::field& f) {
  fixed v;
  parse_decimal(f.c_str(), v);
  return v;
}

bar_series read_bars(pqxx::transaction_base& txn, std::int64_t dataset_id,
                     const std::string& symbol, timeframe tf, std::optional<unix_time> from,
                     std::optional<unix_time> to, std::size_t limit) {
  bar_series out(symbol, tf);
  auto rows = txn.exec_params(
      "SELECT extract(epoch FROM ts)::bigint, open, high, low, close, volume FROM bars "
      "WHERE dataset_id = $1 AND ts >= to_timestamp($2) AND ts <= to_timestamp($3) ORDER BY ts "
      "LIMIT $4",
      dataset_id, from.value_or(-62135596800LL), to.value_or(253402300799LL),
      static_cast<std::int64_t>(limit));
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(bar{r[0].as<std::int64_t>(), parse_price(r[1]), parse_price(r[2]),
                      parse_price(r[3]), parse_price(r[4]), parse_price(r[5])});
  return out;
}

} // namespace

merge_result store_bars(pqxx::connection_base& c, std::int64_t user_id, const bar_series& bars) {
  const std::string tf(to_string(bars.timeframe()));
  pqxx::work txn(c);
  // The upsert locks the dataset row: concurrent uploads into one dataset
  // serialise here.
  auto ds =
      txn.exec_params1("INSERT INTO datasets (user_id, symbol, timeframe) VALUES ($1, $2, $3) "
                       "ON CONFLICT (user_id, symbol, timeframe) DO UPDATE SET updated_at = now() "
                       "RETURNING id, bars",
                       user_id, bars.symbol(), tf);
  const auto dataset_id = ds[0].as<std::int64_t>();
  const auto bars_before = ds[1].as<std::int64_t>();

  txn.exec("CREATE TEMP TABLE staged_bars (ts timestamptz, open numeric(20,8), high numeric(20,8), "
           "low numeric(20,8), close numeric(20,8), volume numeric(24,8)) ON COMMIT DROP");
  {
    pqxx::stream_to copy(txn, "staged_bars",
                         std::vector<std::string>{"ts", "open", "high", "low", "close", "volume"});
    for (std::size_t i = 0; i < bars.size(); ++i)
      copy << std::make_tuple(format_timestamp(bars.times()[i]), to_string(bars.opens()[i]),
                              to_string(bars.highs()[i]), to_string(bars.lows()[i]),
                              to_string(bars.closes()[i]), to_string(bars.volumes()[i]));
    copy.complete();
  }
  auto inserted = txn.exec_params(
      "INSERT INTO bars (dataset_id, ts, open, high, low, close, volume) "
      "SELECT $1, ts, open, high, low, close, volume FROM staged_bars ON CONFLICT DO NOTHING",
      dataset_id);

  merge_result result;
  result.inserted = static_cast<std::int64_t>(inserted.affected_rows());
  result.already_stored = static_cast<std::int64_t>(bars.size()) - result.inserted;
  // The checksum and gaps describe the whole dataset: reuse the upload when
  // it is the whole dataset, read the merged series back otherwise.
  const bar_series merged = bars_before == 0
                                ? bars
                                : read_bars(txn, dataset_id, bars.symbol(), bars.timeframe(),
                                            std::nullopt, std::nullopt, SIZE_MAX >> 1);
  const std::vector<gap> gaps = detect_gaps(merged);
  std::optional<std::int64_t> first, last;
  if (!merged.empty()) {
    first = merged.times()[0];
    last = merged.times()[merged.size() - 1];
  }
  auto row = txn.exec_params1(
      "UPDATE datasets SET bars = $2, first_bar = to_timestamp($3), last_bar = to_timestamp($4), "
      "checksum = $5, gaps = $6::jsonb, gap_count = $7, updated_at = now() WHERE id = $1 RETURNING "
          + std::string(dataset_summary_columns),
      dataset_id, static_cast<std::int64_t>(merged.size()), first, last, data_checksum(merged),
      gaps_json(gaps), static_cast<std::int64_t>(gaps.size()));
  result.dataset = read_dataset(row);
  txn.commit();
  return result;
}

std::vector<dataset_info> list_datasets(pqxx::connection_base& c, std::int64_t user_id) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  std::vector<dataset_info> out;
  for (const auto& r :
       txn.exec_params("SELECT " + std::string(dataset_summary_columns)
                           + " FROM datasets WHERE user_id = $1 ORDER BY symbol, timeframe",
                       user_id))
    out.push_back(read_dataset(r));
  return out;
}

std::optional<dataset_info> find_dataset(pqxx::connection_base& c, std::int64_t user_id,
                                         const std::string& symbol, const std::string& timeframe) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r =
      txn.exec_params("SELECT " + std::string(dataset_columns)
                          + " FROM datasets WHERE user_id = $1 AND symbol = $2 AND timeframe = $3",
                      user_id, symbol, timeframe);
  if (r.empty())
    return std::nullopt;
  return read_dataset(r[0]);
}

std::optional<bar_series> load_bars(pqxx::connection_base& c, std::int64_t user_id,
                                    const std::string& symbol, timeframe tf,
                                    std::optional<unix_time> from, std::optional<unix_time> to,
                                    std::size_t limit) {
  pqxx::read_transaction txn(c);
  auto ds = txn.exec_params(
      "SELECT id FROM datasets WHERE user_id = $1 AND symbol = $2 AND timeframe = $3", user_id,
      symbol, std::string(to_string(tf)));
  if (ds.empty())
    return std::nullopt;
  return read_bars(txn, ds[0][0].as<std::int64_t>(), symbol, tf, from, to, limit);
}

bool delete_dataset(pqxx::connection_base& c, std::int64_t user_id, const std::string& symbol,
                    const std::string& timeframe) {
  pqxx::work txn(c);
  auto r =
      txn.exec_params("DELETE FROM datasets WHERE user_id = $1 AND symbol = $2 AND timeframe = $3",
                      user_id, symbol, timeframe);
  txn.commit();
  return r.affected_rows() == 1;
}

} // namespace bt::db
