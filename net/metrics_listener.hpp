#pragma once
// --metrics-listen: a second, minimal HTTP listener that answers GET
// /metrics without a key (the usual scrape set-up: a private address only
// Prometheus reaches), on its own io thread, so that a scrape never waits
// behind API traffic. Every connection is one request with a 5 s timeout;
// at most 16 are open.

#include <cstdint>
#include <memory>
#include <string>

namespace bt::http {

class metrics_listener {
public:
  /// Binds at once (throws std::runtime_error naming the address when it
  /// cannot) and serves until destroyed.
  metrics_listener(const std::string& host, std::uint16_t port);
  ~metrics_listener();
  std::uint16_t port() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace bt::http
