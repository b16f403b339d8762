#include "actors/service_reply.hpp"

namespace bt {

service_reply error_reply(service_code code, std::string message, std::vector<error_detail> details) {
  service_reply r;
  r.code = static_cast<std::uint8_t>(code);
  r.message = std::move(message);
  r.details = std::move(details);
  return r;
}

service_reply body_reply(service_code code, std::string body, std::string content_type) {
  service_reply r;
  r.code = static_cast<std::uint8_t>(code);
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

std::optional<std::string> query_value(const std::vector<std::pair<std::string, std::string>>& query,
                                       const std::string& key) {
  for (const auto& [k, v] : query)
    if (k == key && !v.empty())
      return v;
  return std::nullopt;
}

} // namespace bt
