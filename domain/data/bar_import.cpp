#include "domain/data/bar_import.hpp"

#include "domain/data/csv_reader.hpp"
#include "domain/data/instrument.hpp"
#include "domain/data/large_block.hpp"
#include "domain/data/text.hpp"

#include <algorithm>
#include <array>
#include <numeric>

namespace bt {
namespace {

enum column : std::size_t {
  col_time,
  col_open,
  col_high,
  col_low,
  col_close,
  col_volume,
  col_count
};
constexpr std::array<std::string_view, col_count> column_names{"timestamp", "open",  "high",
                                                               "low",       "close", "volume"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

} // namespace

import_result import_bars_csv(std::string_view csv, std::string symbol, timeframe tf,
                              const import_limits& limits) {
  import_result result;
  auto add_error = [&](std::size_t row, std::string reason) {
    if (result.errors.size() < limits.max_listed_errors)
      result.errors.push_back({row, std::move(reason)});
    ++result.error_count;
  };
  const bool cme_calendar = lookup_instrument(symbol).calendar == calendar_kind::cme_globex;
  const unix_time first_modelled_time =
      days_from_civil(chicago_calendar_first_year, 1, 1) * seconds_per_day;

  csv_reader reader(csv);
  std::vector<std::string_view> fields;
  const csv_reader::record header = reader.next(fields);
  if (header == csv_reader::record::end) {
    add_error(0, "the file is empty: expected a header timestamp,open,high,low,close,volume");
    return result;
  }
  if (header == csv_reader::record::bad_quote) {
    add_error(0, "header: malformed quoted field (unterminated, or text after the closing quote)");
    return result;
  }
  // Row N is the Nth line after the header, blank lines included.
  const std::size_t header_line = reader.line();
  std::array<std::size_t, col_count> index;
  index.fill(static_cast<std::size_t>(-1));
  const std::size_t field_count = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name = lower(trim_blanks(fields[i]));
    for (std::size_t c = 0; c < col_count; ++c)
      if (name == column_names[c]) {
        if (index[c] != static_cast<std::size_t>(-1)) {
          add_error(0, "header: column '" + name + "' appears more than once");
          return result;
        }
        index[c] = i;
      }
  }
  for (std::size_t c = 0; c < col_count; ++c)
    if (index[c] == static_cast<std::size_t>(-1))
      add_error(0, "header: missing required column '" + std::string(column_names[c]) + "'");
  if (result.error_count > 0)
    return result;

  import_report& rep = result.report;
  auto reject = [&](std::size_t r, std::string reason) {
    if (rep.rejected.size() < limits.max_listed_rejections)
      rep.rejected.push_back({r, std::move(reason)});
    ++rep.rejected_count;
  };
  // Valid bars go straight into columns, in file order, with their row
  // numbers; they are reordered only when the file was not in time order.
  bar_series staged(symbol, tf);
  // Whether the text is the canonical CSV of the staged bars, row by row:
  // each field as the export writes it, and no byte but the fields, their
  // commas and line ends (no blank, quote, CR, blank line or BOM), which
  // holds when the fields' sizes add up to the text's.
  bool canonical = csv.substr(0, canonical_csv_header.size()) == canonical_csv_header;
  std::size_t canonical_bytes = canonical_csv_header.size();
  // Like the columns, a megabyte on a 20-year file: in huge pages.
  std::vector<std::size_t, large_allocator<std::size_t>> row_of;
  bool reserved = false;
  timestamp_memo dates; // a day's bars share one date conversion
  for (csv_reader::record rec; (rec = reader.next(fields)) != csv_reader::record::end;) {
    const std::size_t row = reader.line() - header_line;
    ++result.report.rows_received;
    if (limits.max_rows != 0 && result.report.rows_received > limits.max_rows) {
      result.too_many_rows = true;
      add_error(row, "more than " + std::to_string(limits.max_rows) + " data rows");
      return result;
    }
    if (rec == csv_reader::record::bad_quote) {
      add_error(row, "malformed quoted field (unterminated, or text after the closing quote)");
      continue;
    }
    if (fields.size() != field_count) {
      add_error(row, "expected " + std::to_string(field_count) + " columns, found "
                         + std::to_string(fields.size()));
      continue;
    }
    if (!reserved) {
      // Sized once from the first row's length: no growth, no copies.
      const std::size_t estimate =
          reader.remaining() / std::max<std::size_t>(reader.record_bytes(), 16) * 9 / 8 + 16;
      const std::size_t cap = limits.max_rows != 0 ? limits.max_rows : estimate;
      staged.reserve(std::min(estimate, cap));
      row_of.reserve(std::min(estimate, cap));
      reserved = true;
    }
    bar b{};
    std::string_view ts = fields[index[col_time]];
    if (!parse_export_timestamp(ts, b.time, dates)) {
      canonical = false;
      switch (parse_timestamp(ts, b.time, dates)) {
      case timestamp_parse::ok:
        break;
      case timestamp_parse::non_utc_offset:
        add_error(row, "timestamp '" + std::string(ts)
                           + "' has a non-UTC offset: convert to UTC (Z or +00:00)");
        continue;
      case timestamp_parse::invalid:
        add_error(row, "timestamp '" + std::string(ts) + "' is not a valid UTC timestamp");
        continue;
      }
    }
    std::size_t row_bytes = ts.size() + col_count; // five commas and a line end
    if (limits.latest_bar_time && b.time > *limits.latest_bar_time) {
      add_error(row, "timestamp '" + std::string(ts) + "' is in the future (after "
                         + format_timestamp(*limits.latest_bar_time) + ")");
      continue;
    }
    if (cme_calendar && b.time < first_modelled_time) {
      add_error(row, "timestamp '" + std::string(ts) + "' is before "
                         + std::to_string(chicago_calendar_first_year) + "-01-01: the " + symbol
                         + " trading calendar (Chicago daylight saving) is modelled from then on");
      continue;
    }
    bool row_ok = true;
    fixed* targets[] = {&b.open, &b.high, &b.low, &b.close, &b.volume};
    for (std::size_t c = col_open; c <= col_volume; ++c) {
      std::string_view text = fields[index[c]];
      row_bytes += text.size();
      bool canonical_field;
      const decimal_parse parsed = parse_decimal(text, *targets[c - col_open], canonical_field);
      canonical &= canonical_field;
      switch (parsed) {
      case decimal_parse::ok:
        break;
      case decimal_parse::rounded:
        ++result.report.values_rounded;
        break;
      case decimal_parse::invalid:
        add_error(row,
                  std::string(column_names[c]) + " '" + std::string(text) + "' is not a number");
        row_ok = false;
        break;
      case decimal_parse::out_of_range:
        add_error(row,
                  std::string(column_names[c]) + " '" + std::string(text) + "' is out of range");
        row_ok = false;
        break;
      }
      if (!row_ok)
        break;
    }
    if (!row_ok)
      continue;
    canonical_bytes += row_bytes;
    // Price logic: a well-formed row that cannot be a bar is rejected and
    // reported, and the rest of the file is still imported.
    if (b.open.units <= 0 || b.high.units <= 0 || b.low.units <= 0 || b.close.units <= 0)
      reject(row, "non-positive price");
    else if (b.volume.units < 0)
      reject(row, "negative volume");
    else if (b.high < std::max(b.open, b.close))
      reject(row, "high below max(open, close)");
    else if (b.low > std::min(b.open, b.close))
      reject(row, "low above min(open, close)");
    else {
      staged.push_back(b);
      row_of.push_back(row);
    }
  }
  if (result.error_count > 0) {
    rep.rejected.clear();
    rep.rejected_count = 0;
    return result; // malformed: rejected whole
  }

  const std::size_t n = staged.size();
  const unix_time* times = staged.times();
  rep.sorted = !std::is_sorted(times, times + n);
  // order[i]: the staged index of the i-th bar in time order. Stable, so
  // that among equal times the first occurrence in the file comes first.
  std::vector<std::uint32_t> order;
  if (rep.sorted) {
    order.resize(n);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return times[a] < times[b]; });
  }
  auto staged_index = [&](std::size_t i) -> std::size_t { return rep.sorted ? order[i] : i; };

  // A bar is a duplicate when it opens at the time of the bar before it in
  // time order; the stable order keeps the first occurrence.
  auto duplicate = [&](std::size_t i) {
    return i > 0 && times[staged_index(i)] == times[staged_index(i - 1)];
  };

  const unix_time step = seconds_of(tf);
  std::size_t misaligned = 0;
  unix_time previous = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = staged_index(i);
    if (duplicate(i)) {
      ++rep.duplicates_skipped;
      rep.duplicate_rows.push_back(row_of[k]);
      continue;
    }
    if (times[k] % step != 0)
      ++misaligned;
    // Bars closer together than the declared timeframe: the file is of
    // another timeframe (hourly bars uploaded as 1d). Daily and 4-hour bars
    // aligned to a session open may move by an hour with daylight saving.
    if (i > 0) {
      const unix_time spacing = times[k] - previous;
      if (spacing < step - (step >= 4 * 3600 ? 3600 : 0))
        add_error(row_of[k], "opens " + std::to_string(spacing / 60)
                                 + " min after the previous bar: closer than the "
                                 + std::string(to_string(tf))
                                 + " timeframe (is the file of a finer timeframe?)");
    }
    previous = times[k];
  }
  if (result.error_count > 0)
    return result; // a file of another timeframe is rejected whole
  if (!rep.sorted && rep.duplicates_skipped == 0) {
    result.bars = std::move(staged); // the common case: no copy at all
  } else {
    result.bars = bar_series(std::move(symbol), tf);
    result.bars.reserve(n - rep.duplicates_skipped);
    for (std::size_t i = 0; i < n; ++i)
      if (!duplicate(i))
        result.bars.push_back(staged.at(staged_index(i)));
  }
  std::sort(rep.duplicate_rows.begin(), rep.duplicate_rows.end());
  rep.rows_imported = result.bars.size();
  rep.gaps = detect_gaps(result.bars);

  if (rep.sorted)
    rep.warnings.push_back("rows were not in time order and have been sorted");
  if (rep.duplicates_skipped > 0)
    rep.warnings.push_back(std::to_string(rep.duplicates_skipped)
                           + " duplicate timestamps skipped (the first occurrence is kept)");
  if (rep.rejected_count > 0)
    rep.warnings.push_back(std::to_string(rep.rejected_count)
                           + " rows rejected (prices or volume)");
  if (rep.rejected_count > rep.rejected.size())
    rep.warnings.push_back("only the first " + std::to_string(rep.rejected.size())
                           + " rejected rows are listed");
  if (rep.values_rounded > 0)
    rep.warnings.push_back(std::to_string(rep.values_rounded)
                           + " values had more than 8 decimals and were rounded");
  if (misaligned > 0)
    rep.warnings.push_back(std::to_string(misaligned) + " bars do not open on a "
                           + std::string(to_string(tf)) + " boundary (UTC)");
  if (!rep.gaps.empty())
    rep.warnings.push_back(std::to_string(rep.gaps.size()) + " gaps in trading hours");
  if (result.bars.empty())
    rep.warnings.push_back("no bars imported");
  // Every row became its bar, in file order: to_csv(bars) is the text (with
  // a last line end it may lack).
  const bool last_line_ended = !csv.empty() && csv.back() == '\n';
  result.canonical_text = canonical && !rep.sorted && rep.duplicates_skipped == 0
                          && rep.rejected_count == 0
                          && canonical_bytes == csv.size() + (last_line_ended ? 0 : 1);
  result.accepted = true;
  return result;
}

bool begins_as_canonical_csv(std::string_view csv) {
  if (csv.substr(0, canonical_csv_header.size()) != canonical_csv_header)
    return false;
  csv_reader reader(csv.substr(canonical_csv_header.size()));
  std::vector<std::string_view> fields;
  unix_time time;
  timestamp_memo dates;
  if (reader.next(fields) != csv_reader::record::ok || reader.line() != 1
      || fields.size() != col_count || !parse_export_timestamp(fields[col_time], time, dates))
    return false;
  for (std::size_t c = col_open; c <= col_volume; ++c) {
    fixed value;
    bool canonical;
    if (parse_decimal(fields[c], value, canonical) != decimal_parse::ok || !canonical)
      return false;
  }
  return true;
}

std::vector<gap> detect_gaps(const bar_series& bars) {
  std::vector<gap> gaps;
  if (bars.size() < 2)
    return gaps;
  const trading_calendar calendar(lookup_instrument(bars.symbol()).calendar);
  const unix_time step = seconds_of(bars.timeframe());
  const unix_time* t = bars.times();
  for (std::size_t i = 1; i < bars.size(); ++i) {
    if (t[i] - t[i - 1] <= step)
      continue;
    // Session by session, not bar by bar, so that the cost follows the
    // rows and sessions, not the bars a long gap would have held: a bar on
    // the grid t[i-1] + k*step is expected when it overlaps trading time.
    gap g{};
    const unix_time base = t[i - 1] + step;
    auto grid_at_or_after = [&](unix_time x) {
      return x <= base ? base : base + (x - base + step - 1) / step * step;
    };
    unix_time s = base;
    while (s < t[i]) {
      const unix_time open = calendar.next_open(s);
      // The first bar overlapping the session opens after open - step.
      const unix_time first = grid_at_or_after(std::max(s, open - step + 1));
      if (first >= t[i])
        break;
      const unix_time close = calendar.next_close(open);
      const unix_time stop = close > t[i] ? t[i] : close; // bars opening before this
      const std::int64_t count = first < stop ? (stop - first + step - 1) / step : 0;
      if (count > 0) {
        if (g.missing_bars == 0)
          g.from = first;
        g.to = first + (count - 1) * step;
        g.missing_bars += count;
      }
      s = grid_at_or_after(std::max(stop, first + step));
    }
    if (g.missing_bars > 0)
      gaps.push_back(g);
  }
  return gaps;
}

bar_series resample(const bar_series& bars, timeframe target) {
  const unix_time width = seconds_of(target);
  bar_series out(bars.symbol(), target);
  bar cur{};
  bool open = false;
  unix_time bucket = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    bar b = bars.at(i);
    unix_time key = floor_div(b.time, width) * width;
    if (!open || key != bucket) {
      if (open)
        out.push_back(cur);
      cur = b;
      cur.time = key;
      bucket = key;
      open = true;
      continue;
    }
    cur.high = std::max(cur.high, b.high);
    cur.low = std::min(cur.low, b.low);
    cur.close = b.close;
    cur.volume += b.volume;
  }
  if (open)
    out.push_back(cur);
  return out;
}

} // namespace bt
