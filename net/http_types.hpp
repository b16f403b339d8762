#pragma once
// Beast-free request and response values passed between the HTTP session
// and the routes, so routing compiles without Beast.

#include "services/trace_context.hpp"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bt::http {

struct request {
  std::string method;                       ///< GET, POST, ...
  std::string path;                         ///< decoded path without the query
  std::map<std::string, std::string> query; ///< decoded; the last of repeated keys wins
  std::string api_key;                      ///< X-API-Key, empty when absent
  std::string idempotency_key;              ///< Idempotency-Key, empty when absent
  std::string content_type;
  std::string body;
  bool malformed_query = false;
  std::string if_none_match;    ///< If-None-Match: the client's cached ETags
  std::string origin;           ///< Origin (CORS), empty when absent
  std::string preflight_method; ///< Access-Control-Request-Method (CORS preflight)
  std::string content_encoding; ///< Content-Encoding of the body (gzip uploads)
  std::string client_address;   ///< the peer's IP address (rate limits without a known key)
  bool accept_gzip = false;     ///< Accept-Encoding names gzip (with a q above 0)
  trace_context trace;          ///< this request's server span (its trace continued or new)
  std::string parent_span_id;   ///< the caller's span, from its traceparent header
};

/// Whether an Accept-Encoding value accepts gzip: named (or "*") without q=0.
bool accepts_gzip(std::string_view accept_encoding);

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool admin = false; ///< the caller's key is an admin's (not sent)
};

/// Completes a request; called exactly once, from any thread.
using responder = std::function<void(response)>;

/// Splits "/a/b?x=1&y=%20" into a decoded path and query; false when the
/// percent-encoding is broken, or a decoded path, key or value holds a NUL
/// or is not UTF-8 (such a request is a 400, never a truncated lookup).
bool parse_target(const std::string& target, std::string& path,
                  std::map<std::string, std::string>& query);

/// Whether an If-None-Match value names `etag` ("*", or a comma-separated
/// list compared weakly as RFC 9110 section 13.1.2 says for GET and HEAD).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

/// The media type of a Content-Type value: type/subtype, lowercased, its
/// parameters dropped ("Text/CSV; charset=utf-8" -> "text/csv").
std::string media_type(std::string_view content_type);

} // namespace bt::http
