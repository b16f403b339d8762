// Operations and governance over real HTTP and the command line: every
// role against every endpoint (the matrix generated from the permission
// table), the OpenAPI document annotated from the same table, Prometheus
// metrics that move with a real run (and pass promtool), the audit log
// (an entry for every state-changing action, in its transaction, with the
// request's trace id; a hash chain that verifies; UPDATE, DELETE and
// TRUNCATE refused; a tampered row found), and the retention purge under a
// moved clock (BACKTESTD_NOW) removing exactly what the policy says.

#include "server_process.hpp"

#include "services/permissions.hpp"

#include <boost/test/unit_test.hpp>

#include <ctime>
#include <filesystem>
#include <thread>

using bt::test::http_result;
using bt::test::server_process;

namespace {

const char* run_body =
    R"({"strategy":"dual_sma","symbol":"GC","timeframe":"1h","start":"2024-01-02T00:00:00Z","end":"2024-06-28"})";

std::string sweep_body() {
  return R"({"symbol": "GC", "timeframe": "1h", "strategy": "dual_sma",
     "start": "2024-01-02T00:00:00Z", "end": "2024-06-28",
     "space": {"method": "grid", "params": {"fast_period": [5, 10], "slow_period": [20, 30]}}})";
}

std::string walk_forward_body() {
  return R"({"symbol": "GC", "strategy": "dual_sma", "start": "2023-01-02T00:00:00Z",
     "end": "2024-12-31T16:00:00Z",
     "space": {"params": {"fast_period": [5, 10], "slow_period": [30, 60]}},
     "windows": {"train": 1500, "test": 500}})";
}

struct governance_server {
  server_process s;
  std::map<std::string, std::string> key; ///< by role
  std::uint16_t metrics_port = bt::test::free_port();
  governance_server() {
    for (const auto& role : bt::role_names())
      key[role] = s.create_key(role + "-user", role);
    s.start({"--workers", "1", "--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port),
             "--purge-interval-seconds", "0"});
    for (const char* role : {"trader", "admin"}) {
      auto r = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key[role],
                         bt::test::gc_hourly_csv(), "text/csv");
      BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
    }
  }
  http_result as(const std::string& role, const std::string& method, const std::string& target,
                 const std::string& body = {}, const std::string& type = "application/json") {
    return s.request(method, target, key[role], body, body.empty() ? std::string() : type);
  }
  /// GET /metrics on the scrape listener (no key).
  std::string scrape() {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), metrics_port});
    http::request<http::empty_body> req{http::verb::get, "/metrics", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    BOOST_REQUIRE(res.result_int() == 200);
    return res.body();
  }
  /// The audit entries of `action` (the auditor's view).
  boost::json::array audited(const std::string& action, const std::string& extra = "") {
    auto r = as("auditor", "GET", "/v1/admin/audit?limit=1000&action=" + action + extra);
    BOOST_REQUIRE_MESSAGE(r.status == 200u, r.body);
    return r.json().at("entries").as_array();
  }
  std::string wait_status(const std::string& role, const std::string& path,
                          const std::set<std::string>& states) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (;;) {
      auto r = as(role, "GET", path);
      const std::string status(r.json().at("status").as_string());
      if (states.count(status) || std::chrono::steady_clock::now() > until)
        return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

governance_server& shared() {
  static governance_server g;
  return g;
}

// The value of one series in a scrape (0 when absent).
double series(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + " ", 0) == 0)
      return std::stod(line.substr(name.size() + 1));
  return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(governance)

BOOST_AUTO_TEST_CASE(every_role_against_every_endpoint) {
  auto& g = shared();
  const std::string absent = "00000000-0000-4000-8000-000000000000";
  int checked = 0;
  for (const auto& e : bt::endpoint_permissions()) {
    std::string path = e.path;
    for (const auto& [name, value] :
         std::vector<std::pair<std::string, std::string>>{{"{id}", absent},
                                                          {"{symbol}", "ZZ"},
                                                          {"{timeframe}", "1h"},
                                                          {"{n}", "1"},
                                                          {"{deployment}", absent},
                                                          {"{replay}", absent},
                                                          {"{date}", "2024-01-02"}})
      if (auto at = path.find(name); at != std::string::npos)
        path.replace(at, name.size(), value);
    const bool upload = std::string(e.method) == "POST" && path == "/v1/market-data";
    for (const auto& role : bt::role_names()) {
      const std::string target = upload ? path + "?symbol=ZZ&timeframe=1h" : path;
      const std::string body = std::string(e.method) != "POST" ? ""
                               : upload                        ? "timestamp,open\n"
                                                               : "{}";
      // A WebSocket endpoint is asked as a WebSocket (a plain GET is a 426
      // whoever asks: the request's form, not the action).
      std::map<std::string, std::string> upgrade;
      if (path.size() > 9 && path.compare(path.size() - 9, 9, "/progress") == 0)
        upgrade = {{"Connection", "Upgrade"},
                   {"Upgrade", "websocket"},
                   {"Sec-WebSocket-Version", "13"},
                   {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
      auto r = g.s.request(e.method, target, g.key[role], body,
                           body.empty() ? std::string()
                           : upload     ? std::string("text/csv")
                                        : std::string("application/json"),
                           upgrade);
      const std::string label = role + " " + e.method + " " + e.path + " -> "
                                + std::to_string(r.status) + " " + r.body.substr(0, 200);
      if (bt::role_has(role, e.needs)) {
        BOOST_TEST((r.status != 403u && r.status != 401u && r.status < 500u), label);
      } else {
        BOOST_TEST(r.status == 403u, label);
        if (r.status == 403u) {
          const auto v = r.json();
          BOOST_TEST(v.at("error").at("code").as_string() == "forbidden", label);
          BOOST_TEST(std::string(v.at("error").at("details").at(0).at("reason").as_string())
                             .find(std::string("missing: ") + bt::permission_name(e.needs))
                         == 0u,
                     label);
        }
      }
      ++checked;
    }
  }
  BOOST_TEST(checked == static_cast<int>(bt::endpoint_permissions().size() * 5));
}

BOOST_AUTO_TEST_CASE(openapi_names_every_operations_permission_from_the_table) {
  auto& g = shared();
  auto doc = g.s.request("GET", "/openapi.json").json();
  const auto& paths = doc.at("paths").as_object();
  for (const auto& e : bt::endpoint_permissions()) {
    std::string method = e.method;
    for (auto& ch : method)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    BOOST_REQUIRE_MESSAGE(paths.contains(e.path), e.path);
    const auto& ops = paths.at(e.path).as_object();
    BOOST_REQUIRE_MESSAGE(ops.contains(method), method << " " << e.path);
    BOOST_TEST(ops.at(method).at("x-permission").as_string() == bt::permission_name(e.needs),
               method << " " << e.path);
  }
}

BOOST_AUTO_TEST_CASE(an_admin_reads_other_users_runs_but_never_changes_them) {
  auto& g = shared();
  auto sub = g.as("trader", "POST", "/v1/backtest", run_body);
  BOOST_REQUIRE_MESSAGE(sub.status == 202u || sub.status == 200u, sub.body);
  const std::string id(sub.json().at("run_id").as_string());
  BOOST_TEST(g.wait_status("trader", "/v1/backtest/" + id, {"completed"}) == "completed");
  BOOST_TEST(g.as("admin", "GET", "/v1/backtest/" + id).status == 200u);
  BOOST_TEST(g.as("admin", "GET", "/v1/backtest/" + id + "/metrics").status == 200u);
  BOOST_TEST(g.as("admin", "DELETE", "/v1/backtest/" + id).status == 404u);
  BOOST_TEST(g.as("admin", "POST", "/v1/backtest/" + id + "/cancel").status == 404u);
  // Another trader-like role still sees nothing of it (404, not 403).
  BOOST_TEST(g.as("analyst", "GET", "/v1/backtest/" + id).status == 404u);
  BOOST_TEST(g.as("viewer", "GET", "/v1/backtest/" + id).status == 404u);
  BOOST_TEST(g.as("trader", "GET", "/v1/backtest/" + id).status == 200u);
}

BOOST_AUTO_TEST_CASE(metrics_move_with_a_real_run_and_pass_promtool) {
  auto& g = shared();
  const std::string strategy = R"(kind="backtest",strategy="dual_sma@1.0.0"})";
  const std::string before = g.scrape();
  const std::string body =
      R"({"strategy":"dual_sma","symbol":"GC","timeframe":"1h","start":"2024-01-02T00:00:00Z","end":"2024-05-28","params":{"fast_period":7}})";
  auto sub = g.as("trader", "POST", "/v1/backtest", body);
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id(sub.json().at("run_id").as_string());
  BOOST_TEST(g.wait_status("trader", "/v1/backtest/" + id, {"completed"}) == "completed");
  const std::string after = g.scrape();
  for (const char* event : {"submitted", "completed"}) {
    const std::string name =
        std::string("backtestd_runs_total{event=\"") + event + "\"," + strategy;
    BOOST_TEST(series(after, name) == series(before, name) + 1, name);
  }
  const std::string durations =
      R"(backtestd_run_duration_seconds_count{kind="backtest",strategy="dual_sma@1.0.0"})";
  BOOST_TEST(series(after, durations) == series(before, durations) + 1);
  const std::string waits = R"(backtestd_queue_wait_seconds_count{kind="backtest"})";
  BOOST_TEST(series(after, waits) == series(before, waits) + 1);
  const std::string posts =
      R"(backtestd_http_requests_total{method="POST",route="/v1/backtest",status="202"})";
  BOOST_TEST(series(after, posts) >= series(before, posts) + 1);
  BOOST_TEST(series(after, R"(backtestd_workers_up{where="local"})") == 1);
  BOOST_TEST(after.find("backtestd_upload_rows_total") != std::string::npos);
  BOOST_TEST(series(after, "backtestd_upload_rows_total") > 0);
  // promtool reads it as Prometheus would.
  const std::string file = g.s.data_dir() + "/scrape.txt";
  std::ofstream(file) << after;
  auto [code, out] = bt::test::run_command("promtool check metrics < " + file + " 2>&1");
  BOOST_TEST(code == 0, out);
  // On the API listener: admins (metrics:read) only.
  auto admin = g.as("admin", "GET", "/metrics");
  BOOST_TEST(admin.status == 200u);
  BOOST_TEST(admin.headers["Content-Type"].find("text/plain; version=0.0.4") == 0u);
  BOOST_TEST(admin.body.find("backtestd_runs_total") != std::string::npos);
  BOOST_TEST(g.as("trader", "GET", "/metrics").status == 403u);
  BOOST_TEST(g.s.request("GET", "/metrics").status == 401u);
}

BOOST_AUTO_TEST_CASE(every_state_change_is_audited_with_its_actor_and_trace) {
  auto& g = shared();
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  // A run, submitted with a caller's traceparent, cancelled, deleted.
  auto sub = g.s.request(
      "POST", "/v1/backtest", g.key["analyst"],
      R"({"strategy":"dual_sma","symbol":"GC","timeframe":"1h","start":"2024-01-02T00:00:00Z","end":"2024-06-28"})",
      "application/json", {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}});
  BOOST_TEST(sub.status == 422u); // the analyst has no GC data: refused, not audited
  auto up = g.s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", g.key["trader"],
                        bt::test::gc_hourly_csv(), "text/csv",
                        {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}});
  BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  BOOST_TEST(up.headers["X-Trace-Id"] == trace);
  BOOST_TEST(up.headers["traceparent"].find("00-" + trace + "-") == 0u);
  auto run = g.as(
      "trader", "POST", "/v1/backtest",
      R"({"strategy":"dual_sma","symbol":"GC","timeframe":"1h","start":"2024-01-02T00:00:00Z","end":"2024-06-28","params":{"fast_period":9}})");
  BOOST_REQUIRE_MESSAGE(run.status == 202u, run.body);
  const std::string run_id(run.json().at("run_id").as_string());
  const std::string run_trace = run.headers["X-Trace-Id"];
  g.as("trader", "POST", "/v1/backtest/" + run_id + "/cancel");
  g.wait_status("trader", "/v1/backtest/" + run_id, {"completed", "cancelled"});
  BOOST_TEST(g.as("trader", "DELETE", "/v1/backtest/" + run_id).status == 204u);
  // A sweep and a walk-forward, cancelled (if still active) and deleted.
  auto through_its_life = [&](const std::string& collection, const std::string& body,
                              const char* id_key) {
    auto sub = g.as("trader", "POST", collection, body);
    BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
    const std::string id(sub.json().at(id_key).as_string());
    g.as("trader", "POST", collection + "/" + id + "/cancel");
    g.wait_status("trader", collection + "/" + id, {"completed", "cancelled", "failed"});
    BOOST_TEST(g.as("trader", "DELETE", collection + "/" + id).status == 204u);
    return id;
  };
  const std::string sweep_id = through_its_life("/v1/sweeps", sweep_body(), "sweep_id");
  const std::string wf_id =
      through_its_life("/v1/walk-forwards", walk_forward_body(), "walk_forward_id");
  // Market data deleted; keys changed at the command line.
  g.as("trader", "POST", "/v1/market-data?symbol=SI&timeframe=1h", bt::test::gc_hourly_csv(),
       "text/csv");
  BOOST_TEST(g.as("trader", "DELETE", "/v1/market-data/SI/1h").status == 204u);
  const std::string spare = g.s.create_key("spare", "viewer", "free");
  const std::string spare_id = g.s.sql("SELECT max(id) FROM api_keys");
  for (const std::string& args : {"set-tier " + spare_id + " pro",
                                  "set-role " + spare_id + " analyst", "revoke " + spare_id}) {
    auto [code, out] = bt::test::run_command(std::string(BACKTESTD_BINARY) + " keys " + args
                                             + " --data-dir " + g.s.data_dir());
    BOOST_TEST(code == 0, args);
  }

  const std::string trader_id = g.s.sql("SELECT id FROM users WHERE name = 'trader-user'");
  // Each action has its entry, by its actor, on its object.
  const std::vector<std::pair<std::string, std::string>> expected{
      {"market_data.uploaded", "dataset:GC/1h"},
      {"market_data.deleted", "dataset:SI/1h"},
      {"run.submitted", "run:" + run_id},
      {"run.deleted", "run:" + run_id},
      {"sweep.submitted", "sweep:" + sweep_id},
      {"sweep.deleted", "sweep:" + sweep_id},
      {"walk_forward.submitted", "walk-forward:" + wf_id},
      {"walk_forward.deleted", "walk-forward:" + wf_id}};
  for (const auto& [action, object] : expected) {
    auto entries = g.audited(action, "&object=" + object);
    BOOST_TEST_REQUIRE(!entries.empty(), action << " " << object);
    const auto& e = entries.back().as_object();
    BOOST_TEST(e.at("actor").as_string() == "trader-user", action);
    BOOST_TEST(std::to_string(e.at("actor_user_id").to_number<std::int64_t>()) == trader_id);
    BOOST_TEST(e.at("actor_key_id").is_int64(), action);
  }
  // Cancellation is audited when something was cancelled (the run may have
  // completed first; a sweep's chunks or the walk-forward were queued).
  BOOST_TEST(g.audited("sweep.cancelled", "&object=sweep:" + sweep_id).size()
                 + g.audited("walk_forward.cancelled", "&object=walk-forward:" + wf_id).size()
             >= 1u);
  // The trace: the caller's for the upload, the server's own for the run.
  BOOST_TEST(
      g.audited("market_data.uploaded", "&actor=trader-user").back().at("trace_id").as_string()
      != "");
  bool caller_trace = false;
  for (const auto& e : g.audited("market_data.uploaded"))
    caller_trace |= e.at("trace_id").as_string() == trace;
  BOOST_TEST(caller_trace);
  BOOST_TEST(g.audited("run.submitted", "&object=run:" + run_id).back().at("trace_id").as_string()
             == run_trace);
  // So do the request's log lines.
  {
    std::istringstream lines(g.s.log());
    std::string line;
    bool logged = false;
    while (std::getline(lines, line))
      logged |= line.find("\"run_submitted\"") != std::string::npos
                && line.find("\"trace_id\":\"" + run_trace + "\"") != std::string::npos;
    BOOST_TEST(logged);
  }
  for (const char* action :
       {"key.created", "key.tier_changed", "key.role_changed", "key.revoked"}) {
    auto entries = g.audited(action, "&object=key:" + spare_id);
    BOOST_TEST_REQUIRE(entries.size() == 1u, action);
    BOOST_TEST(entries[0].at("actor").as_string() == "system");
  }
  // Filters and pages: the auditor pages through everything in order.
  std::int64_t after = 0, seen = 0, last = 0;
  for (;;) {
    auto page = g.as("auditor", "GET", "/v1/admin/audit?limit=7&after=" + std::to_string(after));
    BOOST_REQUIRE(page.status == 200u);
    auto v = page.json();
    for (const auto& e : v.at("entries").as_array()) {
      BOOST_TEST(e.at("seq").to_number<std::int64_t>() == last + 1); // no gaps
      last = e.at("seq").to_number<std::int64_t>();
      ++seen;
    }
    if (v.at("next_after").is_null())
      break;
    after = v.at("next_after").to_number<std::int64_t>();
  }
  BOOST_TEST(std::to_string(seen) == g.s.sql("SELECT count(*) FROM audit_log"));
  // A date alone as `to` is its whole day: today's entries are all there.
  {
    const std::time_t now = std::time(nullptr);
    char today[16];
    std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&now));
    auto page = g.as("auditor", "GET",
                     std::string("/v1/admin/audit?limit=1000&from=2000-01-01&to=") + today);
    BOOST_REQUIRE(page.status == 200u);
    BOOST_TEST(std::to_string(page.json().at("entries").as_array().size())
               == std::to_string(std::min<std::int64_t>(seen, 1000)));
    auto before = g.as("auditor", "GET", "/v1/admin/audit?to=2000-01-01");
    BOOST_TEST(before.json().at("entries").as_array().empty());
  }
  auto bad = g.as("auditor", "GET", "/v1/admin/audit?limit=5000&from=yesterday");
  BOOST_TEST(bad.status == 400u);
  BOOST_TEST(bad.body.find("\"limit\"") != std::string::npos);
  BOOST_TEST(bad.body.find("\"from\"") != std::string::npos);
  // The chain verifies.
  auto [code, out] = bt::test::run_command(std::string(BACKTESTD_BINARY)
                                           + " audit verify --data-dir " + g.s.data_dir());
  BOOST_TEST(code == 0, out);
  BOOST_TEST(out.find("audit log intact: " + std::to_string(seen) + " entries") == 0u, out);
}

BOOST_AUTO_TEST_CASE(the_servers_database_role_cannot_change_or_remove_audit_entries) {
  auto& g = shared();
  const std::string count = g.s.sql("SELECT count(*) FROM audit_log");
  for (const char* statement : {"UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
                                "DELETE FROM audit_log WHERE seq = 1", "TRUNCATE audit_log"}) {
    std::string err;
    auto [code, out] = bt::test::run_command(
        "psql \"" + g.s.conninfo() + "\" -v ON_ERROR_STOP=1 -tAc \"" + statement + "\"", &err);
    BOOST_TEST(code != 0, statement);
    BOOST_TEST(err.find("append-only") != std::string::npos, statement << ": " << err);
  }
  BOOST_TEST(g.s.sql("SELECT count(*) FROM audit_log") == count);
  BOOST_TEST(g.s.sql("SELECT actor FROM audit_log WHERE seq = 1") != "mallory");
}

namespace {

std::string purge_cli(server_process& s, const std::string& args, std::int64_t days_ahead) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::string err;
  auto [code, out] = bt::test::run_command(
      "BACKTESTD_NOW=" + std::to_string(now + days_ahead * 86'400) + " "
          + std::string(BACKTESTD_BINARY) + " purge " + args + " --data-dir " + s.data_dir(),
      &err);
  BOOST_REQUIRE_MESSAGE(code == 0, err);
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_purge_removes_exactly_what_the_policy_says_and_nothing_active_needs) {
  server_process s;
  const std::string pat = s.create_key("pat"), quinn = s.create_key("quinn");
  const std::string admin = s.create_key("root", "admin");
  s.start({"--workers", "1", "--purge-interval-seconds", "0"});
  for (const auto& [key, symbol] :
       std::vector<std::pair<std::string, std::string>>{{pat, "GC"}, {pat, "SI"}, {quinn, "GC"}}) {
    auto r = s.request("POST", "/v1/market-data?symbol=" + symbol + "&timeframe=1h", key,
                       bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  }
  bt::test::run_client runs{s, pat};
  std::vector<std::string> finished;
  for (int fast : {5, 6, 7}) {
    finished.push_back(runs.submit(
        R"({"strategy":"dual_sma","symbol":"GC","timeframe":"1h","start":"2024-01-02T00:00:00Z","end":"2024-06-28","params":{"fast_period":)"
        + std::to_string(fast) + "}}"));
    BOOST_REQUIRE(runs.wait(finished.back()).at("status").as_string() == "completed");
  }
  // Without workers, quinn's run stays queued: active, with its GC data.
  s.stop();
  s.start({"--workers", "0", "--purge-interval-seconds", "0"});
  bt::test::run_client queued{s, quinn};
  const std::string active = queued.submit(run_body);
  // The operators' queue: quinn's run first in line, with its owner.
  auto overview = s.request("GET", "/v1/admin/queue", admin);
  BOOST_REQUIRE_MESSAGE(overview.status == 200u, overview.body);
  const auto doc = overview.json();
  const auto& line = doc.at("queued").as_array();
  BOOST_REQUIRE_MESSAGE(line.size() == 1u, overview.body);
  BOOST_TEST(line[0].at("run_id").as_string() == active);
  BOOST_TEST(line[0].at("user").as_string() == "quinn");
  BOOST_TEST(line[0].at("position").to_number<int>() == 1);
  BOOST_TEST(doc.at("running").as_array().empty());
  BOOST_TEST(s.request("GET", "/v1/admin/queue?limit=0", admin).status == 400u);

  // The newest finished run of each user is kept (--keep-runs-per-user 1).
  BOOST_TEST(purge_cli(s, "--dry-run --keep-runs-per-user 1", 0).find("would remove: runs 2, ")
             == 0u);
  BOOST_TEST(purge_cli(s, "--keep-runs-per-user 1", 0).find("removed: runs 2, ") == 0u);
  BOOST_TEST(runs.s.request("GET", "/v1/backtest/" + finished[0], pat).status == 404u);
  BOOST_TEST(runs.s.request("GET", "/v1/backtest/" + finished[1], pat).status == 404u);
  BOOST_TEST(runs.s.request("GET", "/v1/backtest/" + finished[2], pat).status == 200u);
  // 20 days on nothing has expired; the API's dry run agrees (the server's clock).
  BOOST_TEST(
      purge_cli(s, "--dry-run", 20)
          .find("would remove: runs 0, sweeps 0, walk-forwards 0, datasets 0, audit entries 0")
      == 0u);
  auto api = s.request("POST", "/v1/admin/purge?dry_run=true", admin);
  BOOST_REQUIRE_MESSAGE(api.status == 200u, api.body);
  BOOST_TEST(api.json().at("would_remove").at("runs").to_number<int>() == 0);
  BOOST_TEST(s.request("POST", "/v1/admin/purge?dry_run=maybe", admin).status == 400u);
  BOOST_TEST(s.request("POST", "/v1/admin/purge", pat).status == 403u);
  // 91 days on: the finished run and pat's two datasets (30 days after
  // their last upload) go; quinn's GC stays while its queued run needs it.
  BOOST_TEST(purge_cli(s, "--dry-run", 91)
                 .find("would remove: runs 1, sweeps 0, walk-forwards 0, "
                       "datasets 2, audit entries 0")
             == 0u);
  // The server's own purge, every second here, on a moved clock.
  s.stop();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  s.start({"--workers", "0", "--purge-interval-seconds", "1"},
          {{"BACKTESTD_NOW", std::to_string(now + 91 * 86'400)}});
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (s.sql("SELECT count(*) FROM audit_log WHERE action = 'retention.purged' AND "
               "(details::jsonb->>'datasets')::int = 2")
             == "0"
         && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  BOOST_TEST(s.request("GET", "/v1/backtest/" + finished[2], pat).status == 404u);
  BOOST_TEST(s.request("GET", "/v1/market-data/GC/1h", pat).status == 404u);
  BOOST_TEST(s.request("GET", "/v1/market-data/SI/1h", pat).status == 404u);
  BOOST_TEST(s.request("GET", "/v1/market-data/GC/1h", quinn).status == 200u);
  BOOST_TEST(queued.status(active) == "queued");
  const std::string purged =
      s.sql("SELECT details FROM audit_log WHERE action = 'retention.purged' AND "
            "(details::jsonb->>'datasets')::int = 2");
  BOOST_TEST(purged.find(R"("runs":1,"sweeps":0,"walk_forwards":0,"datasets":2,"audit_entries":0)")
                 == 1u,
             purged);
  s.stop();
  s.start({"--workers", "0", "--purge-interval-seconds", "0"});

  // Six years on, the five-year-old audit entries go behind a signed
  // checkpoint, and the chain still verifies from there.
  const std::string entries = s.sql("SELECT count(*) FROM audit_log");
  BOOST_TEST(purge_cli(s, "", 6 * 366).find("audit entries " + entries + " ") != std::string::npos);
  BOOST_TEST(s.sql("SELECT removed FROM audit_checkpoints") == entries);
  {
    // The checkpoint cannot be changed or removed either.
    std::string err;
    auto [refused, ignored] = bt::test::run_command(
        "psql \"" + s.conninfo() + "\" -tAc \"DELETE FROM audit_checkpoints\"", &err);
    BOOST_TEST(refused != 0);
    BOOST_TEST(err.find("append-only") != std::string::npos, err);
  }
  BOOST_TEST(s.sql("SELECT count(*) FROM audit_log") == "1"); // that purge's own entry
  BOOST_TEST(queued.status(active) == "queued");
  auto [code, out] = bt::test::run_command(std::string(BACKTESTD_BINARY)
                                           + " audit verify --data-dir " + s.data_dir());
  BOOST_TEST(code == 0, out);
  BOOST_TEST(out.find("audit log intact: 1 entries") == 0u, out);

  // Cancellations of what is queued (no workers here), each audited once.
  auto sweep = s.request("POST", "/v1/sweeps", quinn, sweep_body(), "application/json");
  BOOST_REQUIRE_MESSAGE(sweep.status == 202u, sweep.body);
  const std::string sweep_id(sweep.json().at("sweep_id").as_string());
  BOOST_TEST(s.request("POST", "/v1/sweeps/" + sweep_id + "/cancel", quinn).status == 200u);
  auto wf = s.request("POST", "/v1/walk-forwards", quinn, walk_forward_body(), "application/json");
  BOOST_REQUIRE_MESSAGE(wf.status == 202u, wf.body);
  const std::string wf_id(wf.json().at("walk_forward_id").as_string());
  BOOST_TEST(s.request("POST", "/v1/walk-forwards/" + wf_id + "/cancel", quinn).status == 200u);
  BOOST_TEST(s.request("DELETE", "/v1/backtest/" + active, quinn).status == 204u); // cancels it
  for (const auto& [action, object] : std::vector<std::pair<std::string, std::string>>{
           {"sweep.cancelled", "sweep:" + sweep_id},
           {"walk_forward.cancelled", "walk-forward:" + wf_id},
           {"run.cancelled", "run:" + active}})
    BOOST_TEST(s.sql("SELECT count(*) FROM audit_log WHERE action = '" + action + "' AND object = '"
                     + object + "' AND actor = 'quinn'")
                   == "1",
               action);

  // A row changed behind the trigger's back (its owner can disable it) is
  // found: verify names the entry and fails.
  s.sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; UPDATE audit_log SET "
        "actor = 'mallory' WHERE seq = (SELECT max(seq) - 1 FROM audit_log); ALTER TABLE audit_log "
        "ENABLE TRIGGER audit_log_append_only");
  const std::string tampered = s.sql("SELECT max(seq) - 1 FROM audit_log");
  auto [bad, report] = bt::test::run_command(std::string(BACKTESTD_BINARY)
                                             + " audit verify --data-dir " + s.data_dir());
  BOOST_TEST(bad == 1);
  BOOST_TEST(report.find("audit log BROKEN at entry " + tampered + ":") == 0u, report);

  // Without the server's key, verify says so and makes none.
  const std::string key = s.data_dir() + "/audit.key";
  std::filesystem::rename(key, key + ".aside");
  std::string said;
  auto [keyless, nothing] = bt::test::run_command(
      std::string(BACKTESTD_BINARY) + " audit verify --data-dir " + s.data_dir(), &said);
  BOOST_TEST(keyless == 1);
  BOOST_TEST(said.find("no audit key at " + key) != std::string::npos, said);
  BOOST_TEST(!std::filesystem::exists(key));
  std::filesystem::rename(key + ".aside", key);
}

BOOST_AUTO_TEST_SUITE_END()
