#pragma once
// The one part of a multipart/form-data body that uploads need.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bt::http {

/// What a multipart body holds for one form field.
struct multipart_lookup {
  bool well_formed = false;         ///< boundary found and every part delimited
  std::size_t matches = 0;          ///< parts whose name is the field (more than one is an error)
  std::optional<std::string> value; ///< the first such part's content
};

/// Finds the part whose Content-Disposition (RFC 7578: `form-data` with a
/// `name` parameter, quoted or not) names `field` exactly. Other parameters
/// (`filename="file"`) never match.
multipart_lookup multipart_field(std::string_view content_type, std::string_view body,
                                 std::string_view field);

/// The value of parameter `name` (case-insensitive) in a header value such
/// as `form-data; name="file"; filename="a.csv"`; quotes and backslash
/// escapes removed.
std::optional<std::string> header_parameter(std::string_view value, std::string_view name);

} // namespace bt::http
