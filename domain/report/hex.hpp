#pragma once
// The one hex encoder: digests, random keys, tokens and ids.

#include <cstddef>
#include <string>

namespace bt {

/// Lowercase hex of `n` bytes.
inline std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xF];
  }
  return out;
}

} // namespace bt
