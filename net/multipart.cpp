#include "net/multipart.hpp"

#include "domain/data/text.hpp"

#include <cctype>

namespace bt::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The Content-Disposition value among a part's header lines.
std::optional<std::string_view> content_disposition(std::string_view headers) {
  std::size_t pos = 0;
  while (pos <= headers.size()) {
    auto end = headers.find("\r\n", pos);
    std::string_view line =
        headers.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    auto colon = line.find(':');
    if (colon != std::string_view::npos
        && lower(trim_blanks(line.substr(0, colon))) == "content-disposition")
      return trim_blanks(line.substr(colon + 1));
    if (end == std::string_view::npos)
      break;
    pos = end + 2;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> header_parameter(std::string_view value, std::string_view name) {
  // Parameters follow the first ';': key=token or key="quoted \"string\"".
  std::size_t i = value.find(';');
  const std::string wanted = lower(name);
  while (i != std::string_view::npos && i < value.size()) {
    ++i; // past ';'
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
      ++i;
    const std::size_t key_start = i;
    while (i < value.size() && value[i] != '=' && value[i] != ';')
      ++i;
    const std::string key = lower(trim_blanks(value.substr(key_start, i - key_start)));
    std::string v;
    if (i < value.size() && value[i] == '=') {
      ++i;
      if (i < value.size() && value[i] == '"') {
        ++i;
        while (i < value.size() && value[i] != '"') {
          if (value[i] == '\\' && i + 1 < value.size())
            ++i;
          v += value[i++];
        }
        if (i >= value.size())
          return std::nullopt; // unterminated quote
        ++i;
        while (i < value.size() && value[i] != ';')
          ++i;
      } else {
        const std::size_t start = i;
        while (i < value.size() && value[i] != ';')
          ++i;
        v = std::string(trim_blanks(value.substr(start, i - start)));
      }
    }
    if (key == wanted)
      return v;
    if (i >= value.size())
      break;
  }
  return std::nullopt;
}

multipart_lookup multipart_field(std::string_view content_type, std::string_view body,
                                 std::string_view field) {
  multipart_lookup out;
  auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) // RFC 2046: 1 to 70 characters
    return out;
  const std::string delimiter = "--" + *boundary;
  std::size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") {
      out.well_formed = true; // closing delimiter
      return out;
    }
    auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos)
      return out;
    const std::string_view headers = body.substr(pos, headers_end - pos);
    const std::size_t content = headers_end + 4;
    auto next = body.find("\r\n" + delimiter, content);
    if (next == std::string_view::npos)
      return out;
    if (auto disposition = content_disposition(headers)) {
      const std::string kind = lower(trim_blanks(disposition->substr(0, disposition->find(';'))));
      auto name = header_parameter(*disposition, "name");
      if (kind == "form-data" && name && *name == field && ++out.matches == 1)
        out.value = std::string(body.substr(content, next - content));
    }
    pos = next + 2;
  }
  return out;
}

} // namespace bt::http
