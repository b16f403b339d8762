#include "net/api_error.hpp"

#include "domain/report/json_writer.hpp"

#include <algorithm>

namespace bt::http {

unsigned status_of(service_code code) {
  switch (code) {
  case service_code::ok:
    return 200;
  case service_code::created:
    return 201;
  case service_code::no_content:
    return 204;
  case service_code::bad_request:
    return 400;
  case service_code::unauthorized:
    return 401;
  case service_code::not_found:
    return 404;
  case service_code::conflict:
    return 409;
  case service_code::payload_too_large:
    return 413;
  case service_code::unprocessable:
    return 422;
  case service_code::too_many_requests:
    return 429;
  case service_code::unavailable:
    return 503;
  case service_code::internal:
    return 500;
  case service_code::accepted:
    return 202;
  case service_code::forbidden:
    return 403;
  }
  return 500;
}

const char* name_of(service_code code) {
  switch (code) {
  case service_code::ok:
    return "ok";
  case service_code::created:
    return "created";
  case service_code::no_content:
    return "no_content";
  case service_code::bad_request:
    return "bad_request";
  case service_code::unauthorized:
    return "unauthorized";
  case service_code::not_found:
    return "not_found";
  case service_code::conflict:
    return "conflict";
  case service_code::payload_too_large:
    return "payload_too_large";
  case service_code::unprocessable:
    return "unprocessable";
  case service_code::too_many_requests:
    return "too_many_requests";
  case service_code::unavailable:
    return "unavailable";
  case service_code::internal:
    return "internal";
  case service_code::accepted:
    return "accepted";
  case service_code::forbidden:
    return "forbidden";
  }
  return "internal";
}

response error_response(unsigned status, const std::string& code, const std::string& message,
                        const std::vector<error_detail>& details) {
  json_writer w;
  w.begin_object().key("error").begin_object();
  w.key("code").string(code);
  w.key("message").string(message);
  w.key("details").begin_array();
  for (const auto& d : details) {
    w.begin_object();
    if (!d.field.empty())
      w.key("field").string(d.field);
    if (d.row > 0)
      w.key("row").number(d.row);
    w.key("reason").string(d.reason);
    w.end_object();
  }
  w.end_array();
  w.end_object().end_object();
  response r;
  r.status = status;
  r.body = w.take();
  if (status == 503 || status == 429)
    r.headers.emplace_back("Retry-After", "1");
  return r;
}

response to_response(const service_reply& reply) {
  const service_code code = reply.status();
  const unsigned status = status_of(code);
  response r;
  if (status >= 400) {
    r = error_response(status, name_of(code), reply.message, reply.details);
  } else {
    r.status = status;
    r.content_type = reply.content_type;
    r.body = reply.body;
  }
  r.admin = reply.admin;
  for (const auto& [name, value] : reply.headers) {
    // The service's Retry-After (a quota's wait) replaces the default second.
    if (name == "Retry-After")
      r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                     [](const auto& h) { return h.first == "Retry-After"; }),
                      r.headers.end());
    r.headers.emplace_back(name, value);
  }
  return r;
}

} // namespace bt::http
