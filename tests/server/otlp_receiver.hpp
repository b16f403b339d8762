#pragma once
// A tiny OTLP/HTTP receiver inside the test process: accepts POST
// /v1/traces (JSON), answers 200, and keeps every span it was sent.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace bt::test {

class otlp_receiver {
public:
  otlp_receiver() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~otlp_receiver() {
    stopping_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with a connection of our own.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/v1/traces"; }

  /// Every span received so far, each with its resource's service.name
  /// added as "service".
  std::vector<boost::json::object> spans() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return spans_;
  }

private:
  void serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_)
        continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec)
        continue;
      keep(req.body());
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = "{}";
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }
  void keep(const std::string& body) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(body, ec);
    if (ec || !doc.is_object())
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& rs : doc.at("resourceSpans").as_array()) {
      std::string service;
      for (const auto& a : rs.at("resource").at("attributes").as_array())
        if (a.at("key").as_string() == "service.name")
          service = std::string(a.at("value").at("stringValue").as_string());
      for (const auto& ss : rs.at("scopeSpans").as_array())
        for (const auto& span : ss.at("spans").as_array()) {
          auto copy = span.as_object();
          copy["service"] = service;
          spans_.push_back(std::move(copy));
        }
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<boost::json::object> spans_;
  std::thread thread_;
};

} // namespace bt::test
