#include "net/routes.hpp"

#include "config/log.hpp"
#include "net/api_error.hpp"
#include "net/multipart.hpp"
#include "net/rate_limiter.hpp"
#include "net/request_gate.hpp"
#include "net/static_assets.hpp"
#include "services/gzip.hpp"

#include "domain/data/instrument.hpp"
#include "domain/data/text.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <tuple>
#include <type_traits>

namespace bt::http {
namespace {

/// The operations whose request body the service reads (besides a
/// backtest submission, which is checked on its own), and those whose body
/// must be JSON (a configuration's run takes none).
template <class Atom>
constexpr bool takes_body =
    std::is_same_v<
        Atom,
        monte_carlo_atom> || std::is_same_v<Atom, sweep_submit_atom> || std::is_same_v<Atom, sweep_run_atom> || std::is_same_v<Atom, wf_submit_atom> || std::is_same_v<Atom, wf_monte_carlo_atom> || std::is_same_v<Atom, program_submit_atom> || std::is_same_v<Atom, program_change_atom>;
template <class Atom>
constexpr bool takes_json = takes_body<Atom> && !std::is_same_v<Atom, sweep_run_atom>;

constexpr std::size_t max_in_flight = 2048;

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

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

// Query parameters an endpoint does not define are refused by name: a typo
// (`limt=10`) must not silently give the default.
std::optional<response> unknown_query(const request& req,
                                      std::initializer_list<const char*> allowed) {
  std::vector<error_detail> unknown;
  for (const auto& [key, value] : req.query) {
    bool known = false;
    for (const char* a : allowed)
      known |= key == a;
    if (!known) {
      std::string list;
      for (const char* a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      unknown.push_back({key, 0,
                         list.empty() ? "this endpoint takes no query parameters"
                                      : "unknown query parameter (known: " + list + ")"});
    }
  }
  if (unknown.empty())
    return std::nullopt;
  return error_response(400, "bad_request", "unknown query parameter", unknown);
}

} // namespace

struct api_routes::impl {
  caf::actor_system& sys;
  std::vector<market_data_actor> workers;
  std::vector<backtest_api_actor> backtest_workers;
  api_routes::memory_status status_from_memory;
  std::shared_ptr<progress_hub> hub;
  const server_config& cfg;
  static_assets assets;
  rate_limiter limiter;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> in_flight{0};
  request_gate gate;
  /// The per-request actors still waiting for a reply, so that shutdown
  /// can end them (their replies would reach routes that no longer exist).
  std::mutex pending_mutex;
  std::map<caf::actor_id, caf::actor> pending;

  impl(caf::actor_system& s, std::vector<market_data_actor> w, std::vector<backtest_api_actor> b,
       api_routes::memory_status memory, std::shared_ptr<progress_hub> h, const server_config& c,
       std::string openapi)
      : sys(s), workers(std::move(w)), backtest_workers(std::move(b)),
        status_from_memory(std::move(memory)), hub(std::move(h)), cfg(c),
        assets(std::move(openapi), c.web_dir),
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
    auto pass = gate.enter();
    if (!pass) {
      done(error_response(503, "unavailable", "the server is shutting down"));
      return;
    }
    ++in_flight;
    // A tuple moves the (possibly 50 MB) message into the actor: C++17
    // lambdas cannot move-capture a parameter pack. The pass keeps the
    // routes alive for as long as the actor may call back into them.
    std::lock_guard<std::mutex> lock(pending_mutex);
    caf::actor a =
        sys.spawn([this, worker, timeout, done, pass,
                   args = std::make_tuple(std::move(xs)...)](caf::event_based_actor* self) mutable {
          std::apply(
              [&](auto&... a) {
                self->request(worker, timeout, std::move(a)...)
                    .then(
                        [this, self, done, pass](service_reply& reply) {
                          --in_flight;
                          done(to_response(reply));
                          forget(self->id());
                        },
                        [this, self, done, pass](caf::error& err) {
                          --in_flight;
                          log::error("actor_request_failed", {{"reason", caf::to_string(err)}});
                          done(error_response(503, "unavailable",
                                              "the request could not be completed; retry shortly"));
                          forget(self->id());
                        });
              },
              args);
        });
    pending.emplace(a.id(), a);
  }

  void forget(caf::actor_id id) {
    std::lock_guard<std::mutex> lock(pending_mutex);
    pending.erase(id);
  }

  void upload(request& req, responder done) {
    if (auto refused = upload_precheck(req))
      return done(std::move(*refused));
    std::string csv;
    if (media_type(req.content_type) == "multipart/form-data") {
      auto part = multipart_field(req.content_type, req.body, "file");
      if (part.matches > 1) {
        done(error_response(422, "unprocessable",
                            "multipart upload with more than one 'file' field",
                            {{"file", 0, "send exactly one part named 'file'"}}));
        return;
      }
      if (!part.value) {
        done(error_response(422, "unprocessable", "multipart upload without a 'file' field",
                            {{"file", 0, "required: the CSV file as form field 'file'"}}));
        return;
      }
      csv = std::move(*part.value);
    } else {
      csv = std::move(req.body);
    }
    upload_request msg{req.api_key,    query_value(req, "symbol"),    query_value(req, "timeframe"),
                       std::move(csv), !req.content_encoding.empty(), req.trace.trace_id};
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
    q.accept_gzip = req.accept_gzip;
    q.trace_id = req.trace.trace_id;
    return q;
  }

  // One backtest operation: its atom selects the service's handler (the
  // typed interface checks that the worker has one).
  template <class Atom>
  void backtest(request& req, responder done, Atom op, std::string run_id = {}) {
    backtest_call call;
    call.api_key = req.api_key;
    call.run_id = std::move(run_id);
    call.idempotency_key = req.idempotency_key;
    call.accept_gzip = req.accept_gzip;
    call.trace_id = req.trace.trace_id;
    call.span_id = req.trace.span_id;
    for (const auto& [k, v] : req.query)
      call.query.emplace_back(k, v);
    if constexpr (takes_body<Atom>) {
      // A program's changes: an empty body (cancelling a cycle) has no type;
      // the service refuses one where a body is needed.
      const bool empty_ok = std::is_same_v<Atom, program_change_atom> && req.body.empty();
      if (takes_json<Atom> && !empty_ok && media_type(req.content_type) != "application/json") {
        done(error_response(415, "unsupported_media_type", "send the request as application/json"));
        return;
      }
      call.body = std::move(req.body);
    }
    if constexpr (std::is_same_v<Atom, submit_atom>) {
      if (media_type(req.content_type) != "application/json") {
        done(error_response(415, "unsupported_media_type",
                            "send the backtest request as application/json"));
        return;
      }
      if (req.idempotency_key.size() > 255) {
        done(error_response(400, "bad_request", "Idempotency-Key is longer than 255 characters"));
        return;
      }
      call.body = std::move(req.body);
    }
    if constexpr (std::is_same_v<Atom, status_atom>) {
      if (status_from_memory)
        if (auto reply = status_from_memory(call)) // a status document: a few KB at most
          return done(to_response(encode_reply(std::move(*reply), call.accept_gzip)));
    }
    auto worker = backtest_workers[next++ % backtest_workers.size()];
    call_on(worker, std::move(done), std::chrono::seconds(60), op, std::move(call));
  }

  // A GET route answers HEAD too (the session sends no body).
  static bool is_get(const request& req) { return req.method == "GET" || req.method == "HEAD"; }

  // Runs `handler` when the query holds only `allowed` keys.
  template <class F>
  void with_query(request& req, responder& done, std::initializer_list<const char*> allowed,
                  F&& handler) {
    if (auto refused = unknown_query(req, allowed))
      return done(std::move(*refused));
    handler();
  }

  void backtest_routes(request& req, responder done, const std::vector<std::string>& parts) {
    // parts: ["v1", "backtest", ...]
    auto op = [&](std::initializer_list<const char*> allowed, auto atom, std::string run_id = {}) {
      with_query(req, done, allowed, [&] { backtest(req, std::move(done), atom, run_id); });
    };
    if (parts.size() == 2 || (parts.size() == 3 && parts[2] == "history")) {
      if (is_get(req))
        return op(
            {"status", "symbol", "strategy", "from", "to", "limit", "offset", "sort", "order"},
            history_atom::value);
      if (req.method == "POST" && parts.size() == 2)
        return op({}, submit_atom::value);
      return done(method_not_allowed(parts.size() == 2 ? "GET, HEAD, POST" : "GET, HEAD"));
    }
    if (parts.size() == 3 && parts[2] == "compare")
      return is_get(req) ? op({"ids", "max_points"}, compare_atom::value)
                         : done(method_not_allowed("GET, HEAD"));
    if (parts.size() == 3) {
      if (is_get(req))
        return op({}, status_atom::value, parts[2]);
      if (req.method == "DELETE")
        return op({}, delete_atom::value, parts[2]);
      return done(method_not_allowed("GET, HEAD, DELETE"));
    }
    if (parts.size() == 4 && parts[3] == "cancel")
      return req.method == "POST" ? op({}, cancel_atom::value, parts[2])
                                  : done(method_not_allowed("POST"));
    if (parts.size() == 4 && parts[3] == "monte-carlo")
      return req.method == "POST" ? op({}, monte_carlo_atom::value, parts[2])
                                  : done(method_not_allowed("POST"));
    if (parts.size() == 4 && is_result(parts[3])) {
      if (!is_get(req))
        return done(method_not_allowed("GET, HEAD"));
      const std::string& what = parts[3];
      if (what == "trades")
        return op({"side", "zone_type", "outcome", "from", "to", "sort", "order", "limit", "offset",
                   "format"},
                  trades_atom::value, parts[2]);
      if (what == "equity")
        return op({"max_points", "format"}, equity_atom::value, parts[2]);
      if (what == "chart")
        return op({"max_points"}, chart_atom::value, parts[2]);
      if (what == "metrics")
        return op({"format"}, metrics_atom::value, parts[2]);
      return op({"format"}, zones_atom::value, parts[2]);
    }
    done(error_response(404, "not_found", "no such endpoint: " + req.path));
  }

  void sweep_routes(request& req, responder done, const std::vector<std::string>& parts) {
    // parts: ["v1", "sweeps", ...]
    auto op = [&](std::initializer_list<const char*> allowed, auto atom, std::string id = {}) {
      with_query(req, done, allowed, [&] { backtest(req, std::move(done), atom, id); });
    };
    if (parts.size() == 2) {
      if (is_get(req))
        return op({"limit", "offset"}, sweep_list_atom::value);
      if (req.method == "POST")
        return op({}, sweep_submit_atom::value);
      return done(method_not_allowed("GET, HEAD, POST"));
    }
    const std::string& id = parts[2];
    if (parts.size() == 3) {
      if (is_get(req))
        return op({}, sweep_status_atom::value, id);
      if (req.method == "DELETE")
        return op({}, sweep_delete_atom::value, id);
      return done(method_not_allowed("GET, HEAD, DELETE"));
    }
    if (parts.size() == 4 && parts[3] == "cancel")
      return req.method == "POST" ? op({}, sweep_cancel_atom::value, id)
                                  : done(method_not_allowed("POST"));
    if (parts.size() == 4
        && (parts[3] == "results" || parts[3] == "heatmap" || parts[3] == "overfitting")) {
      if (!is_get(req))
        return done(method_not_allowed("GET, HEAD"));
      if (parts[3] == "results")
        return op({"sort", "order", "limit", "offset", "status", "format"},
                  sweep_results_atom::value, id);
      if (parts[3] == "heatmap")
        return op({"x", "y", "metric", "agg"}, sweep_heatmap_atom::value, id);
      return op({}, sweep_overfitting_atom::value, id);
    }
    if (parts.size() == 6 && parts[3] == "configs" && parts[5] == "run") {
      if (req.method != "POST")
        return done(method_not_allowed("POST"));
      if (auto refused = unknown_query(req, {}))
        return done(std::move(*refused));
      req.query["config"] = parts[4]; // the path's, for the service
      return backtest(req, std::move(done), sweep_run_atom::value, id);
    }
    done(error_response(404, "not_found", "no such endpoint: " + req.path));
  }

  void program_routes(request& req, responder done, const std::vector<std::string>& parts) {
    // parts: ["v1", "programs", ...]
    auto op = [&](std::initializer_list<const char*> allowed, auto atom, std::string id = {}) {
      with_query(req, done, allowed, [&] { backtest(req, std::move(done), atom, id); });
    };
    if (parts.size() == 2) {
      if (is_get(req))
        return op({"limit", "offset"}, program_list_atom::value);
      if (req.method == "POST")
        return op({}, program_submit_atom::value);
      return done(method_not_allowed("GET, HEAD, POST"));
    }
    const std::string& id = parts[2];
    if (parts.size() == 3) {
      if (is_get(req))
        return op({}, program_status_atom::value, id);
      if (req.method == "DELETE")
        return op({}, program_delete_atom::value, id);
      return done(method_not_allowed("GET, HEAD, DELETE"));
    }
    if (parts.size() == 4 && parts[3] == "candidates")
      return is_get(req) ? op({}, program_candidates_atom::value, id)
                         : done(method_not_allowed("GET, HEAD"));
    if (parts.size() == 4 && parts[3] == "cycles")
      return req.method == "POST" ? op({}, program_cycle_atom::value, id)
                                  : done(method_not_allowed("POST"));
    // The deployment views and changes: the route names which (the
    // client's query is checked first, so it cannot name another).
    auto view = [&](std::initializer_list<const char*> allowed, const char* name,
                    std::vector<std::pair<const char*, std::string>> from_path = {}) {
      if (!is_get(req))
        return done(method_not_allowed("GET, HEAD"));
      if (auto refused = unknown_query(req, allowed))
        return done(std::move(*refused));
      req.query["view"] = name;
      for (auto& [key, value] : from_path)
        req.query[key] = value;
      backtest(req, std::move(done), program_view_atom::value, id);
    };
    auto change = [&](const char* name,
                      std::vector<std::pair<const char*, std::string>> from_path) {
      if (req.method != "POST")
        return done(method_not_allowed("POST"));
      if (auto refused = unknown_query(req, {}))
        return done(std::move(*refused));
      req.query["action"] = name;
      for (auto& [key, value] : from_path)
        req.query[key] = value;
      backtest(req, std::move(done), program_change_atom::value, id);
    };
    if (parts.size() == 4 && parts[3] == "scorecards")
      return view({}, "scorecards");
    if (parts.size() == 4 && parts[3] == "deployments")
      return req.method == "POST" ? change("deploy", {}) : view({"status"}, "deployments");
    if (parts.size() == 5 && parts[3] == "deployments")
      return view({}, "deployment", {{"deployment", parts[4]}});
    if (parts.size() == 6 && parts[3] == "deployments" && parts[5] == "deactivate")
      return change("deactivate", {{"deployment", parts[4]}});
    if (parts.size() == 4 && parts[3] == "alerts")
      return view({"limit", "offset", "deployment"}, "alerts");
    if (parts.size() == 4 && parts[3] == "correlations")
      return view({}, "correlations");
    if (parts.size() == 5 && parts[3] == "reports")
      return view({"format"}, "report", {{"date", parts[4]}});
    if (parts.size() == 4 && parts[3] == "decisions")
      return view({"limit", "after"}, "decisions");
    if (parts.size() == 6 && parts[3] == "cycles" && parts[5] == "cancel")
      return change("cancel-cycle", {{"cycle", parts[4]}});
    if (parts.size() == 4 && parts[3] == "replay")
      return change("replay", {});
    if (parts.size() == 4 && parts[3] == "replays")
      return view({}, "replays");
    if (parts.size() == 5 && parts[3] == "replays")
      return view({}, "replay", {{"replay", parts[4]}});
    if (parts.size() == 5 && parts[3] == "scorecards") {
      if (!is_get(req))
        return done(method_not_allowed("GET, HEAD"));
      if (auto refused = unknown_query(req, {}))
        return done(std::move(*refused));
      req.query["cycle"] = parts[4]; // the path's, for the service
      return backtest(req, std::move(done), program_scorecard_atom::value, id);
    }
    done(error_response(404, "not_found", "no such endpoint: " + req.path));
  }

  void walk_forward_routes(request& req, responder done, const std::vector<std::string>& parts) {
    // parts: ["v1", "walk-forwards", ...]
    auto op = [&](std::initializer_list<const char*> allowed, auto atom, std::string id = {}) {
      with_query(req, done, allowed, [&] { backtest(req, std::move(done), atom, id); });
    };
    if (parts.size() == 2) {
      if (is_get(req))
        return op({"limit", "offset"}, wf_list_atom::value);
      if (req.method == "POST")
        return op({}, wf_submit_atom::value);
      return done(method_not_allowed("GET, HEAD, POST"));
    }
    const std::string& id = parts[2];
    if (parts.size() == 3) {
      if (is_get(req))
        return op({}, wf_status_atom::value, id);
      if (req.method == "DELETE")
        return op({}, wf_delete_atom::value, id);
      return done(method_not_allowed("GET, HEAD, DELETE"));
    }
    if (parts.size() == 4 && (parts[3] == "cancel" || parts[3] == "monte-carlo")) {
      if (req.method != "POST")
        return done(method_not_allowed("POST"));
      return parts[3] == "cancel" ? op({}, wf_cancel_atom::value, id)
                                  : op({}, wf_monte_carlo_atom::value, id);
    }
    if (parts.size() == 4 && (parts[3] == "trades" || parts[3] == "equity")) {
      if (!is_get(req))
        return done(method_not_allowed("GET, HEAD"));
      return parts[3] == "trades" ? op({}, wf_trades_atom::value, id)
                                  : op({}, wf_equity_atom::value, id);
    }
    done(error_response(404, "not_found", "no such endpoint: " + req.path));
  }

  static bool is_result(const std::string& part) {
    return part == "metrics" || part == "equity" || part == "trades" || part == "zones"
           || part == "chart";
  }

  void v1(request& req, responder done) {
    // A known key pays from its own bucket (an admin's is exempt); no key
    // or an unknown one from its client address's.
    if (!limiter.allow(req.api_key, req.client_address)) {
      done(error_response(429, "too_many_requests", "rate limit exceeded; slow down"));
      return;
    }
    if (req.api_key.empty()) {
      done(error_response(401, "unauthorized", "missing API key: send it in the X-API-Key header"));
      return;
    }
    // A key that turns out to be real gets its bucket among the known keys.
    done = [this, key = req.api_key, inner = std::move(done)](response r) {
      if (r.status != 401)
        limiter.confirm(key, r.admin);
      inner(std::move(r));
    };
    const auto parts = split_path(req.path);
    const std::chrono::seconds timeout(30);
    // HEAD of a progress stream: what its GET would start with, no body
    // (a GET is a stream, taken over by the session before the routes).
    if (parts.size() == 4 && (parts[3] == "events" || parts[3] == "progress")
        && (parts[1] == "backtest" || parts[1] == "sweeps" || parts[1] == "walk-forwards")) {
      if (req.method != "HEAD")
        return done(method_not_allowed("GET, HEAD"));
      const bool events = parts[3] == "events";
      responder head = [events, inner = std::move(done)](response r) {
        if (r.status == 200) {
          if (!events)
            return inner(error_response(426, "upgrade_required", "this endpoint is a WebSocket"));
          r.content_type = "text/event-stream";
          r.body.clear();
          r.headers.clear();
        }
        inner(std::move(r));
      };
      return with_query(req, head, {}, [&] {
        if (parts[1] == "backtest")
          backtest(req, std::move(head), status_atom::value, parts[2]);
        else if (parts[1] == "sweeps")
          backtest(req, std::move(head), sweep_status_atom::value, parts[2]);
        else
          backtest(req, std::move(head), wf_status_atom::value, parts[2]);
      });
    }
    if (parts.size() >= 2 && parts[1] == "backtest")
      return backtest_routes(req, std::move(done), parts);
    if (parts.size() >= 2 && parts[1] == "sweeps")
      return sweep_routes(req, std::move(done), parts);
    if (parts.size() >= 2 && parts[1] == "walk-forwards")
      return walk_forward_routes(req, std::move(done), parts);
    if (parts.size() >= 2 && parts[1] == "programs")
      return program_routes(req, std::move(done), parts);
    if (parts.size() == 3 && parts[1] == "admin") {
      // Each needs its permission (the services' table): without it 403.
      if (parts[2] == "cluster")
        return is_get(req) ? with_query(
                   req, done, {}, [&] { backtest(req, std::move(done), cluster_atom::value); })
                           : done(method_not_allowed("GET, HEAD"));
      if (parts[2] == "queue")
        return is_get(req)
                   ? with_query(req, done, {"limit"},
                                [&] { backtest(req, std::move(done), admin_queue_atom::value); })
                   : done(method_not_allowed("GET, HEAD"));
      if (parts[2] == "audit")
        return is_get(req)
                   ? with_query(req, done,
                                {"from", "to", "actor", "action", "object", "after", "limit"},
                                [&] { backtest(req, std::move(done), audit_atom::value); })
                   : done(method_not_allowed("GET, HEAD"));
      if (parts[2] == "purge")
        return req.method == "POST"
                   ? with_query(req, done, {"dry_run"},
                                [&] { backtest(req, std::move(done), purge_atom::value); })
                   : done(method_not_allowed("POST"));
    }
    // GET /metrics on the API listener: for keys with metrics:read.
    if (parts.size() == 1 && parts[0] == "metrics")
      return is_get(req) ? with_query(req, done, {},
                                      [&] { backtest(req, std::move(done), scrape_atom::value); })
                         : done(method_not_allowed("GET, HEAD"));
    if (parts.size() == 2 && parts[1] == "me")
      return is_get(req) ? with_query(req, done, {},
                                      [&] { backtest(req, std::move(done), me_atom::value); })
                         : done(method_not_allowed("GET, HEAD"));
    if (parts.size() == 2 && parts[1] == "queue")
      return is_get(req) ? with_query(req, done, {},
                                      [&] { backtest(req, std::move(done), queue_atom::value); })
                         : done(method_not_allowed("GET, HEAD"));
    if (parts.size() == 2 && parts[1] == "strategies")
      return is_get(req) ? with_query(
                 req, done, {}, [&] { backtest(req, std::move(done), strategies_atom::value); })
                         : done(method_not_allowed("GET, HEAD"));
    if (parts.size() == 2 && parts[1] == "regimes") {
      if (!is_get(req))
        return done(method_not_allowed("GET, HEAD"));
      return with_query(req, done, {"symbol", "timeframe"}, [&] {
        call(std::move(done), timeout, regimes_atom::value,
             dataset_query(req, query_value(req, "symbol"), query_value(req, "timeframe")));
      });
    }
    if (parts.size() >= 2 && parts[1] == "market-data") {
      if (parts.size() == 2) {
        if (is_get(req))
          return with_query(req, done, {}, [&] {
            call(std::move(done), timeout, list_atom::value, dataset_query(req, "", ""));
          });
        if (req.method == "POST")
          return with_query(req, done, {"symbol", "timeframe"},
                            [&] { upload(req, std::move(done)); });
        return done(method_not_allowed("GET, HEAD, POST"));
      }
      if (parts.size() == 4) {
        if (is_get(req))
          return with_query(req, done, {}, [&] {
            call(std::move(done), timeout, info_atom::value,
                 dataset_query(req, parts[2], parts[3]));
          });
        if (req.method == "DELETE")
          return with_query(req, done, {}, [&] {
            call(std::move(done), timeout, delete_atom::value,
                 dataset_query(req, parts[2], parts[3]));
          });
        return done(method_not_allowed("GET, HEAD, DELETE"));
      }
      if (parts.size() == 5 && parts[4] == "bars") {
        if (is_get(req))
          return with_query(req, done, {"from", "to", "limit", "format"}, [&] {
            call(std::move(done), timeout, bars_atom::value,
                 dataset_query(req, parts[2], parts[3]));
          });
        return done(method_not_allowed("GET, HEAD"));
      }
    }
    done(error_response(404, "not_found", "no such endpoint: " + req.path));
  }

  /// What an upload can be refused for from its header alone: answered
  /// before the (up to 50 MB) body is read.
  std::optional<response> upload_precheck(const request& req) const {
    if (req.api_key.empty())
      return error_response(401, "unauthorized",
                            "missing API key: send it in the X-API-Key header");
    if (auto refused = unknown_query(req, {"symbol", "timeframe"}))
      return refused;
    const std::string type = media_type(req.content_type);
    if (type != "text/csv" && type != "application/csv" && type != "multipart/form-data")
      return error_response(415, "unsupported_media_type",
                            "send the CSV as text/csv, or as field 'file' of multipart/form-data");
    // gzip, of a CSV body (browsers never compress a form's parts).
    if (!req.content_encoding.empty()
        && (!iequals_ascii(req.content_encoding, "gzip") || type == "multipart/form-data"))
      return error_response(415, "unsupported_media_type",
                            "Content-Encoding: only gzip, of a text/csv upload, is accepted");
    std::vector<error_detail> problems;
    const std::string symbol = query_value(req, "symbol"), tf = query_value(req, "timeframe");
    if (symbol.empty())
      problems.push_back({"symbol", 0, "required query parameter"});
    else if (!valid_symbol(symbol))
      problems.push_back({"symbol", 0, "must match [A-Z0-9._-]{1,16}"});
    if (tf.empty())
      problems.push_back({"timeframe", 0, "required query parameter"});
    else if (!parse_timeframe(tf))
      problems.push_back({"timeframe", 0, "must be one of " + timeframe_names()});
    if (!problems.empty())
      return error_response(422, "unprocessable", "invalid upload target", problems);
    return std::nullopt;
  }
};

api_routes::api_routes(caf::actor_system& sys, std::vector<market_data_actor> workers,
                       std::vector<backtest_api_actor> backtest_workers, const server_config& cfg,
                       std::string openapi, memory_status status_from_memory,
                       std::shared_ptr<progress_hub> hub)
    : impl_(std::make_unique<impl>(sys, std::move(workers), std::move(backtest_workers),
                                   std::move(status_from_memory), std::move(hub), cfg,
                                   std::move(openapi))) {}

progress_hub* api_routes::hub() const {
  return impl_->hub.get();
}

std::optional<api_routes::stream_request>
api_routes::stream_of(const request& req, const std::string& protocols,
                      std::optional<response>& refused) const {
  if (req.method != "GET" || req.malformed_query)
    return std::nullopt;
  const auto parts = split_path(req.path);
  // A program's deployments: /v1/programs/{id}/deployments/{events,progress}.
  const bool deployments =
      parts.size() == 5 && parts[0] == "v1" && parts[1] == "programs" && parts[3] == "deployments";
  if ((parts.size() != 4 && !deployments) || parts[0] != "v1"
      || (parts[1] != "backtest" && parts[1] != "sweeps" && parts[1] != "walk-forwards"
          && !deployments)
      || (parts.back() != "events" && parts.back() != "progress"))
    return std::nullopt;
  stream_request s;
  s.run_id = parts[2];
  s.resource = "/v1/" + parts[1] + "/" + parts[2] + (deployments ? "/deployments" : "");
  s.channel = deployments              ? "program:" + parts[2]
              : parts[1] == "backtest" ? parts[2]
              : parts[1] == "sweeps"   ? "sweep:" + parts[2]
                                       : "walk-forward:" + parts[2];
  s.websocket = parts.back() == "progress";
  if (auto unknown = unknown_query(req, {"api_key"})) {
    refused = std::move(*unknown);
    return std::nullopt;
  }
  s.key = req.api_key;
  if (s.key.empty())
    s.key = query_value(req, "api_key");
  // Sec-WebSocket-Protocol: a comma-separated list; ours is bt-key.<key>.
  std::string_view list = protocols;
  while (s.key.empty() && !list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = trim_blanks(list.substr(0, comma));
    if (item.substr(0, 7) == "bt-key.") {
      s.key = std::string(item.substr(7));
      s.subprotocol = std::string(item);
    }
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return s;
}

api_routes::~api_routes() {
  close(std::chrono::seconds(10));
}

bool api_routes::close(std::chrono::milliseconds timeout) {
  impl_->gate.close();
  std::map<caf::actor_id, caf::actor> ending;
  {
    std::lock_guard<std::mutex> lock(impl_->pending_mutex);
    ending.swap(impl_->pending);
  }
  // Requests still waiting for a worker are ended: their passes return
  // when the actors are gone, and no reply reaches the routes after this.
  for (auto& [id, a] : ending)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  const bool drained = impl_->gate.wait(timeout);
  if (!ending.empty() || !drained)
    log::warn("requests_ended_at_shutdown",
              {{"count", static_cast<std::uint64_t>(ending.size())}, {"drained", drained}});
  return drained;
}

std::optional<response> api_routes::precheck(const request& req) const {
  if (req.malformed_query)
    return error_response(400, "bad_request",
                          "malformed request target (percent-encoding, NUL or invalid UTF-8)");
  if (req.method == "POST" && req.path == "/v1/market-data")
    return impl_->upload_precheck(req);
  return std::nullopt;
}

std::size_t api_routes::body_limit(const std::string& method, const std::string& path) const {
  if (method == "POST" && path == "/v1/market-data")
    return impl_->cfg.max_upload_bytes;
  return impl_->cfg.max_json_bytes;
}

namespace {

bool allowed_origin(const std::vector<std::string>& allowed, const std::string& origin) {
  return !origin.empty() && std::any_of(allowed.begin(), allowed.end(), [&](const std::string& o) {
    return o == "*" || o == origin;
  });
}

// What every answer gets on its way out: a 304 for a GET whose If-None-Match
// names the document's ETag, revalidation for tagged documents (private:
// they are a user's), and the CORS headers for an allowed origin.
void finish(response& r, bool get, const std::string& if_none_match, const std::string& origin) {
  const auto tagged = std::find_if(r.headers.begin(), r.headers.end(),
                                   [](const auto& h) { return h.first == "ETag"; });
  if (tagged != r.headers.end()) {
    // A copy: adding a header below may move the vector's elements.
    const std::string etag = tagged->second;
    r.headers.emplace_back("Cache-Control", "private, no-cache");
    if (get && r.status == 200 && !if_none_match.empty() && etag_matches(if_none_match, etag)) {
      r.status = 304;
      r.body.clear();
    }
  }
  if (!origin.empty()) {
    r.headers.emplace_back("Access-Control-Allow-Origin", origin);
    r.headers.emplace_back("Access-Control-Expose-Headers",
                           "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, "
                           "X-RateLimit-Reset, X-Trace-Id, traceparent");
    r.headers.emplace_back("Vary", "Origin");
  }
}

} // namespace

void api_routes::handle(request req, responder done) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const std::string origin =
      allowed_origin(impl_->cfg.cors_origins, req.origin) ? req.origin : std::string();
  // A CORS preflight is answered here, without a key (browsers send none).
  if (req.method == "OPTIONS" && !req.origin.empty() && !req.preflight_method.empty()) {
    if (origin.empty())
      return done(error_response(403, "forbidden",
                                 "origin " + req.origin
                                     + " may not call this API (--cors-origins allows origins)"));
    response r;
    r.status = 204;
    r.headers = {{"Access-Control-Allow-Methods", "GET, HEAD, POST, DELETE, OPTIONS"},
                 {"Access-Control-Allow-Headers",
                  "X-API-Key, Content-Type, Content-Encoding, Idempotency-Key, If-None-Match, "
                  "Last-Event-ID, traceparent"},
                 {"Access-Control-Max-Age", "600"}};
    finish(r, false, {}, origin);
    return done(std::move(r));
  }
  done = [get, origin, if_none_match = req.if_none_match,
          inner = std::move(done)](response r) mutable {
    finish(r, get, if_none_match, origin);
    inner(std::move(r));
  };
  if (req.malformed_query) {
    done(error_response(400, "bad_request",
                        "malformed request target (percent-encoding, NUL or invalid UTF-8)"));
    return;
  }
  const std::string& p = req.path;
  if (!req.content_encoding.empty() && !(req.method == "POST" && p == "/v1/market-data"))
    return done(error_response(415, "unsupported_media_type",
                               "Content-Encoding is accepted on uploads only (gzip)"));
  if (p.rfind("/v1/", 0) == 0 || p == "/v1" || p == "/metrics")
    return impl_->v1(req, std::move(done));
  if (p == "/healthz")
    return done(get ? json_ok(R"({"status":"ok"})") : method_not_allowed("GET"));
  if (p == "/readyz") {
    if (!get)
      return done(method_not_allowed("GET"));
    return impl_->call(std::move(done), std::chrono::seconds(5), ready_atom::value);
  }
  if (p == "/" || p == "/index.html" || p.rfind("/assets/", 0) == 0) {
    if (!get)
      return done(method_not_allowed("GET"));
    return done(impl_->assets.app(p, req.accept_gzip));
  }
  if (p == "/openapi.json" || p == "/docs" || p == "/docs/" || p.rfind("/docs/", 0) == 0
      || p == "/redoc" || p.rfind("/redoc/", 0) == 0) {
    if (!get)
      return done(method_not_allowed("GET"));
    return done(impl_->assets.get(p, req.accept_gzip));
  }
  done(error_response(404, "not_found", "no such endpoint: " + p));
}

} // namespace bt::http
