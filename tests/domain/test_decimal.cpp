#include "domain/data/decimal.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include <cmath>
#include <cstring>
#include <limits>

using namespace bt;

BOOST_AUTO_TEST_SUITE(decimal)

BOOST_AUTO_TEST_CASE(parses_exact_decimals) {
  fixed v;
  BOOST_TEST((parse_decimal("2034.1", v) == decimal_parse::ok));
  BOOST_TEST(v.units == 203'410'000'000);
  BOOST_TEST((parse_decimal("-0.00000001", v) == decimal_parse::ok));
  BOOST_TEST(v.units == -1);
  BOOST_TEST((parse_decimal(".5", v) == decimal_parse::ok));
  BOOST_TEST(v.units == 50'000'000);
  BOOST_TEST((parse_decimal("+7", v) == decimal_parse::ok));
  BOOST_TEST(v.units == 700'000'000);
  BOOST_TEST((parse_decimal("1.5e3", v) == decimal_parse::ok));
  BOOST_TEST(v.units == 150'000'000'000);
  BOOST_TEST((parse_decimal("25E-2", v) == decimal_parse::ok));
  BOOST_TEST(v.units == 25'000'000);
  BOOST_TEST((parse_decimal("0000012.50000000", v) == decimal_parse::ok));
  BOOST_TEST(v.units == 1'250'000'000);
}

BOOST_AUTO_TEST_CASE(rounds_beyond_eight_decimals_half_away_from_zero) {
  fixed v;
  BOOST_TEST((parse_decimal("1.000000005", v) == decimal_parse::rounded));
  BOOST_TEST(v.units == 100'000'001);
  BOOST_TEST((parse_decimal("-1.000000005", v) == decimal_parse::rounded));
  BOOST_TEST(v.units == -100'000'001);
  BOOST_TEST((parse_decimal("1.000000004999", v) == decimal_parse::rounded));
  BOOST_TEST(v.units == 100'000'000);
}

// Plain decimals take a 64-bit path; an exponent sends the same text down
// the general 128-bit one. Both must agree on every value and status,
// including at the 10-integer-digit and 8-decimal boundaries.
BOOST_AUTO_TEST_CASE(plain_and_general_paths_agree) {
  std::mt19937_64 rng(7);
  const char alphabet[] = "0123456789000999.+-:/";
  const std::vector<std::string> edges{"9999999999.99999999",
                                       "99999999999.9999999",
                                       "0000000000000000001.5",
                                       "1.",
                                       ".5",
                                       "-.5",
                                       "+7",
                                       "-0",
                                       "12345678901",
                                       "1234567890.123456789",
                                       "92233720368.54775807",
                                       ".",
                                       "-",
                                       "",
                                       "1.2.3",
                                       "00.00000000"};
  auto agree = [](const std::string& text) {
    fixed a{-1}, b{-1};
    const auto sa = parse_decimal(text, a);
    const auto sb = parse_decimal(text + "e0", b);
    BOOST_TEST((sa == sb), text);
    if (sa == decimal_parse::ok || sa == decimal_parse::rounded)
      BOOST_TEST(a.units == b.units, text);
  };
  for (const auto& e : edges)
    agree(e);
  for (int i = 0; i < 200'000; ++i) {
    std::string text(rng() % 22, ' ');
    for (auto& c : text)
      c = alphabet[rng() % (sizeof alphabet - 1)];
    agree(text);
    // Exactly eight decimals, the layout of the 64-bit path's fast lane.
    std::string eight = std::to_string(rng() % 100'000) + ".";
    for (int k = 0; k < 8; ++k)
      eight += alphabet[rng() % 10 == 0 ? rng() % (sizeof alphabet - 1) : rng() % 10];
    agree(eight);
  }
}

// The claim that text is canonical (what to_string writes), made by the
// parser for the CSV import, is never wrong, and it is made for every
// canonical text of a value that is not negative, within ten integer digits.
BOOST_AUTO_TEST_CASE(canonical_text_is_claimed_exactly) {
  std::mt19937_64 rng(11);
  const char alphabet[] = "0123456789000.+-e";
  std::size_t claimed = 0;
  auto check = [&](const std::string& text) {
    fixed v{-1}, plain{-2};
    bool canonical = true;
    const auto status = parse_decimal(text, v, canonical);
    BOOST_TEST((status == parse_decimal(text, plain)), text);
    const bool is_canonical = status == decimal_parse::ok && to_string(v) == text;
    const std::size_t point = text.find('.');
    const bool within_reach = point != std::string::npos && point <= 10 && v.units >= 0;
    BOOST_TEST(canonical == (is_canonical && within_reach), text);
    claimed += canonical;
  };
  for (const char* e : {"0.00000000", "-0.00000000", "+1.00000000", "01.00000000", ".00000000",
                        "1.0000000", "1.000000000", "-1.00000000", "9999999999.99999999",
                        "-9999999999.99999999", "10000000000.00000000", "1e0.0000000"})
    check(e);
  for (int i = 0; i < 200'000; ++i) {
    // Canonical texts of random values of every width, and near misses.
    const auto units = static_cast<std::int64_t>(rng() >> (rng() % 64)) * (rng() % 2 ? 1 : -1);
    std::string text = to_string(fixed{units});
    check(text);
    text[rng() % text.size()] = alphabet[rng() % (sizeof alphabet - 1)];
    check(text);
  }
  BOOST_TEST(claimed > 100'000u);
}

// The hand-written printer, checked against plain arithmetic over
// the whole range, magnitudes of every width.
BOOST_AUTO_TEST_CASE(printing_agrees_with_plain_arithmetic) {
  std::mt19937_64 rng(11);
  auto expected = [](std::int64_t units) {
    const std::uint64_t u =
        units < 0 ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
    std::string frac = std::to_string(u % 100'000'000);
    frac.insert(0, 8 - frac.size(), '0');
    return (units < 0 ? "-" : "") + std::to_string(u / 100'000'000) + "." + frac;
  };
  for (int i = 0; i < 200'000; ++i) {
    const int width = static_cast<int>(rng() % 63);
    auto units = static_cast<std::int64_t>(rng() >> (63 - width) >> 1);
    if (rng() % 2)
      units = -units;
    BOOST_TEST(to_string(fixed{units}) == expected(units));
  }
  for (std::int64_t units : {INT64_MAX, -INT64_MAX, INT64_MIN, std::int64_t{0}, std::int64_t{99},
                             std::int64_t{100'000'000}, std::int64_t{999'999'999}})
    BOOST_TEST(to_string(fixed{units}) == expected(units));
  // Each width of the integer part the writer treats on its own: 1, 2, 3,
  // 4 digits and more, on both sides of every boundary.
  for (std::int64_t whole = 1; whole <= 100'000; whole *= 10)
    for (std::int64_t units :
         {whole * 100'000'000 - 1, whole * 100'000'000, whole * 100'000'000 + 1})
      for (std::int64_t sign : {1, -1})
        BOOST_TEST(to_string(fixed{sign * units}) == expected(sign * units));
}

BOOST_AUTO_TEST_CASE(rejects_non_numbers_and_overflow) {
  fixed v;
  for (const char* bad :
       {"", "-", ".", "abc", "1.2.3", "1,5", "12a", "1e", "0x10", " 1", "nan", "inf"})
    BOOST_TEST((parse_decimal(bad, v) == decimal_parse::invalid), bad);
  BOOST_TEST((parse_decimal("99999999999999999999", v) == decimal_parse::out_of_range));
  BOOST_TEST((parse_decimal("1e400", v) == decimal_parse::out_of_range));
}

BOOST_AUTO_TEST_CASE(prints_exactly_eight_decimals_and_round_trips) {
  BOOST_TEST(to_string(fixed{203'410'000'000}) == "2034.10000000");
  BOOST_TEST(to_string(fixed{-50'000'000}) == "-0.50000000");
  BOOST_TEST(to_string(fixed{0}) == "0.00000000");
  BOOST_TEST(to_string(fixed{1}) == "0.00000001");
  for (const char* text :
       {"2034.12345678", "0.00000001", "-123456.78901234", "92233720368.54775807"}) {
    fixed v;
    BOOST_REQUIRE((parse_decimal(text, v) == decimal_parse::ok));
    BOOST_TEST(to_string(v) == text);
  }
}

BOOST_AUTO_TEST_CASE(arithmetic_is_exact_where_decimals_allow) {
  fixed a, b, c;
  parse_decimal("2034.1", a);
  parse_decimal("3", b);
  parse_decimal("100", c);
  BOOST_TEST(to_string(mul(a, b)) == "6102.30000000");
  BOOST_TEST(to_string(mul(a - fixed::from_int(2000), b, c)) == "10230.00000000");
  fixed third;
  parse_decimal("0.33333333", third);
  BOOST_TEST(to_string(mul(third, fixed::from_int(3))) == "0.99999999");
  BOOST_TEST(to_string(div_trunc(fixed::from_int(1000), fixed::from_int(750))) == "1.33333333");
}

BOOST_AUTO_TEST_CASE(overflow_is_an_error_never_a_saturated_value) {
  const fixed top = fixed::from_units(fixed_max_units);
  BOOST_CHECK_THROW(top + fixed::from_units(1), fixed_overflow);
  BOOST_CHECK_THROW(-top - fixed::from_units(1), fixed_overflow);
  BOOST_CHECK_THROW(fixed::from_int(100'000'000'000), fixed_overflow);
  BOOST_CHECK_THROW(fixed::from_double(1e12), fixed_overflow);
  BOOST_CHECK_THROW(fixed::from_double(std::numeric_limits<double>::infinity()), fixed_overflow);
  BOOST_CHECK_THROW(fixed::from_double(std::nan("")), fixed_overflow);
  // quantity 10,000 x multiplier 1,000,000 x a 2,000-point move: 2e13.
  BOOST_CHECK_THROW(mul(fixed::from_int(2000), fixed::from_int(10'000), fixed::from_int(1'000'000)),
                    fixed_overflow);
  BOOST_CHECK_THROW(mul(fixed::from_int(1'000'000), fixed::from_int(1'000'000)), fixed_overflow);
  BOOST_CHECK_THROW(div_trunc(fixed::from_int(1'000'000), fixed::from_units(1)), fixed_overflow);
  fixed x = top;
  BOOST_CHECK_THROW(x += fixed::from_units(1), fixed_overflow);
  BOOST_TEST(x == top); // unchanged by the refused operation
  // The largest value itself is fine.
  BOOST_TEST((top - fixed::from_units(1) + fixed::from_units(1)) == top);
}

BOOST_AUTO_TEST_CASE(triple_product_is_rounded_once) {
  // 0.00000001 * 0.5 * 3 = 1.5e-8 rounds (once) to 2e-8; rounding a*b first
  // to 12 decimals and then c would give the same here, so also check a
  // case where an intermediate rounding would drift: a*b has 16 decimals.
  BOOST_TEST(to_string(mul(fixed::from_units(1), fixed::from_double(0.5), fixed::from_int(3)))
             == "0.00000002");
  fixed a, b, c;
  parse_decimal("1.23456789", a);
  parse_decimal("0.00012345", b);
  parse_decimal("999999.99999999", c);
  // Exact: 1.23456789 * 0.00012345 * 999999.99999999 = 152.407406...; the
  // reference is computed with 128-bit integers by hand below.
  const __int128 exact =
      static_cast<__int128>(123456789) * 12345 * static_cast<__int128>(99999999999999);
  const __int128 den = static_cast<__int128>(10'000'000'000'000'000LL) * 1;
  __int128 q = exact / den, r = exact % den;
  if (r * 2 >= den)
    ++q;
  BOOST_TEST(mul(a, b, c).units == static_cast<std::int64_t>(q));
  BOOST_TEST(mul(-a, b, c).units == -static_cast<std::int64_t>(q));
}

BOOST_AUTO_TEST_CASE(steps) {
  fixed tick;
  parse_decimal("0.25", tick);
  fixed v;
  parse_decimal("7.37", v);
  BOOST_TEST(to_string(floor_to_step(v, tick)) == "7.25000000");
  BOOST_TEST(to_string(round_to_step(v, tick)) == "7.25000000");
  parse_decimal("7.375", v);
  BOOST_TEST(to_string(round_to_step(v, tick)) == "7.50000000");
  BOOST_TEST(to_string(floor_to_step(fixed::from_int(3), fixed::from_int(1))) == "3.00000000");
  BOOST_TEST(to_string(fixed::from_double(0.1)) == "0.10000000");
  BOOST_TEST(to_string(fixed::from_double(1.5)) == "1.50000000");
}

BOOST_AUTO_TEST_CASE(rounding_to_a_step_matches_128_bit_arithmetic) {
  // round_to_step divides in 64 bits: against the quotient rounded half away
  // from zero in 128 bits, for signs, exact halves, remainders just either
  // side of a half, odd steps, and values whose rounded multiple leaves the
  // range (refused, never wrapped).
  using i128 = __int128;
  auto reference = [](std::int64_t v, std::int64_t step, bool& fits) {
    const i128 n = v < 0 ? -static_cast<i128>(v) : v;
    i128 q = n / step;
    if ((n % step) * 2 >= step)
      ++q;
    const i128 r = (v < 0 ? -q : q) * step;
    fits = r <= fixed_max_units && r >= -fixed_max_units;
    return static_cast<std::int64_t>(fits ? r : 0);
  };
  std::mt19937_64 rng(7);
  std::vector<std::pair<std::int64_t, std::int64_t>> cases;
  const std::int64_t steps[] = {
      1, 2, 3, 7, 10'000'000, 25'000'000, 999'999'937, fixed_max_units / 3, fixed_max_units};
  const std::int64_t multiples[] = {0, 1, 2, 5, 1'000, 123'456'789};
  for (std::int64_t step : steps)
    for (std::int64_t k : multiples) {
      const i128 base = static_cast<i128>(k) * step, wide_step = step; // no 64-bit overflow
      for (i128 off : {i128{0}, wide_step / 2, wide_step / 2 + 1, (wide_step + 1) / 2,
                       wide_step / 2 - 1, wide_step - 1})
        for (int sign : {1, -1}) {
          const i128 v = sign * (base + off);
          if (v <= fixed_max_units && v >= -fixed_max_units)
            cases.emplace_back(static_cast<std::int64_t>(v), step);
        }
    }
  for (int i = 0; i < 20'000; ++i) {
    const auto v = static_cast<std::int64_t>(rng() >> 1) * (i % 2 ? 1 : -1);
    const auto step = static_cast<std::int64_t>(rng() >> (1 + i % 62)) + 1;
    cases.emplace_back(v, step);
  }
  std::size_t refused = 0;
  for (const auto& [v, step] : cases) {
    bool fits = false;
    const std::int64_t expected = reference(v, step, fits);
    if (fits) {
      BOOST_TEST(round_to_step(fixed::from_units(v), fixed::from_units(step)).units == expected,
                 v << " to a step of " << step);
    } else {
      ++refused;
      BOOST_CHECK_THROW(round_to_step(fixed::from_units(v), fixed::from_units(step)),
                        fixed_overflow);
    }
  }
  BOOST_TEST(refused > 0u); // the range's ends were reached
}

BOOST_AUTO_TEST_CASE(conversions_from_double_round_as_the_library_does) {
  // from_double and round_places take no libm call: each must give exactly
  // what std::round and std::nearbyint give, halves, signs and zeros
  // included. The reference is the library itself.
  auto reference_from_double = [](double v) {
    return static_cast<std::int64_t>(std::round(v * static_cast<double>(decimal_scale)));
  };
  auto reference_round_places = [](double v, int places) {
    const double scale = std::pow(10.0, places);
    return std::nearbyint(v * scale) / scale;
  };
  std::vector<double> values = {0.0,
                                -0.0,
                                0.5e-8,
                                -0.5e-8,
                                1.5e-8,
                                -1.5e-8,
                                2.5e-8,
                                -2.5e-8,
                                0.49999999e-8,
                                1.005,
                                -1.005,
                                2034.125,
                                -2034.125,
                                92233720368.0,
                                -92233720368.0,
                                4.4e-9,
                                -4.4e-9,
                                1e-300,
                                -1e-300,
                                0.49999999999999994,
                                -0.49999999999999994};
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> wide(-9e10, 9e10), narrow(-3.0, 3.0);
  for (int i = 0; i < 20000; ++i) {
    values.push_back(wide(random));
    values.push_back(narrow(random));
    // Exact halves of the last unit, where rounding rules differ.
    values.push_back((static_cast<double>(static_cast<std::int64_t>(narrow(random) * 1e8)) + 0.5)
                     / 1e8);
  }
  for (double v : values) {
    BOOST_TEST_REQUIRE(fixed::from_double(v).units == reference_from_double(v), "v = " << v);
    for (int places : {0, 4, 10}) {
      const double got = round_places(v, places), want = reference_round_places(v, places);
      BOOST_TEST_REQUIRE(std::memcmp(&got, &want, sizeof got) == 0,
                         "v = " << v << " places " << places << ": " << got << " != " << want);
    }
  }
  // A negative value that rounds to zero stays -0.0, as nearbyint leaves it.
  BOOST_TEST(std::signbit(round_places(-1e-12, 10)));
}

BOOST_AUTO_TEST_SUITE_END()
