#include "domain/report/sha256.hpp"

#include "domain/report/hex.hpp"

// The one-algorithm SHA-256 interface, not EVP: EVP's first use loads the
// provider machinery and reads the OpenSSL configuration file, and linking
// it pulls every algorithm's tables into the binary (a CLI command paid for
// both at start-up). These functions are deprecated in OpenSSL 3 in favour
// of EVP but remain supported, and run the same SHA-NI/AVX2 block code.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace bt {

std::string sha256_hex(std::string_view data) {
  // Not SHA256(): in OpenSSL 3 the one-shot form goes through EVP.
  sha256_stream stream;
  stream.update(data);
  return stream.finish();
}

struct sha256_stream::state {
  SHA256_CTX ctx;
};

sha256_stream::sha256_stream() : state_(std::make_unique<state>()) {
  SHA256_Init(&state_->ctx);
}

sha256_stream::~sha256_stream() = default;

void sha256_stream::update(std::string_view data) {
  SHA256_Update(&state_->ctx, data.data(), data.size());
}

std::string sha256_stream::finish() {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &state_->ctx);
  return to_hex(digest, sizeof digest);
}

} // namespace bt
