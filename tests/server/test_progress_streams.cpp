// Progress streams over real connections: Server-Sent Events (snapshot,
// progress, the terminal event with the final metrics, the end of the
// body; Last-Event-ID resumption after a dropped connection) and the
// WebSocket (Beast's client: the same events, close 1000, cancellation by a
// client message, keys in a header, a query parameter or a subprotocol),
// with another user's run and bad keys refused as the REST API refuses them
// and no key in the log. Runs are slowed by the fault plan (about 1.5 s).

#include "event_stream.hpp"
#include "server_process.hpp"

#include <boost/beast/websocket.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>

using bt::test::read_sse;
using bt::test::server_process;
using bt::test::sse_event;

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

// A WebSocket client connected to the test server, to be upgraded.
struct ws_client {
  boost::asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  explicit ws_client(std::uint16_t port) {
    beast::get_lowest_layer(ws).connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }
  /// The next message as JSON; `ec` set (and null) once the stream ends.
  boost::json::value next(beast::error_code& ec) {
    beast::flat_buffer b;
    ws.read(b, ec);
    return ec ? boost::json::value() : boost::json::parse(beast::buffers_to_string(b.data()));
  }
};

struct stream_server {
  server_process server;
  std::string alice, bob;
  stream_server() {
    alice = server.create_key("alice");
    bob = server.create_key("bob");
    server.start({"--workers", "1"}, {{"BACKTESTD_FAULTS", "slow_ms_per_pct=15"}});
    auto up = server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", alice,
                             bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  }
  std::string submit(int atr_period) {
    return bt::test::run_client{server, alice}.submit(
        R"({"symbol":"GC","timeframe":"1h","start":"2023-01-02T00:00:00Z",)"
        R"("end":"2024-12-31T16:00:00Z","params":{"atr_period":)"
        + std::to_string(atr_period) + "}}");
  }
};

stream_server& shared() {
  static stream_server s;
  return s;
}

std::string str(const boost::json::value& v, const char* key) {
  return std::string(v.at(key).as_string());
}

// Every stream's rules: ids increase by one from the first, progress
// events carry the documented fields and never go backwards.
void check_sequence(const std::vector<sse_event>& events) {
  double last_progress = -1;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    BOOST_TEST(e.data.at("seq").as_int64() == static_cast<std::int64_t>(e.id));
    if (i > 0 && events[i - 1].type != "snapshot")
      BOOST_TEST(e.id == events[i - 1].id + 1, "event " << i);
    if (e.type == "progress") {
      for (const char* k : {"status", "progress", "current_bar_time", "bars_done", "bars_total",
                            "eta_seconds", "trades_so_far", "net_profit_so_far", "open_position"})
        BOOST_TEST(e.data.as_object().contains(k), k);
      BOOST_TEST(e.data.at("bars_total").as_int64() == 12000);
      const double p = e.data.at("progress").to_number<double>();
      BOOST_TEST(p >= last_progress);
      last_progress = p;
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(progress_streams)

BOOST_AUTO_TEST_CASE(sse_streams_a_run_from_snapshot_to_its_metrics) {
  auto& f = shared();
  const std::string id = f.submit(14);
  auto s = read_sse(f.server.port(), "/v1/backtest/" + id + "/events", {{"X-API-Key", f.alice}});
  BOOST_REQUIRE(s.status == 200);
  BOOST_TEST(s.head.find("Content-Type: text/event-stream") != std::string::npos);
  BOOST_TEST(s.ended_by_server); // the body ends after the terminal event
  BOOST_REQUIRE(s.events.size() >= 10u);
  BOOST_TEST(s.events.front().type == "snapshot");
  BOOST_TEST(str(s.events.front().data, "run_id") == id);
  check_sequence(s.events);
  std::size_t progress = 0;
  for (const auto& e : s.events)
    progress += e.type == "progress";
  BOOST_TEST(progress >= 50u); // at least every 1 % of the bars
  const auto& last = s.events.back();
  BOOST_TEST(last.type == "completed");
  BOOST_TEST(str(last.data, "status") == "completed");
  // The terminal event carries the final metrics, as the API serves them.
  auto metrics = f.server.request("GET", "/v1/backtest/" + id + "/metrics", f.alice).json();
  BOOST_TEST(last.data.at("metrics") == metrics);
  // A finished run's stream: its snapshot and its end at once.
  auto again = read_sse(f.server.port(), "/v1/backtest/" + id + "/events?api_key=" + f.alice, {});
  BOOST_REQUIRE(again.events.size() == 2u);
  BOOST_TEST(again.events[0].type == "snapshot");
  BOOST_TEST(again.events[1].type == "completed");
  BOOST_TEST(again.ended_by_server);
}

BOOST_AUTO_TEST_CASE(last_event_id_resumes_with_exactly_the_missed_events) {
  auto& f = shared();
  const std::string id = f.submit(15);
  // Drop the connection after a few events, mid-run.
  auto first = read_sse(f.server.port(), "/v1/backtest/" + id + "/events", {{"X-API-Key", f.alice}},
                        [](const std::vector<sse_event>& e) { return e.size() == 6; });
  BOOST_REQUIRE(first.events.size() == 6u);
  BOOST_TEST(!first.ended_by_server);
  const auto last_seen = first.events.back().id;
  std::this_thread::sleep_for(std::chrono::milliseconds(300)); // events go on meanwhile
  auto resumed = read_sse(f.server.port(), "/v1/backtest/" + id + "/events",
                          {{"X-API-Key", f.alice}, {"Last-Event-ID", std::to_string(last_seen)}});
  BOOST_REQUIRE(!resumed.events.empty());
  BOOST_TEST(resumed.events.front().type != "snapshot"); // nothing to make up for
  BOOST_TEST(resumed.events.front().id == last_seen + 1);
  check_sequence(resumed.events);
  BOOST_TEST(resumed.events.back().type == "completed");
  // Together they are the whole stream, each event once and in order: the
  // same as a full replay from the start of the ring.
  auto replay =
      read_sse(f.server.port(), "/v1/backtest/" + id + "/events",
               {{"X-API-Key", f.alice}, {"Last-Event-ID", std::to_string(first.events[1].id)}});
  BOOST_REQUIRE(replay.events.size() >= resumed.events.size());
  const auto offset = replay.events.size() - resumed.events.size();
  for (std::size_t i = 0; i < resumed.events.size(); ++i) {
    BOOST_TEST(replay.events[offset + i].id == resumed.events[i].id);
    BOOST_TEST(replay.events[offset + i].data == resumed.events[i].data);
  }
  // Events no longer held (an id from the future, as after a restart): a
  // fresh snapshot first.
  auto unknown = read_sse(f.server.port(), "/v1/backtest/" + id + "/events",
                          {{"X-API-Key", f.alice}, {"Last-Event-ID", "999999"}});
  BOOST_REQUIRE(!unknown.events.empty());
  BOOST_TEST(unknown.events.front().type == "snapshot");
}

BOOST_AUTO_TEST_CASE(streams_are_refused_as_the_api_refuses) {
  auto& f = shared();
  const std::string id = f.submit(16);
  auto other = read_sse(f.server.port(), "/v1/backtest/" + id + "/events", {{"X-API-Key", f.bob}});
  BOOST_TEST(other.status == 404);
  BOOST_TEST(other.events.at(0).data.at("error").at("code").as_string() == "not_found");
  auto bad =
      read_sse(f.server.port(), "/v1/backtest/" + id + "/events", {{"X-API-Key", "bt_nope"}});
  BOOST_TEST(bad.status == 401);
  auto none = read_sse(f.server.port(), "/v1/backtest/" + id + "/events", {});
  BOOST_TEST(none.status == 401);
  auto typo = read_sse(f.server.port(), "/v1/backtest/" + id + "/events?apikey=x", {});
  BOOST_TEST(typo.status == 400);
  // The WebSocket endpoint without an upgrade says where SSE is.
  auto plain = f.server.request("GET", "/v1/backtest/" + id + "/progress", f.alice);
  BOOST_TEST(plain.status == 426u);
  // A refused WebSocket upgrade answers the same JSON.
  ws_client c(f.server.port());
  c.ws.set_option(websocket::stream_base::decorator(
      [&](websocket::request_type& r) { r.set("X-API-Key", f.bob); }));
  websocket::response_type res;
  beast::error_code ec;
  c.ws.handshake(res, "127.0.0.1", "/v1/backtest/" + id + "/progress", ec);
  BOOST_TEST((ec == websocket::error::upgrade_declined), ec.message());
  BOOST_TEST(res.result_int() == 404u);
  bt::test::run_client{f.server, f.alice}.wait(id);
}

BOOST_AUTO_TEST_CASE(head_answers_what_a_stream_would_start_with) {
  auto& f = shared();
  const std::string id = f.submit(19);
  auto head = f.server.request("HEAD", "/v1/backtest/" + id + "/events", f.alice);
  BOOST_TEST(head.status == 200u);
  BOOST_TEST(head.headers["Content-Type"] == "text/event-stream");
  BOOST_TEST(head.body.empty());
  BOOST_TEST(f.server.request("HEAD", "/v1/backtest/" + id + "/events", f.bob).status == 404u);
  BOOST_TEST(f.server.request("HEAD", "/v1/backtest/" + id + "/progress", f.alice).status == 426u);
  BOOST_TEST(f.server.request("POST", "/v1/backtest/" + id + "/events", f.alice).status == 405u);
  bt::test::run_client{f.server, f.alice}.wait(id);
}

BOOST_AUTO_TEST_CASE(websocket_streams_the_same_events_and_closes_with_1000) {
  auto& f = shared();
  const std::string id = f.submit(17);
  // The key as a subprotocol, as a browser must send it.
  ws_client c(f.server.port());
  c.ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& r) {
    r.set(beast::http::field::sec_websocket_protocol, "bt-key." + f.alice);
  }));
  websocket::response_type res;
  c.ws.handshake(res, "127.0.0.1", "/v1/backtest/" + id + "/progress");
  BOOST_TEST(res[beast::http::field::sec_websocket_protocol] == "bt-key." + f.alice);
  std::vector<boost::json::value> messages;
  beast::error_code ec;
  for (auto m = c.next(ec); !ec; m = c.next(ec))
    messages.push_back(std::move(m));
  BOOST_TEST((ec == websocket::error::closed), ec.message());
  BOOST_TEST((c.ws.reason().code == websocket::close_code::normal));
  BOOST_REQUIRE(messages.size() >= 10u);
  BOOST_TEST(str(messages.front(), "event") == "snapshot");
  BOOST_TEST(str(messages.back(), "event") == "completed");
  BOOST_TEST(messages.back().as_object().contains("metrics"));
  for (std::size_t i = 2; i < messages.size(); ++i)
    BOOST_TEST(messages[i].at("seq").as_int64() == messages[i - 1].at("seq").as_int64() + 1);
  // The key never reaches the log, however it was sent.
  BOOST_TEST(f.server.log().find(f.alice) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_websocket_client_cancels_the_run) {
  auto& f = shared();
  const std::string id = f.submit(18);
  ws_client c(f.server.port());
  c.ws.handshake("127.0.0.1", "/v1/backtest/" + id + "/progress?api_key=" + f.alice);
  std::vector<std::string> kinds;
  boost::json::value cancel_reply;
  beast::error_code ec;
  // Cancelled while it runs: after its first progress event.
  while (!ec && std::find(kinds.begin(), kinds.end(), "progress") == kinds.end())
    kinds.push_back(str(c.next(ec), "event"));
  c.ws.write(boost::asio::buffer(std::string(R"({"action": "dance"})")));
  c.ws.write(boost::asio::buffer(std::string(R"({"action": "cancel"})")));
  for (auto m = c.next(ec); !ec; m = c.next(ec)) {
    kinds.push_back(str(m, "event"));
    if (kinds.back() == "cancel")
      cancel_reply = m;
  }
  BOOST_TEST((c.ws.reason().code == websocket::close_code::normal));
  BOOST_TEST(std::count(kinds.begin(), kinds.end(), "error") == 1);
  BOOST_REQUIRE(cancel_reply.is_object());
  BOOST_TEST(cancel_reply.at("status").as_int64() == 200);
  // The stream's last event is the cancellation (the reply to the request
  // may come just before or after it).
  kinds.erase(std::remove(kinds.begin(), kinds.end(), "cancel"), kinds.end());
  BOOST_TEST(kinds.back() == "cancelled");
  const bt::test::run_client alice{f.server, f.alice};
  BOOST_TEST(alice.status(id) == "cancelled");
}

BOOST_AUTO_TEST_CASE(a_sweep_streams_the_progress_inside_its_chunks) {
  // Two chunks of 4 configurations, each stretched to about 1.5 s: the
  // sweep's counts move with every configuration, not only per chunk.
  auto& f = shared();
  auto sub = f.server.request(
      "POST", "/v1/sweeps", f.alice,
      R"({"symbol":"GC","timeframe":"1h","strategy":"dual_sma","start":"2023-01-02T00:00:00Z",)"
      R"("end":"2024-12-31T16:00:00Z","space":{"params":{"fast_period":[5,10,15,20,25,30,35,40]}},)"
      R"("chunk_size":4})",
      "application/json");
  BOOST_REQUIRE_MESSAGE(sub.status == 202u, sub.body);
  const std::string id(sub.json().at("sweep_id").as_string());
  auto s = read_sse(f.server.port(), "/v1/sweeps/" + id + "/events", {{"X-API-Key", f.alice}});
  BOOST_REQUIRE(s.status == 200);
  BOOST_TEST(s.events.back().type == "completed");
  // counts.done: stored configurations; counts.running: those the running
  // chunks have done; progress: both, of the total. None goes backwards.
  std::set<std::int64_t> partial; // progress that is not a whole number of chunks
  std::int64_t last_done = -1;
  double last_progress = -1;
  for (const auto& e : s.events) {
    const auto& counts = e.data.at("counts");
    const auto done = counts.at("done").as_int64();
    const auto running =
        counts.as_object().contains("running") ? counts.at("running").as_int64() : 0;
    BOOST_TEST(done >= last_done);
    last_done = done;
    const double progress = e.data.at("progress").to_number<double>();
    BOOST_TEST(progress >= last_progress);
    last_progress = progress;
    if ((done + running) % 4 != 0)
      partial.insert(done + running);
  }
  BOOST_TEST(partial.size() >= 2u);
  BOOST_TEST(last_done == 8);
  BOOST_TEST(last_progress == 100.0);
}

BOOST_AUTO_TEST_CASE(a_subscriber_too_far_behind_is_dropped) {
  // A server that holds at most 16 messages for a subscriber; a client that
  // resumes from the first event of a finished run is 100 behind at once.
  server_process s;
  const std::string key = s.create_key("alice");
  s.start({"--workers", "1", "--stream-buffer-events", "16"},
          {{"BACKTESTD_FAULTS", "slow_ms_per_pct=5"}});
  auto up = s.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", key,
                      bt::test::gc_hourly_csv(), "text/csv");
  BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
  const bt::test::run_client c{s, key};
  const std::string id = c.submit(
      R"({"symbol":"GC","timeframe":"1h","start":"2023-01-02T00:00:00Z","end":"2024-12-31T16:00:00Z"})");
  // A subscriber that keeps up sees the whole run, 100 events and more.
  auto live = read_sse(s.port(), "/v1/backtest/" + id + "/events", {{"X-API-Key", key}});
  BOOST_REQUIRE(live.events.size() > 100u);
  BOOST_TEST(live.events.back().type == "completed");
  // SSE: the body ends early, without the terminal event.
  auto behind = read_sse(s.port(), "/v1/backtest/" + id + "/events",
                         {{"X-API-Key", key}, {"Last-Event-ID", "1"}});
  BOOST_TEST(behind.status == 200);
  BOOST_TEST(behind.ended_by_server);
  BOOST_TEST(behind.events.size() <= 16u);
  BOOST_TEST((behind.events.empty() || behind.events.back().type != "completed"));
  // WebSocket: closed with 1008 (policy) after at most what was in flight.
  ws_client w(s.port());
  w.ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& r) {
    r.set("X-API-Key", key);
    r.set("Last-Event-ID", "1");
  }));
  w.ws.handshake("127.0.0.1", "/v1/backtest/" + id + "/progress");
  beast::error_code ec;
  std::size_t received = 0;
  for (auto m = w.next(ec); !ec; m = w.next(ec))
    ++received;
  BOOST_TEST((ec == websocket::error::closed), ec.message());
  BOOST_TEST((w.ws.reason().code == websocket::close_code::policy_error));
  BOOST_TEST(received <= 16u);
  BOOST_TEST(s.log().find("progress_subscriber_dropped") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
