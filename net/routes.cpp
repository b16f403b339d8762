#include "net/routes.hpp"

#include "config/log.hpp"
#include "net/api_error.hpp"
#include "net/multipart.hpp"
#include "net/rate_limiter.hpp"
#include "net/static_assets.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <atomic>
#include <tuple>

namespace bt::http {
namespace {

constexpr std::size_t max_in_flight = 2048;

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    parts.push_back(path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos)
      break;
    pos = slash + 1;
  }
  return parts;
}

response method_not_allowed(const std::string& allow) {
  response r = error_response(405, "method_not_allowed", "allowed methods: " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

response json_ok(std::string body) {
  response r;
  r.body = std::move(body);
  return r;
}

std::string query_value(const request& req, const std::string& key) {
  auto it = req.query.find(key);
  return it == req.query.end() ? std::string() : it->second;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

} // namespace

struct api_routes::impl {
  caf::actor_system& sys;
  std::vector<market_data_actor> workers;
  std::vector<backtest_api_actor> backtest_workers;
  const server_config& cfg;
  static_assets assets;
  rate_limiter limiter;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> in_flight{0};

  impl(caf::actor_system& s, std::vector<market_data_actor> w, std::vector<backtest_api_actor> b,
       const server_config& c, std::string openapi)
      : sys(s), workers(std::move(w)), backtest_workers(std::move(b)), cfg(c), assets(std::move(openapi), c.web_dir),
        limiter(c.rate_limit_per_second, c.rate_limit_burst) {}

  // Sends one request to a worker from a short-lived actor; the reply comes
  // back through `done` on a CAF thread (the session posts it to its own
  // executor). Nothing here blocks.
  template <class... Ts>
  void call(responder done, std::chrono::seconds timeout, Ts... xs) {
    call_on(workers[next++ % workers.size()], std::move(done), timeout, std::move(xs)...);
  }

  template <class Handle, class... Ts>
  void call_on(Handle worker, responder done, std::chrono::seconds timeout, Ts... xs) {
    if (in_flight.load() >= max_in_flight) {
      done(error_response(503, "unavailable", "the server is at capacity; retry shortly"));
      return;
    }
    ++in_flight;
    // A tuple moves the (possibly 50 MB) message into the actor: C++17
    // lambdas cannot move-capture a parameter pack.
    sys.spawn([this, worker, timeout, done, args = std::make_tuple(std::move(xs)...)](
                caf::event_based_actor* self) mutable {
      std::apply(
        [&](auto&... a) {
          self->request(worker, timeout, std::move(a)...)
            .then(
              [this, done](service_reply& reply) {
                --in_flight;
                done(to_response(reply));
              },
              [this, done](caf::error& err) {
                --in_flight;
                log::error("actor_request_failed", {{"reason", caf::to_string(err)}});
                done(error_response(503, "unavailable", "the request could not be completed; retry shortly"));
              });
        },
        args);
    });
  }

  void upload(request& req, responder done) {
    std::string csv;
    const std::string type = lower(req.content_type);
    if (type.rfind("multipart/form-data", 0) == 0) {
      auto part = multipart_field(req.content_type, req.body, "file");
      if (!part) {
        done(error_response(422, "unprocessable", "multipart upload without a 'file' field",
                            {{"file", 0, "required: the CSV file as form field 'file'"}}));
        return;
      }
      csv = std::move(*part);
    } else if (type.rfind("text/csv", 0) == 0 || type.rfind("application/csv", 0) == 0) {
      csv = std::move(req.body);
    } else {
      done(error_response(415, "unsupported_media_type",
                          "send the CSV as text/csv, or as field 'file' of multipart/form-data"));
      return;
    }
    std::vector<error_detail> missing;
    for (const char* name : {"symbol", "timeframe"})
      if (query_value(req, name).empty())
        missing.push_back({name, 0, "required query parameter"});
    if (!missing.empty()) {
      done(error_response(422, "unprocessable", "symbol and timeframe are required", missing));
      return;
    }
    upload_request msg{req.api_key, query_value(req, "symbol"), query_value(req, "timeframe"), std::move(csv)};
    call(std::move(done), std::chrono::seconds(120), upload_atom::value, std::move(msg));
  }

  dataset_request dataset_query(const request& req, std::string symbol, std::string timeframe) {
    dataset_request q;
    q.api_key = req.api_key;
    q.symbol = std::move(symbol);
    q.timeframe = std::move(timeframe);
    q.from = query_value(req, "from");
    q.to = query_value(req, "to");
    q.limit = query_value(req, "limit");
    q.format = query_value(req, "format");
    if (q.format.empty())
      q.format = "json";
    return q;
  }

  void backtest(request& req, responder done, std::string op, std::string run_id = {}) {
    backtest_call call;
    call.api_key = req.api_key;
    call.op = std::move(op);
    call.run_id = std::move(run_id);
    call.idempotency_key = req.idempotency_key;
    for (const auto& [k, v] : req.query)
      call.query.emplace_back(k, v);
    if (call.op == "submit") {
      const std::string type = lower(req.content_type);
      if (type.rfind("application/json", 0) != 0) {
        done(error_response(415, "unsupported_media_type", "send the backtest request as application/json"));
        return;
      }
      if (req.idempotency_key.size() > 255) {
        done(error_response(400, "bad_request", "Idempotency-Key is longer than 255 characters"));
        return;
      }
      call.body = std::move(req.body);
    }
    auto worker = backtest_workers[next++ % backtest_workers.size()];
    call_on(worker, std::move(done), std::chrono::seconds(60), backtest_atom::value, std::move(call));
  }

  void backtest_routes(request& req, responder done, const std::vector<std::string>& parts) {
    // parts: ["v1", "backtest", ...]
    if (parts.size() == 2 || (parts.size() == 3 && parts[2] == "history")) {
      if (req.method == "GET")
        return backtest(req, std::move(done), "list");
      if (req.method == "POST" && parts.size() == 2)
        return backtest(req, std::move(done), "submit");
      return done(method_not_allowed(parts.size() == 2 ? "GET, POST" : "GET"));
    }
    if (parts.size() == 3 && parts[2] == "compare")
      return req.method == "GET" ? backtest(req, std::move(done), "compare") : done(method_not_allowed("GET"));
    if (parts.size() == 3) {
      if (req.method == "GET")
        return backtest(req, std::move(done), "get", parts[2]);
      if (req.method == "DELETE")
        return backtest(req, std::move(done), "delete", parts[2]);
      return done(method_not_allowed("GET, DELETE"));
    }
    if (parts.size() == 4 && parts[3] == "cancel")
      return req.method == "POST" ? backtest(req, std::move(done), "cancel", parts[2]) : done(method_not_allowed("POST"));
    static const std::vector<std::string> results{"metrics", "equity", "trades", "zones", "chart"};
    if (parts.size() == 4 && std::find(results.begin(), results.end(), parts[3]) != results.end())
      return req.method == "GET" ? backtest(req, std::move(done), parts[3], parts[2]) : done(method_not_allowed("GET"));
    done(error_response(404, "not_found", "no such endpoint: " + req.path));
  }

  void v1(request& req, responder done) {
    if (req.api_key.empty()) {
      done(error_response(401, "unauthorized", "missing API key: send it in the X-API-Key header"));
      return;
    }
    if (!limiter.allow(req.api_key)) {
      done(error_response(429, "too_many_requests", "rate limit exceeded; slow down"));
      return;
    }
    const auto parts = split_path(req.path);
    const std::chrono::seconds timeout(30);
    if (parts.size() >= 2 && parts[1] == "backtest")
      return backtest_routes(req, std::move(done), parts);
    if (parts.size() == 3 && parts[1] == "admin" && parts[2] == "cluster")
      return req.method == "GET" ? backtest(req, std::move(done), "cluster") : done(method_not_allowed("GET"));
    if (parts.size() == 2 && parts[1] == "queue")
      return req.method == "GET" ? backtest(req, std::move(done), "queue") : done(method_not_allowed("GET"));
    if (parts.size() == 2 && parts[1] == "strategies")
      return req.method == "GET" ? backtest(req, std::move(done), "strategies") : done(method_not_allowed("GET"));
    if (parts.size() >= 2 && parts[1] == "market-data") {
      if (parts.size() == 2) {
        if (req.method == "GET")
          return call(std::move(done), timeout, list_atom::value, dataset_query(req, "", ""));
        if (req.method == "POST")
          return upload(req, std::move(done));
        return done(method_not_allowed("GET, POST"));
      }
      if (parts.size() == 4) {
        if (req.method == "GET")
          return call(std::move(done), timeout, info_atom::value, dataset_query(req, parts[2], parts[3]));
        if (req.method == "DELETE")
          return call(std::move(done), timeout, delete_atom::value, dataset_query(req, parts[2], parts[3]));
        return done(method_not_allowed("GET, DELETE"));
      }
      if (parts.size() == 5 && parts[4] == "bars") {
        if (req.method == "GET")
          return call(std::move(done), timeout, bars_atom::value, dataset_query(req, parts[2], parts[3]));
        return done(method_not_allowed("GET"));
      }
    }
    done(error_response(404, "not_found", "no such endpoint: " + req.path));
  }
};

api_routes::api_routes(caf::actor_system& sys, std::vector<market_data_actor> workers,
                       std::vector<backtest_api_actor> backtest_workers, const server_config& cfg,
                       std::string openapi)
    : impl_(std::make_unique<impl>(sys, std::move(workers), std::move(backtest_workers), cfg, std::move(openapi))) {}

api_routes::~api_routes() = default;

std::size_t api_routes::body_limit(const std::string& method, const std::string& path) const {
  if (method == "POST" && path == "/v1/market-data")
    return impl_->cfg.max_upload_bytes;
  return impl_->cfg.max_json_bytes;
}

void api_routes::handle(request req, responder done) {
  if (req.malformed_query) {
    done(error_response(400, "bad_request", "malformed request target (percent-encoding)"));
    return;
  }
  const std::string& p = req.path;
  if (p.rfind("/v1/", 0) == 0 || p == "/v1")
    return impl_->v1(req, std::move(done));
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (p == "/healthz")
    return done(get ? json_ok(R"({"status":"ok"})") : method_not_allowed("GET"));
  if (p == "/readyz") {
    if (!get)
      return done(method_not_allowed("GET"));
    return impl_->call(std::move(done), std::chrono::seconds(5), ready_atom::value);
  }
  if (p == "/openapi.json" || p == "/docs" || p == "/docs/" || p.rfind("/docs/", 0) == 0) {
    if (!get)
      return done(method_not_allowed("GET"));
    return done(impl_->assets.get(p));
  }
  done(error_response(404, "not_found", "no such endpoint: " + p));
}

} // namespace bt::http
