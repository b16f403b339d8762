#pragma once
// Big-endian 8-byte values in the stored binary columns (bar chunks, equity
// curves): the byte order of PostgreSQL's int8send() and float8send(), so
// migrations can build the same bytes in SQL.

#include <cstdint>
#include <cstring>

namespace bt::db {

inline void store_be(char* at, std::int64_t v) {
  const auto u = __builtin_bswap64(static_cast<std::uint64_t>(v));
  std::memcpy(at, &u, sizeof u);
}

inline std::int64_t load_be(const char* at) {
  std::uint64_t u;
  std::memcpy(&u, at, sizeof u);
  return static_cast<std::int64_t>(__builtin_bswap64(u));
}

} // namespace bt::db
