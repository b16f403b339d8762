#include "net/metrics_listener.hpp"

#include "config/log.hpp"
#include "net/http_listener.hpp"
#include "services/telemetry.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <thread>

namespace bt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t max_open = 16;

struct scrape_session : std::enable_shared_from_this<scrape_session> {
  beast::tcp_stream stream;
  beast::flat_buffer buffer{8192};
  bhttp::request_parser<bhttp::empty_body> parser;
  bhttp::response<bhttp::string_body> res;
  std::atomic<std::size_t>& open;

  scrape_session(tcp::socket s, std::atomic<std::size_t>& o) : stream(std::move(s)), open(o) {
    parser.header_limit(8192);
  }
  ~scrape_session() { --open; }

  void start() {
    stream.expires_after(std::chrono::seconds(5));
    bhttp::async_read(
        stream, buffer, parser,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec)
      return;
    const auto& req = parser.get();
    res.version(11);
    res.keep_alive(false);
    res.set(bhttp::field::server, "backtestd");
    const bool get = req.method() == bhttp::verb::get || req.method() == bhttp::verb::head;
    if (req.target() != "/metrics") {
      res.result(bhttp::status::not_found);
      res.set(bhttp::field::content_type, "text/plain");
      res.body() = "only /metrics is served here\n";
    } else if (!get) {
      res.result(bhttp::status::method_not_allowed);
      res.set(bhttp::field::allow, "GET, HEAD");
    } else {
      res.result(bhttp::status::ok);
      res.set(bhttp::field::content_type, telemetry::text_content_type);
      if (req.method() == bhttp::verb::get)
        res.body() = telemetry::scrape_text();
    }
    res.prepare_payload();
    bhttp::async_write(stream, res, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }
};

} // namespace

struct metrics_listener::impl : std::enable_shared_from_this<impl> {
  // Declared first, destroyed last: the io context's destructor ends
  // pending sessions, which count themselves out.
  std::atomic<std::size_t> open{0};
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc),
                          [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
                            if (!self->acceptor.is_open())
                              return;
                            if (!ec && self->open.load() < max_open) {
                              ++self->open;
                              std::make_shared<scrape_session>(std::move(s), self->open)->start();
                            }
                            self->accept();
                          });
  }
};

metrics_listener::metrics_listener(const std::string& host, std::uint16_t port)
    : impl_(std::make_shared<impl>()) {
  open_acceptor(impl_->acceptor, host, port, "metrics-listen", " for metrics");
  impl_->accept();
  impl_->thread = std::thread([self = impl_] { self->ioc.run(); });
}

metrics_listener::~metrics_listener() {
  asio::post(impl_->ioc, [self = impl_] {
    beast::error_code ec;
    self->acceptor.close(ec);
    self->ioc.stop();
  });
  impl_->thread.join();
}

std::uint16_t metrics_listener::port() const {
  return impl_->acceptor.local_endpoint().port();
}

} // namespace bt::http
