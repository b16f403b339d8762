#pragma once
// CSV bar import with validation: the one place that decides which rows of a
// trader's file become bars, and reports every decision with its row number.

#include "domain/data/bar_series.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bt {

/// A problem tied to one data row (1-based, header excluded: row N is line
/// N+1 of the file).
struct row_issue {
  std::size_t row = 0;
  std::string reason;
};

/// Trading time with no bar: bars opening at `from` .. `to` are missing.
struct gap {
  unix_time from = 0;
  unix_time to = 0;
  std::int64_t missing_bars = 0;
};

/// What happened to every row of an accepted file.
struct import_report {
  std::size_t rows_received = 0; ///< non-blank data rows
  std::size_t rows_imported = 0;
  std::size_t duplicates_skipped = 0;
  std::vector<std::size_t> duplicate_rows; ///< rows skipped (the first occurrence is kept)
  std::size_t rejected_count = 0;
  std::vector<row_issue> rejected; ///< price-logic rejections (first 1,000 listed)
  bool sorted = false;             ///< input was out of time order and was sorted
  std::size_t values_rounded = 0;  ///< numbers with more than 8 decimals
  std::vector<gap> gaps;
  std::vector<std::string> warnings;
};

/// Limits that keep one file from exhausting the service.
struct import_limits {
  std::size_t max_rows = 0; ///< 0: unlimited
  std::size_t max_listed_errors = 100;
  std::size_t max_listed_rejections = 1000;
  /// Bars opening after this are refused (a file from the future is a
  /// mistake, and its gaps would span years); unset: no bound.
  std::optional<unix_time> latest_bar_time;
};

/// How far past the clock a bar may open (clock skew, a bar just begun).
inline constexpr unix_time future_bar_tolerance = 300;

/// Either a validated series with its report, or a rejected file with the
/// first errors (a malformed file is rejected whole: nothing is imported).
struct import_result {
  bool accepted = false;
  std::vector<row_issue> errors; ///< row 0: the header or the file itself
  std::size_t error_count = 0;   ///< all errors, listed or not
  bool too_many_rows = false;
  bar_series bars;
  import_report report;
  /// The text is exactly to_csv(bars), or that without its last line end:
  /// its own bytes hash to the series' data_checksum. False also when that
  /// was not established (a value beyond ten integer digits).
  bool canonical_text = false;
};

/// Parses and validates CSV text. Header `timestamp,open,high,low,close,volume`
/// (case-insensitive, any order, extra columns ignored), UTF-8 BOM and CRLF
/// accepted, blank lines skipped. Gaps are detected against the symbol's
/// trading calendar from the instrument table.
import_result import_bars_csv(std::string_view csv, std::string symbol, timeframe tf,
                              const import_limits& limits = {});

/// Whether the text begins as to_csv writes a series: its header and a
/// first row in canonical form. A cheap guess before the parse (a caller may
/// start hashing the bytes meanwhile); import_result::canonical_text is the
/// certainty.
bool begins_as_canonical_csv(std::string_view csv);

/// Missing bars between consecutive bars of a sorted series, judged by the
/// symbol's calendar: closed periods (weekends, daily breaks) are never gaps.
std::vector<gap> detect_gaps(const bar_series& bars);

/// Aggregates bars into UTC-aligned buckets of `target` (first open, max high,
/// min low, last close, summed volume). `target` must be a multiple of the
/// series' timeframe.
bar_series resample(const bar_series& bars, timeframe target);

} // namespace bt
