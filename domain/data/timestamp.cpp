#include "domain/data/timestamp.hpp"

#include <array>
#include <cstring>

namespace bt {

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

civil_date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return civil_date{static_cast<int>(y + (m <= 2)), m, d};
}

unsigned weekday_from_days(std::int64_t z) {
  return static_cast<unsigned>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

unsigned days_in_month(int y, unsigned m) {
  static constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

} // namespace

namespace {

// The layout every export uses, `YYYY-MM-DDTHH:MM:SSZ`: read in one pass
// without the general parser's branches. False: not that layout, or not a
// valid time in it; the general parser then decides.
bool parse_iso_utc(std::string_view s, unix_time& out, timestamp_memo* memo) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':'
      || s[19] != 'Z')
    return false;
  auto two = [&](std::size_t i, unsigned& v) {
    const unsigned a = static_cast<unsigned char>(s[i]) - '0';
    const unsigned b = static_cast<unsigned char>(s[i + 1]) - '0';
    v = a * 10 + b;
    return a < 10 && b < 10;
  };
  std::int64_t days;
  if (memo && memo->valid && std::memcmp(memo->date, s.data(), sizeof memo->date) == 0) {
    days = memo->days; // the same (valid) date as the row before
  } else {
    unsigned y1, y2, month, day;
    if (!two(0, y1) || !two(2, y2) || !two(5, month) || !two(8, day))
      return false;
    const int year = static_cast<int>(y1 * 100 + y2);
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
      return false;
    days = days_from_civil(year, month, day);
    if (memo) {
      std::memcpy(memo->date, s.data(), sizeof memo->date);
      memo->days = days;
      memo->valid = true;
    }
  }
  unsigned hour, minute, second;
  if (!two(11, hour) || !two(14, minute) || !two(17, second) || hour > 23 || minute > 59
      || second > 59)
    return false;
  out = days * seconds_per_day + hour * 3600 + minute * 60 + second;
  return true;
}

} // namespace

namespace {

timestamp_parse parse_any_timestamp(std::string_view s, unix_time& out, timestamp_memo* memo) {
  if (parse_iso_utc(s, out, memo))
    return timestamp_parse::ok;
  if (s.empty())
    return timestamp_parse::invalid;
  // Unix seconds: digits only.
  if (s.find_first_not_of("0123456789") == std::string_view::npos) {
    if (s.size() > 12)
      return timestamp_parse::invalid;
    unix_time v = 0;
    for (char c : s)
      v = v * 10 + (c - '0');
    out = v;
    return timestamp_parse::ok;
  }
  int year, month, day;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month)
      || s[7] != '-' || !digits(s, 8, 2, day))
    return timestamp_parse::invalid;
  if (month < 1 || month > 12 || day < 1
      || static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)))
    return timestamp_parse::invalid;
  int hour = 0, minute = 0, second = 0;
  std::size_t pos = 10;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')
      return timestamp_parse::invalid;
    if (!digits(s, pos + 1, 2, hour) || s.size() < pos + 6 || s[pos + 3] != ':'
        || !digits(s, pos + 4, 2, minute))
      return timestamp_parse::invalid;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, second))
        return timestamp_parse::invalid;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (s[pos] != '0')
            return timestamp_parse::invalid; // bars open on whole seconds
          ++pos;
        }
        if (pos == start)
          return timestamp_parse::invalid;
      }
    }
    if (hour > 23 || minute > 59 || second > 59)
      return timestamp_parse::invalid;
    std::string_view zone = s.substr(pos);
    if (zone == "Z" || zone == "z" || zone.empty()) {
      // UTC, or a naive timestamp which the conventions define as UTC.
    } else if ((zone[0] == '+' || zone[0] == '-')
               && (zone.size() == 6 || zone.size() == 5 || zone.size() == 3)) {
      int oh = 0, om = 0;
      bool colon = zone.size() == 6;
      if (!digits(zone, 1, 2, oh))
        return timestamp_parse::invalid;
      if (zone.size() > 3) {
        if (colon && zone[3] != ':')
          return timestamp_parse::invalid;
        if (!digits(zone, colon ? 4 : 3, 2, om))
          return timestamp_parse::invalid;
      }
      if (oh != 0 || om != 0)
        return timestamp_parse::non_utc_offset;
    } else {
      return timestamp_parse::invalid;
    }
  }
  out = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day))
            * seconds_per_day
        + hour * 3600 + minute * 60 + second;
  return timestamp_parse::ok;
}

} // namespace

timestamp_parse parse_timestamp(std::string_view s, unix_time& out) {
  return parse_any_timestamp(s, out, nullptr);
}

timestamp_parse parse_timestamp(std::string_view s, unix_time& out, timestamp_memo& memo) {
  return parse_any_timestamp(s, out, &memo);
}

bool parse_export_timestamp(std::string_view s, unix_time& out, timestamp_memo& memo) {
  return parse_iso_utc(s, out, &memo);
}

void append_timestamp(std::string& out, unix_time t) {
  char buf[20];
  out.append(buf, format_timestamp(buf, t));
}

namespace {

// "HH:MM:SSZ" at buf[11..19] for `secs` seconds into the day.
void write_time_of_day(char* buf, unsigned secs) {
  const unsigned h = secs / 3600, mi = secs / 60 % 60, se = secs % 60;
  buf[11] = static_cast<char>('0' + h / 10);
  buf[12] = static_cast<char>('0' + h % 10);
  buf[13] = ':';
  buf[14] = static_cast<char>('0' + mi / 10);
  buf[15] = static_cast<char>('0' + mi % 10);
  buf[16] = ':';
  buf[17] = static_cast<char>('0' + se / 10);
  buf[18] = static_cast<char>('0' + se % 10);
  buf[19] = 'Z';
}

} // namespace

char* format_timestamp(char* buf, unix_time t) {
  const std::int64_t days = floor_div(t, seconds_per_day);
  const civil_date d = civil_from_days(days);
  const int y = d.year;
  // Fixed layout YYYY-MM-DDTHH:MM:SSZ, written by hand: this runs per bar.
  buf[0] = static_cast<char>('0' + y / 1000 % 10);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  buf[2] = static_cast<char>('0' + y / 10 % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + d.month / 10);
  buf[6] = static_cast<char>('0' + d.month % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + d.day / 10);
  buf[9] = static_cast<char>('0' + d.day % 10);
  buf[10] = 'T';
  write_time_of_day(buf, static_cast<unsigned>(t - days * seconds_per_day));
  return buf + 20;
}

char* timestamp_formatter::format(char* out, unix_time t) {
  const std::int64_t days = floor_div(t, seconds_per_day);
  if (days != day_) {
    format_timestamp(text_, t);
    day_ = days;
  } else {
    write_time_of_day(text_, static_cast<unsigned>(t - days * seconds_per_day));
  }
  std::memcpy(out, text_, sizeof text_);
  return out + sizeof text_;
}

timestamp_parse parse_range_bound(std::string_view text, range_bound which, unix_time& out) {
  const timestamp_parse r = parse_timestamp(text, out);
  // Exactly YYYY-MM-DD: the day itself, not its first instant.
  const bool date_only = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (r == timestamp_parse::ok && date_only && which == range_bound::end)
    out += seconds_per_day - 1;
  return r;
}

std::string format_timestamp(unix_time t) {
  std::string s;
  append_timestamp(s, t);
  return s;
}

namespace {
struct timeframe_entry {
  timeframe tf;
  std::string_view name;
  unix_time seconds;
};
constexpr std::array<timeframe_entry, 7> timeframes{{
    {timeframe::m1, "1m", 60},
    {timeframe::m5, "5m", 300},
    {timeframe::m15, "15m", 900},
    {timeframe::m30, "30m", 1800},
    {timeframe::h1, "1h", 3600},
    {timeframe::h4, "4h", 14400},
    {timeframe::d1, "1d", 86400},
}};
} // namespace

std::optional<timeframe> parse_timeframe(std::string_view text) {
  for (const auto& e : timeframes)
    if (e.name == text)
      return e.tf;
  return std::nullopt;
}

const std::string& timeframe_names() {
  static const std::string names = [] {
    std::string out;
    for (const auto& e : timeframes)
      out += (out.empty() ? "" : ", ") + std::string(e.name);
    return out;
  }();
  return names;
}

std::string_view to_string(timeframe tf) {
  return timeframes[static_cast<std::size_t>(tf)].name;
}

unix_time seconds_of(timeframe tf) {
  return timeframes[static_cast<std::size_t>(tf)].seconds;
}

} // namespace bt
