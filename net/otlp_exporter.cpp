#include "net/otlp_exporter.hpp"

#include "config/log.hpp"
#include "domain/report/json_writer.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace bt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t max_queued = 4096;
constexpr std::size_t max_batch = 256;

} // namespace

std::string otlp_json(const std::vector<span_record>& spans, const std::string& service) {
  json_writer w;
  w.begin_object().key("resourceSpans").begin_array().begin_object();
  w.key("resource").begin_object().key("attributes").begin_array();
  w.begin_object().key("key").string("service.name");
  w.key("value").begin_object().key("stringValue").string(service).end_object().end_object();
  w.end_array().end_object();
  w.key("scopeSpans").begin_array().begin_object();
  w.key("scope").begin_object().key("name").string("backtestd").end_object();
  w.key("spans").begin_array();
  for (const auto& s : spans) {
    w.begin_object();
    w.key("traceId").string(s.trace_id);
    w.key("spanId").string(s.span_id);
    if (!s.parent_span_id.empty())
      w.key("parentSpanId").string(s.parent_span_id);
    w.key("name").string(s.name);
    w.key("kind").number(s.kind);
    // 64-bit integers are strings in OTLP's JSON mapping.
    w.key("startTimeUnixNano").string(std::to_string(s.start_ns));
    w.key("endTimeUnixNano").string(std::to_string(s.end_ns));
    w.key("attributes").begin_array();
    for (const auto& [k, v] : s.text) {
      w.begin_object().key("key").string(k);
      w.key("value").begin_object().key("stringValue").string(v).end_object().end_object();
    }
    for (const auto& [k, v] : s.numbers) {
      w.begin_object().key("key").string(k);
      w.key("value").begin_object().key("intValue").string(std::to_string(v)).end_object();
      w.end_object();
    }
    w.end_array();
    w.key("status").begin_object().key("code").number(s.error ? 2 : 1);
    if (!s.status_message.empty())
      w.key("message").string(s.status_message);
    w.end_object();
    w.end_object();
  }
  w.end_array().end_object().end_array().end_object().end_array().end_object();
  return w.take();
}

struct otlp_exporter::impl {
  std::string host, port, target, service;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<span_record> queue;
  bool stopping = false;
  std::atomic<std::uint64_t> dropped{0};
  std::chrono::steady_clock::time_point last_warning{};
  std::thread thread;

  void post(const std::vector<span_record>& batch) {
    try {
      asio::io_context ioc;
      asio::ip::tcp::resolver resolver(ioc);
      beast::tcp_stream stream(ioc);
      stream.expires_after(std::chrono::seconds(5));
      stream.connect(resolver.resolve(host, port));
      bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
      req.set(bhttp::field::host, host);
      req.set(bhttp::field::content_type, "application/json");
      req.body() = otlp_json(batch, service);
      req.prepare_payload();
      bhttp::write(stream, req);
      beast::flat_buffer buffer;
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(1 << 20);
      bhttp::read(stream, buffer, parser);
      if (parser.get().result_int() / 100 != 2)
        throw std::runtime_error("the collector answered "
                                 + std::to_string(parser.get().result_int()));
      beast::error_code ec;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    } catch (const std::exception& e) {
      dropped += batch.size();
      // A collector that is down is said once a minute, not per batch.
      const auto now = std::chrono::steady_clock::now();
      if (now - last_warning > std::chrono::minutes(1)) {
        last_warning = now;
        log::warn("otlp_export_failed", {{"reason", e.what()}, {"dropped_total", dropped.load()}});
      }
    }
  }

  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      wake.wait_for(lock, std::chrono::milliseconds(500),
                    [this] { return stopping || queue.size() >= max_batch; });
      if (queue.empty()) {
        if (stopping)
          return;
        continue;
      }
      std::vector<span_record> batch;
      while (!queue.empty() && batch.size() < max_batch) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
      lock.unlock();
      post(batch);
      lock.lock();
    }
  }
};

otlp_exporter::otlp_exporter(const std::string& url, std::string service)
    : impl_(std::make_shared<impl>()) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty())
    throw std::invalid_argument("otlp-endpoint: '" + url + "' is not an http:// URL");
  impl_->host = std::string(parsed->host());
  impl_->port = parsed->has_port() ? std::string(parsed->port()) : "80";
  impl_->target = parsed->path().empty() ? "/v1/traces" : std::string(parsed->path());
  impl_->service = std::move(service);
  impl_->thread = std::thread([self = impl_] { self->run(); });
}

otlp_exporter::~otlp_exporter() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

void otlp_exporter::enqueue(span_record&& span) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->queue.size() >= max_queued) {
      ++impl_->dropped;
      return;
    }
    impl_->queue.push_back(std::move(span));
    if (impl_->queue.size() < max_batch)
      return;
  }
  impl_->wake.notify_one();
}

std::uint64_t otlp_exporter::dropped() const {
  return impl_->dropped.load();
}

} // namespace bt::http
