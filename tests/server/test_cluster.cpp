// Worker nodes over the CAF middleman: a server without local workers and
// two node processes on loopback.

#include "event_stream.hpp"
#include "otlp_receiver.hpp"
#include "server_process.hpp"

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using bt::test::server_process;

namespace {

std::string body(int atr) {
  return R"({"symbol":"GC","timeframe":"1h","start":"2023-01-02T00:00:00Z","end":"2024-12-31T16:00:00Z","params":{"atr_period":)"
         + std::to_string(atr) + "}}";
}

/// A `backtestd worker` process.
struct node_process {
  pid_t pid = -1;
  node_process(const std::string& node_id, std::uint16_t port, const std::string& token_file,
               const std::map<std::string, std::string>& env = {},
               std::vector<std::string> extra = {}) {
    std::vector<std::string> args{BACKTESTD_BINARY,
                                  "worker",
                                  "--join",
                                  "127.0.0.1:" + std::to_string(port),
                                  "--workers",
                                  "1",
                                  "--cluster-token-file",
                                  token_file,
                                  "--node-id",
                                  node_id};
    args.insert(args.end(), extra.begin(), extra.end());
    pid = bt::test::spawn_logged(std::move(args), env, token_file + "." + node_id + ".log");
  }
  int stop(int sig) {
    if (pid <= 0)
      return -1;
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~node_process() { stop(SIGKILL); }
};

struct cluster_fixture {
  server_process s;
  std::uint16_t cluster_port = bt::test::free_port();
  std::string token_file, key, admin;
  explicit cluster_fixture(std::vector<std::string> extra = {},
                           const std::map<std::string, std::string>& env = {}) {
    token_file = s.data_dir() + ".token";
    std::ofstream(token_file) << "a-cluster-token-of-at-least-16-characters\n";
    key = s.create_key("trader");
    admin = s.create_key("ops", "admin");
    std::vector<std::string> args{"--workers",
                                  "0",
                                  "--cluster-listen",
                                  "127.0.0.1:" + std::to_string(cluster_port),
                                  "--cluster-token-file",
                                  token_file};
    args.insert(args.end(), extra.begin(), extra.end());
    s.start(args, env);
    auto up = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key,
                        bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  }
  ~cluster_fixture() { std::filesystem::remove(token_file); }
  boost::json::value nodes() { return s.request("GET", "/v1/admin/cluster", admin).json(); }
  std::string node_status(const std::string& id) {
    const auto listing = nodes();
    for (const auto& n : listing.at("nodes").as_array())
      if (n.at("node_id").as_string() == id)
        return std::string(n.at("status").as_string());
    return "absent";
  }
  /// Whether the audit log gets an entry of `action` on `object` within 5 s.
  bool audited(const std::string& action, const std::string& object) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (s.sql("SELECT count(*) FROM audit_log WHERE action = '" + action + "' AND object = '"
                + object + "' AND actor = 'system'")
          != "0")
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  bool wait_node(const std::string& id, const std::string& status, double seconds = 30) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (node_status(id) == status)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::string submit(int atr) { return bt::test::run_client{s, key}.submit(body(atr)); }
  boost::json::value run(const std::string& id) { return bt::test::run_client{s, key}.run(id); }
  boost::json::value wait(const std::string& id, const std::set<std::string>& states,
                          double seconds = 60) {
    return bt::test::run_client{s, key}.wait(id, states, seconds);
  }
};

const std::set<std::string> finished{"completed", "failed", "cancelled"};

} // namespace

BOOST_AUTO_TEST_SUITE(cluster)

BOOST_AUTO_TEST_CASE(twenty_runs_spread_over_two_nodes) {
  cluster_fixture f;
  node_process a("node-a", f.cluster_port, f.token_file), b("node-b", f.cluster_port, f.token_file);
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  BOOST_REQUIRE(f.wait_node("node-b", "up"));
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i)
    ids.push_back(f.submit(10 + i));
  std::set<std::string> nodes;
  for (const auto& id : ids) {
    auto r = f.wait(id, finished);
    BOOST_REQUIRE_MESSAGE(r.at("status").as_string() == "completed", boost::json::serialize(r));
    const std::string worker(r.at("worker_id").as_string());
    nodes.insert(worker.substr(0, worker.find('/')));
  }
  BOOST_TEST((nodes == std::set<std::string>{"node-a", "node-b"}));
  // A remote run gives the same results as a local one would.
  auto m = f.s.request("GET", "/v1/backtest/" + ids[4] + "/metrics", f.key).json();
  BOOST_TEST(m.at("total_trades").to_number<int>() > 0);
  BOOST_TEST(f.s.request("GET", "/v1/admin/cluster", f.key).status == 403u); // cluster:read
}

BOOST_AUTO_TEST_CASE(a_run_on_a_node_streams_its_progress) {
  // The node's reports (every 250 ms) reach the stream through the gateway
  // and the queue manager, with the money fields exact.
  cluster_fixture f;
  node_process a("node-a", f.cluster_port, f.token_file,
                 {{"BACKTESTD_FAULTS", "slow_ms_per_pct=15"}});
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  const std::string id = f.submit(14);
  auto s = bt::test::read_sse(f.s.port(), "/v1/backtest/" + id + "/events", {{"X-API-Key", f.key}});
  BOOST_REQUIRE(s.status == 200);
  BOOST_TEST(s.ended_by_server);
  BOOST_REQUIRE(s.events.size() >= 4u);
  BOOST_TEST(s.events.front().type == "snapshot");
  BOOST_TEST(s.events.back().type == "completed");
  BOOST_TEST(s.events.back().data.at("worker_id").as_string() == "node-a/worker-1");
  int progress = 0;
  for (const auto& e : s.events)
    if (e.type == "progress") {
      ++progress;
      BOOST_TEST(e.data.at("bars_total").as_int64() == 12000);
      BOOST_TEST(e.data.at("bars_done").as_int64() > 0);
      BOOST_TEST(e.data.at("net_profit_so_far").is_number());
    }
  BOOST_TEST(progress >= 3); // 1.5 s at most every 250 ms
}

BOOST_AUTO_TEST_CASE(a_killed_node_loses_nothing_and_a_restarted_node_rejoins) {
  cluster_fixture f;
  const std::map<std::string, std::string> slow{
      {"BACKTESTD_FAULTS", "slow_ms_per_pct=20"}}; // ~2 s per run
  auto a = std::make_unique<node_process>("node-a", f.cluster_port, f.token_file, slow);
  node_process b("node-b", f.cluster_port, f.token_file, slow);
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  BOOST_REQUIRE(f.wait_node("node-b", "up"));
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(f.submit(30 + i));
  // Kill node-a while it runs something.
  std::string victim;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (victim.empty() && std::chrono::steady_clock::now() < deadline) {
    for (const auto& id : ids) {
      auto r = f.run(id);
      if (r.at("status").as_string() == "running" && r.at("worker_id").is_string()
          && std::string(r.at("worker_id").as_string()).rfind("node-a/", 0) == 0)
        victim = id;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_REQUIRE(!victim.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  a->stop(SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  BOOST_TEST(f.wait_node("node-a", "lost", 5));
  BOOST_TEST(std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count()
             < 2.0);
  for (const auto& id : ids) {
    auto r = f.wait(id, finished, 90);
    BOOST_TEST(r.at("status").as_string() == "completed", id);
    // Exactly one result set per run.
    BOOST_TEST(f.s.sql("SELECT count(*) FROM run_equity WHERE run_id = '" + id + "'") == "1");
  }
  // Membership is audited (written by the queue clerk, a moment later).
  BOOST_TEST(f.audited("node.joined", "node:node-a"));
  BOOST_TEST(f.audited("node.lost", "node:node-a"));
  auto v = f.run(victim);
  BOOST_TEST(v.at("attempts").to_number<int>() == 2);
  BOOST_TEST(std::string(v.at("worker_id").as_string()).rfind("node-b/", 0) == 0u);

  // node-a comes back, registers again, and takes work while node-b is gone.
  a = std::make_unique<node_process>("node-a", f.cluster_port, f.token_file);
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  b.stop(SIGKILL);
  BOOST_TEST(f.wait_node("node-b", "lost", 5));
  const std::string later = f.submit(40);
  auto r = f.wait(later, finished);
  BOOST_TEST(r.at("status").as_string() == "completed");
  BOOST_TEST(std::string(r.at("worker_id").as_string()).rfind("node-a/", 0) == 0u);
}

namespace {

// An OTLP span's attribute, as text (intValue is a string in OTLP's JSON).
std::string attribute(const boost::json::object& span, const std::string& key) {
  for (const auto& a : span.at("attributes").as_array())
    if (a.at("key").as_string() == key) {
      const auto& v = a.at("value").as_object();
      return std::string(v.contains("stringValue") ? v.at("stringValue").as_string()
                                                   : v.at("intValue").as_string());
    }
  return "";
}

std::string text_of(const boost::json::object& span, const char* key) {
  return span.contains(key) ? std::string(span.at(key).as_string()) : std::string();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_run_retried_on_another_node_forms_one_trace) {
  bt::test::otlp_receiver otlp;
  cluster_fixture f({"--otlp-endpoint", otlp.url()});
  const std::vector<std::string> export_spans{"--otlp-endpoint", otlp.url()};
  // The run starts on node-a (alone, slow), which dies mid-run; node-b
  // takes attempt 2.
  auto a = std::make_unique<node_process>(
      "node-a", f.cluster_port, f.token_file,
      std::map<std::string, std::string>{{"BACKTESTD_FAULTS", "slow_ms_per_pct=30"}}, export_spans);
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  const std::string trace = "0af7651916cd43dd8448eb211c80319c", caller = "b7ad6b7169203331";
  auto sub = f.s.request("POST", "/v1/backtest", f.key, body(23), "application/json",
                         {{"traceparent", "00-" + trace + "-" + caller + "-01"}});
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  BOOST_TEST(sub.headers["X-Trace-Id"] == trace);
  const std::string id(sub.json().at("run_id").as_string());
  f.wait(id, {"running"}, 20);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  node_process b("node-b", f.cluster_port, f.token_file, {}, export_spans);
  BOOST_REQUIRE(f.wait_node("node-b", "up"));
  a->stop(SIGKILL);
  auto done = f.wait(id, finished, 90);
  BOOST_REQUIRE(done.at("status").as_string() == "completed");
  BOOST_TEST(done.at("attempts").to_number<int>() == 2);

  // Every span of the trace arrives (the node's and the server's exporters
  // send within a second).
  std::vector<boost::json::object> spans;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  auto named = [&](const std::string& name) {
    std::vector<boost::json::object> out;
    for (const auto& s : spans)
      if (text_of(s, "name") == name)
        out.push_back(s);
    return out;
  };
  while (std::chrono::steady_clock::now() < until) {
    spans.clear();
    for (auto& s : otlp.spans())
      if (text_of(s, "traceId") == trace)
        spans.push_back(std::move(s));
    if (named("attempt").size() == 2 && named("engine run").size() == 1
        && named("store result").size() == 1)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto http = named("POST /v1/backtest");
  BOOST_REQUIRE_EQUAL(http.size(), 1u);
  BOOST_TEST(text_of(http[0], "parentSpanId") == caller);
  BOOST_TEST(http[0].at("kind").to_number<int>() == 2);
  BOOST_TEST(attribute(http[0], "http.status_code") == "202");
  auto submit = named("submit backtest");
  BOOST_REQUIRE_EQUAL(submit.size(), 1u);
  const std::string submit_span = text_of(submit[0], "spanId");
  BOOST_TEST(text_of(submit[0], "parentSpanId") == text_of(http[0], "spanId"));
  BOOST_TEST(attribute(submit[0], "run_id") == id);
  BOOST_TEST(attribute(submit[0], "strategy_id").rfind("supply_demand_zones@", 0) == 0u);
  BOOST_TEST(!attribute(submit[0], "user_id").empty());
  auto waits = named("queue wait");
  BOOST_TEST(waits.size() == 2u);
  for (const auto& w : waits)
    BOOST_TEST(text_of(w, "parentSpanId") == submit_span);
  auto attempts = named("attempt");
  BOOST_REQUIRE_EQUAL(attempts.size(), 2u);
  std::sort(attempts.begin(), attempts.end(), [](const auto& x, const auto& y) {
    return attribute(x, "attempt") < attribute(y, "attempt");
  });
  BOOST_TEST(attribute(attempts[0], "attempt") == "1");
  BOOST_TEST(attribute(attempts[0], "worker_id").rfind("node-a/", 0) == 0u);
  BOOST_TEST(attempts[0].at("status").at("code").to_number<int>() == 2); // the node was lost
  BOOST_TEST(attribute(attempts[1], "attempt") == "2");
  BOOST_TEST(attribute(attempts[1], "worker_id").rfind("node-b/", 0) == 0u);
  BOOST_TEST(attribute(attempts[1], "result") == "completed");
  for (const auto& at : attempts) {
    BOOST_TEST(text_of(at, "parentSpanId") == submit_span);
    BOOST_TEST(attribute(at, "run_id") == id);
    BOOST_TEST(text_of(at, "service") == "backtestd");
  }
  const std::string second = text_of(attempts[1], "spanId");
  auto engine = named("engine run");
  BOOST_REQUIRE_EQUAL(engine.size(), 1u);
  BOOST_TEST(text_of(engine[0], "service") == "backtestd-worker"); // exported by node-b
  BOOST_TEST(text_of(engine[0], "parentSpanId") == second);
  BOOST_TEST(attribute(engine[0], "attempt") == "2");
  BOOST_TEST(attribute(engine[0], "run_id") == id);
  auto store = named("store result");
  BOOST_REQUIRE_EQUAL(store.size(), 1u);
  BOOST_TEST(text_of(store[0], "parentSpanId") == second);
  BOOST_TEST(text_of(store[0], "service") == "backtestd");
}

BOOST_AUTO_TEST_CASE(a_sweep_over_two_nodes_survives_one_killed_with_every_configuration_once) {
  cluster_fixture f;
  node_process b("node-b", f.cluster_port, f.token_file);
  // node-a's chunks take about a second: the kill lands inside one.
  auto a = std::make_unique<node_process>(
      "node-a", f.cluster_port, f.token_file,
      std::map<std::string, std::string>{{"BACKTESTD_FAULTS", "slow_ms_per_pct=10"}});
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  BOOST_REQUIRE(f.wait_node("node-b", "up"));
  const std::string spec = R"({"symbol": "GC", "strategy": "supply_demand_zones",
      "start": "2023-01-02T00:00:00Z", "end": "2024-12-31T16:00:00Z",
      "space": {"method": "random", "samples": 1200, "seed": 11,
                "params": {"atr_period": {}, "stop_atr_mult": {"min": 0.5, "max": 3}}}})";
  auto sub =
      f.s.request("POST", "/v1/sweeps", f.key,
                  spec.substr(0, spec.size() - 1) + R"(, "chunk_size": 40})", "application/json");
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id(sub.json().at("sweep_id").as_string());
  // Kill node-a while it runs one of the sweep's chunks.
  const std::string running_on_a = "SELECT count(*) FROM runs WHERE sweep_id = '" + id
                                   + "' AND status = 'running' AND worker_id LIKE 'node-a/%'";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (f.s.sql(running_on_a) == "0" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  BOOST_REQUIRE(f.s.sql(running_on_a) != "0");
  a->stop(SIGKILL);
  BOOST_TEST(f.wait_node("node-a", "lost", 5));
  boost::json::value doc;
  for (int i = 0; i < 1800; ++i) {
    doc = f.s.request("GET", "/v1/sweeps/" + id, f.key).json();
    if (doc.at("status").as_string() != "queued" && doc.at("status").as_string() != "running")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_REQUIRE_MESSAGE(doc.at("status").as_string() == "completed", boost::json::serialize(doc));
  // Every configuration exactly once, and the killed chunk ran again.
  BOOST_TEST(doc.at("counts").at("done").as_int64() == 1200);
  BOOST_TEST(f.s.sql("SELECT count(DISTINCT config_index) FROM sweep_results WHERE sweep_id = '"
                     + id + "'")
             == "1200");
  BOOST_TEST(f.s.sql("SELECT count(*) FROM runs WHERE sweep_id = '" + id + "' AND attempts > 1")
             != "0");
  // And the results are those of `backtestd sweep` on the same bars.
  const std::string dir = f.s.data_dir() + "/cli-sweep";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/gc.csv") << bt::test::gc_hourly_csv();
  std::ofstream(dir + "/spec.json") << spec;
  std::string err;
  auto [code, out] = bt::test::run_command(std::string(BACKTESTD_BINARY) + " sweep --data " + dir
                                               + "/gc.csv --spec " + dir + "/spec.json",
                                           &err);
  BOOST_REQUIRE_MESSAGE(code == 0, err);
  const auto cli = boost::json::parse(out);
  const auto& expected = cli.at("results").as_array();
  std::size_t same = 0;
  for (int offset = 0; offset < 1200; offset += 1000) {
    const auto page =
        f.s.request("GET",
                    "/v1/sweeps/" + id + "/results?limit=1000&offset=" + std::to_string(offset),
                    f.key)
            .json();
    for (const auto& r : page.at("results").as_array())
      same +=
          boost::json::serialize(r)
          == boost::json::serialize(expected[static_cast<std::size_t>(r.at("index").as_int64())]);
  }
  BOOST_TEST(same == 1200u);
  // A walk-forward runs on the node that is left, as one queue item.
  auto wf = f.s.request("POST", "/v1/walk-forwards", f.key, R"({"symbol": "GC",
      "strategy": "dual_sma", "start": "2023-01-02T00:00:00Z", "end": "2024-12-31T16:00:00Z",
      "space": {"params": {"fast_period": [5, 10], "slow_period": [30, 60]}},
      "windows": {"train": 3000, "test": 1500}})",
                        "application/json");
  BOOST_REQUIRE_MESSAGE(wf.status == 202u, wf.body);
  const std::string wf_id(wf.json().at("walk_forward_id").as_string());
  boost::json::value wf_doc;
  for (int i = 0; i < 1200; ++i) {
    wf_doc = f.s.request("GET", "/v1/walk-forwards/" + wf_id, f.key).json();
    const auto status = std::string(wf_doc.at("status").as_string());
    if (status != "queued" && status != "running")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_REQUIRE_MESSAGE(wf_doc.at("status").as_string() == "completed",
                        boost::json::serialize(wf_doc));
  BOOST_TEST(wf_doc.at("result").at("folds").as_array().size() == 6u);
  BOOST_TEST(f.s.sql("SELECT worker_id FROM runs WHERE walk_forward_id = '" + wf_id + "'")
                 .rfind("node-b/", 0)
             == 0u);
}

BOOST_AUTO_TEST_CASE(a_hung_node_is_lost_after_ten_seconds_of_silence) {
  cluster_fixture f;
  const std::map<std::string, std::string> slow{{"BACKTESTD_FAULTS", "slow_ms_per_pct=20"}};
  node_process a("node-a", f.cluster_port, f.token_file, slow),
      b("node-b", f.cluster_port, f.token_file, slow);
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  BOOST_REQUIRE(f.wait_node("node-b", "up"));
  const std::string first = f.submit(50), second = f.submit(51);
  f.wait(first, {"running"});
  f.wait(second, {"running"});
  ::kill(a.pid, SIGSTOP); // connected but silent
  const auto stopped_at = std::chrono::steady_clock::now();
  BOOST_TEST(f.wait_node("node-a", "lost", 20));
  const double after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped_at).count();
  BOOST_TEST(after >= 9.0);
  BOOST_TEST(after < 13.0);
  for (const auto& id : {first, second}) {
    auto r = f.wait(id, finished, 60);
    BOOST_TEST(r.at("status").as_string() == "completed");
    BOOST_TEST(std::string(r.at("worker_id").as_string()).rfind("node-b/", 0) == 0u);
    BOOST_TEST(f.s.sql("SELECT count(*) FROM run_equity WHERE run_id = '" + id + "'") == "1");
  }
  ::kill(a.pid, SIGCONT);
}

BOOST_AUTO_TEST_CASE(a_node_with_a_wrong_token_is_rejected) {
  cluster_fixture f;
  const std::string bad = f.token_file + ".bad";
  std::ofstream(bad) << "not-the-cluster-token-at-all\n";
  std::string err;
  // `timeout`: a node that did not exit would hang the suite, not fail it.
  auto [code, out] = bt::test::run_command(
      "timeout 60 " + std::string(BACKTESTD_BINARY) + " worker --join 127.0.0.1:"
          + std::to_string(f.cluster_port) + " --cluster-token-file " + bad + " --node-id intruder",
      &err);
  BOOST_TEST(code == 1); // rejected, and exited at once (124: it hung)
  BOOST_TEST(err.find("join_rejected") != std::string::npos, err);
  BOOST_TEST(f.s.log().find("\"node_rejected\"") != std::string::npos);
  BOOST_TEST(f.audited("node.rejected", "node:intruder"));
  BOOST_TEST(f.node_status("intruder") == "absent");
  std::filesystem::remove(bad);
}

BOOST_AUTO_TEST_CASE(nodes_can_join_over_tls) {
  const std::string dir = bt::test::server_process().data_dir() + "_tls";
  std::filesystem::create_directories(dir);
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  auto [made, out] =
      bt::test::run_command("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out "
                            + cert + " -days 2 -subj /CN=backtestd-cluster");
  BOOST_REQUIRE(made == 0);
  const std::vector<std::string> tls{"--cluster-tls-cert", cert, "--cluster-tls-key", key,
                                     "--cluster-tls-ca",   cert};
  cluster_fixture f(tls);
  node_process secure("node-tls", f.cluster_port, f.token_file, {}, tls);
  BOOST_REQUIRE(f.wait_node("node-tls", "up"));
  auto r = f.wait(f.submit(12), finished);
  BOOST_TEST(r.at("status").as_string() == "completed");
  BOOST_TEST(std::string(r.at("worker_id").as_string()).rfind("node-tls/", 0) == 0u);
  // A node without TLS cannot even reach the gateway.
  std::string err;
  auto [code, o2] =
      bt::test::run_command("timeout 3 " + std::string(BACKTESTD_BINARY)
                                + " worker --join 127.0.0.1:" + std::to_string(f.cluster_port)
                                + " --cluster-token-file " + f.token_file + " --node-id plain",
                            &err);
  BOOST_TEST(code != 0);
  BOOST_TEST(f.node_status("plain") == "absent");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(the_gateway_trusts_only_what_it_dispatched) {
  // One local worker, slowed to ~3 s a run, and an open cluster port.
  server_process s;
  const std::string token_file = s.data_dir() + ".token";
  std::ofstream(token_file) << "a-cluster-token-of-at-least-16-characters\n";
  const std::string key = s.create_key("trader");
  const std::uint16_t port = bt::test::free_port();
  s.start({"--workers", "1", "--cluster-listen", "127.0.0.1:" + std::to_string(port),
           "--cluster-token-file", token_file},
          {{"BACKTESTD_FAULTS", "slow_ms_per_pct=30"}});
  BOOST_REQUIRE(s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key,
                          bt::test::gc_hourly_csv(), "text/csv")
                    .status
                == 201u);
  bt::test::run_client client{s, key};
  const std::string id = client.submit(body(14));
  auto running = client.wait(id, {"running"}, 20);
  BOOST_REQUIRE(running.at("status").as_string() == "running");
  const std::string attempt = std::to_string(running.at("attempts").to_number<int>());
  // Forged messages: from a peer that never joined, and from one that
  // joined (it knows the token) but was never given this attempt.
  for (const char* mode : {"anonymous", "joined"}) {
    auto [code, out] =
        bt::test::run_command(std::string(ROGUE_NODE_BINARY) + " " + std::to_string(port) + " "
                              + token_file + " " + mode + " " + id + " " + attempt);
    BOOST_TEST(code == 0, mode << ": " << out);
  }
  // The live attempt is untouched: still running, still reporting, and
  // still reachable by cancellation... (checked by letting it finish).
  auto now = client.run(id);
  BOOST_TEST(now.at("status").as_string() == "running", boost::json::serialize(now));
  BOOST_TEST(now.as_object().contains("current_bar_time"));
  BOOST_TEST(now.at("progress").to_number<double>() < 99.0);
  auto done = client.wait(id, finished, 60);
  BOOST_REQUIRE(done.at("status").as_string() == "completed");
  // The real results, not the forged "0 trades".
  BOOST_TEST(done.at("metrics").at("total_trades").to_number<int>() > 0);
  BOOST_TEST(done.at("worker_id").as_string().find("local/") == 0u);
  const std::string log = s.log();
  BOOST_TEST(log.find("\"cluster_message_rejected\"") != std::string::npos);
  BOOST_TEST(log.find("sender did not join") != std::string::npos);
  BOOST_TEST(log.find("\"result_ignored\"") != std::string::npos);
  std::filesystem::remove(token_file);
}

BOOST_AUTO_TEST_CASE(heartbeats_keep_their_beat_while_a_big_result_is_stored) {
  // Storing a node's result is the clerk's work; the queue manager keeps
  // taking heartbeats meanwhile. The store is slowed to 4 s on purpose.
  cluster_fixture f({}, {{"BACKTESTD_FAULTS", "store_delay_ms=4000"}});
  bt::synthetic_spec spec;
  spec.symbol = "BTCUSD"; // 24/7: two years of 15-minute bars, ~25,000 dual-SMA trades
  spec.timeframe = bt::timeframe::m15;
  spec.bars = 70'000;
  spec.seed = 11;
  spec.start = 1'609'459'200; // 2021-01-01
  const bt::bar_series bars = bt::generate_bars(spec);
  BOOST_REQUIRE(f.s.request("POST", "/v1/market-data?symbol=BTCUSD&timeframe=15m", f.key,
                            bt::to_csv(bars), "text/csv")
                    .status
                == 201u);
  node_process a("node-a", f.cluster_port, f.token_file);
  BOOST_REQUIRE(f.wait_node("node-a", "up"));
  const std::string id = bt::test::run_client{f.s, f.key}.submit(
      "{\"symbol\":\"BTCUSD\",\"timeframe\":\"15m\",\"start\":\""
      + bt::format_timestamp(bars.times()[0]) + "\",\"end\":\""
      + bt::format_timestamp(bars.times()[bars.size() - 1])
      + "\",\"strategy\":\"dual_sma\",\"params\":{\"fast_period\":2,\"slow_period\":3}}");
  std::int64_t worst_lag = 0;
  int polls = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (f.run(id).at("status").as_string() != "completed"
         && std::chrono::steady_clock::now() < deadline) {
    const auto listing = f.nodes();
    for (const auto& n : listing.at("nodes").as_array())
      if (n.at("node_id").as_string() == "node-a") {
        bt::unix_time beat = 0;
        bt::parse_timestamp(std::string(n.at("last_heartbeat").as_string()), beat);
        worst_lag = std::max<std::int64_t>(worst_lag, std::time(nullptr) - beat);
      }
    ++polls;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  auto done = f.run(id);
  BOOST_REQUIRE(done.at("status").as_string() == "completed");
  BOOST_TEST(done.at("metrics").at("total_trades").to_number<int>() >= 10'000);
  BOOST_TEST(polls >= 20); // the 4 s store was watched
  // Heartbeats come every second; a manager blocked by the store would
  // have let the last one age past 4 s.
  BOOST_TEST(worst_lag <= 3, "last heartbeat lagged " << worst_lag << " s");
  BOOST_TEST_MESSAGE("trades " << done.at("metrics").at("total_trades").to_number<int>()
                               << ", polls " << polls << ", worst heartbeat age " << worst_lag
                               << " s");
  BOOST_TEST(f.node_status("node-a") == "up");
}

BOOST_AUTO_TEST_SUITE_END()
