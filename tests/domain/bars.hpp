#pragma once
// Builds small bar series from readable rows for hand-computed tests.

#include "domain/data/bar_series.hpp"

#include <initializer_list>
#include <string>

namespace bt::test {

/// One row: open, high, low, close (prices as text, exact).
struct ohlc {
  const char* open;
  const char* high;
  const char* low;
  const char* close;
};

inline fixed px(const char* text) {
  fixed v;
  parse_decimal(text, v);
  return v;
}

/// Hourly bars from 2024-01-02T00:00:00Z (a Tuesday), volume 100.
inline bar_series hourly(std::initializer_list<ohlc> rows, std::string symbol = "TEST") {
  bar_series s(std::move(symbol), timeframe::h1);
  unix_time t = 1'704'153'600;
  for (const auto& r : rows) {
    s.push_back(bar{t, px(r.open), px(r.high), px(r.low), px(r.close), fixed::from_int(100)});
    t += 3600;
  }
  return s;
}

/// Hourly bars whose open, high, low and close all equal `closes[i]`.
inline bar_series flat_closes(std::initializer_list<const char*> closes) {
  bar_series s("TEST", timeframe::h1);
  unix_time t = 1'704'153'600;
  for (const char* c : closes) {
    fixed p = px(c);
    s.push_back(bar{t, p, p, p, p, fixed::from_int(1)});
    t += 3600;
  }
  return s;
}

} // namespace bt::test
