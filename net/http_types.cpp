#include "net/http_types.hpp"

#include "domain/report/json_writer.hpp"

#include <cctype>

namespace bt::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool decode_raw(const std::string& in, std::string& out, bool plus_is_space) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size())
        return false;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0)
        return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

bool decode(const std::string& in, std::string& out, bool plus_is_space) {
  return decode_raw(in, out, plus_is_space) && out.find('\0') == std::string::npos && is_valid_utf8(out);
}

} // namespace

std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
    t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
    t.remove_suffix(1);
  std::string out(t);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool parse_target(const std::string& target, std::string& path, std::map<std::string, std::string>& query) {
  auto q = target.find('?');
  if (!decode(target.substr(0, q), path, false))
    return false;
  if (q == std::string::npos)
    return true;
  std::string rest = target.substr(q + 1);
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    auto amp = rest.find('&', pos);
    std::string pair = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      std::string key, value;
      if (!decode(pair.substr(0, eq), key, true))
        return false;
      if (eq != std::string::npos && !decode(pair.substr(eq + 1), value, true))
        return false;
      query[key] = value;
    }
    if (amp == std::string::npos)
      break;
    pos = amp + 1;
  }
  return true;
}

} // namespace bt::http
