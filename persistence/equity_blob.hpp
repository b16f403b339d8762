#pragma once
// The stored form of a completed run's equity curve: columnar binary, like
// the bar chunks. Two years of hourly points were 600 KB of CSV, formatted
// and stored uncompressed in the transaction that completes the run (a
// third of its time); as columns they are 288 KB that lz4 shrinks to a
// fraction, because the time steps and the flat stretches between trades
// repeat. The CSV export is written from the decoded curve, byte for byte
// what it was.
//
// A curve of n points is 3 × n big-endian 8-byte values: n time steps (the
// first from 0, each later one from the point before), n equities in 1e-8
// units, n drawdowns as IEEE-754 doubles. Big-endian because that is what
// PostgreSQL's int8send() and float8send() write, so the migration from the
// CSV documents builds the same bytes in SQL.

#include "domain/engine/trade.hpp"

#include <string>
#include <string_view>

namespace bt::db {

inline constexpr std::size_t equity_bytes_per_point = 3 * 8;

std::string encode_equity(const equity_curve& curve);

/// The curve of a blob. Throws std::runtime_error when its size is not
/// whole points, a time does not increase, or a drawdown is not finite.
equity_curve decode_equity(std::string_view blob);

} // namespace bt::db
