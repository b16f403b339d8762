#include "persistence/bar_chunks.hpp"

#include "persistence/big_endian.hpp"

#include <cstring>
#include <stdexcept>

namespace bt::db {
namespace {

// Hex digit values, 0xff for anything else: one load a digit in the loop
// that decodes a run's whole dataset.
struct hex_table {
  unsigned char value[256];
  constexpr hex_table() : value() {
    for (int c = 0; c < 256; ++c)
      value[c] = c >= '0' && c <= '9'   ? static_cast<unsigned char>(c - '0')
                 : c >= 'a' && c <= 'f' ? static_cast<unsigned char>(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? static_cast<unsigned char>(c - 'A' + 10)
                                        : 0xff;
  }
};
constexpr hex_table hex_digits;

} // namespace

unix_time month_start(unix_time t) {
  const civil_date d = civil_from_days(floor_div(t, seconds_per_day));
  return days_from_civil(d.year, d.month, 1) * seconds_per_day;
}

std::string encode_chunk(const bar_series& bars, std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin;
  std::string out(n * chunk_bytes_per_bar, '\0');
  char* at = out.data();
  const auto column = [&](auto value_of) {
    for (std::size_t i = begin; i < end; ++i, at += sizeof(std::int64_t))
      store_be(at, value_of(i));
  };
  column([&](std::size_t i) { return bars.times()[i]; });
  column([&](std::size_t i) { return bars.opens()[i].units; });
  column([&](std::size_t i) { return bars.highs()[i].units; });
  column([&](std::size_t i) { return bars.lows()[i].units; });
  column([&](std::size_t i) { return bars.closes()[i].units; });
  column([&](std::size_t i) { return bars.volumes()[i].units; });
  return out;
}

void decode_chunk(std::string_view chunk, unix_time from, unix_time to, std::size_t limit,
                  bar_series& out) {
  if (chunk.size() % chunk_bytes_per_bar != 0)
    throw std::runtime_error("a stored bar chunk of " + std::to_string(chunk.size())
                             + " bytes does not hold whole bars");
  const std::size_t n = chunk.size() / chunk_bytes_per_bar;
  const char* base = chunk.data();
  const auto value = [&](std::size_t column, std::size_t i) {
    return load_be(base + (column * n + i) * sizeof(std::int64_t));
  };
  for (std::size_t i = 0; i < n && out.size() < limit; ++i) {
    const unix_time t = value(0, i);
    if (t < from)
      continue;
    if (t > to)
      break; // a chunk's bars are in time order
    out.push_back(bar{t, fixed{value(1, i)}, fixed{value(2, i)}, fixed{value(3, i)},
                      fixed{value(4, i)}, fixed{value(5, i)}});
  }
}

std::string unhex_bytea(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0)
    throw std::runtime_error("a stored bar chunk is not in bytea hex format");
  std::string out((text.size() - 2) / 2, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data() + 2);
  unsigned bad = 0; // checked once at the end: no branch per byte
  for (std::size_t i = 0; i < out.size(); ++i) {
    const unsigned hi = hex_digits.value[in[2 * i]], lo = hex_digits.value[in[2 * i + 1]];
    bad |= hi | lo;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  if (bad > 0xf)
    throw std::runtime_error("a stored bar chunk is not in bytea hex format");
  return out;
}

} // namespace bt::db
