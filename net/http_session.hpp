#pragma once
// Private to net/: one HTTP/1.1 connection (Beast's http_session): reads a
// request with explicit limits, hands it to the routes, writes the answer.
// The listener sees sessions only through these functions.

#include "net/http_listener.hpp"

#include <memory>

namespace bt::http {

/// A session on an accepted socket, registered with nothing yet.
std::shared_ptr<session> make_session(tcp::socket&& socket, http_server::impl& server);
/// Starts reading requests.
void start_session(const std::shared_ptr<session>& s);
/// Over the connection limit: answers 503 and closes, reading nothing.
void refuse_session(const std::shared_ptr<session>& s);
/// Shutdown: an idle connection closes now; a busy one after its response.
void drain_session(const std::shared_ptr<session>& s);

} // namespace bt::http
