#include "domain/data/instrument.hpp"

#include <limits>

#include <array>

namespace bt {
namespace {

struct table_row {
  std::string_view symbol;
  std::int64_t multiplier_units;
  std::int64_t tick_units;
  std::int64_t step_units;
};

constexpr std::int64_t u = decimal_scale;
constexpr std::array<table_row, 7> table{{
    {"GC", 100 * u, u / 10, u},
    {"MGC", 10 * u, u / 10, u},
    {"SI", 5000 * u, u / 200, u},
    {"ES", 50 * u, u / 4, u},
    {"MES", 5 * u, u / 4, u},
    {"NQ", 20 * u, u / 4, u},
    {"CL", 1000 * u, u / 100, u},
}};

constexpr unix_time hour = 3600;

// The n-th (1-based) Sunday of a month, or the last one for n == 0, as days.
std::int64_t sunday_of(int year, unsigned month, int n) {
  if (n == 0) {
    std::int64_t last =
        days_from_civil(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) - 1;
    return last - weekday_from_days(last);
  }
  std::int64_t first = days_from_civil(year, month, 1);
  std::int64_t first_sunday = first + (7 - weekday_from_days(first)) % 7;
  return first_sunday + 7 * (n - 1);
}

} // namespace

bool valid_symbol(std::string_view s) {
  if (s.empty() || s.size() > 16)
    return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

instrument lookup_instrument(std::string_view symbol) {
  for (const auto& row : table)
    if (row.symbol == symbol)
      return instrument{std::string(symbol),   fixed{row.multiplier_units}, fixed{row.tick_units},
                        fixed{row.step_units}, calendar_kind::cme_globex,   true};
  return instrument{std::string(symbol), fixed::from_int(1),         fixed{u / 100},
                    fixed::from_int(1),  calendar_kind::always_open, false};
}

namespace {

// A year's daylight saving period in UTC: [start, end).
struct daylight_saving {
  unix_time year_begin = 1, year_end = 0; // the year it is for (none yet)
  unix_time start = 0, end = 0;
};

daylight_saving daylight_saving_of(unix_time t) {
  daylight_saving d;
  const int year = civil_from_days(floor_div(t, seconds_per_day)).year;
  d.year_begin = days_from_civil(year, 1, 1) * seconds_per_day;
  d.year_end = days_from_civil(year + 1, 1, 1) * seconds_per_day;
  // The US rules as tzdata has them for America/Chicago (checked against
  // the system's tzdata in the tests). Years before 1967 are refused at
  // import (chicago_calendar_first_year): Chicago's own rules then differ.
  std::int64_t start_day, end_day;
  if (year >= 2007) {
    start_day = sunday_of(year, 3, 2);
    end_day = sunday_of(year, 11, 1);
  } else if (year >= 1987) {
    start_day = sunday_of(year, 4, 1);
    end_day = sunday_of(year, 10, 0);
  } else if (year == 1974) { // the energy-crisis year-round trial
    start_day = days_from_civil(1974, 1, 6);
    end_day = sunday_of(year, 10, 0);
  } else if (year == 1975) {
    start_day = days_from_civil(1975, 2, 23);
    end_day = sunday_of(year, 10, 0);
  } else {
    start_day = sunday_of(year, 4, 0);
    end_day = sunday_of(year, 10, 0);
  }
  // Transitions happen at 02:00 local: 08:00 UTC in CST, 07:00 UTC in CDT.
  d.start = start_day * seconds_per_day + 8 * hour;
  d.end = end_day * seconds_per_day + 7 * hour;
  return d;
}

} // namespace

int chicago_utc_offset(unix_time t) {
  // A gap check asks at every session boundary of a series, thousands of
  // times a year: the year's transitions are worked out once per thread.
  thread_local daylight_saving year;
  if (t < year.year_begin || t >= year.year_end)
    year = daylight_saving_of(t);
  return (t >= year.start && t < year.end) ? -5 * 3600 : -6 * 3600;
}

namespace {

constexpr unix_time open_time_of_day = 17 * hour;  // Globex reopens 17:00 CT
constexpr unix_time close_time_of_day = 16 * hour; // and closes 16:00 CT

unix_time local_to_utc(unix_time local) {
  // Sessions change at 16:00/17:00 local, far from the 02:00 DST switch, so
  // the offset at the standard-time guess is the right one.
  return local - chicago_utc_offset(local + 6 * hour);
}

} // namespace

bool trading_calendar::is_open(unix_time t) const {
  if (kind_ == calendar_kind::always_open)
    return true;
  unix_time local = t + chicago_utc_offset(t);
  std::int64_t day = floor_div(local, seconds_per_day);
  unix_time tod = local - day * seconds_per_day;
  switch (weekday_from_days(day)) {
  case 6: // Saturday
    return false;
  case 0: // Sunday
    return tod >= open_time_of_day;
  case 5: // Friday
    return tod < close_time_of_day;
  default:
    return tod < close_time_of_day || tod >= open_time_of_day;
  }
}

unix_time trading_calendar::next_close(unix_time t) const {
  if (kind_ == calendar_kind::always_open)
    return std::numeric_limits<unix_time>::max();
  if (!is_open(t))
    return t;
  unix_time local = t + chicago_utc_offset(t);
  std::int64_t day = floor_div(local, seconds_per_day);
  unix_time tod = local - day * seconds_per_day;
  // Open in the evening: the session runs to tomorrow's 16:00 break.
  return local_to_utc((tod >= open_time_of_day ? day + 1 : day) * seconds_per_day
                      + close_time_of_day);
}

unix_time trading_calendar::next_open(unix_time t) const {
  if (is_open(t))
    return t;
  unix_time local = t + chicago_utc_offset(t);
  std::int64_t day = floor_div(local, seconds_per_day);
  unsigned wd = weekday_from_days(day);
  // Closed: either the daily break (reopens today 17:00) or the weekend
  // (reopens Sunday 17:00).
  std::int64_t reopen_day = (wd == 5 || wd == 6) ? day + (7 - wd) : day;
  return local_to_utc(reopen_day * seconds_per_day + open_time_of_day);
}

} // namespace bt
