#include "domain/data/instrument.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>

using namespace bt;

namespace {
unix_time at(const char* text) {
  unix_time t = 0;
  BOOST_REQUIRE((parse_timestamp(text, t) == timestamp_parse::ok));
  return t;
}
} // namespace

BOOST_AUTO_TEST_SUITE(instrument)

BOOST_AUTO_TEST_CASE(table_has_the_common_futures) {
  struct row {
    const char* symbol;
    const char* multiplier;
    const char* tick;
  };
  for (auto r : {row{"GC", "100.00000000", "0.10000000"}, row{"MGC", "10.00000000", "0.10000000"},
                 row{"SI", "5000.00000000", "0.00500000"}, row{"ES", "50.00000000", "0.25000000"},
                 row{"MES", "5.00000000", "0.25000000"}, row{"NQ", "20.00000000", "0.25000000"},
                 row{"CL", "1000.00000000", "0.01000000"}}) {
    auto i = lookup_instrument(r.symbol);
    BOOST_TEST(i.known);
    BOOST_TEST(to_string(i.multiplier) == r.multiplier);
    BOOST_TEST(to_string(i.tick_size) == r.tick);
    BOOST_TEST(to_string(i.quantity_step) == "1.00000000");
    BOOST_TEST((i.calendar == calendar_kind::cme_globex));
  }
  auto unknown = lookup_instrument("BTCUSD");
  BOOST_TEST(!unknown.known);
  BOOST_TEST(to_string(unknown.multiplier) == "1.00000000");
  BOOST_TEST(to_string(unknown.tick_size) == "0.01000000");
  BOOST_TEST((unknown.calendar == calendar_kind::always_open));
}

BOOST_AUTO_TEST_CASE(chicago_daylight_saving_transitions) {
  BOOST_TEST(chicago_utc_offset(at("2024-03-10T07:59:59Z")) == -6 * 3600);
  BOOST_TEST(chicago_utc_offset(at("2024-03-10T08:00:00Z")) == -5 * 3600);
  BOOST_TEST(chicago_utc_offset(at("2024-11-03T06:59:59Z")) == -5 * 3600);
  BOOST_TEST(chicago_utc_offset(at("2024-11-03T07:00:00Z")) == -6 * 3600);
  // Before 2007: first Sunday of April to last Sunday of October.
  BOOST_TEST(chicago_utc_offset(at("2006-04-02T07:59:59Z")) == -6 * 3600);
  BOOST_TEST(chicago_utc_offset(at("2006-04-02T08:00:00Z")) == -5 * 3600);
  BOOST_TEST(chicago_utc_offset(at("2006-10-29T07:00:00Z")) == -6 * 3600);
}

BOOST_AUTO_TEST_CASE(globex_session_in_winter_and_summer) {
  trading_calendar cme(calendar_kind::cme_globex);
  // Winter (CST = UTC-6): Sunday opens 23:00 UTC, daily break 22:00-23:00 UTC.
  BOOST_TEST(!cme.is_open(at("2024-01-06T12:00:00Z"))); // Saturday
  BOOST_TEST(!cme.is_open(at("2024-01-07T22:59:59Z")));
  BOOST_TEST(cme.is_open(at("2024-01-07T23:00:00Z")));
  BOOST_TEST(cme.is_open(at("2024-01-08T21:59:59Z")));
  BOOST_TEST(!cme.is_open(at("2024-01-08T22:00:00Z")));
  BOOST_TEST(cme.is_open(at("2024-01-08T23:00:00Z")));
  BOOST_TEST(cme.is_open(at("2024-01-12T21:59:59Z")));  // Friday 15:59 CT
  BOOST_TEST(!cme.is_open(at("2024-01-12T22:00:00Z"))); // Friday close
  // Summer (CDT = UTC-5): one hour earlier in UTC.
  BOOST_TEST(!cme.is_open(at("2024-07-07T21:59:59Z")));
  BOOST_TEST(cme.is_open(at("2024-07-07T22:00:00Z")));
  BOOST_TEST(!cme.is_open(at("2024-07-08T21:00:00Z")));
  BOOST_TEST(cme.is_open(at("2024-07-08T22:00:00Z")));
  // The Sunday daylight saving starts.
  BOOST_TEST(cme.is_open(at("2024-03-10T22:00:00Z")));
  BOOST_TEST(!cme.is_open(at("2024-03-10T21:59:00Z")));
}

BOOST_AUTO_TEST_CASE(next_open_and_expected_bars) {
  trading_calendar cme(calendar_kind::cme_globex);
  BOOST_TEST(cme.next_open(at("2024-01-12T22:00:00Z")) == at("2024-01-14T23:00:00Z"));
  BOOST_TEST(cme.next_open(at("2024-01-13T05:00:00Z")) == at("2024-01-14T23:00:00Z"));
  BOOST_TEST(cme.next_open(at("2024-01-09T22:30:00Z")) == at("2024-01-09T23:00:00Z"));
  BOOST_TEST(cme.next_open(at("2024-01-09T10:00:00Z")) == at("2024-01-09T10:00:00Z"));
  BOOST_TEST(!cme.expects_bar(at("2024-01-09T22:00:00Z"), 3600));
  BOOST_TEST(cme.expects_bar(at("2024-01-09T21:00:00Z"), 3600));
  // A UTC day bar on Sunday contains the Sunday evening open.
  BOOST_TEST(cme.expects_bar(at("2024-01-07T00:00:00Z"), 86400));
  BOOST_TEST(!cme.expects_bar(at("2024-01-06T00:00:00Z"), 86400));
  trading_calendar always(calendar_kind::always_open);
  BOOST_TEST(always.is_open(at("2024-01-06T12:00:00Z")));
}

BOOST_AUTO_TEST_CASE(chicago_offsets_match_tzdata_from_1967) {
  // The system's tzdata (glibc reads /usr/share/zoneinfo) is the reference.
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  ::setenv("TZ", "America/Chicago", 1);
  ::tzset();
  std::tm probe{};
  const std::time_t summer = 1'719'792'000; // 2024-07-01
  ::localtime_r(&summer, &probe);
  BOOST_REQUIRE_MESSAGE(probe.tm_gmtoff == -5 * 3600,
                        "tzdata for America/Chicago is not installed");
  std::size_t mismatches = 0;
  const unix_time from = days_from_civil(chicago_calendar_first_year, 1, 1) * seconds_per_day;
  const unix_time to = days_from_civil(2040, 1, 1) * seconds_per_day;
  for (unix_time t = from; t < to; t += 1800) {
    std::tm tm{};
    const std::time_t tt = static_cast<std::time_t>(t);
    ::localtime_r(&tt, &tm);
    if (tm.tm_gmtoff != chicago_utc_offset(t) && ++mismatches <= 5)
      BOOST_ERROR("offset at " << format_timestamp(t) << ": tzdata " << tm.tm_gmtoff << ", ours "
                               << chicago_utc_offset(t));
  }
  // In random order too: each year's transitions are remembered, and a
  // time in another year must not be judged by them.
  std::uint64_t state = 1;
  for (int i = 0; i < 200'000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const unix_time t =
        from + static_cast<unix_time>((state >> 11) % static_cast<std::uint64_t>(to - from));
    std::tm tm{};
    const std::time_t tt = static_cast<std::time_t>(t);
    ::localtime_r(&tt, &tm);
    if (tm.tm_gmtoff != chicago_utc_offset(t) && ++mismatches <= 5)
      BOOST_ERROR("offset at " << format_timestamp(t) << " (random order): tzdata " << tm.tm_gmtoff
                               << ", ours " << chicago_utc_offset(t));
  }
  BOOST_TEST(mismatches == 0u);
  if (old)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
}

BOOST_AUTO_TEST_SUITE_END()
