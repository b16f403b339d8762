#pragma once
// A Server-Sent Events client for the server tests: reads a stream's
// events (id, event, data as JSON) until the server ends the body or the
// caller has seen enough.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bt::test {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

struct sse_event {
  std::uint64_t id = 0;
  std::string type;
  boost::json::value data;
};

struct sse_stream {
  int status = 0;
  std::string head;
  std::vector<sse_event> events;
  bool ended_by_server = false; ///< the body ended (EOF) rather than us stopping
};

// Reads an event stream; `stop(events)` true drops the connection early.
inline sse_stream read_sse(std::uint16_t port, const std::string& target,
                           const std::map<std::string, std::string>& headers,
                           const std::function<bool(const std::vector<sse_event>&)>& stop = {}) {
  boost::asio::io_context ioc;
  beast::tcp_stream s(ioc);
  s.expires_after(std::chrono::seconds(60));
  s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : headers)
    req += k + ": " + v + "\r\n";
  req += "\r\n";
  boost::asio::write(s, boost::asio::buffer(req));
  sse_stream out;
  std::string buf;
  char chunk[4096];
  bool in_body = false;
  while (true) {
    beast::error_code ec;
    const std::size_t n = s.read_some(boost::asio::buffer(chunk), ec);
    buf.append(chunk, n);
    if (!in_body) {
      const auto end = buf.find("\r\n\r\n");
      if (end != std::string::npos) {
        out.head = buf.substr(0, end);
        out.status = std::stoi(out.head.substr(9, 3));
        buf.erase(0, end + 4);
        in_body = true;
        if (out.status != 200) { // a JSON error with Content-Length: read it whole
          const auto at = out.head.find("Content-Length: ");
          const std::size_t length =
              at == std::string::npos ? 0 : std::stoul(out.head.substr(at + 16));
          while (!ec && buf.size() < length)
            buf.append(chunk, s.read_some(boost::asio::buffer(chunk), ec));
          out.events.push_back({0, "error", boost::json::parse(buf)});
          return out;
        }
      }
    }
    if (in_body) {
      std::size_t end;
      while ((end = buf.find("\n\n")) != std::string::npos) {
        const std::string block = buf.substr(0, end);
        buf.erase(0, end + 2);
        if (block.rfind(":", 0) == 0)
          continue; // a keepalive comment
        sse_event e;
        std::size_t pos = 0;
        while (pos < block.size()) {
          auto nl = block.find('\n', pos);
          const std::string line = block.substr(pos, nl == std::string::npos ? nl : nl - pos);
          if (line.rfind("id: ", 0) == 0)
            e.id = std::stoull(line.substr(4));
          else if (line.rfind("event: ", 0) == 0)
            e.type = line.substr(7);
          else if (line.rfind("data: ", 0) == 0)
            e.data = boost::json::parse(line.substr(6));
          if (nl == std::string::npos)
            break;
          pos = nl + 1;
        }
        out.events.push_back(std::move(e));
        if (stop && stop(out.events))
          return out;
      }
    }
    if (ec) {
      out.ended_by_server = ec == boost::asio::error::eof;
      return out;
    }
  }
}

} // namespace bt::test
