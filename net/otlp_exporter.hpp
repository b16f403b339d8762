#pragma once
// OTLP/HTTP with the JSON encoding (no OpenTelemetry C++ SDK is packaged in
// Debian): spans are queued, at most 4,096 (more are dropped and counted,
// never waited for), and a thread of its own posts them in batches of up
// to 256 every half second to the collector's /v1/traces URL, each post
// with a 5 s timeout. Destroying the exporter sends what is queued.

#include "services/tracing.hpp"

#include <memory>
#include <string>

namespace bt::http {

class otlp_exporter {
public:
  /// `url`: http://host:port/v1/traces (throws std::invalid_argument when it
  /// is not such a URL). `service` names the resource (service.name).
  otlp_exporter(const std::string& url, std::string service);
  ~otlp_exporter();
  otlp_exporter(const otlp_exporter&) = delete;
  otlp_exporter& operator=(const otlp_exporter&) = delete;

  /// Queues a span (drops it when 4,096 wait).
  void enqueue(span_record&& span);
  /// Spans dropped so far (a full queue, or a collector that refused them).
  std::uint64_t dropped() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// The OTLP JSON document (ExportTraceServiceRequest) of `spans`.
std::string otlp_json(const std::vector<span_record>& spans, const std::string& service);

} // namespace bt::http
