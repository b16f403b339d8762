#pragma once
// The values the services take and give back: requests and replies with
// errors as values (service_reply::code). Plain structs, no CAF: actors/
// makes them messages (inspect, type IDs) in messages.hpp.

#include "domain/scheduling/run_attempt.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bt {

/// What went wrong, independent of transport; net/ maps it to HTTP status
/// in exactly one place.
enum class service_code : std::uint8_t {
  ok = 0,
  created,
  no_content,
  bad_request,
  unauthorized,
  not_found,
  conflict,
  payload_too_large,
  unprocessable,
  too_many_requests,
  unavailable,
  internal,
  accepted, ///< 202: queued for execution
  forbidden ///< 403: the key's role lacks the endpoint's permission
};

/// One item of an error's details: a field or a row and the reason.
struct error_detail {
  std::string field;
  std::int64_t row = 0; ///< 1-based data row; 0: not about a row
  std::string reason;
};

/// The answer to every request: either a JSON (or CSV) body, or an error.
struct service_reply {
  std::uint8_t code = 0; ///< a service_code
  std::string message;   ///< for errors: what a person should read
  std::vector<error_detail> details;
  std::string content_type = "application/json";
  std::string body;
  /// Headers the answer carries besides its body (X-RateLimit-*, Retry-After).
  std::vector<std::pair<std::string, std::string>> headers;
  /// The caller authenticated with an admin's key (exempt from the request
  /// rate limit, which net/ applies).
  bool admin = false;

  service_code status() const { return static_cast<service_code>(code); }
};

/// POST /v1/market-data.
struct upload_request {
  std::string api_key;
  std::string symbol;
  std::string timeframe;
  std::string csv;
  bool gzip = false; ///< Content-Encoding: gzip: `csv` is inflated by the service
  std::string trace_id;
};

/// Queries on the caller's datasets (list, describe, bars, delete).
struct dataset_request {
  std::string api_key;
  std::string symbol;
  std::string timeframe;
  std::string from;         ///< ISO-8601 or empty
  std::string to;           ///< ISO-8601 or empty
  std::string limit;        ///< text as received, or empty
  std::string format;       ///< json | csv
  bool accept_gzip = false; ///< the client accepts a gzip answer
  std::string trace_id;
};

/// One call of the backtest API: on which run, with the request's body and
/// query. Which operation it is travels as the message's atom (one per
/// operation), never as a string.
struct backtest_call {
  std::string api_key;
  std::string run_id;
  std::string body; ///< JSON for submit
  std::vector<std::pair<std::string, std::string>> query;
  std::string idempotency_key;
  bool accept_gzip = false; ///< the client accepts a gzip answer
  std::string trace_id;     ///< the request's trace (audit entries, logs, spans)
  std::string span_id;      ///< the request's server span: a submission's parent
};

/// How a worker's attempt ended (a crash ends it without this message).
struct job_outcome {
  std::string run_id;
  std::int32_t attempt = 0;
  attempt_result result = attempt_result::failed;
  std::string error;
  /// A failure that would repeat (data missing, invalid configuration, a
  /// deterministic engine error): the run fails at once, no retry.
  bool permanent = false;
};

} // namespace bt
