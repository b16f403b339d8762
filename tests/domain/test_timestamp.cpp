#include "domain/data/timestamp.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <string>

using namespace bt;

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(accepts_every_documented_utc_form) {
  const unix_time expected = 1'704'200'400; // 2024-01-02T13:00:00Z
  for (const char* text :
       {"2024-01-02T13:00:00Z", "2024-01-02 13:00:00", "2024-01-02T13:00:00+00:00",
        "2024-01-02T13:00:00+0000", "2024-01-02T13:00:00-00:00", "2024-01-02T13:00:00.000Z",
        "2024-01-02T13:00Z", "1704200400"}) {
    unix_time t = 0;
    BOOST_TEST((parse_timestamp(text, t) == timestamp_parse::ok), text);
    BOOST_TEST(t == expected, text);
  }
  unix_time t = 0;
  BOOST_TEST((parse_timestamp("2024-01-02", t) == timestamp_parse::ok));
  BOOST_TEST(t == 1'704'153'600);
}

BOOST_AUTO_TEST_CASE(rejects_non_utc_offsets_and_garbage) {
  unix_time t = 0;
  BOOST_TEST((parse_timestamp("2024-01-02T13:00:00+01:00", t) == timestamp_parse::non_utc_offset));
  BOOST_TEST((parse_timestamp("2024-01-02T13:00:00-05:00", t) == timestamp_parse::non_utc_offset));
  for (const char* bad : {"", "2024-13-01", "2024-02-30T00:00:00Z", "2023-02-29",
                          "2024-01-02T24:00:00Z", "2024-01-02T13:00:00.5Z", "yesterday",
                          "2024/01/02 13:00", "2024-01-02T13:00:00 Z", "12345678901234"})
    BOOST_TEST((parse_timestamp(bad, t) == timestamp_parse::invalid), bad);
  BOOST_TEST((parse_timestamp("2024-02-29", t) == timestamp_parse::ok)); // leap day
}

BOOST_AUTO_TEST_CASE(a_date_alone_as_an_end_means_the_whole_day) {
  unix_time t = 0;
  BOOST_TEST((parse_range_bound("2024-06-30", range_bound::end, t) == timestamp_parse::ok));
  BOOST_TEST(format_timestamp(t) == "2024-06-30T23:59:59Z");
  BOOST_TEST((parse_range_bound("2024-06-30", range_bound::start, t) == timestamp_parse::ok));
  BOOST_TEST(format_timestamp(t) == "2024-06-30T00:00:00Z");
  // A full timestamp is taken as given, at either end.
  BOOST_TEST(
      (parse_range_bound("2024-06-30T00:00:00Z", range_bound::end, t) == timestamp_parse::ok));
  BOOST_TEST(format_timestamp(t) == "2024-06-30T00:00:00Z");
  BOOST_TEST((parse_range_bound("1719705600", range_bound::end, t) == timestamp_parse::ok));
  BOOST_TEST(t == 1719705600);
  BOOST_TEST((parse_range_bound("2024-13-30", range_bound::end, t) == timestamp_parse::invalid));
}

BOOST_AUTO_TEST_CASE(formats_iso_with_z) {
  BOOST_TEST(format_timestamp(0) == "1970-01-01T00:00:00Z");
  BOOST_TEST(format_timestamp(1'704'200'400) == "2024-01-02T13:00:00Z");
  BOOST_TEST(format_timestamp(951'782'399) == "2000-02-28T23:59:59Z");
  BOOST_TEST(format_timestamp(-1) == "1969-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(civil_round_trip_and_weekday) {
  for (std::int64_t d = -800'000; d <= 800'000; d += 997) {
    civil_date c = civil_from_days(d);
    BOOST_TEST(days_from_civil(c.year, c.month, c.day) == d);
  }
  BOOST_TEST(weekday_from_days(0) == 4u);                           // 1970-01-01 Thursday
  BOOST_TEST(weekday_from_days(days_from_civil(2024, 1, 7)) == 0u); // Sunday
}

BOOST_AUTO_TEST_CASE(timeframes) {
  BOOST_TEST(seconds_of(*parse_timeframe("1h")) == 3600);
  BOOST_TEST(seconds_of(*parse_timeframe("4h")) == 14400);
  BOOST_TEST(seconds_of(*parse_timeframe("1d")) == 86400);
  BOOST_TEST(seconds_of(*parse_timeframe("15m")) == 900);
  BOOST_TEST(!parse_timeframe("2h"));
  BOOST_TEST(!parse_timeframe("1H"));
  BOOST_TEST(to_string(timeframe::m30) == "30m");
}

// `YYYY-MM-DDTHH:MM:SSZ` takes a one-pass path; the same time written with
// a space and no zone goes through the general parser. They must agree on
// every value and every refusal (month 13, 30 February, hour 24, ...).
BOOST_AUTO_TEST_CASE(export_layout_and_general_parser_agree) {
  std::mt19937_64 rng(5);
  auto digits = [&](int n, int max) {
    std::string d = std::to_string(rng() % static_cast<unsigned>(max + 1));
    return std::string(static_cast<std::size_t>(n) - std::min<std::size_t>(d.size(), n), '0') + d;
  };
  for (int i = 0; i < 100'000; ++i) {
    const std::string date = digits(4, 9999) + "-" + digits(2, 13) + "-" + digits(2, 32);
    const std::string time = digits(2, 24) + ":" + digits(2, 60) + ":" + digits(2, 60);
    unix_time fast = -1, general = -2;
    const auto a = parse_timestamp(date + "T" + time + "Z", fast);
    const auto b = parse_timestamp(date + " " + time, general);
    BOOST_TEST((a == b), date + " " + time);
    if (a == timestamp_parse::ok)
      BOOST_TEST(fast == general, date + " " + time);
  }
  unix_time t = 0;
  BOOST_TEST((parse_timestamp("2024-02-29T23:59:59Z", t) == timestamp_parse::ok));
  BOOST_TEST((parse_timestamp("2023-02-29T00:00:00Z", t) == timestamp_parse::invalid));
  BOOST_TEST((parse_timestamp("2024-01-02T13:00:0aZ", t) == timestamp_parse::invalid));
}

// The export layout alone: read exactly when the text is what
// format_timestamp writes for the time read.
BOOST_AUTO_TEST_CASE(export_layout_is_read_exactly_when_it_is_the_formatted_time) {
  std::mt19937_64 rng(13);
  auto digits = [&](int n, int max) {
    std::string d = std::to_string(rng() % static_cast<unsigned>(max + 1));
    return std::string(static_cast<std::size_t>(n) - std::min<std::size_t>(d.size(), n), '0') + d;
  };
  timestamp_memo memo;
  std::size_t read = 0;
  for (int i = 0; i < 100'000; ++i) {
    std::string text = digits(4, 9999) + "-" + digits(2, 13) + "-" + digits(2, 32) + "T"
                       + digits(2, 24) + ":" + digits(2, 60) + ":" + digits(2, 60) + "Z";
    if (rng() % 4 == 0)
      text[rng() % text.size()] = " +0:-TZ"[rng() % 7];
    unix_time t = -1, general = -2;
    const bool export_layout = parse_export_timestamp(text, t, memo);
    BOOST_TEST(export_layout
                   == (parse_timestamp(text, general) == timestamp_parse::ok
                       && format_timestamp(general) == text),
               text);
    if (export_layout)
      BOOST_TEST(t == general, text);
    read += export_layout;
  }
  BOOST_TEST(read > 50'000u);
}

// The memo reuses a date's day number: over runs of rows sharing a date,
// invalid dates (never remembered) and invalid times on a remembered date,
// it gives exactly what the memo-less parser gives.
BOOST_AUTO_TEST_CASE(memo_gives_what_the_parser_gives) {
  std::mt19937_64 rng(9);
  auto two = [&](unsigned max) {
    const unsigned v = static_cast<unsigned>(rng() % (max + 1));
    return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
  };
  timestamp_memo memo;
  std::string date = "2024-01-02";
  for (int i = 0; i < 50'000; ++i) {
    if (rng() % 8 == 0)
      date = std::to_string(1990 + rng() % 60) + "-" + two(13) + "-" + two(32);
    const std::string text = date + "T" + two(24) + ":" + two(60) + ":" + two(60) + "Z";
    unix_time with = -1, without = -2;
    const auto a = parse_timestamp(text, with, memo);
    const auto b = parse_timestamp(text, without);
    BOOST_TEST((a == b), text);
    if (a == timestamp_parse::ok)
      BOOST_TEST(with == without, text);
  }
  // A remembered date does not excuse another layout or a bad time.
  unix_time t = 0;
  BOOST_TEST((parse_timestamp("2024-01-02T13:00:00Z", t, memo) == timestamp_parse::ok));
  BOOST_TEST((parse_timestamp("2024-01-02T24:00:00Z", t, memo) == timestamp_parse::invalid));
  BOOST_TEST(
      (parse_timestamp("2024-01-02T13:00:00+01:00", t, memo) == timestamp_parse::non_utc_offset));
}

// The formatter reuses the date within a day; in any order of times, and
// across midnight both ways, it writes what format_timestamp writes.
BOOST_AUTO_TEST_CASE(formatter_matches_format_timestamp_in_any_order) {
  std::mt19937_64 rng(5);
  timestamp_formatter f;
  const unix_time base = 1'704'153'600; // 2024-01-02T00:00:00Z
  for (unix_time t : {base, base + 3'599, base - 1, base, base + 86'399, base + 86'400,
                      unix_time{-1}, unix_time{0}}) {
    char out[20];
    BOOST_TEST(std::string(out, f.format(out, t)) == format_timestamp(t));
  }
  for (int i = 0; i < 20'000; ++i) {
    const unix_time t = base + static_cast<unix_time>(rng() % 400'000) - 200'000;
    char out[20];
    BOOST_TEST(std::string(out, f.format(out, t)) == format_timestamp(t));
  }
}

BOOST_AUTO_TEST_SUITE_END()
