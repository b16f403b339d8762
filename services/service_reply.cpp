#include "services/service_reply.hpp"

#include <boost/json.hpp>

#include "config/log.hpp"
#include "domain/data/timestamp.hpp"
#include "domain/report/hex.hpp"
#include "domain/report/sha256.hpp"
#include "persistence/connection_pool.hpp"

#include <openssl/rand.h>
#include <pqxx/pqxx>

#include <algorithm>

namespace bt {

service_reply error_reply(service_code code, std::string message,
                          std::vector<error_detail> details) {
  service_reply r;
  r.code = static_cast<std::uint8_t>(code);
  r.message = std::move(message);
  r.details = std::move(details);
  return r;
}

service_reply with_etag(service_reply reply) {
  if (reply.status() == service_code::ok)
    reply.headers.emplace_back("ETag", "\"" + sha256_hex(reply.body).substr(0, 32) + "\"");
  return reply;
}

std::optional<service_reply> read_object_body(const std::string& body, boost::json::value& out) {
  boost::json::error_code ec;
  out = boost::json::parse(body, ec);
  if (ec || !out.is_object())
    return error_reply(
        service_code::bad_request,
        ec ? "malformed JSON body: " + ec.message() : "the body must be a JSON object", {});
  return std::nullopt;
}

service_reply body_reply(service_code code, std::string body, std::string content_type) {
  service_reply r;
  r.code = static_cast<std::uint8_t>(code);
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

service_reply failure_reply(const std::string& operation) {
  try {
    throw;
  } catch (const db::unavailable& e) {
    log::warn("database_unavailable", {{"op", operation}, {"reason", e.what()}});
  } catch (const pqxx::broken_connection& e) {
    log::warn("database_unavailable", {{"op", operation}, {"reason", e.what()}});
  } catch (const std::exception& e) {
    log::error("request_failed", {{"op", operation}, {"reason", e.what()}});
    return error_reply(service_code::internal, "internal error");
  } catch (...) {
    log::error("request_failed", {{"op", operation}, {"reason", "unknown exception"}});
    return error_reply(service_code::internal, "internal error");
  }
  return error_reply(service_code::unavailable, "the database is unavailable; retry shortly");
}

std::optional<std::string>
query_value(const std::vector<std::pair<std::string, std::string>>& query, const std::string& key) {
  for (const auto& [k, v] : query)
    if (k == key && !v.empty())
      return v;
  return std::nullopt;
}

void query_reader::choice(const char* name, const std::vector<std::string>& allowed,
                          std::optional<std::string>& out) {
  auto v = text(name);
  if (!v)
    return;
  if (std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
    std::string list;
    for (std::size_t i = 0; i < allowed.size(); ++i)
      list += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + allowed[i];
    errors_.push_back({name, 0, "must be " + list});
    return;
  }
  out = v;
}

void query_reader::order(const char* name, bool& descending) {
  std::optional<std::string> o;
  choice(name, {"asc", "desc"}, o);
  if (o)
    descending = *o == "desc";
}

void query_reader::time(const char* name, std::optional<std::int64_t>& out) {
  if (auto t = text(name)) {
    unix_time v = 0;
    if (parse_range_bound(*t,
                          std::string_view(name) == "to" ? range_bound::end : range_bound::start, v)
        != timestamp_parse::ok)
      errors_.push_back(
          {name, 0, "'" + *t + "' is not a UTC timestamp (e.g. 2024-01-02T13:00:00Z)"});
    else
      out = v;
  }
}

void query_reader::whole(const char* name, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  auto t = text(name);
  if (!t)
    return;
  // Digits only (a '-' first): no spaces, '+', hex or exponents, the same
  // on every endpoint.
  const bool digits =
      !t->empty() && t->find_first_not_of("0123456789", (*t)[0] == '-' ? 1 : 0) == std::string::npos
      && t->size() > ((*t)[0] == '-' ? 1u : 0u);
  try {
    std::size_t used = 0;
    const long long v = digits ? std::stoll(*t, &used) : 0;
    if (digits && used == t->size() && v >= lo && v <= hi) {
      out = v;
      return;
    }
  } catch (const std::exception&) {
  }
  errors_.push_back(
      {name, 0, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi)});
}

bool looks_like_uuid(const std::string& s) {
  if (s.size() != 36)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

std::string new_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1)
    throw std::runtime_error("the system random number generator failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40); // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
  const std::string h = to_hex(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-"
         + h.substr(20);
}

} // namespace bt
