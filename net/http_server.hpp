#pragma once
// The Beast HTTP/1.1 server: listener and sessions with explicit limits
// (header size, body size per route, timeouts, one request in flight per
// connection). Beast stays inside net/: the listener (http_listener) and
// one session per connection (http_session), as Beast's examples are laid out.

#include "config/server_config.hpp"

#include <cstdint>
#include <memory>

namespace bt::http {

class api_routes;

class http_server {
public:
  /// Binds and listens at once (throws std::runtime_error when it cannot).
  http_server(api_routes& routes, const server_config& cfg);
  ~http_server();

  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Runs the io threads until shutdown completes: SIGTERM or SIGINT stop
  /// accepting, let in-flight requests finish (30 s at most), then return.
  void run();
  /// Starts the same shutdown from another thread.
  void shutdown();

  struct impl; ///< public so that sessions in the .cpp can name it

private:
  std::shared_ptr<impl> impl_;
};

} // namespace bt::http
