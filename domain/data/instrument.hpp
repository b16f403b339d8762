#pragma once
// Contract specifications and the trading calendars they trade on.

#include "domain/data/decimal.hpp"
#include "domain/data/timestamp.hpp"

#include <string>
#include <string_view>

namespace bt {

/// Which weekly schedule a symbol trades on.
enum class calendar_kind {
  always_open, ///< 24/7: unknown symbols, crypto
  cme_globex   ///< Sun 17:00 - Fri 16:00 America/Chicago, daily break 16:00-17:00
};

/// Contract terms. Every field can be overridden per run via execution settings.
struct instrument {
  std::string symbol;
  fixed multiplier;    ///< currency per 1.0 of price per contract
  fixed tick_size;     ///< minimum price increment
  fixed quantity_step; ///< minimum order size increment
  calendar_kind calendar = calendar_kind::always_open;
  bool known = false; ///< found in the instrument table
};

/// Whether `symbol` is a well-formed symbol: [A-Z0-9._-]{1,16}.
bool valid_symbol(std::string_view symbol);

/// The table entry for `symbol`, or multiplier 1, tick 0.01, step 1 on a 24/7
/// calendar for a symbol the table does not know.
instrument lookup_instrument(std::string_view symbol);

/// Weekly trading hours, with America/Chicago daylight saving handled by the
/// US rules (2007 onwards: second Sunday of March to first Sunday of
/// November; 1987-2006: first Sunday of April to last Sunday of October).
class trading_calendar {
public:
  explicit trading_calendar(calendar_kind kind) : kind_(kind) {}

  calendar_kind kind() const { return kind_; }
  /// Whether the market is open at instant `t`.
  bool is_open(unix_time t) const;
  /// The first instant >= t at which the market is open.
  unix_time next_open(unix_time t) const;
  /// The first instant >= t at which the market is closed (t itself when
  /// closed; the largest time for a market that never closes).
  unix_time next_close(unix_time t) const;
  /// Whether a bar opening at `t` and lasting `length` seconds can contain
  /// any trading: bars that cannot are never reported missing.
  bool expects_bar(unix_time t, unix_time length) const { return next_open(t) < t + length; }

private:
  calendar_kind kind_;
};

/// UTC offset of America/Chicago at instant `t`, in seconds (-18000 or
/// -21600): exact, as tzdata, from 1967 on.
int chicago_utc_offset(unix_time t);

/// The first year whose Chicago daylight-saving rules are modelled: bars
/// before it on a CME calendar are refused at import.
inline constexpr int chicago_calendar_first_year = 1967;

} // namespace bt
