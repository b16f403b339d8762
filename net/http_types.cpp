#include "net/http_types.hpp"

#include "domain/data/text.hpp"
#include "domain/report/json_writer.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cctype>

namespace bt::http {
namespace {

// Decoded text a route may see: no NUL (it would truncate a lookup) and
// well-formed UTF-8 (it is echoed in JSON errors).
bool acceptable(const std::string& text) {
  return text.find('\0') == std::string::npos && is_valid_utf8(text);
}

} // namespace

std::string media_type(std::string_view content_type) {
  std::string out(trim_blanks(content_type.substr(0, content_type.find(';'))));
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool accepts_gzip(std::string_view accept_encoding) {
  bool gzip = false, star = false, gzip_named = false;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    const auto semi = item.find(';');
    std::string coding(trim_blanks(item.substr(0, semi)));
    for (auto& c : coding)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool zero = false;
    if (semi != std::string_view::npos) {
      std::string_view q = trim_blanks(item.substr(semi + 1));
      if (q.size() >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
        q.remove_prefix(2);
        zero = q.find_first_not_of("0.") == std::string_view::npos; // q=0, 0.0, 0.000
      }
    }
    if (coding == "gzip" || coding == "x-gzip") {
      gzip_named = true;
      gzip = !zero;
    } else if (coding == "*") {
      star = !zero;
    }
    if (comma == std::string_view::npos)
      break;
    accept_encoding.remove_prefix(comma + 1);
  }
  return gzip_named ? gzip : star;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  // The weak comparison: W/ prefixes are ignored on either side.
  auto opaque = [](std::string_view t) {
    t = trim_blanks(t);
    if (t.substr(0, 2) == "W/")
      t.remove_prefix(2);
    return t;
  };
  const std::string_view mine = opaque(etag);
  if (mine.empty())
    return false;
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    const std::string_view item = opaque(if_none_match.substr(0, comma));
    if (item == "*" || item == mine)
      return true;
    if (comma == std::string_view::npos)
      break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

bool parse_target(const std::string& target, std::string& path,
                  std::map<std::string, std::string>& query) {
  // RFC 3986 origin-form ("/path?query"), percent-decoding by Boost.URL;
  // '+' in the query is a space (HTML forms).
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed)
    return false;
  const boost::urls::url_view& u = *parsed;
  path = u.path();
  if (!acceptable(path))
    return false;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto p : u.params(opts)) {
    if (p.key.empty() && !p.has_value)
      continue; // "a=1&&b=2"
    if (!acceptable(p.key) || !acceptable(p.value))
      return false;
    query[p.key] = p.value; // the last of repeated keys wins
  }
  return true;
}

} // namespace bt::http
