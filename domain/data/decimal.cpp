#include "domain/data/decimal.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>

namespace bt {
namespace {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

// Division of a 128-bit value rounding half away from zero.
i128 div_round(i128 num, i128 den) {
  bool negative = (num < 0) != (den < 0);
  u128 n = num < 0 ? static_cast<u128>(-num) : static_cast<u128>(num);
  u128 d = den < 0 ? static_cast<u128>(-den) : static_cast<u128>(den);
  u128 q = n / d;
  u128 r = n % d;
  if (r * 2 >= d)
    ++q;
  return negative ? -static_cast<i128>(q) : static_cast<i128>(q);
}

// A result that does not fit is refused, never saturated: a saturated P&L
// would print as a plausible number.
std::int64_t narrow(i128 v, const char* operation) {
  if (v > i64_max || v < -i64_max)
    throw_fixed_overflow(operation);
  return static_cast<std::int64_t>(v);
}

} // namespace

void throw_fixed_overflow(const char* operation) {
  throw fixed_overflow(std::string("exact arithmetic overflow in ") + operation
                       + ": a value exceeds the fixed-point range of ±92233720368.54775807");
}

fixed fixed::from_double(double v) {
  const double x = v * static_cast<double>(decimal_scale);
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  // Doubles this close to 2^63 are whole (1,024 apart), so checking x
  // before rounding decides what checking the rounded value would.
  if (!(x < 9223372036854775808.0) || !(x > -9223372036854775808.0))
    throw_fixed_overflow("number conversion");
  // std::round (half away from zero) without libm or a 128-bit conversion,
  // which a strategy sizing an order per signal met on every order: the
  // conversion truncates, and below 2^53 the fraction left is exact.
  std::int64_t r = static_cast<std::int64_t>(x);
  const double fraction = x - static_cast<double>(r);
  if (fraction >= 0.5)
    ++r;
  else if (fraction <= -0.5)
    --r;
  if (r < -fixed_max_units)
    throw_fixed_overflow("number conversion");
  return fixed{r};
}

double round_places(double v, int places) {
  static constexpr double powers[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  if (!std::isfinite(v) || places < 0 || places > 15)
    return v;
  const double scale = powers[places];
  const double scaled = v * scale;
  // Without the libm call where it can; the sign is copied back so that a
  // negative value rounding to zero stays -0.0, as nearbyint leaves it.
  if (scaled < detail::nearby_limit && scaled > -detail::nearby_limit)
    return std::copysign(detail::nearby_integer(scaled), scaled) / scale;
  const double r = std::nearbyint(scaled) / scale;
  return std::isfinite(r) ? r : v;
}

// Called by the inline mul only when its whole-number path failed, so that
// path is not tried again here. A whole `a` (a contract count first) still
// needs no rounding: one 64-bit multiply instead of a 128-bit division.
namespace detail {

fixed mul_general(fixed a, fixed b) {
  std::int64_t r;
  if (whole_product(b, a, r))
    return fixed{r};
  return fixed{
      narrow(div_round(static_cast<i128>(a.units) * b.units, decimal_scale), "multiplication")};
}

fixed mul_general(fixed a, fixed b, fixed c) {
  // a*b*c / 10^16 rounded once: with |a*b| = q * 10^16 + r, the result is
  // q*c + round(r*c / 10^16), and r*c < 10^16 * 2^63 fits in 128 bits.
  const bool negative = ((a.units < 0) != (b.units < 0)) != (c.units < 0);
  const u128 ab = static_cast<u128>(a.units < 0 ? -static_cast<i128>(a.units) : a.units)
                  * static_cast<u128>(b.units < 0 ? -static_cast<i128>(b.units) : b.units);
  const u128 cm = static_cast<u128>(c.units < 0 ? -static_cast<i128>(c.units) : c.units);
  constexpr u128 den = static_cast<u128>(decimal_scale) * decimal_scale;
  const u128 q = ab / den, rem = ab % den;
  u128 whole_part = 0;
  if (__builtin_mul_overflow(q, cm, &whole_part))
    throw_fixed_overflow("multiplication");
  const u128 rc = rem * cm;
  u128 frac = rc / den;
  if ((rc % den) * 2 >= den)
    ++frac;
  u128 total = 0;
  if (__builtin_add_overflow(whole_part, frac, &total) || total > static_cast<u128>(i64_max))
    throw_fixed_overflow("multiplication");
  const auto m = static_cast<std::int64_t>(total);
  return fixed{negative ? -m : m};
}

} // namespace detail

fixed div_trunc(fixed a, fixed b) {
  return fixed{narrow(static_cast<i128>(a.units) * decimal_scale / b.units, "division")};
}

fixed floor_to_step(fixed v, fixed step) {
  if (step.units <= 0)
    return v;
  std::int64_t q = v.units / step.units;
  if (v.units < 0 && q * step.units != v.units)
    --q;
  return fixed{q * step.units};
}

fixed round_to_step(fixed v, fixed step) {
  if (step.units <= 0)
    return v;
  // div_round in 64 bits: with step > 0 and |v| < 2^63 the quotient and
  // remainder fit (a 128-bit division is a library call several times
  // slower), and C++ truncates toward zero as div_round's magnitudes do.
  std::int64_t q = v.units / step.units;
  const std::int64_t r = v.units % step.units;
  const std::uint64_t magnitude = r < 0 ? 0 - static_cast<std::uint64_t>(r) : r;
  if (magnitude * 2 >= static_cast<std::uint64_t>(step.units)) // < 2^64: magnitude < step
    q += v.units < 0 ? -1 : 1;
  std::int64_t out;
  if (!detail::times_whole(fixed{q}, step.units, out))
    throw_fixed_overflow("rounding");
  return fixed{out};
}

decimal_parse detail::parse_decimal_general(std::string_view s, fixed& out) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  u128 mantissa = 0;
  int digits = 0;
  int frac_digits = 0;
  bool any_digit = false;
  bool dot = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (mantissa == 0 && c == '0') {
        if (dot)
          ++frac_digits;
        continue;
      }
      if (++digits > 36)
        return decimal_parse::out_of_range;
      mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
      if (dot)
        ++frac_digits;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any_digit)
    return decimal_parse::invalid;
  int exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      exp_negative = s[i] == '-';
      ++i;
    }
    bool exp_digit = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      exp_digit = true;
      if (exponent < 10'000)
        exponent = exponent * 10 + (s[i] - '0');
    }
    if (!exp_digit)
      return decimal_parse::invalid;
    if (exp_negative)
      exponent = -exponent;
  }
  if (i != s.size())
    return decimal_parse::invalid;

  int shift = decimal_places + exponent - frac_digits; // units = mantissa * 10^shift
  decimal_parse status = decimal_parse::ok;
  u128 units = mantissa;
  if (mantissa != 0) {
    if (shift >= 0) {
      for (int k = 0; k < shift; ++k) {
        units *= 10;
        if (units > static_cast<u128>(i64_max))
          return decimal_parse::out_of_range;
      }
    } else if (-shift > 38) {
      units = 0;
      status = decimal_parse::rounded;
    } else {
      u128 divisor = 1;
      for (int k = 0; k < -shift; ++k)
        divisor *= 10;
      u128 q = units / divisor;
      u128 r = units % divisor;
      if (r != 0)
        status = decimal_parse::rounded;
      if (r * 2 >= divisor)
        ++q;
      units = q;
    }
    if (units > static_cast<u128>(i64_max))
      return decimal_parse::out_of_range;
  }
  auto value = static_cast<std::int64_t>(units);
  out = fixed{negative ? -value : value};
  return status;
}

namespace {

// "00".."99": two digits per step, for every price written.
constexpr char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                               "25262728293031323334353637383940414243444546474849"
                               "50515253545556575859606162636465666768697071727374"
                               "75767778798081828384858687888990919293949596979899";

void put_pair(char* p, unsigned d) {
  std::memcpy(p, digit_pairs + 2 * d, 2);
}

} // namespace

char* format_fixed(char* out, fixed v) {
  // Written forwards with one 64-bit division: the integer part of a price
  // is short (four digits for gold) and the eight decimals are two 32-bit
  // halves. A third faster than digit pairs peeled off the end.
  std::uint64_t u =
      v.units < 0 ? 0 - static_cast<std::uint64_t>(v.units) : static_cast<std::uint64_t>(v.units);
  std::uint64_t whole = u / 100'000'000;
  const auto frac = static_cast<std::uint32_t>(u - whole * 100'000'000);
  char* p = out;
  if (v.units < 0)
    *p++ = '-';
  if (whole < 10) {
    *p++ = static_cast<char>('0' + whole);
  } else if (whole < 100) {
    put_pair(p, static_cast<unsigned>(whole));
    p += 2;
  } else if (whole < 10'000) {
    const auto x = static_cast<unsigned>(whole);
    if (x < 1000) {
      *p++ = static_cast<char>('0' + x / 100);
    } else {
      put_pair(p, x / 100);
      p += 2;
    }
    put_pair(p, x % 100);
    p += 2;
  } else {
    char buf[24];
    char* end = buf + sizeof buf;
    char* q = end;
    while (whole >= 100) {
      q -= 2;
      put_pair(q, static_cast<unsigned>(whole % 100));
      whole /= 100;
    }
    if (whole >= 10) {
      q -= 2;
      put_pair(q, static_cast<unsigned>(whole));
    } else {
      *--q = static_cast<char>('0' + whole);
    }
    std::memcpy(p, q, static_cast<std::size_t>(end - q));
    p += end - q;
  }
  *p++ = '.';
  const std::uint32_t high = frac / 10'000, low = frac % 10'000;
  put_pair(p, high / 100);
  put_pair(p + 2, high % 100);
  put_pair(p + 4, low / 100);
  put_pair(p + 6, low % 100);
  return p + 8;
}

void append_fixed(std::string& out, fixed v) {
  char buf[max_fixed_chars];
  out.append(buf, format_fixed(buf, v));
}

std::string to_string(fixed v) {
  std::string s;
  append_fixed(s, v);
  return s;
}

std::ostream& operator<<(std::ostream& os, fixed v) {
  return os << to_string(v);
}

} // namespace bt
