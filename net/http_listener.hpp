#pragma once
// Private to net/: the listener behind http_server (acceptor, open
// sessions, body-byte admission, shutdown). Sessions are in http_session.

#include "net/http_server.hpp"
#include "net/routes.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>

namespace bt::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class session;

/// Opens, binds and listens `acceptor` on host:port (reusing the address);
/// throws std::runtime_error naming the setting (`setting`: 'x' is not an
/// IP address) or the address ("cannot listen on H:P<context>: why").
void open_acceptor(tcp::acceptor& acceptor, const std::string& host, std::uint16_t port,
                   const char* setting, const char* context = "");

struct http_server::impl : std::enable_shared_from_this<http_server::impl> {
  api_routes& routes;
  const server_config& cfg;
  // Declared before the io_context: handlers it still holds when it is
  // destroyed end sessions, which return their reservations here.
  /// Body bytes admitted and not yet answered (see max_body_bytes_in_flight).
  std::atomic<std::size_t> body_bytes{0};

  /// Reserves `n` body bytes; false when that would pass the limit.
  bool admit_body(std::size_t n) {
    std::size_t now = body_bytes.load();
    do {
      if (now + n > cfg.max_body_bytes_in_flight)
        return false;
    } while (!body_bytes.compare_exchange_weak(now, now + n));
    return true;
  }
  void release_body(std::size_t n) { body_bytes -= n; }
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer grace_timer;
  std::atomic<bool> draining{false};
  std::mutex sessions_mutex;
  std::set<std::shared_ptr<session>> sessions;

  impl(api_routes& r, const server_config& c)
      : routes(r), cfg(c), ioc(static_cast<int>(c.io_threads)), acceptor(asio::make_strand(ioc)),
        signals(ioc, SIGINT, SIGTERM), grace_timer(ioc) {}

  void listen();
  void do_accept();
  void begin_shutdown();
  void remove(const std::shared_ptr<session>& s);
};

} // namespace bt::http
