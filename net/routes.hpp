#pragma once
// The HTTP API: which path and method go where. Requests that need data
// become actor messages; the rest are answered here. No Beast here.

#include "actors/messages.hpp"
#include "config/server_config.hpp"
#include "net/http_types.hpp"
#include "services/progress_hub.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace bt::http {

class api_routes {
public:
  /// Answers a status read from memory, or nothing (then a backtest worker
  /// answers it). Must never block: it runs on an io thread.
  using memory_status = std::function<std::optional<service_reply>(const backtest_call&)>;

  /// `openapi` is the contract served at /openapi.json. A status read of a
  /// run that `status_from_memory` answers is answered on the io thread: a
  /// hop to an actor's thread and back costs more than the read itself
  /// (thread wake-ups put milliseconds into the tail).
  api_routes(caf::actor_system& sys, std::vector<market_data_actor> workers,
             std::vector<backtest_api_actor> backtest_workers, const server_config& cfg,
             std::string openapi, memory_status status_from_memory = {},
             std::shared_ptr<progress_hub> hub = nullptr);
  ~api_routes();

  /// A progress stream request: GET /v1/backtest/{id}/events (Server-Sent
  /// Events) or /v1/backtest/{id}/progress (a WebSocket), and the same under
  /// /v1/sweeps/{id} and /v1/walk-forwards/{id}. `key` is the
  /// X-API-Key header's, else the `api_key` query parameter's, else the
  /// WebSocket subprotocol `bt-key.<key>`'s (browsers cannot set headers
  /// on either); the caller logs none of them.
  struct stream_request {
    std::string run_id;   ///< the run's, sweep's or walk-forward's id
    std::string resource; ///< its status path: /v1/backtest/{id}, /v1/sweeps/{id}, ...
    std::string channel;  ///< its stream in the hub: the run id, sweep:<id>, walk-forward:<id>
    bool websocket = false;
    std::string key;
    std::string subprotocol; ///< to echo when the key came in one
  };
  /// Whether `req` asks for a stream; a refusal (unknown query parameter)
  /// as `refused`. `protocols` is Sec-WebSocket-Protocol.
  std::optional<stream_request> stream_of(const request& req, const std::string& protocols,
                                          std::optional<response>& refused) const;
  /// The hub streams subscribe to (null: streams are not served).
  progress_hub* hub() const;
  /// Most subscribers at once across the server; one more is a 503.
  static constexpr std::size_t max_subscribers = 10'000;

  /// The largest body accepted for this method and path (checked against
  /// Content-Length before the body is read).
  std::size_t body_limit(const std::string& method, const std::string& path) const;

  /// A refusal decided from the request line and headers alone (malformed
  /// target; an upload without a key, of the wrong media type or to an
  /// invalid dataset name), sent before the body is read.
  std::optional<response> precheck(const request& req) const;

  /// Shutdown: refuses new requests (503), ends those still waiting for a
  /// worker, and waits until nothing can call back into the routes or a
  /// session any more. False when `timeout` passed first. Called before the
  /// HTTP server (its io_context) is destroyed; the destructor calls it too.
  bool close(std::chrono::milliseconds timeout);

  /// Answers `req` through `done`, exactly once.
  void handle(request req, responder done);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace bt::http
