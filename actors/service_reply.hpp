#pragma once
// Building service replies, shared by the services.

#include "actors/messages.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bt {

/// An error reply with a message and optional details.
service_reply error_reply(service_code code, std::string message, std::vector<error_detail> details = {});

/// A success reply with a body (JSON unless `content_type` says otherwise).
service_reply body_reply(service_code code, std::string body, std::string content_type = "application/json");

/// The value of a non-empty query parameter.
std::optional<std::string> query_value(const std::vector<std::pair<std::string, std::string>>& query,
                                       const std::string& key);

} // namespace bt
