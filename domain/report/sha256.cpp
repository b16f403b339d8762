#include "domain/report/sha256.hpp"

#include "domain/report/hex.hpp"
#include <openssl/evp.h>

namespace bt {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return to_hex(digest, len);
}

} // namespace bt
