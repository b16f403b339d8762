#pragma once
// Private to net/: the session class behind http_session.hpp, shared by
// the two files that implement it: HTTP requests and answers
// (http_session.cpp) and progress streams, Server-Sent Events and
// WebSocket (progress_stream.cpp). Beast is included here, so nothing
// outside net/ includes this.

#include "net/http_session.hpp"

#include "config/log.hpp"
#include "domain/data/text.hpp"
#include "net/api_error.hpp"
#include "services/progress_hub.hpp"

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

// Explicit limits of a connection (Beast: header, body, timeouts).
inline constexpr std::uint32_t header_limit = 16 * 1024;
inline constexpr auto idle_timeout = std::chrono::seconds(60);
inline constexpr auto body_timeout = std::chrono::seconds(120);
inline constexpr auto write_timeout = std::chrono::seconds(60);
// Progress streams: a comment line this often keeps proxies from closing
// an SSE stream; a WebSocket is pinged when idle half as long.
inline constexpr auto keepalive_interval = std::chrono::seconds(15);
// A subscriber this far behind is cut off rather than buffered without end.
// (the messages: server_config::stream_buffer_events)
inline constexpr std::size_t max_outbox_bytes = 1u << 20;
inline constexpr std::size_t max_ws_message = 64 * 1024;

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, http_server::impl& server)
      : stream_(std::move(socket)), server_(server), keepalive_(stream_.get_executor()) {}
  ~session() {
    release();
    unsubscribe();
  }

  void run();
  /// Over the connection limit: answer 503 at once and close.
  void refuse_busy();

  /// Shutdown: an idle connection closes now; a busy one after its
  /// response; a progress stream ends (WebSocket close 1001, going away).
  void drain();

private:
  void do_read();
  void on_read_header(beast::error_code ec, std::size_t);
  void read_body();
  void on_read(beast::error_code ec, std::size_t);
  static response too_large(std::size_t limit);

  // --- progress streams ---------------------------------------------------
  // The run's status document is read first, as GET /v1/backtest/{id} with
  // the stream's key (the same 401/404 JSON, rate limit and memory path),
  // and is the first event, `snapshot`; then every event the hub publishes.
  // Events queue in a bounded outbox written one at a time; the terminal
  // event ends the stream (WebSocket close 1000, SSE end of body).
  void begin_stream(api_routes::stream_request target);
  void on_stream_authorized(response r);
  // The events held until the stream could carry them (the SSE head is
  // queued, the WebSocket handshake done) go out now, under the cap.
  void start_events();
  void accept_websocket();
  // The client may cancel the run: {"action": "cancel"}.
  void read_websocket();
  void on_client_message(const std::string& text);
  // An SSE client sends nothing: a read that ends tells us it has gone.
  void watch_sse_peer();
  void keepalive();
  void enqueue(const progress_event& e);
  void push_message(std::string m);
  void write_next();
  // Ends the stream politely: a WebSocket close frame with `code`, the end
  // of an SSE body (the connection closes).
  void end_stream(websocket::close_code code);
  void close_websocket();
  void finish_stream();
  void unsubscribe();
  void respond(response r, bool must_close);
  void on_write(beast::error_code ec, std::size_t);

  // After refusing a body we did not read, half-close and drain what the
  // client still sends (bounded), so that it reads our 413 instead of a reset.
  void linger();
  void drain_some();
  void release();
  void close();

  beast::tcp_stream stream_;
  http_server::impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  request request_;
  std::string log_method_, log_path_; ///< kept for the log line: request_ is moved to the routes
  trace_context trace_;               ///< the request's, for its answer's traceparent header
  std::string caller_span_;           ///< the incoming traceparent's span: the server span's parent
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

} // namespace bt::http
