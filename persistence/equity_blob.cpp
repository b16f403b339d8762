#include "persistence/equity_blob.hpp"

#include "persistence/big_endian.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace bt::db {

std::string encode_equity(const equity_curve& curve) {
  const std::size_t n = curve.size();
  std::string out(n * equity_bytes_per_point, '\0');
  char* times = out.data();
  char* equities = times + 8 * n;
  char* drawdowns = equities + 8 * n;
  unix_time previous = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = curve[i];
    // Two's complement wraps, so any step round-trips.
    store_be(times + 8 * i, static_cast<std::int64_t>(static_cast<std::uint64_t>(p.time)
                                                      - static_cast<std::uint64_t>(previous)));
    previous = p.time;
    store_be(equities + 8 * i, p.equity.units);
    std::int64_t bits;
    std::memcpy(&bits, &p.drawdown_pct, sizeof bits);
    store_be(drawdowns + 8 * i, bits);
  }
  return out;
}

equity_curve decode_equity(std::string_view blob) {
  if (blob.size() % equity_bytes_per_point != 0)
    throw std::runtime_error("an equity blob of " + std::to_string(blob.size())
                             + " bytes is not whole points");
  const std::size_t n = blob.size() / equity_bytes_per_point;
  const char* times = blob.data();
  const char* equities = times + 8 * n;
  const char* drawdowns = equities + 8 * n;
  equity_curve out(n);
  std::uint64_t time = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto& p = out[i];
    time += static_cast<std::uint64_t>(load_be(times + 8 * i));
    p.time = static_cast<unix_time>(time);
    if (i > 0 && p.time <= out[i - 1].time)
      throw std::runtime_error("equity point " + std::to_string(i + 1)
                               + " is not later than the one before");
    p.equity = fixed::from_units(load_be(equities + 8 * i));
    const std::int64_t bits = load_be(drawdowns + 8 * i);
    std::memcpy(&p.drawdown_pct, &bits, sizeof bits);
    if (!std::isfinite(p.drawdown_pct))
      throw std::runtime_error("equity point " + std::to_string(i + 1) + " has no valid drawdown");
  }
  return out;
}

} // namespace bt::db
