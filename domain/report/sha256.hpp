#pragma once
// SHA-256 for result identity (config_hash, data_checksum).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace bt {

/// The length of a lowercase hex SHA-256.
inline constexpr std::size_t sha256_hex_chars = 64;

/// Lowercase hex SHA-256 of `data` (OpenSSL's libcrypto).
std::string sha256_hex(std::string_view data);

/// The same digest fed piece by piece, so that a large text (a series'
/// canonical CSV) can be hashed without ever being held whole.
class sha256_stream {
public:
  sha256_stream();
  ~sha256_stream();
  sha256_stream(const sha256_stream&) = delete;
  sha256_stream& operator=(const sha256_stream&) = delete;

  void update(std::string_view data);
  /// Lowercase hex digest of everything fed; the stream is then spent.
  std::string finish();

private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace bt
