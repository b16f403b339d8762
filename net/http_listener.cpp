#include "net/http_listener.hpp"

#include "config/log.hpp"
#include "net/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>

#include <thread>
#include <vector>

namespace bt::http {

namespace beast = boost::beast;

void open_acceptor(tcp::acceptor& acceptor, const std::string& host, std::uint16_t port,
                   const char* setting, const char* context) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec)
    throw std::runtime_error(std::string(setting) + ": '" + host + "' is not an IP address");
  const tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + context
                             + ": " + ec.message());
}

void http_server::impl::listen() {
  open_acceptor(acceptor, cfg.listen_host, cfg.listen_port, "listen");
}

void http_server::impl::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                          if (ec) {
                            if (!self->acceptor.is_open())
                              return; // shutting down
                            log::warn("accept_failed", {{"reason", ec.message()}});
                          } else {
                            // Responses go out whole; Nagle would hold back the tail of a write.
                            beast::error_code opt;
                            socket.set_option(tcp::no_delay(true), opt);
                            auto s = make_session(std::move(socket), *self);
                            bool full = false;
                            {
                              std::lock_guard<std::mutex> lock(self->sessions_mutex);
                              full = self->sessions.size() >= self->cfg.max_connections;
                              self->sessions.insert(s);
                            }
                            if (full)
                              refuse_session(s); // a 503 and close, without reading a request
                            else
                              start_session(s);
                          }
                          self->do_accept();
                        });
}

void http_server::impl::remove(const std::shared_ptr<session>& s) {
  std::lock_guard<std::mutex> lock(sessions_mutex);
  sessions.erase(s);
  if (draining && sessions.empty())
    asio::post(ioc, [self = shared_from_this()] { self->ioc.stop(); });
}

void http_server::impl::begin_shutdown() {
  asio::post(acceptor.get_executor(), [self = shared_from_this()] {
    if (self->draining.exchange(true))
      return;
    log::info("shutdown_started",
              {{"open_connections", static_cast<std::uint64_t>(self->sessions.size())}});
    beast::error_code ec;
    self->acceptor.close(ec);
    self->signals.cancel(ec);
    std::vector<std::shared_ptr<session>> open;
    {
      std::lock_guard<std::mutex> lock(self->sessions_mutex);
      open.assign(self->sessions.begin(), self->sessions.end());
      if (open.empty())
        self->ioc.stop();
    }
    for (auto& s : open)
      drain_session(s);
    // In-flight requests get a grace period, then the loop stops regardless.
    self->grace_timer.expires_after(std::chrono::seconds(self->cfg.shutdown_seconds));
    self->grace_timer.async_wait([self](beast::error_code e) {
      if (!e)
        self->ioc.stop();
    });
  });
}

http_server::http_server(api_routes& routes, const server_config& cfg)
    : impl_(std::make_shared<impl>(routes, cfg)) {
  impl_->listen();
}

http_server::~http_server() = default;

std::uint16_t http_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

void http_server::run() {
  impl_->signals.async_wait([self = impl_](beast::error_code ec, int signal) {
    if (!ec) {
      log::info("signal_received", {{"signal", signal}});
      self->begin_shutdown();
    }
  });
  impl_->do_accept();
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < impl_->cfg.io_threads; ++i)
    threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads)
    t.join();
  std::lock_guard<std::mutex> lock(impl_->sessions_mutex);
  impl_->sessions.clear();
}

void http_server::shutdown() {
  impl_->begin_shutdown();
}

} // namespace bt::http
