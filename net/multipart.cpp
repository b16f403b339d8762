#include "net/multipart.hpp"

#include <cctype>

namespace bt::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::optional<std::string> multipart_field(std::string_view content_type, std::string_view body,
                                           std::string_view field) {
  const std::string type = lower(content_type);
  auto b = type.find("boundary=");
  if (b == std::string::npos)
    return std::nullopt;
  std::string boundary(content_type.substr(b + 9));
  if (auto semi = boundary.find(';'); semi != std::string::npos)
    boundary.resize(semi);
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  if (boundary.empty() || boundary.size() > 200)
    return std::nullopt;
  const std::string delimiter = "--" + boundary;
  std::size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--")
      return std::nullopt; // closing delimiter: no such part
    auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos)
      return std::nullopt;
    const std::string headers = lower(body.substr(pos, headers_end - pos));
    const std::size_t content = headers_end + 4;
    auto next = body.find("\r\n" + delimiter, content);
    if (next == std::string_view::npos)
      return std::nullopt;
    const std::string wanted = "name=\"" + lower(field) + "\"";
    if (headers.find("content-disposition") != std::string::npos && headers.find(wanted) != std::string::npos)
      return std::string(body.substr(content, next - content));
    pos = next + 2;
  }
  return std::nullopt;
}

} // namespace bt::http
