#pragma once
// The one place where service codes become HTTP statuses, and where every
// error becomes {"error": {"code", "message", "details"}}.

#include "actors/messages.hpp"
#include "net/http_types.hpp"

namespace bt::http {

unsigned status_of(service_code code);
/// The machine-readable name of a code ("not_found", ...).
const char* name_of(service_code code);

/// An error response; `extra_code` overrides the code name (e.g. 405's
/// "method_not_allowed", 415's "unsupported_media_type").
response error_response(unsigned status, const std::string& code, const std::string& message,
                        const std::vector<error_detail>& details = {});
/// A service reply as an HTTP response (success body or error document).
response to_response(const service_reply& reply);

} // namespace bt::http
