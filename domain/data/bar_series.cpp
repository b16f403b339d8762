#include "domain/data/bar_series.hpp"

#include "domain/report/sha256.hpp"

#include <algorithm>

namespace bt {

void bar_series::reserve(std::size_t n) {
  time_.reserve(n);
  open_.reserve(n);
  high_.reserve(n);
  low_.reserve(n);
  close_.reserve(n);
  volume_.reserve(n);
}

void bar_series::push_back(const bar& b) {
  time_.push_back(b.time);
  open_.push_back(b.open);
  high_.push_back(b.high);
  low_.push_back(b.low);
  close_.push_back(b.close);
  volume_.push_back(b.volume);
}

bar_series bar_series::slice(unix_time from, unix_time to) const {
  bar_series out(symbol_, timeframe_);
  auto first = std::lower_bound(time_.begin(), time_.end(), from) - time_.begin();
  auto last = std::upper_bound(time_.begin(), time_.end(), to) - time_.begin();
  if (last > first) {
    out.reserve(static_cast<std::size_t>(last - first));
    for (auto i = first; i < last; ++i)
      out.push_back(at(static_cast<std::size_t>(i)));
  }
  return out;
}

namespace {

// The canonical CSV, written into `out` and handed to `flush` whenever it
// holds more than `chunk` bytes (and once at the end).
template <class Flush>
void write_canonical_csv(const bar_series& bars, std::string& out, std::size_t chunk, Flush flush) {
  out += "timestamp,open,high,low,close,volume\n";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    append_timestamp(out, bars.times()[i]);
    out += ',';
    append_fixed(out, bars.opens()[i]);
    out += ',';
    append_fixed(out, bars.highs()[i]);
    out += ',';
    append_fixed(out, bars.lows()[i]);
    out += ',';
    append_fixed(out, bars.closes()[i]);
    out += ',';
    append_fixed(out, bars.volumes()[i]);
    out += '\n';
    if (out.size() > chunk)
      flush(out);
  }
  flush(out);
}

} // namespace

std::string to_csv(const bar_series& bars) {
  std::string out;
  out.reserve(40 + bars.size() * 96);
  write_canonical_csv(bars, out, std::string::npos, [](std::string&) {});
  return out;
}

std::string data_checksum(const bar_series& bars) {
  // Hashed in 64 KiB pieces that stay in cache: the 10 MB text of a
  // 20-year series is never built (it cost a third of a CLI run).
  constexpr std::size_t chunk = 64 * 1024;
  sha256_stream hash;
  std::string buffer;
  buffer.reserve(chunk + 256);
  write_canonical_csv(bars, buffer, chunk, [&](std::string& text) {
    hash.update(text);
    text.clear();
  });
  return hash.finish();
}

} // namespace bt
