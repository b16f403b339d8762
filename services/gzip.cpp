#include "services/gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace bt {

std::string gzip_compress(std::string_view data, int level) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END)
    throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

inflate_status gzip_inflate(std::string_view data, std::size_t max_bytes, std::string& out) {
  out.clear();
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) // gzip only
    throw std::runtime_error("zlib: inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  char chunk[64 * 1024];
  inflate_status status = inflate_status::corrupt;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > max_bytes) {
      status = inflate_status::too_large;
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      // One member, nothing after it.
      status = z.avail_in == 0 ? inflate_status::ok : inflate_status::corrupt;
      break;
    }
    if (rc != Z_OK || (z.avail_in == 0 && produced == 0))
      break; // corrupt or truncated
  }
  inflateEnd(&z);
  if (status != inflate_status::ok)
    out.clear();
  return status;
}

service_reply encode_reply(service_reply reply, bool accept_gzip) {
  const auto code = reply.status();
  if (code != service_code::ok || reply.body.size() < gzip_threshold)
    return reply;
  reply.headers.emplace_back("Vary", "Accept-Encoding");
  if (!accept_gzip)
    return reply;
  reply.body = gzip_compress(reply.body);
  reply.headers.emplace_back("Content-Encoding", "gzip");
  // A strong validator names one representation: the gzip one gets its own.
  for (auto& [name, value] : reply.headers)
    if (name == "ETag" && value.size() >= 2 && value.back() == '"')
      value.insert(value.size() - 1, "-gzip");
  return reply;
}

} // namespace bt
