// Progress streams, a session's second mode: the run's (sweep's,
// walk-forward's) status read as the authorisation and first event, then
// the hub's events through a bounded outbox, as Server-Sent Events or over
// a WebSocket (Beast), until the terminal event or a drop.
#include "net/http_session_impl.hpp"

#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <algorithm>

namespace bt::http {

void session::begin_stream(api_routes::stream_request target) {
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
  status.trace = request_.trace;
  log_path_ = request_.path;
  server_.routes.handle(std::move(status), [self = shared_from_this()](response r) {
    asio::post(self->stream_.get_executor(),
               [self, r = std::move(r)]() mutable { self->on_stream_authorized(std::move(r)); });
  });
}

void session::on_stream_authorized(response r) {
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
void session::start_events() {
  events_started_ = true;
  std::vector<progress_event> held;
  held.swap(held_);
  for (const auto& e : held)
    enqueue(e);
  write_next();
}

void session::accept_websocket() {
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
void session::read_websocket() {
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

void session::on_client_message(const std::string& text) {
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
void session::watch_sse_peer() {
  if (!discard_)
    discard_ = std::make_unique<char[]>(4096);
  stream_.async_read_some(asio::buffer(discard_.get(), 4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec)
                              return self->finish_stream();
                            self->watch_sse_peer();
                          });
}

void session::keepalive() {
  keepalive_.expires_after(keepalive_interval);
  keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->mode_ != mode::sse || self->ending_)
      return;
    self->push_message(": keepalive\n\n");
    self->keepalive();
  });
}

void session::enqueue(const progress_event& e) {
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

void session::push_message(std::string m) {
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

void session::write_next() {
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
void session::end_stream(websocket::close_code code) {
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

void session::close_websocket() {
  if (mode_ == mode::websocket && ws_ && ready_ && !finished_) {
    ws_->async_close(websocket::close_reason(close_code_),
                     [self = shared_from_this()](beast::error_code) { self->finish_stream(); });
    return;
  }
  finish_stream();
}

void session::finish_stream() {
  if (finished_)
    return;
  finished_ = true;
  ending_ = true;
  unsubscribe();
  keepalive_.cancel();
  close();
}

void session::unsubscribe() {
  if (subscription_ == 0)
    return;
  if (auto* hub = server_.routes.hub())
    hub->unsubscribe(stream_target_.channel, subscription_);
  subscription_ = 0;
}

} // namespace bt::http
