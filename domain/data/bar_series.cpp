#include "domain/data/bar_series.hpp"

#include "domain/data/large_block.hpp"
#include "domain/report/sha256.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace bt {

static_assert(std::is_trivially_copyable_v<fixed> && sizeof(fixed) == sizeof(unix_time));

bar_series::bar_series(const bar_series& other)
    : symbol_(other.symbol_), timeframe_(other.timeframe_) {
  reallocate(other.size_);
  copy_columns(other);
}

bar_series& bar_series::operator=(const bar_series& other) {
  if (this != &other) {
    bar_series copy(other);
    *this = std::move(copy);
  }
  return *this;
}

bar_series::bar_series(bar_series&& other) noexcept
    : symbol_(std::move(other.symbol_)), timeframe_(other.timeframe_),
      time_(std::exchange(other.time_, nullptr)), size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {
  point_columns();
  other.point_columns();
}

void bar_series::point_columns() noexcept {
  for (std::size_t c = 0; c < 5; ++c)
    columns_[c] = time_ ? reinterpret_cast<fixed*>(time_ + capacity_) + c * capacity_ : nullptr;
}

bar_series& bar_series::operator=(bar_series&& other) noexcept {
  if (this != &other) {
    release();
    symbol_ = std::move(other.symbol_);
    timeframe_ = other.timeframe_;
    time_ = std::exchange(other.time_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    point_columns();
    other.point_columns();
  }
  return *this;
}

bar_series::~bar_series() {
  release();
}

void bar_series::release() noexcept {
  free_large(time_, capacity_ * bytes_per_bar);
  time_ = nullptr;
  size_ = capacity_ = 0;
  point_columns();
}

void bar_series::copy_columns(const bar_series& from) {
  size_ = from.size_;
  if (from.size_ == 0)
    return;
  std::memcpy(time_, from.time_, from.size_ * sizeof(unix_time));
  for (auto c : {open_column, high_column, low_column, close_column, volume_column})
    std::memcpy(column(c), from.column(c), from.size_ * sizeof(fixed));
}

void bar_series::reserve(std::size_t n) {
  if (n > capacity_)
    reallocate(n);
}

void bar_series::reallocate(std::size_t capacity) {
  if (capacity == 0 || capacity == capacity_)
    return;
  if (capacity > std::numeric_limits<std::size_t>::max() / bytes_per_bar)
    throw std::bad_alloc();
  bar_series grown(symbol_, timeframe_);
  grown.time_ = static_cast<unix_time*>(allocate_large(capacity * bytes_per_bar));
  grown.capacity_ = capacity;
  grown.point_columns();
  grown.copy_columns(*this);
  *this = std::move(grown); // frees the old block
}

bar_series bar_series::slice(unix_time from, unix_time to) const {
  bar_series out(symbol_, timeframe_);
  const unix_time* begin = time_;
  const unix_time* end = time_ + size_;
  auto first = std::lower_bound(begin, end, from) - begin;
  auto last = std::upper_bound(begin, end, to) - begin;
  if (last > first) {
    out.reserve(static_cast<std::size_t>(last - first));
    for (auto i = first; i < last; ++i)
      out.push_back(at(static_cast<std::size_t>(i)));
  }
  return out;
}

namespace {

// The longest row: a timestamp, five prices each after a separator, '\n'.
constexpr std::size_t max_row_chars = 20 + 5 * (1 + max_fixed_chars) + 1;

// Rows [from, to) of the canonical CSV written at `p`, which has room for
// (to - from) * max_row_chars; returns their end.
char* write_canonical_rows(const bar_series& bars, std::size_t from, std::size_t to, char* p,
                           timestamp_formatter& times) {
  const fixed* columns[] = {bars.opens(), bars.highs(), bars.lows(), bars.closes(), bars.volumes()};
  for (std::size_t i = from; i < to; ++i) {
    p = times.format(p, bars.times()[i]);
    for (const fixed* column : columns) {
      *p++ = ',';
      p = format_fixed(p, column[i]);
    }
    *p++ = '\n';
  }
  return p;
}

} // namespace

std::string to_csv(const bar_series& bars) {
  std::string out(canonical_csv_header.size() + bars.size() * max_row_chars, '\0');
  char* p = out.data();
  std::memcpy(p, canonical_csv_header.data(), canonical_csv_header.size());
  p += canonical_csv_header.size();
  timestamp_formatter times;
  p = write_canonical_rows(bars, 0, bars.size(), p, times);
  out.resize(static_cast<std::size_t>(p - out.data()));
  return out;
}

std::string data_checksum(const bar_series& bars) {
  // Hashed in pieces of 512 rows (about 70 KiB) that stay in cache: the
  // 10 MB text of a 20-year series is never built (it cost a third of a
  // CLI run).
  constexpr std::size_t rows_per_piece = 512;
  sha256_stream hash;
  hash.update(canonical_csv_header);
  std::vector<char> buffer(rows_per_piece * max_row_chars);
  timestamp_formatter times;
  for (std::size_t from = 0; from < bars.size(); from += rows_per_piece) {
    const std::size_t to = std::min(bars.size(), from + rows_per_piece);
    const char* end = write_canonical_rows(bars, from, to, buffer.data(), times);
    hash.update({buffer.data(), static_cast<std::size_t>(end - buffer.data())});
  }
  return hash.finish();
}

} // namespace bt
