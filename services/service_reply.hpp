#pragma once
// Building service replies, shared by the services.

#include "services/service_types.hpp"

#include <boost/json/fwd.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bt {

/// An error reply with a message and optional details.
service_reply error_reply(service_code code, std::string message,
                          std::vector<error_detail> details = {});

/// A success reply with a body (JSON unless `content_type` says otherwise).
service_reply body_reply(service_code code, std::string body,
                         std::string content_type = "application/json");

/// `reply`, when it succeeded, with a strong ETag: the first 128 bits of
/// the SHA-256 of its body, so equal bodies (and only those, but for a
/// collision) share a tag. For documents that are cached and re-read
/// (a completed run's results, a sweep's results): If-None-Match gives 304.
service_reply with_etag(service_reply reply);

/// The reply for the exception being handled (call inside a catch block):
/// 503 when the database is unreachable, otherwise a logged 500 that tells
/// the client nothing about the internals.
service_reply failure_reply(const std::string& operation);

/// Whether `s` has the form of a run id (a UUID in canonical text form).
bool looks_like_uuid(const std::string& s);
/// A random (version 4) UUID, for a new run or sweep.
std::string new_uuid();

/// The value of a non-empty query parameter.
std::optional<std::string>
query_value(const std::vector<std::pair<std::string, std::string>>& query, const std::string& key);

/// Reads query parameters, collecting an error (naming the parameter and
/// what it must be) for every value that does not fit.
/// A request body that must be a JSON object: the refusal (400) when it
/// is not, or nothing with `out` set.
std::optional<service_reply> read_object_body(const std::string& body, boost::json::value& out);

class query_reader {
public:
  using query = std::vector<std::pair<std::string, std::string>>;
  query_reader(const query& q, std::vector<error_detail>& errors) : q_(q), errors_(errors) {}

  std::optional<std::string> text(const char* name) const { return query_value(q_, name); }
  /// One of `allowed`, stored in `out`.
  void choice(const char* name, const std::vector<std::string>& allowed,
              std::optional<std::string>& out);
  /// `desc` -> true, `asc` -> false.
  void order(const char* name, bool& descending);
  /// A UTC timestamp.
  void time(const char* name, std::optional<std::int64_t>& out);
  /// A whole number in [lo, hi].
  void whole(const char* name, std::int64_t lo, std::int64_t hi, std::int64_t& out);

private:
  const query& q_;
  std::vector<error_detail>& errors_;
};

} // namespace bt
