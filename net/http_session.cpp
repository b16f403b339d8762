// One HTTP/1.1 connection: requests read with explicit limits, handed to
// the routes, answered (progress streams: progress_stream.cpp).
#include "net/http_session_impl.hpp"

#include "services/telemetry.hpp"
#include "services/tracing.hpp"

namespace bt::http {

void session::run() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

/// Over the connection limit: answer 503 at once and close.
void session::refuse_busy() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->log_path_ = "(over the connection limit)";
    response busy = error_response(503, "unavailable", "too many open connections; retry shortly");
    busy.headers.emplace_back("Retry-After", "1");
    self->respond(std::move(busy), true);
  });
}

/// Shutdown: an idle connection closes now; a busy one after its
/// response; a progress stream ends (WebSocket close 1001, going away).
void session::drain() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->mode_ != mode::http)
      return self->end_stream(websocket::close_code::going_away);
    if (self->idle_)
      self->close();
  });
}

void session::do_read() {
  if (server_.draining)
    return close();
  parser_.emplace();
  parser_->header_limit(header_limit);
  // The parser would reject an oversized Content-Length while reading the
  // header, before we could answer 413: the route's limit is set after it.
  parser_->body_limit(boost::none);
  idle_ = true;
  stream_.expires_after(idle_timeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&session::on_read_header, shared_from_this()));
}

void session::on_read_header(beast::error_code ec, std::size_t) {
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
  // A caller's trace is continued (W3C traceparent); otherwise one begins.
  {
    const auto incoming = parse_traceparent(std::string_view(req["traceparent"]));
    request_.parent_span_id = incoming ? incoming->span_id : std::string();
    request_.trace = child_of(incoming.value_or(trace_context{}));
    trace_ = request_.trace;
    caller_span_ = request_.parent_span_id;
  }
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
    continue_ = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
    return bhttp::async_write(stream_, *continue_,
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                if (ec)
                                  return self->close();
                                self->read_body();
                              });
  }
  read_body();
}

void session::read_body() {
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&session::on_read, shared_from_this()));
}

void session::on_read(beast::error_code ec, std::size_t) {
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

response session::too_large(std::size_t limit) {
  return error_response(413, "payload_too_large",
                        "the body exceeds the limit of " + std::to_string(limit)
                            + " bytes for this endpoint");
}

void session::respond(response r, bool must_close) {
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
  if (trace_.valid()) {
    res_.set("traceparent", trace_.traceparent());
    res_.set("X-Trace-Id", trace_.trace_id);
  }
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
  const std::string route = telemetry::route_template(log_path_);
  telemetry::http_request(log_method_, route, r.status, ms / 1000);
  if (trace_.valid() && tracing::enabled()) {
    // The request's server span; a submission's span is its child.
    span_record span;
    span.trace_id = trace_.trace_id;
    span.span_id = trace_.span_id;
    span.parent_span_id = caller_span_;
    span.name = log_method_ + " " + route;
    span.kind = 2;
    span.end_ns = tracing::now_ns();
    span.start_ns = span.end_ns - static_cast<std::int64_t>(ms * 1e6);
    span.text = {{"http.method", log_method_}, {"http.route", route}};
    span.numbers = {{"http.status_code", static_cast<std::int64_t>(r.status)}};
    span.error = r.status >= 500;
    tracing::record(std::move(span));
  }
  if (r.status >= 500)
    log::warn("http_request", {{"method", log_method_},
                               {"path", log_path_},
                               {"status", static_cast<int>(r.status)},
                               {"ms", ms},
                               {"trace_id", trace_.trace_id}});
  stream_.expires_after(write_timeout);
  bhttp::async_write(stream_, res_,
                     beast::bind_front_handler(&session::on_write, shared_from_this()));
}

void session::on_write(beast::error_code ec, std::size_t) {
  release();
  if (!ec && unread_body_)
    return linger();
  if (ec || !keep_alive_)
    return close();
  request_ = request{};
  trace_ = {};
  caller_span_.clear();
  do_read();
}

// After refusing a body we did not read, half-close and drain what the
// client still sends (bounded), so that it reads our 413 instead of a reset.
void session::linger() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(std::chrono::seconds(5));
  drain_some();
}

void session::drain_some() {
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

void session::release() {
  if (reserved_ > 0) {
    server_.release_body(reserved_);
    reserved_ = 0;
  }
}

void session::close() {
  release();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
  server_.remove(shared_from_this());
}

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
