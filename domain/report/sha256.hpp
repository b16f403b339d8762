#pragma once
// SHA-256 for result identity (config_hash, data_checksum).

#include <string>
#include <string_view>

namespace bt {

/// Lowercase hex SHA-256 of `data` (OpenSSL's libcrypto).
std::string sha256_hex(std::string_view data);

} // namespace bt
