#pragma once
// The one part of a multipart/form-data body that uploads need.

#include <optional>
#include <string>
#include <string_view>

namespace bt::http {

/// The content of the part named `field` (Content-Disposition: form-data;
/// name="field"), or nothing when the body or the content type is not
/// well-formed multipart or has no such part.
std::optional<std::string> multipart_field(std::string_view content_type, std::string_view body,
                                           std::string_view field);

} // namespace bt::http
