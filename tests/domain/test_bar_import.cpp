#include "domain/data/bar_import.hpp"

#include "domain/data/instrument.hpp"
#include "domain/data/synthetic_bars.hpp"
#include "domain/research/random_stream.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

using namespace bt;

namespace {
const std::string header = "timestamp,open,high,low,close,volume\n";

import_result load(const std::string& csv, const std::string& symbol = "GC") {
  return import_bars_csv(csv, symbol, timeframe::h1);
}

unix_time at(const char* text) {
  unix_time t = 0;
  parse_timestamp(text, t);
  return t;
}
} // namespace

BOOST_AUTO_TEST_SUITE(bar_import)

BOOST_AUTO_TEST_CASE(accepts_bom_crlf_any_column_order_and_extra_columns) {
  std::string csv = "\xEF\xBB\xBFVolume,Close,symbol,LOW,High,Open,TimeStamp\r\n"
                    "10,2034.5,GC,2033.9,2035,2034.1,2024-01-02T13:00:00Z\r\n"
                    "\r\n"
                    "11,2034.6,GC,2034,2035.2,2034.5,2024-01-02 14:00:00\r\n";
  auto r = load(csv);
  BOOST_REQUIRE(r.accepted);
  BOOST_TEST(r.report.rows_received == 2u);
  BOOST_TEST(r.report.rows_imported == 2u);
  BOOST_TEST(to_string(r.bars.opens()[0]) == "2034.10000000");
  BOOST_TEST(to_string(r.bars.closes()[1]) == "2034.60000000");
  BOOST_TEST(r.bars.times()[1] == at("2024-01-02T14:00:00Z"));
}

BOOST_AUTO_TEST_CASE(a_file_written_back_is_byte_identical) {
  std::string csv =
      header
      + "2024-01-02T13:00:00Z,2034.12345678,2035.00000000,2033.90000000,2034.50000000,10.00000000\n"
        "2024-01-02T14:00:00Z,2034.50000000,2035.20000000,2034.00000000,2034.60000000,11."
        "00000000\n";
  auto r = load(csv);
  BOOST_REQUIRE(r.accepted);
  BOOST_TEST(to_csv(r.bars) == csv);
}

BOOST_AUTO_TEST_CASE(price_logic_rejections_name_row_and_reason) {
  std::string csv = header
                    + "2024-01-02T10:00:00Z,10,11,9,10,1\n"      // row 1 ok
                      "2024-01-02T11:00:00Z,0,11,9,10,1\n"       // row 2 non-positive
                      "2024-01-02T12:00:00Z,10,11,9,10,-1\n"     // row 3 negative volume
                      "2024-01-02T13:00:00Z,10,9.5,9,10,1\n"     // row 4 high below open
                      "2024-01-02T14:00:00Z,10,11,10.5,10.8,1\n" // row 5 low above open
                      "2024-01-02T15:00:00Z,10,11,9,10,1\n";     // row 6 ok
  auto r = load(csv);
  BOOST_REQUIRE(r.accepted);
  BOOST_TEST(r.report.rows_received == 6u);
  BOOST_TEST(r.report.rows_imported == 2u);
  BOOST_REQUIRE(r.report.rejected.size() == 4u);
  BOOST_TEST(r.report.rejected[0].row == 2u);
  BOOST_TEST(r.report.rejected[0].reason == "non-positive price");
  BOOST_TEST(r.report.rejected[1].row == 3u);
  BOOST_TEST(r.report.rejected[1].reason == "negative volume");
  BOOST_TEST(r.report.rejected[2].row == 4u);
  BOOST_TEST(r.report.rejected[2].reason == "high below max(open, close)");
  BOOST_TEST(r.report.rejected[3].row == 5u);
  BOOST_TEST(r.report.rejected[3].reason == "low above min(open, close)");
}

BOOST_AUTO_TEST_CASE(duplicates_keep_the_first_and_unsorted_input_is_sorted) {
  std::string csv = header
                    + "2024-01-02T12:00:00Z,10,11,9,10,1\n"   // row 1
                      "2024-01-02T10:00:00Z,10,11,9,10,1\n"   // row 2
                      "2024-01-02T12:00:00Z,20,21,19,20,1\n"  // row 3 duplicate of row 1
                      "2024-01-02T11:00:00Z,10,11,9,10,1\n"   // row 4
                      "2024-01-02T10:00:00Z,30,31,29,30,1\n"; // row 5 duplicate of row 2
  auto r = load(csv);
  BOOST_REQUIRE(r.accepted);
  BOOST_TEST(r.report.sorted);
  BOOST_TEST(r.report.duplicates_skipped == 2u);
  BOOST_TEST((r.report.duplicate_rows == std::vector<std::size_t>{3, 5}));
  BOOST_REQUIRE(r.bars.size() == 3u);
  BOOST_TEST(r.bars.times()[0] == at("2024-01-02T10:00:00Z"));
  BOOST_TEST(to_string(r.bars.opens()[0]) == "10.00000000"); // row 2, not row 5
  BOOST_TEST(to_string(r.bars.opens()[2]) == "10.00000000"); // row 1, not row 3
}

BOOST_AUTO_TEST_CASE(malformed_files_are_rejected_whole_with_row_numbers) {
  struct case_t {
    std::string body;
    std::size_t row;
    std::string fragment;
  };
  for (const auto& c :
       {case_t{"2024-01-02T10:00:00Z,10,11,9,10\n", 1, "expected 6 columns, found 5"},
        case_t{"2024-01-02T10:00:00Z,10,11,9,10,1\n2024-01-02T11:00:00Z,ten,11,9,10,1\n", 2,
               "open 'ten' is not a number"},
        case_t{"2024-01-02T10:00:00Z,10,11,9,10,1\n\n2024-13-02T11:00:00Z,10,11,9,10,1\n", 3,
               "is not a valid UTC timestamp"},
        case_t{"2024-01-02T10:00:00+02:00,10,11,9,10,1\n", 1, "non-UTC offset"}}) {
    auto r = load(header + c.body);
    BOOST_TEST(!r.accepted);
    BOOST_REQUIRE(!r.errors.empty());
    BOOST_TEST(r.errors[0].row == c.row);
    BOOST_TEST(r.errors[0].reason.find(c.fragment) != std::string::npos, r.errors[0].reason);
    BOOST_TEST(r.bars.empty());
  }
  auto missing = load("timestamp,open,high,low,volume\n2024-01-02T10:00:00Z,10,11,9,1\n");
  BOOST_TEST(!missing.accepted);
  BOOST_TEST(missing.errors[0].row == 0u);
  BOOST_TEST(missing.errors[0].reason == "header: missing required column 'close'");
  BOOST_TEST(!load("").accepted);
}

BOOST_AUTO_TEST_CASE(lists_only_the_first_hundred_errors) {
  std::string csv = header;
  for (int i = 0; i < 250; ++i)
    csv += "not-a-time,1,1,1,1,1\n";
  auto r = load(csv);
  BOOST_TEST(!r.accepted);
  BOOST_TEST(r.errors.size() == 100u);
  BOOST_TEST(r.error_count == 250u);
  BOOST_TEST(r.errors[99].row == 100u);
}

BOOST_AUTO_TEST_CASE(row_limit) {
  std::string csv = header;
  for (int i = 0; i < 5; ++i)
    csv += std::to_string(1704200400 + i * 3600) + ",1,1,1,1,1\n";
  import_limits limits;
  limits.max_rows = 4;
  auto r = import_bars_csv(csv, "GC", timeframe::h1, limits);
  BOOST_TEST(!r.accepted);
  BOOST_TEST(r.too_many_rows);
  limits.max_rows = 5;
  BOOST_TEST(import_bars_csv(csv, "GC", timeframe::h1, limits).accepted);
}

BOOST_AUTO_TEST_CASE(quoted_fields) {
  auto r = load(
      "\"timestamp\",\"open\",\"high\",\"low\",\"close\",\"volume\",\"note\"\n"
      "\"2024-01-02T10:00:00Z\",\"10\",\"11\",\"9\",\"10\",\"1\",\"a, \"\"quoted\"\" note\"\n");
  BOOST_REQUIRE(r.accepted);
  BOOST_TEST(r.bars.size() == 1u);
  BOOST_TEST(!load(header + "\"2024-01-02T10:00:00Z,10,11,9,10,1\n").accepted);
}

BOOST_AUTO_TEST_CASE(weekends_daily_breaks_and_dst_shifts_are_not_gaps) {
  // Five weeks of GC across the March 2024 daylight saving change.
  synthetic_spec spec;
  spec.bars = 23 * 5 * 5;
  spec.start = at("2024-03-01T00:00:00Z");
  auto csv = to_csv(generate_bars(spec));
  auto r = load(csv);
  BOOST_REQUIRE(r.accepted);
  BOOST_TEST(r.report.gaps.empty());
  // The same bars as an unknown symbol are judged 24/7: weekends are gaps.
  auto as_unknown = import_bars_csv(csv, "XYZ", timeframe::h1);
  BOOST_TEST(!as_unknown.report.gaps.empty());
}

BOOST_AUTO_TEST_CASE(one_missing_trading_day_is_exactly_one_gap) {
  synthetic_spec spec;
  spec.bars = 23 * 5 * 3;
  spec.start = at("2024-03-01T00:00:00Z");
  auto bars = generate_bars(spec);
  const unix_time day = at("2024-03-13T00:00:00Z");
  auto filtered = bars.slice(INT64_MIN, day - 1);
  auto rest = bars.slice(day + 86400, INT64_MAX);
  bar_series joined("GC", timeframe::h1);
  for (std::size_t i = 0; i < filtered.size(); ++i)
    joined.push_back(filtered.at(i));
  for (std::size_t i = 0; i < rest.size(); ++i)
    joined.push_back(rest.at(i));
  auto r = load(to_csv(joined));
  BOOST_REQUIRE(r.accepted);
  BOOST_REQUIRE(r.report.gaps.size() == 1u);
  const gap& g = r.report.gaps[0];
  BOOST_TEST(format_timestamp(g.from) == "2024-03-13T00:00:00Z");
  BOOST_TEST(format_timestamp(g.to) == "2024-03-13T23:00:00Z");
  BOOST_TEST(g.missing_bars == 23); // 24 hours less the 21:00 UTC daily break (CDT)
}

namespace {
// The gap definition bar by bar, as the scan did before it went session by
// session: the reference for the fast version.
std::int64_t missing_bars_brute_force(unix_time a, unix_time b, unix_time step,
                                      const trading_calendar& cal) {
  std::int64_t n = 0;
  for (unix_time s = a + step; s < b; s += step)
    n += cal.expects_bar(s, step) ? 1 : 0;
  return n;
}
} // namespace

BOOST_AUTO_TEST_CASE(session_by_session_gaps_equal_the_bar_by_bar_definition) {
  const trading_calendar cme(calendar_kind::cme_globex);
  std::uint64_t seed = 12345;
  auto next = [&] { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL; };
  for (timeframe tf :
       {timeframe::m1, timeframe::m15, timeframe::h1, timeframe::h4, timeframe::d1}) {
    const unix_time step = seconds_of(tf);
    for (int k = 0; k < 60; ++k) {
      // Two bars up to ~3 weeks apart around DST changes and weekends.
      const unix_time a =
          (at("2023-02-20T00:00:00Z") + static_cast<unix_time>(next() % (300 * 86400))) / step
          * step;
      const unix_time b = a + step * (1 + static_cast<unix_time>(next() % (21 * 86400 / step + 2)));
      bar_series s("GC", tf);
      s.push_back(bar{
          a, fixed::from_int(1), fixed::from_int(1), fixed::from_int(1), fixed::from_int(1), {}});
      s.push_back(bar{
          b, fixed::from_int(1), fixed::from_int(1), fixed::from_int(1), fixed::from_int(1), {}});
      const auto gaps = detect_gaps(s);
      const std::int64_t expected = missing_bars_brute_force(a, b, step, cme);
      BOOST_REQUIRE_EQUAL(gaps.empty() ? 0 : gaps[0].missing_bars, expected);
      if (expected > 0) {
        unix_time first = a + step;
        while (!cme.expects_bar(first, step))
          first += step;
        unix_time last = b - step;
        while (!cme.expects_bar(last, step))
          last -= step;
        BOOST_REQUIRE_EQUAL(gaps[0].from, first);
        BOOST_REQUIRE_EQUAL(gaps[0].to, last);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(gap_detection_cost_follows_rows_not_the_time_span) {
  // two 1-minute bars 50 years apart: 18 M missing minutes. Bar by bar this
  // took seconds of CPU; session by session it is ~13,000 sessions.
  bar_series s("GC", timeframe::m1);
  const fixed p = fixed::from_int(1);
  s.push_back(bar{at("1970-01-05T00:00:00Z"), p, p, p, p, {}});
  s.push_back(bar{at("2020-01-06T00:00:00Z"), p, p, p, p, {}});
  const auto started = std::chrono::steady_clock::now();
  const auto gaps = detect_gaps(s);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  BOOST_REQUIRE(gaps.size() == 1u);
  BOOST_TEST(gaps[0].missing_bars > 17'000'000); // ~115 trading hours a week
  BOOST_TEST(ms < 1000.0, "50-year 1m gap took " << ms << " ms");
}

BOOST_AUTO_TEST_CASE(bars_from_the_future_are_refused_with_their_rows) {
  import_limits limits;
  limits.latest_bar_time = at("2024-01-02T14:00:00Z") + future_bar_tolerance;
  auto r = import_bars_csv(header
                               + "2024-01-02T13:00:00Z,1,2,1,1,1\n"
                                 "2024-01-02T14:00:00Z,1,2,1,1,1\n"
                                 "2024-01-02T15:00:00Z,1,2,1,1,1\n"
                                 "9999-01-01T00:00:00Z,1,2,1,1,1\n",
                           "GC", timeframe::h1, limits);
  BOOST_REQUIRE(!r.accepted);
  BOOST_REQUIRE(r.errors.size() == 2u);
  BOOST_TEST(r.errors[0].row == 3u);
  BOOST_TEST(r.errors[0].reason.find("in the future") != std::string::npos);
  BOOST_TEST(r.errors[1].row == 4u);
}

BOOST_AUTO_TEST_CASE(years_the_calendar_cannot_model_are_refused) {
  auto r = load(header + "1966-12-30T15:00:00Z,1,2,1,1,1\n1967-01-03T15:00:00Z,1,2,1,1,1\n");
  BOOST_REQUIRE(!r.accepted);
  BOOST_REQUIRE(r.errors.size() == 1u);
  BOOST_TEST(r.errors[0].row == 1u);
  BOOST_TEST(r.errors[0].reason.find("1967") != std::string::npos);
  // 24/7 symbols have no such calendar: any year is fine.
  BOOST_TEST(load(header + "1900-01-01T00:00:00Z,1,2,1,1,1\n", "BTCUSD").accepted);
}

BOOST_AUTO_TEST_CASE(bars_closer_than_the_timeframe_are_refused) {
  // Hourly bars declared as 1d.
  std::string csv = header;
  for (int h = 13; h < 18; ++h)
    csv += "2024-01-02T" + std::to_string(h) + ":00:00Z,1,2,1,1,1\n";
  auto r = import_bars_csv(csv, "GC", timeframe::d1);
  BOOST_REQUIRE(!r.accepted);
  BOOST_TEST(r.error_count == 4u);
  BOOST_TEST(r.errors[0].row == 2u);
  BOOST_TEST(r.errors[0].reason.find("closer than the 1d timeframe") != std::string::npos);
  BOOST_TEST(import_bars_csv(csv, "GC", timeframe::h1).accepted);
  // Daily bars opening at the session (22:00 then 23:00 UTC across a DST
  // change) are 23 or 25 hours apart: still daily.
  auto daily =
      import_bars_csv(header
                          + "2024-11-01T22:00:00Z,1,2,1,1,1\n2024-11-03T23:00:00Z,1,2,1,1,1\n"
                            "2024-11-04T23:00:00Z,1,2,1,1,1\n",
                      "GC", timeframe::d1);
  BOOST_TEST(daily.accepted);
}

BOOST_AUTO_TEST_CASE(negative_volume_is_a_volume_rejection) {
  auto r = load(header + "2024-01-02T13:00:00Z,1,2,1,1,-5\n2024-01-02T14:00:00Z,1,2,1,1,5\n");
  BOOST_REQUIRE(r.accepted);
  BOOST_REQUIRE(r.report.rejected.size() == 1u);
  BOOST_TEST(r.report.rejected[0].reason == "negative volume");
  for (const auto& w : r.report.warnings)
    BOOST_TEST(w.find("price logic") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(resamples_into_utc_aligned_buckets) {
  std::string csv = header
                    + "2024-01-02T00:00:00Z,10,12,9,11,1\n"
                      "2024-01-02T01:00:00Z,11,13,10,12,2\n"
                      "2024-01-02T03:00:00Z,12,12.5,8,9,3\n"
                      "2024-01-02T04:00:00Z,9,10,8.5,9.5,4\n";
  auto r = load(csv);
  BOOST_REQUIRE(r.accepted);
  auto h4 = resample(r.bars, timeframe::h4);
  BOOST_REQUIRE(h4.size() == 2u);
  BOOST_TEST(format_timestamp(h4.times()[0]) == "2024-01-02T00:00:00Z");
  BOOST_TEST(to_string(h4.opens()[0]) == "10.00000000");
  BOOST_TEST(to_string(h4.highs()[0]) == "13.00000000");
  BOOST_TEST(to_string(h4.lows()[0]) == "8.00000000");
  BOOST_TEST(to_string(h4.closes()[0]) == "9.00000000");
  BOOST_TEST(to_string(h4.volumes()[0]) == "6.00000000");
  BOOST_TEST(format_timestamp(h4.times()[1]) == "2024-01-02T04:00:00Z");
  auto d1 = resample(r.bars, timeframe::d1);
  BOOST_REQUIRE(d1.size() == 1u);
  BOOST_TEST(to_string(d1.closes()[0]) == "9.50000000");
  BOOST_TEST(to_string(d1.volumes()[0]) == "10.00000000");
  BOOST_TEST((d1.timeframe() == timeframe::d1));
}

namespace {
// What canonical_text promises: the bars' canonical text is the file's text,
// or that text with the last line end it lacks.
bool text_is_to_csv(const import_result& r, const std::string& csv) {
  const std::string canonical = to_csv(r.bars);
  return canonical == csv || canonical == csv + "\n";
}

std::string canonical_sample(std::size_t bars) {
  synthetic_spec spec;
  spec.bars = bars;
  spec.seed = 5;
  return to_csv(generate_bars(spec));
}
} // namespace

BOOST_AUTO_TEST_CASE(canonical_text_is_claimed_exactly_for_the_export_form) {
  const std::string csv = canonical_sample(40);
  const auto base = load(csv);
  BOOST_REQUIRE(base.accepted);
  BOOST_TEST(base.canonical_text);
  BOOST_TEST(begins_as_canonical_csv(csv));
  const auto unended = load(csv.substr(0, csv.size() - 1));
  BOOST_TEST(unended.canonical_text);
  BOOST_TEST(load(header).canonical_text); // no bars: the header alone

  // Each variant holds the same bars (or fewer), written otherwise: none is
  // the canonical text, so none may be claimed as it.
  const std::size_t row2 = csv.find('\n', header.size()) + 1; // the second data row
  const std::size_t row2_end = csv.find('\n', row2) + 1;
  const std::string second_row = csv.substr(row2, row2_end - row2);
  auto replaced = [&](std::size_t at, std::size_t n, const std::string& with) {
    std::string v = csv;
    v.replace(at, n, with);
    return v;
  };
  const std::size_t open2 = row2 + 21; // the second row's open
  const std::size_t open2_end = csv.find(',', open2);
  // The same table with its first two columns swapped on every line.
  auto open_first = [](const std::string& text) {
    std::string out;
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = text.find('\n', at);
      const std::size_t first = text.find(',', at), second = text.find(',', first + 1);
      out += text.substr(first + 1, second - first - 1) + "," + text.substr(at, first - at)
             + text.substr(second, end + 1 - second);
      at = end + 1;
    }
    return out;
  };
  const std::vector<std::pair<const char*, std::string>> variants = {
      {"byte-order mark", "\xEF\xBB\xBF" + csv},
      {"CRLF on one line", replaced(row2_end - 1, 1, "\r\n")},
      {"a blank line", replaced(row2, 0, "\n")},
      {"a blank line at the end", csv + "\n"},
      {"spaces around a field", replaced(open2, 0, " ")},
      {"a quoted field", replaced(open2, 0, "\"").insert(open2_end + 1, "\"")},
      {"a plus sign", replaced(open2, 0, "+")},
      {"a leading zero", replaced(open2, 0, "0")},
      {"seven decimals", replaced(open2_end - 1, 1, "")},
      {"nine decimals", replaced(open2_end, 0, "0")},
      {"a space for the T", replaced(row2 + 10, 10, " " + csv.substr(row2 + 11, 8))},
      {"a +00:00 offset", replaced(row2 + 19, 1, "+00:00")},
      {"an upper-case header", replaced(0, 1, "T")},
      {"another column order", open_first(csv)},
      {"a duplicate row", replaced(row2, 0, second_row)},
      {"rows out of order", replaced(row2, second_row.size(), "") + second_row},
      {"a rejected row", replaced(row2, 0, "2022-01-03T00:00:00Z,2,1,2,2,1\n")},
  };
  for (const auto& [what, text] : variants) {
    const auto r = load(text);
    BOOST_TEST_CONTEXT(what) {
      BOOST_REQUIRE(r.accepted);
      BOOST_TEST(!r.canonical_text);
      BOOST_TEST(!text_is_to_csv(r, text));
    }
  }
  BOOST_TEST(!begins_as_canonical_csv(replaced(0, 1, "T")));
  BOOST_TEST(!begins_as_canonical_csv(header + "2024-01-02T13:00:00Z,10,11,9,10,1\n"));
  BOOST_TEST(!begins_as_canonical_csv(header));
}

BOOST_AUTO_TEST_CASE(canonical_text_never_claims_a_mutated_file) {
  // Random edits of an exported file: whatever the import accepts, its claim
  // must be the truth, both ways (values here stay within ten integer
  // digits, where the claim is complete).
  const std::string csv = canonical_sample(12);
  const std::string alphabet = "0123456789.,-+:TZ \r\n\"e";
  std::size_t accepted = 0, claimed = 0;
  for (std::uint64_t k = 0; k < 20'000; ++k) {
    auto random = random_stream::of(17, k);
    std::string text = csv;
    const std::uint64_t edits = 1 + random.below(2);
    for (std::uint64_t e = 0; e < edits; ++e) {
      const std::size_t at = header.size() + random.below(text.size() - header.size());
      const char c = alphabet[random.below(alphabet.size())];
      switch (random.below(3)) {
      case 0:
        text[at] = c;
        break;
      case 1:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
        break;
      default:
        text.erase(at, 1);
      }
    }
    const auto r = load(text);
    if (!r.accepted)
      continue;
    ++accepted;
    claimed += r.canonical_text;
    BOOST_TEST_REQUIRE(r.canonical_text == text_is_to_csv(r, text), "edit " << k << ":\n" << text);
  }
  // Both kinds occurred: edits that left the text canonical (a digit for
  // the same digit, say) and edits the import accepted all the same.
  BOOST_TEST(claimed > 0u);
  BOOST_TEST(accepted - claimed > 2'000u);
}

BOOST_AUTO_TEST_SUITE_END()
