#include "persistence/market_data_repository.hpp"

#include "domain/report/json_writer.hpp"
#include "persistence/bar_chunks.hpp"
#include "persistence/prepared.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>

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

constexpr unix_time earliest_time = -62135596800LL; // 0001-01-01T00:00:00Z
constexpr unix_time latest_time = 253402300799LL;   // 9999-12-31T23:59:59Z

bar_series read_bars(pqxx::transaction_base& txn, std::int64_t dataset_id,
                     const std::string& symbol, timeframe tf, std::optional<unix_time> from,
                     std::optional<unix_time> to, std::size_t limit) {
  const unix_time first = from.value_or(earliest_time), last = to.value_or(latest_time);
  bar_series out(symbol, tf);
  if (first > last || limit == 0)
    return out;
  // A chunk holds at least one bar, and every chunk after the first one in
  // the range lies wholly inside it unless it holds `last` (and then no
  // later chunk is in the range), so the first limit + 1 chunks hold the
  // first `limit` bars or all there are. A submission's probe for one bar
  // read the range's every chunk (576 KB for two years) to decode one; it
  // reads two.
  const auto chunk_limit = limit < static_cast<std::size_t>(INT64_MAX)
                               ? static_cast<std::int64_t>(limit) + 1
                               : INT64_MAX;
  auto chunks = exec_prepared(
      txn, "bar_chunks",
      "SELECT bars, columns FROM bar_chunks WHERE dataset_id = $1 AND month_start >= $2 AND "
      "month_start <= $3 ORDER BY month_start LIMIT $4",
      dataset_id, month_start(first), last, chunk_limit);
  std::size_t total = 0;
  for (const auto& r : chunks)
    total += r[0].as<std::size_t>();
  out.reserve(std::min(total, limit));
  for (const auto& r : chunks) {
    if (out.size() >= limit)
      break;
    decode_chunk(unhex_bytea(std::string_view(r[1].c_str(), r[1].size())), first, last, limit, out);
  }
  return out;
}

/// `stored` and `upload` merged in time order, stored bars winning on equal
/// times; `months` receives the month of every bar taken from the upload.
bar_series merge_series(const bar_series& stored, const bar_series& upload,
                        std::vector<unix_time>& months, std::int64_t& inserted) {
  bar_series out(upload.symbol(), upload.timeframe());
  out.reserve(stored.size() + upload.size());
  std::size_t i = 0, j = 0;
  while (i < stored.size() || j < upload.size()) {
    if (j == upload.size() || (i < stored.size() && stored.times()[i] <= upload.times()[j])) {
      if (j < upload.size() && stored.times()[i] == upload.times()[j])
        ++j; // already stored: the stored bar wins
      out.push_back(stored.at(i++));
    } else {
      const unix_time m = month_start(upload.times()[j]);
      if (months.empty() || months.back() != m)
        months.push_back(m);
      ++inserted;
      out.push_back(upload.at(j++));
    }
  }
  return out;
}

/// Writes the chunks of `bars` for the given months (ascending), replacing
/// what was stored for them.
void write_chunks(pqxx::transaction_base& txn, std::int64_t dataset_id, const bar_series& bars,
                  const std::vector<unix_time>& months) {
  std::size_t begin = 0;
  for (const unix_time m : months) {
    const unix_time next = month_start(m + 32 * seconds_per_day);
    const unix_time* times = bars.times();
    begin =
        static_cast<std::size_t>(std::lower_bound(times + begin, times + bars.size(), m) - times);
    const auto end = static_cast<std::size_t>(
        std::lower_bound(times + begin, times + bars.size(), next) - times);
    const std::string chunk = encode_chunk(bars, begin, end);
    txn.exec_params("INSERT INTO bar_chunks (dataset_id, month_start, bars, columns) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (dataset_id, month_start) "
                    "DO UPDATE SET bars = EXCLUDED.bars, columns = EXCLUDED.columns",
                    dataset_id, m, static_cast<std::int64_t>(end - begin),
                    pqxx::binarystring(chunk.data(), chunk.size()));
    begin = end;
  }
}

} // namespace

merge_result store_bars(pqxx::connection_base& c, std::int64_t user_id, const bar_series& bars,
                        const audit_actor& by) {
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

  merge_result result;
  std::vector<unix_time> months;
  // The checksum and gaps describe the whole dataset: the upload when it is
  // the whole dataset, the stored bars merged with it otherwise.
  bar_series merged;
  if (bars_before > 0) {
    const bar_series stored = read_bars(txn, dataset_id, bars.symbol(), bars.timeframe(),
                                        std::nullopt, std::nullopt, SIZE_MAX >> 1);
    merged = merge_series(stored, bars, months, result.inserted);
  } else {
    for (std::size_t i = 0; i < bars.size(); ++i)
      if (const unix_time m = month_start(bars.times()[i]); months.empty() || months.back() != m)
        months.push_back(m);
    result.inserted = static_cast<std::int64_t>(bars.size());
  }
  const bar_series& whole = bars_before > 0 ? merged : bars;
  write_chunks(txn, dataset_id, whole, months);
  result.already_stored = static_cast<std::int64_t>(bars.size()) - result.inserted;
  const std::vector<gap> gaps = detect_gaps(whole);
  std::optional<std::int64_t> first, last;
  if (!whole.empty()) {
    first = whole.times()[0];
    last = whole.times()[whole.size() - 1];
  }
  auto row = txn.exec_params1(
      "UPDATE datasets SET bars = $2, first_bar = to_timestamp($3), last_bar = to_timestamp($4), "
      "checksum = $5, gaps = $6::jsonb, gap_count = $7, updated_at = now() WHERE id = $1 RETURNING "
          + std::string(dataset_summary_columns),
      dataset_id, static_cast<std::int64_t>(whole.size()), first, last, data_checksum(whole),
      gaps_json(gaps), static_cast<std::int64_t>(gaps.size()));
  result.dataset = read_dataset(row);
  json_writer w;
  w.begin_object().key("rows").number(static_cast<std::int64_t>(bars.size()));
  w.key("inserted").number(result.inserted).key("bars").number(result.dataset.bars);
  w.key("checksum").string(result.dataset.checksum).end_object();
  append_audit(txn, by, "market_data.uploaded", "dataset:" + bars.symbol() + "/" + tf, w.take());
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
  static const std::string sql =
      "SELECT " + std::string(dataset_columns)
      + " FROM datasets WHERE user_id = $1 AND symbol = $2 AND timeframe = $3";
  auto r = exec_prepared(txn, "find_dataset", sql, user_id, symbol, timeframe);
  if (r.empty())
    return std::nullopt;
  return read_dataset(r[0]);
}

std::optional<bar_series> load_bars(pqxx::connection_base& c, std::int64_t user_id,
                                    const std::string& symbol, timeframe tf,
                                    std::optional<unix_time> from, std::optional<unix_time> to,
                                    std::size_t limit) {
  pqxx::read_transaction txn(c);
  auto ds = exec_prepared(txn, "dataset_id",
                          "SELECT id FROM datasets WHERE user_id = $1 AND symbol = $2 AND "
                          "timeframe = $3",
                          user_id, symbol, std::string(to_string(tf)));
  if (ds.empty())
    return std::nullopt;
  return read_bars(txn, ds[0][0].as<std::int64_t>(), symbol, tf, from, to, limit);
}

bool delete_dataset(pqxx::connection_base& c, std::int64_t user_id, const std::string& symbol,
                    const std::string& timeframe, const audit_actor& by) {
  pqxx::work txn(c);
  auto r =
      txn.exec_params("DELETE FROM datasets WHERE user_id = $1 AND symbol = $2 AND timeframe = $3",
                      user_id, symbol, timeframe);
  if (r.affected_rows() == 1)
    append_audit(txn, by, "market_data.deleted", "dataset:" + symbol + "/" + timeframe);
  txn.commit();
  return r.affected_rows() == 1;
}

} // namespace bt::db
