#pragma once
// Exact decimal numbers with 8 fractional digits, held as scaled integers.
//
// Prices, volumes and money never pass through binary floating point: a price
// read from CSV is written back byte-for-byte (with 8 decimals), and sums and
// comparisons (SMA crossovers, P&L) are exact.

#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bt {

/// Number of fractional digits every fixed-point value carries.
inline constexpr int decimal_places = 8;
/// 10^decimal_places: the integer that represents 1.0.
inline constexpr std::int64_t decimal_scale = 100'000'000;

/// Largest magnitude a fixed value may hold: ±92,233,720,368.54775807.
/// INT64_MIN is excluded so that negation is always exact.
inline constexpr std::int64_t fixed_max_units = 9'223'372'036'854'775'807;

/// Thrown when an exact result does not fit the fixed-point range. A result
/// is exact or refused: arithmetic never saturates or wraps, it ends the
/// operation (a backtest then fails with this message).
class fixed_overflow : public std::overflow_error {
public:
  using std::overflow_error::overflow_error;
};

/// Throws fixed_overflow naming the operation (kept out of line so that the
/// checked operators below stay small enough to inline).
[[noreturn]] void throw_fixed_overflow(const char* operation);

namespace detail {
/// The sum and difference of two units when they fit the fixed range (what
/// + and - below refuse otherwise), for loops that keep units in registers
/// and leave on the first step that does not fit. The operators spell the
/// same test themselves: routed through these, dual_sma's engine measured
/// 0.6 ns a bar slower (9.4-9.7 against 8.6-9.2).
constexpr bool sum_fits(std::int64_t a, std::int64_t b, std::int64_t& r) {
  return !__builtin_add_overflow(a, b, &r) && r >= -fixed_max_units;
}
constexpr bool difference_fits(std::int64_t a, std::int64_t b, std::int64_t& r) {
  return !__builtin_sub_overflow(a, b, &r) && r >= -fixed_max_units;
}
} // namespace detail

/// A decimal with exactly 8 fractional digits. `units` is value * 10^8.
struct fixed {
  std::int64_t units = 0;

  static constexpr fixed from_units(std::int64_t u) { return fixed{u}; }
  static constexpr fixed from_int(std::int64_t v) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(v, decimal_scale, &r) || r < -fixed_max_units)
      throw_fixed_overflow("integer conversion");
    return fixed{r};
  }
  /// Nearest fixed value to `v` (half away from zero). For configuration
  /// values that arrive as JSON numbers; never for market data. Throws
  /// fixed_overflow for a value out of range or not finite.
  static fixed from_double(double v);

  double to_double() const { return static_cast<double>(units) / decimal_scale; }

  friend constexpr bool operator==(fixed a, fixed b) { return a.units == b.units; }
  friend constexpr bool operator!=(fixed a, fixed b) { return a.units != b.units; }
  friend constexpr bool operator<(fixed a, fixed b) { return a.units < b.units; }
  friend constexpr bool operator<=(fixed a, fixed b) { return a.units <= b.units; }
  friend constexpr bool operator>(fixed a, fixed b) { return a.units > b.units; }
  friend constexpr bool operator>=(fixed a, fixed b) { return a.units >= b.units; }
  // Checked: an overflowing sum is an error, never a wrapped value.
  friend constexpr fixed operator+(fixed a, fixed b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a.units, b.units, &r) || r < -fixed_max_units)
      throw_fixed_overflow("addition");
    return fixed{r};
  }
  friend constexpr fixed operator-(fixed a, fixed b) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a.units, b.units, &r) || r < -fixed_max_units)
      throw_fixed_overflow("subtraction");
    return fixed{r};
  }
  friend constexpr fixed operator-(fixed a) { return fixed{-a.units}; }
  fixed& operator+=(fixed b) { return *this = *this + b; }
  fixed& operator-=(fixed b) { return *this = *this - b; }
};

namespace detail {
/// The whole products of mul below, written once: b (and c) whole numbers,
/// so the product is one 64-bit multiply with no rounding. False when an
/// operand is fractional or the product does not fit.
inline bool whole_product(fixed a, fixed b, std::int64_t& r) {
  return b.units % decimal_scale == 0
         && !__builtin_mul_overflow(a.units, b.units / decimal_scale, &r) && r >= -fixed_max_units;
}
/// The two halves of the three-operand product, for callers that multiply
/// many a by the same b and c (an open trade's quantity and multiplier):
/// b * c as a whole number, then a times it.
inline bool whole_factor(fixed b, fixed c, std::int64_t& f) {
  return b.units % decimal_scale == 0 && c.units % decimal_scale == 0
         && !__builtin_mul_overflow(b.units / decimal_scale, c.units / decimal_scale, &f);
}
inline bool times_whole(fixed a, std::int64_t f, std::int64_t& r) {
  return !__builtin_mul_overflow(a.units, f, &r) && r >= -fixed_max_units;
}
inline bool whole_product(fixed a, fixed b, fixed c, std::int64_t& r) {
  std::int64_t f;
  return whole_factor(b, c, f) && times_whole(a, f, r);
}
/// The rest of mul, for when whole_product failed (out of line).
fixed mul_general(fixed a, fixed b);
fixed mul_general(fixed a, fixed b, fixed c);
} // namespace detail

/// a * b, rounded half away from zero to 8 decimals (128-bit intermediate).
/// Throws fixed_overflow when the product does not fit. Inline for the
/// whole-number case (a price times a contract count), which the engine
/// meets on every bar of an open trade; the rest is out of line.
inline fixed mul(fixed a, fixed b) {
  std::int64_t r;
  return detail::whole_product(a, b, r) ? fixed{r} : detail::mul_general(a, b);
}
/// a * b * c, rounded once, half away from zero (for price * qty * multiplier).
/// Throws fixed_overflow when the product does not fit.
inline fixed mul(fixed a, fixed b, fixed c) {
  std::int64_t r;
  return detail::whole_product(a, b, c, r) ? fixed{r} : detail::mul_general(a, b, c);
}
/// a / b rounded toward zero; b must not be zero. Throws fixed_overflow
/// when the quotient does not fit.
fixed div_trunc(fixed a, fixed b);
/// Largest multiple of `step` that is <= v (v >= 0, step > 0).
fixed floor_to_step(fixed v, fixed step);
/// Multiple of `step` nearest to v (ties away from zero).
fixed round_to_step(fixed v, fixed step);

/// `v` rounded to `places` decimal places (0..15): derived ratios
/// (percentages, Sharpe) are reported to 10 places so that 49.52 does not
/// print as 49.519999999999996. Ties round to even.
double round_places(double v, int places = 10);

namespace detail {
/// Where nearby_integer applies: magnitudes below 2e15 (under 2^51).
inline constexpr double nearby_limit = 2e15;
/// std::nearbyint(s) for |s| < nearby_limit without the libm call: adding
/// and subtracting 1.5 * 2^52 rounds to an integer in the FPU's
/// round-to-nearest-even mode. A negative s that rounds to zero gives +0.0
/// where nearbyint gives -0.0.
inline double nearby_integer(double s) {
  constexpr double magic = 6755399441055744.0;
  return (s + magic) - magic;
}
} // namespace detail

/// round_places(v, 10), inline for per-bar use.
inline double round_ten_places(double v) {
  const double scaled = v * 1e10;
  if (!(scaled < detail::nearby_limit && scaled > -detail::nearby_limit))
    return round_places(v, 10);
  return detail::nearby_integer(scaled) / 1e10;
}

/// Result of parsing decimal text.
enum class decimal_parse {
  ok,          ///< exact
  rounded,     ///< more than 8 fractional digits: rounded half away from zero
  invalid,     ///< not a number
  out_of_range ///< does not fit
};

namespace detail {
// The common case of a price or volume, `[+-]digits[.digits]` with at most
// 10 integer and 8 fractional digits: exact in 64 bits (below 10^18 units),
// without the 128-bit arithmetic the general path needs. False: take the
// general path, which decides everything else. `canonical`: the text is
// exactly what format_fixed writes for `out` (no sign, no leading zero,
// eight decimals); told here, where the layout is known, for a few
// instructions.
inline bool parse_plain_decimal(std::string_view s, fixed& out, bool& canonical) {
  static constexpr std::uint64_t pow10[9] = {1,       10,        100,        1'000,      10'000,
                                             100'000, 1'000'000, 10'000'000, 100'000'000};
  const char* p = s.data();
  const char* const end = p + s.size();
  bool negative = false;
  if (p != end && (*p == '+' || *p == '-')) {
    negative = *p == '-';
    ++p;
  }
  std::uint64_t m = 0;
  int int_digits = 0, frac_digits = 0;
  for (; p != end; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d > 9)
      break;
    m = m * 10 + d;
    if (++int_digits > 10)
      return false;
  }
  canonical = false;
  if (p != end && *p == '.') {
    ++p;
    // Eight decimals, the usual export: all eight digits at once (SWAR).
    if (end - p == 8) {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      // Every byte in '0'..'9': its high nibble is 3, and still 3 after
      // adding 6 (which lifts ':' and above to 4).
      if ((v & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL
          && ((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL) {
        // Lemire's combination: pairs, then quads, then all eight (the
        // first character is the lowest byte).
        std::uint64_t x = v & 0x0F0F0F0F0F0F0F0FULL;
        x = (x * 2561) >> 8;
        x = ((x & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
        x = ((x & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
        const auto units = static_cast<std::int64_t>(m * 100'000'000ULL + x);
        out = fixed{negative ? -units : units};
        // Canonical: no sign, and no leading zero but the one of "0.".
        // A negative value is not claimed: no price or volume is one.
        canonical = static_cast<unsigned>(static_cast<unsigned char>(s[0]) - '1') < 9
                    || (s[0] == '0' && s.size() == 10);
        return true;
      }
      return false;
    }
    for (; p != end; ++p) {
      const unsigned d = static_cast<unsigned char>(*p) - '0';
      if (d > 9)
        return false;
      m = m * 10 + d;
      if (++frac_digits > 8)
        return false;
    }
  }
  if (p != end || int_digits + frac_digits == 0)
    return false;
  const auto units = static_cast<std::int64_t>(m * pow10[8 - frac_digits]);
  out = fixed{negative ? -units : units};
  return true;
}

// Everything else: 128-bit mantissa, exponents, rounding, range checks.
decimal_parse parse_decimal_general(std::string_view text, fixed& out);
} // namespace detail

/// parse_decimal(text, out) below, also telling whether `text` is exactly
/// what format_fixed writes for the value (as in to_csv): true only for
/// `ok`. It may say false of such text for a negative value, or beyond ten
/// integer digits (which only the general path reads).
/// Inline: the plain path is a dozen instructions that a bar file runs five
/// times a row; a call with the general path's frame cost as much again.
inline decimal_parse parse_decimal(std::string_view text, fixed& out, bool& canonical) {
  static_assert(decimal_places == 8, "the plain path assumes 8 decimals");
  if (detail::parse_plain_decimal(text, out, canonical))
    return decimal_parse::ok;
  canonical = false;
  return detail::parse_decimal_general(text, out);
}

/// Parses "123", "-1.5", "2034.10000000", ".5", "1e3", "1.5E-2".
inline decimal_parse parse_decimal(std::string_view text, fixed& out) {
  bool canonical; // not asked for: inlined away
  return parse_decimal(text, out, canonical);
}

/// Always exactly 8 decimals: "2034.10000000", "-0.50000000".
std::string to_string(fixed v);
/// Appends the 8-decimal text to `out` (hot path for CSV/JSON writers).
void append_fixed(std::string& out, fixed v);
/// The longest 8-decimal text: "-92233720368.54775808".
inline constexpr std::size_t max_fixed_chars = 21;
/// Writes the 8-decimal text at `out` (room for max_fixed_chars) and
/// returns its end: for writers that fill a buffer of their own.
char* format_fixed(char* out, fixed v);
/// Streams the 8-decimal text (logs, test diagnostics).
std::ostream& operator<<(std::ostream& os, fixed v);

} // namespace bt
