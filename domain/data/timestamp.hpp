#pragma once
// UTC timestamps as Unix seconds, ISO-8601 text, and bar timeframes.
//
// Every time in input and output is a bar's opening timestamp in UTC; text
// output is always ISO-8601 with a trailing `Z`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bt {

/// Seconds since 1970-01-01T00:00:00Z.
using unix_time = std::int64_t;

inline constexpr unix_time seconds_per_day = 86'400;

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
std::int64_t days_from_civil(int year, unsigned month, unsigned day);

struct civil_date {
  int year;
  unsigned month; ///< 1..12
  unsigned day;   ///< 1..31
};
civil_date civil_from_days(std::int64_t days);

/// 0 = Sunday ... 6 = Saturday.
unsigned weekday_from_days(std::int64_t days);

/// Floor division that also works for times before 1970.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// 00:00 UTC of the day of `t`.
constexpr unix_time utc_day(unix_time t) {
  return floor_div(t, seconds_per_day) * seconds_per_day;
}

enum class timestamp_parse { ok, invalid, non_utc_offset };

/// Accepts `2024-01-02T13:00:00Z`, `2024-01-02 13:00:00`,
/// `2024-01-02T13:00:00+00:00` (also `+0000`), a date alone (midnight), and
/// Unix seconds. Fractional seconds are accepted only when zero. Any other
/// offset than UTC is `non_utc_offset`.
timestamp_parse parse_timestamp(std::string_view text, unix_time& out);

/// The date of the last timestamp read in the export layout
/// (`YYYY-MM-DDTHH:MM:SSZ`) and its day number: a file of intraday bars
/// repeats each date for a day's bars, and converts it once instead.
struct timestamp_memo {
  char date[10] = {};
  std::int64_t days = 0;
  bool valid = false;
};
/// parse_timestamp, remembering the date in `memo` across calls.
timestamp_parse parse_timestamp(std::string_view text, unix_time& out, timestamp_memo& memo);
/// The export layout alone, exactly as format_timestamp writes it: false
/// when `text` is not in it or not a valid time (parse_timestamp may still
/// read it in another layout).
bool parse_export_timestamp(std::string_view text, unix_time& out, timestamp_memo& memo);

/// Which end of an inclusive time range a value bounds.
enum class range_bound { start, end };

/// The one parser for range bounds (API bodies, query values, the CLI): as
/// parse_timestamp, except that a date alone as an `end` means the whole
/// day, through its last second, so `end=2024-06-30` includes that day's
/// last bar. A date alone as a `start` is its midnight.
timestamp_parse parse_range_bound(std::string_view text, range_bound which, unix_time& out);

/// "2024-01-02T13:00:00Z".
std::string format_timestamp(unix_time t);
void append_timestamp(std::string& out, unix_time t);
/// Writes the 20 characters of "2024-01-02T13:00:00Z" at `out` and returns
/// their end.
char* format_timestamp(char* out, unix_time t);

/// format_timestamp for writers of one row per bar: bars are minutes or
/// hours apart, so the date is formatted once a day and only the time of
/// day per call. Any order of times is correct.
class timestamp_formatter {
public:
  char* format(char* out, unix_time t);

private:
  std::int64_t day_ = INT64_MIN; ///< the day text_ holds; none yet
  char text_[20] = {};
};

/// A bar duration. Only these seven are accepted anywhere in the service.
enum class timeframe { m1, m5, m15, m30, h1, h4, d1 };

std::optional<timeframe> parse_timeframe(std::string_view text);
/// "1m, 5m, 15m, 30m, 1h, 4h, 1d": the accepted names, for error messages.
const std::string& timeframe_names();
std::string_view to_string(timeframe tf);
unix_time seconds_of(timeframe tf);

} // namespace bt
