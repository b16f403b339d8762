#pragma once
// gzip (RFC 1952) through zlib, for HTTP bodies: answers compressed for
// clients that accept it, and gzip uploads inflated under a size limit that
// is checked while inflating, so that a small bomb never becomes a large
// buffer. CPU work: only the detached API and market-data workers call it.

#include "services/service_types.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace bt {

/// Bodies smaller than this are sent as they are (gzip's header and the
/// round trip would cost more than they save).
inline constexpr std::size_t gzip_threshold = 1024;

std::string gzip_compress(std::string_view data, int level = 5);

enum class inflate_status { ok, too_large, corrupt };
/// Inflates one gzip member into `out`; too_large as soon as the output
/// would pass `max_bytes` (nothing more is inflated).
inflate_status gzip_inflate(std::string_view data, std::size_t max_bytes, std::string& out);

/// `reply` as a client that accepts gzip gets it: a successful body of at
/// least gzip_threshold bytes compressed (Content-Encoding: gzip, its ETag
/// marked as the gzip representation's), Vary: Accept-Encoding on every
/// answer whose encoding depended on the request.
service_reply encode_reply(service_reply reply, bool accept_gzip);

} // namespace bt
