#include "net/http_session.hpp"

#include "config/log.hpp"
#include "domain/data/text.hpp"
#include "net/api_error.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <deque>
#include <optional>

namespace bt::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

namespace {

constexpr std::uint32_t header_limit = 16 * 1024;
constexpr auto idle_timeout = std::chrono::seconds(60);
constexpr auto body_timeout = std::chrono::seconds(120);
constexpr auto write_timeout = std::chrono::seconds(60);
// Progress streams: a comment line this often keeps proxies from closing
// an SSE stream; a WebSocket is pinged when idle half as long.
constexpr auto keepalive_interval = std::chrono::seconds(15);
// A subscriber this far behind is cut off rather than buffered without end.
// (the messages: server_config::stream_buffer_events)
constexpr std::size_t max_outbox_bytes = 1u << 20;
constexpr std::size_t max_ws_message = 64 * 1024;

} // namespace

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, http_server::impl& server)
      : stream_(std::move(socket)), server_(server), keepalive_(stream_.get_executor()) {}
  ~session() {
    release();
    unsubscribe();
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  /// Over the connection limit: answer 503 at once and close.
  void refuse_busy() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->log_path_ = "(over the connection limit)";
      response busy =
          error_response(503, "unavailable", "too many open connections; retry shortly");
      busy.headers.emplace_back("Retry-After", "1");
      self->respond(std::move(busy), true);
    });
  }

  /// Shutdown: an idle connection closes now; a busy one after its
  /// response; a progress stream ends (WebSocket close 1001, going away).
  void drain() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->mode_ != mode::http)
        return self->end_stream(websocket::close_code::going_away);
      if (self->idle_)
        self->close();
    });
  }

private:
  void do_read() {
    if (server_.draining)
      return close();
    parser_.emplace();
    parser_->header_limit(header_limit);
    // The parser would reject an oversized Content-Length while reading the
    // header, before we could answer 413: the route's limit is set after it.
    parser_->body_limit(boost::none);
    idle_ = true;
    stream_.expires_after(idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&session::on_read_header, shared_from_this()));
  }

  void on_read_header(beast::error_code ec, std::size_t) {
    idle_ = false;
    if (ec == bhttp::error::header_limit) {
      unread_body_ = true;
      return respond(
          error_response(431, "header_too_large",
                         "request headers exceed " + std::to_string(header_limit) + " bytes"),
          true);
    }
    // A request the parser rejects gets a 400; a connection that just
    // ended or timed out is closed.
    if (ec && ec.category() == beast::error_code(bhttp::error::bad_target).category()
        && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      unread_body_ = true;
      return respond(error_response(400, "bad_request", "malformed HTTP request: " + ec.message()),
                     true);
    }
    if (ec)
      return close(); // end of stream, timeout, reset
    auto& req = parser_->get();
    started_ = std::chrono::steady_clock::now();
    request_.method = std::string(req.method_string());
    request_.malformed_query =
        !parse_target(std::string(req.target()), request_.path, request_.query);
    request_.api_key = std::string(req["X-API-Key"]);
    request_.content_type = std::string(req[bhttp::field::content_type]);
    request_.if_none_match = std::string(req[bhttp::field::if_none_match]);
    request_.origin = std::string(req[bhttp::field::origin]);
    request_.preflight_method = std::string(req[bhttp::field::access_control_request_method]);
    request_.content_encoding = std::string(req[bhttp::field::content_encoding]);
    {
      beast::error_code peer;
      const auto remote = stream_.socket().remote_endpoint(peer);
      request_.client_address = peer ? std::string("unknown") : remote.address().to_string();
    }
    request_.accept_gzip = accepts_gzip(req[bhttp::field::accept_encoding]);
    log_method_ = request_.method;
    log_path_ = request_.malformed_query ? std::string("(malformed target)") : request_.path;
    // Only chunked framing is understood; anything else (gzip, chunked) would
    // be read as something it is not.
    if (req.find(bhttp::field::transfer_encoding) != req.end()
        && !beast::iequals(trim_blanks(std::string_view(req[bhttp::field::transfer_encoding])),
                           "chunked")) {
      unread_body_ = true;
      return respond(error_response(501, "not_implemented",
                                    "Transfer-Encoding '"
                                        + std::string(req[bhttp::field::transfer_encoding])
                                        + "' is not supported (only chunked)"),
                     true);
    }
    // What can be refused from the header alone is refused before the body.
    if (auto refused = server_.routes.precheck(request_)) {
      unread_body_ = true;
      return respond(std::move(*refused), true);
    }
    const std::size_t limit = server_.routes.body_limit(request_.method, request_.path);
    // Refuse an announced oversized body before reading any of it.
    if (auto length = parser_->content_length(); length && *length > limit) {
      unread_body_ = true;
      return respond(too_large(limit), true);
    }
    // Admission counts bytes, not just requests: the body this request may
    // bring (announced, or the route's limit when chunked) is reserved
    // until its answer is written.
    const std::size_t reserve = parser_->content_length()
                                    ? static_cast<std::size_t>(*parser_->content_length())
                                : parser_->chunked() ? limit
                                                     : 0;
    if (reserve > 0) {
      if (!server_.admit_body(reserve)) {
        unread_body_ = true;
        response busy = error_response(503, "unavailable",
                                       "the server is receiving too much data; retry shortly");
        busy.headers.emplace_back("Retry-After", "1");
        return respond(std::move(busy), true);
      }
      reserved_ = reserve;
    }
    parser_->body_limit(limit);
    stream_.expires_after(body_timeout);
    // Clients that ask (curl does for large bodies) wait for 100 Continue
    // before sending the body; without it they stall for a second.
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      continue_ =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      return bhttp::async_write(stream_, *continue_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec)
                                    return self->close();
                                  self->read_body();
                                });
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::body_limit) {
      unread_body_ = true;
      return respond(too_large(server_.routes.body_limit(request_.method, request_.path)), true);
    }
    // A body the parser cannot frame (a bad or overflowing chunk size) is a
    // 400; the connection cannot be reused after it.
    if (ec && ec.category() == beast::error_code(bhttp::error::bad_chunk).category()
        && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      unread_body_ = true;
      return respond(error_response(400, "bad_request", "malformed request body: " + ec.message()),
                     true);
    }
    if (ec)
      return close();
    auto& req = parser_->get();
    request_.api_key = std::string(req["X-API-Key"]);
    request_.idempotency_key = std::string(req["Idempotency-Key"]);
    request_.content_type = std::string(req[bhttp::field::content_type]);
    request_.body = std::move(req.body());
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    stream_.expires_never(); // the routes answer within their own timeouts
    std::optional<response> refused;
    auto stream = server_.routes.stream_of(
        request_, std::string(req[bhttp::field::sec_websocket_protocol]), refused);
    if (refused)
      return respond(std::move(*refused), false);
    if (stream)
      return begin_stream(std::move(*stream));
    server_.routes.handle(std::move(request_), [self = shared_from_this()](response r) {
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->respond(std::move(r), false); });
    });
  }

  // --- progress streams ---------------------------------------------------
  // The run's status document is read first, as GET /v1/backtest/{id} with
  // the stream's key (the same 401/404 JSON, rate limit and memory path),
  // and is the first event, `snapshot`; then every event the hub publishes.
  // Events queue in a bounded outbox written one at a time; the terminal
  // event ends the stream (WebSocket close 1000, SSE end of body).
  void begin_stream(api_routes::stream_request target) {
    auto& req = parser_->get();
    progress_hub* hub = server_.routes.hub();
    if (target.websocket && !websocket::is_upgrade(req)) {
      response r = error_response(426, "upgrade_required",
                                  "this endpoint is a WebSocket; GET " + target.resource
                                      + "/events streams the same events as Server-Sent Events");
      r.headers.emplace_back("Upgrade", "websocket");
      return respond(std::move(r), false);
    }
    if (!hub)
      return respond(error_response(503, "unavailable", "progress streams are not served"), true);
    if (hub->subscribers() >= api_routes::max_subscribers)
      return respond(
          error_response(503, "unavailable", "too many progress subscribers; retry shortly"), true);
    stream_target_ = target;
    // Last-Event-ID resumes; anything else starts from a fresh snapshot.
    const std::string last = std::string(req["Last-Event-ID"]);
    if (!last.empty() && last.size() < 20
        && std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; }))
      resume_after_ = std::stoull(last);
    snapshot_seq_ = hub->current_seq(target.channel);
    request status;
    status.method = "GET";
    status.path = target.resource;
    status.api_key = target.key;
    status.origin = request_.origin;
    status.client_address = request_.client_address;
    log_path_ = request_.path;
    server_.routes.handle(std::move(status), [self = shared_from_this()](response r) {
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->on_stream_authorized(std::move(r)); });
    });
  }

  void on_stream_authorized(response r) {
    if (r.status != 200) // refused like the REST API: the upgrade does not happen
      return respond(std::move(r), true);
    boost::system::error_code ec;
    auto doc = boost::json::parse(r.body, ec);
    if (ec || !doc.is_object())
      return respond(error_response(500, "internal", "the run's status could not be read"), true);
    const std::string status(doc.as_object().at("status").as_string());
    const std::string body = stream_document(stream_target_.channel, r.body);
    const std::string snapshot = "{\"seq\":" + std::to_string(snapshot_seq_) + "," + body.substr(1);
    // Subscribed before the first write: events published meanwhile queue
    // behind the snapshot, in order (the hub calls under its lock).
    std::weak_ptr<session> weak = shared_from_this();
    auto sub = server_.routes.hub()->subscribe(
        stream_target_.channel, resume_after_ ? *resume_after_ : snapshot_seq_,
        [weak](const progress_event& e) {
          if (auto self = weak.lock())
            asio::post(self->stream_.get_executor(), [self, e] { self->enqueue(e); });
        });
    subscription_ = sub.id;
    mode_ = stream_target_.websocket ? mode::websocket : mode::sse;
    const bool resumed = resume_after_ && sub.complete;
    if (!resumed)
      enqueue({snapshot_seq_, "snapshot", snapshot});
    for (auto& e : sub.missed)
      if (resumed || e.seq > snapshot_seq_)
        enqueue(e);
    // A run that had finished before the subscription: its end, now.
    if (!resumed && (status == "completed" || status == "failed" || status == "cancelled"))
      enqueue({snapshot_seq_, status, snapshot});
    if (mode_ == mode::websocket)
      return accept_websocket();
    std::string head = "HTTP/1.1 200 OK\r\nServer: backtestd\r\nContent-Type: "
                       "text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n"
                       "X-Accel-Buffering: no\r\n";
    for (const auto& [name, value] : r.headers)
      if (name.rfind("Access-Control-", 0) == 0 || name == "Vary")
        head += name + ": " + value + "\r\n";
    outbox_.push_back(head + "\r\n"); // outside the cap: the stream's start
    outbox_bytes_ += outbox_.back().size();
    ready_ = true;
    watch_sse_peer();
    keepalive();
    start_events();
  }

  // The events held until the stream could carry them (the SSE head is
  // queued, the WebSocket handshake done) go out now, under the cap.
  void start_events() {
    events_started_ = true;
    std::vector<progress_event> held;
    held.swap(held_);
    for (const auto& e : held)
      enqueue(e);
    write_next();
  }

  void accept_websocket() {
    ws_.emplace(stream_);
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = 2 * keepalive_interval;
    timeouts.keep_alive_pings = true; // a ping when idle half as long
    ws_->set_option(timeouts);
    ws_->read_message_max(max_ws_message);
    ws_->set_option(websocket::stream_base::decorator(
        [protocol = stream_target_.subprotocol](websocket::response_type& res) {
          res.set(bhttp::field::server, "backtestd");
          if (!protocol.empty())
            res.set(bhttp::field::sec_websocket_protocol, protocol);
        }));
    ws_->async_accept(parser_->get(), [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return self->finish_stream();
      self->ready_ = true;
      self->read_websocket();
      self->start_events();
    });
  }

  // The client may cancel the run: {"action": "cancel"}.
  void read_websocket() {
    ws_->async_read(ws_in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->finish_stream(); // closed, timed out, or too large a message
      const std::string text = beast::buffers_to_string(self->ws_in_.data());
      self->ws_in_.consume(self->ws_in_.size());
      self->on_client_message(text);
      if (self->mode_ == mode::websocket && !self->ending_)
        self->read_websocket();
    });
  }

  void on_client_message(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    const auto* action = !ec && v.is_object() ? v.as_object().if_contains("action") : nullptr;
    if (!action || !action->is_string() || action->as_string() != "cancel") {
      push_message(
          R"({"event":"error","error":{"code":"bad_request","message":"send {\"action\": \"cancel\"} to cancel the run; nothing else is understood"}})");
      return;
    }
    request cancel;
    cancel.method = "POST";
    cancel.path = stream_target_.resource + "/cancel";
    cancel.api_key = stream_target_.key;
    cancel.client_address = request_.client_address;
    ++pending_replies_; // the stream ends after its answer, not before
    server_.routes.handle(std::move(cancel), [self = shared_from_this()](response r) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(r)] {
        --self->pending_replies_;
        self->push_message("{\"event\":\"cancel\",\"status\":" + std::to_string(r.status)
                           + ",\"body\":" + (r.body.empty() ? "null" : r.body) + "}");
        self->write_next();
      });
    });
  }

  // An SSE client sends nothing: a read that ends tells us it has gone.
  void watch_sse_peer() {
    if (!discard_)
      discard_ = std::make_unique<char[]>(4096);
    stream_.async_read_some(asio::buffer(discard_.get(), 4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec)
                                return self->finish_stream();
                              self->watch_sse_peer();
                            });
  }

  void keepalive() {
    keepalive_.expires_after(keepalive_interval);
    keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->mode_ != mode::sse || self->ending_)
        return;
      self->push_message(": keepalive\n\n");
      self->keepalive();
    });
  }

  void enqueue(const progress_event& e) {
    if (!events_started_) {
      held_.push_back(e);
      return;
    }
    if (mode_ == mode::sse)
      push_message("id: " + std::to_string(e.seq) + "\nevent: " + e.type + "\ndata: " + e.data
                   + "\n\n");
    else
      push_message("{\"event\":\"" + e.type + "\"," + e.data.substr(1));
    if (e.terminal())
      end_after_outbox_ = true;
  }

  void push_message(std::string m) {
    if (ending_ || mode_ == mode::http)
      return;
    if (outbox_.size() >= server_.cfg.stream_buffer_events
        || outbox_bytes_ + m.size() > max_outbox_bytes) {
      // A slow subscriber: dropped, its buffer never grows past the cap.
      log::warn("progress_subscriber_dropped",
                {{"run_id", stream_target_.run_id},
                 {"queued_messages", static_cast<std::uint64_t>(outbox_.size())},
                 {"queued_bytes", static_cast<std::uint64_t>(outbox_bytes_)}});
      // Nothing more is sent but the message in flight (if any) and the close.
      if (writing_)
        outbox_.erase(outbox_.begin() + 1, outbox_.end());
      else
        outbox_.clear();
      if (mode_ == mode::sse)
        return finish_stream(); // the end of the body is all SSE has
      return end_stream(websocket::close_code::policy_error);
    }
    outbox_bytes_ += m.size();
    outbox_.push_back(std::move(m));
    write_next();
  }

  void write_next() {
    if (writing_ || !ready_)
      return;
    if (outbox_.empty()) {
      if (end_after_outbox_ && pending_replies_ == 0)
        end_stream(websocket::close_code::normal);
      return;
    }
    writing_ = true;
    auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec)
        return self->finish_stream();
      if (self->ending_)
        return self->close_websocket(); // the close the write in flight held back
      self->outbox_bytes_ -= self->outbox_.front().size();
      self->outbox_.pop_front();
      self->write_next();
    };
    if (mode_ == mode::websocket) {
      ws_->text(true);
      ws_->async_write(asio::buffer(outbox_.front()), std::move(done));
    } else {
      stream_.expires_after(write_timeout); // a client that stops reading is dropped
      asio::async_write(stream_, asio::buffer(outbox_.front()), std::move(done));
    }
  }

  // Ends the stream politely: a WebSocket close frame with `code`, the end
  // of an SSE body (the connection closes).
  void end_stream(websocket::close_code code) {
    if (ending_)
      return;
    ending_ = true;
    unsubscribe();
    beast::error_code ec;
    keepalive_.cancel();
    close_code_ = code;
    if (writing_) {
      // One write at a time: the close frame (or the end) follows the one
      // in flight, which gets a few seconds before the connection goes.
      stream_.expires_after(std::chrono::seconds(5));
      return;
    }
    close_websocket();
  }

  void close_websocket() {
    if (mode_ == mode::websocket && ws_ && ready_ && !finished_) {
      ws_->async_close(websocket::close_reason(close_code_),
                       [self = shared_from_this()](beast::error_code) { self->finish_stream(); });
      return;
    }
    finish_stream();
  }

  void finish_stream() {
    if (finished_)
      return;
    finished_ = true;
    ending_ = true;
    unsubscribe();
    keepalive_.cancel();
    close();
  }

  void unsubscribe() {
    if (subscription_ == 0)
      return;
    if (auto* hub = server_.routes.hub())
      hub->unsubscribe(stream_target_.channel, subscription_);
    subscription_ = 0;
  }

  static response too_large(std::size_t limit) {
    return error_response(413, "payload_too_large",
                          "the body exceeds the limit of " + std::to_string(limit)
                              + " bytes for this endpoint");
  }

  void respond(response r, bool must_close) {
    if (must_close)
      keep_alive_ = false;
    if (server_.draining)
      keep_alive_ = false;
    res_ = {};
    res_.version(11);
    res_.result(r.status);
    res_.set(bhttp::field::server, "backtestd");
    // 204 and 304 carry no body (RFC 9110 sections 15.3.5 and 15.4.5).
    const bool bodiless = r.status == 204 || r.status == 304;
    if (!bodiless)
      res_.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers)
      res_.insert(name, value);
    res_.keep_alive(keep_alive_);
    const std::size_t size = r.body.size();
    if (!bodiless && !head_)
      res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head_ && !bodiless)
      res_.content_length(size);
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
            .count();
    if (r.status >= 500)
      log::warn("http_request", {{"method", log_method_},
                                 {"path", log_path_},
                                 {"status", static_cast<int>(r.status)},
                                 {"ms", ms}});
    stream_.expires_after(write_timeout);
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    release();
    if (!ec && unread_body_)
      return linger();
    if (ec || !keep_alive_)
      return close();
    request_ = request{};
    do_read();
  }

  // After refusing a body we did not read, half-close and drain what the
  // client still sends (bounded), so that it reads our 413 instead of a reset.
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(5));
    drain_some();
  }

  void drain_some() {
    if (!discard_)
      discard_ = std::make_unique<char[]>(64 * 1024);
    stream_.async_read_some(asio::buffer(discard_.get(), 64 * 1024),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (128u << 20))
                                return self->close();
                              self->drain_some();
                            });
  }

  void release() {
    if (reserved_ > 0) {
      server_.release_body(reserved_);
      reserved_ = 0;
    }
  }

  void close() {
    release();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    server_.remove(shared_from_this());
  }

  beast::tcp_stream stream_;
  http_server::impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  request request_;
  std::string log_method_, log_path_; ///< kept for the log line: request_ is moved to the routes
  std::chrono::steady_clock::time_point started_;
  bool keep_alive_ = true;
  bool head_ = false;
  bool idle_ = true;
  bool unread_body_ = false;
  std::size_t reserved_ = 0; ///< body bytes admitted for the current request
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  std::unique_ptr<char[]> discard_;
  std::size_t drained_ = 0;
  // Progress streams (mode_ other than http): see begin_stream.
  enum class mode { http, sse, websocket };
  mode mode_ = mode::http;
  api_routes::stream_request stream_target_;
  std::optional<std::uint64_t> resume_after_;
  std::uint64_t snapshot_seq_ = 0;
  std::uint64_t subscription_ = 0;
  std::deque<std::string> outbox_;
  std::size_t outbox_bytes_ = 0;
  bool ready_ = false, writing_ = false, ending_ = false, finished_ = false;
  bool end_after_outbox_ = false;
  int pending_replies_ = 0; ///< client requests (cancel) not answered yet
  websocket::close_code close_code_ = websocket::close_code::normal;
  bool events_started_ = false;      ///< events go to the outbox (start_events)
  std::vector<progress_event> held_; ///< until then: the snapshot, missed and new ones
  asio::steady_timer keepalive_;
  std::optional<websocket::stream<beast::tcp_stream&>> ws_;
  beast::flat_buffer ws_in_;
};

std::shared_ptr<session> make_session(tcp::socket&& socket, http_server::impl& server) {
  return std::make_shared<session>(std::move(socket), server);
}
void start_session(const std::shared_ptr<session>& s) {
  s->run();
}
void refuse_session(const std::shared_ptr<session>& s) {
  s->refuse_busy();
}
void drain_session(const std::shared_ptr<session>& s) {
  s->drain();
}

} // namespace bt::http
