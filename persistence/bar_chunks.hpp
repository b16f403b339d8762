#pragma once
// The stored form of bars: one columnar chunk per dataset and calendar
// month (UTC). A 100,000-row upload becomes ~140 rows instead of 100,000
// numeric rows and their index entries; a run reads ~140 blobs instead of
// parsing 600,000 numeric texts.
//
// A chunk of n bars is 6 × n big-endian int64: n times (Unix seconds), then
// n of each of open, high, low, close and volume in 1e-8 units. Big-endian
// because that is what PostgreSQL's int8send() writes, so the migration
// from row storage builds the same bytes in SQL and a DBA can read a chunk
// with substr() and a bit(64) cast.

#include "domain/data/bar_series.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace bt::db {

/// Unix seconds of the first instant of the UTC calendar month holding `t`.
unix_time month_start(unix_time t);

inline constexpr std::size_t chunk_bytes_per_bar = 6 * sizeof(std::int64_t);

/// The chunk of bars [begin, end) of `bars` (which lie in one month).
std::string encode_chunk(const bar_series& bars, std::size_t begin, std::size_t end);

/// Appends the bars of a chunk with time in [from, to] to `out`, at most
/// until `out` holds `limit` bars. `chunk` is the binary chunk.
/// Throws std::runtime_error when its size is not whole bars.
void decode_chunk(std::string_view chunk, unix_time from, unix_time to, std::size_t limit,
                  bar_series& out);

/// The binary bytes of a bytea column in PostgreSQL's hex output format
/// (`\x` then two hex digits a byte). Throws std::runtime_error otherwise.
std::string unhex_bytea(std::string_view text);

} // namespace bt::db
