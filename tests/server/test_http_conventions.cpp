// The HTTP manners clients expect, over real HTTP: strong ETags on completed
// documents with 304 for If-None-Match, HEAD, gzip both ways (answers for
// clients that accept it; gzip uploads, a bomb refused while inflating),
// CORS (preflight without a key, allowed and refused origins, none by
// default), and Swagger UI and ReDoc served from an install tree whatever
// the working directory.

#include "server_process.hpp"

#include "services/gzip.hpp"

#include <boost/test/unit_test.hpp>

using bt::test::http_result;
using bt::test::server_process;

namespace {

const std::string app_origin = "https://app.example.com";

struct conventions_server {
  server_process server;
  std::string alice, bob, run_id;
  conventions_server() {
    alice = server.create_key("alice");
    bob = server.create_key("bob");
    server.start({"--cors-origins", app_origin + ",http://localhost:5173"});
    auto up = server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", alice,
                             bt::test::gc_hourly_csv(), "text/csv");
    BOOST_REQUIRE_MESSAGE(up.status == 201u, up.body);
    run_id = bt::test::run_client{server, alice}.submit(
        R"({"symbol":"GC","timeframe":"1h","start":"2024-01-02T00:00:00Z","end":"2024-12-31T16:00:00Z"})");
    auto done = bt::test::run_client{server, alice}.wait(run_id);
    BOOST_REQUIRE(done.at("status").as_string() == "completed");
  }
};

conventions_server& shared() {
  static conventions_server s;
  return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_conventions)

BOOST_AUTO_TEST_CASE(completed_documents_carry_strong_etags_and_revalidate_to_304) {
  auto& f = shared();
  for (const std::string what : {"metrics", "trades?format=csv", "equity", "zones", "chart"}) {
    const std::string path = "/v1/backtest/" + f.run_id + "/" + what;
    auto first = f.server.request("GET", path, f.alice);
    BOOST_REQUIRE_MESSAGE(first.status == 200u, path << ": " << first.body);
    const std::string etag = first.header("ETag");
    BOOST_TEST(etag.size() == 34u, path << ": " << etag); // "<32 hex digits>"
    BOOST_TEST(etag.front() == '"');
    BOOST_TEST(first.header("Cache-Control") == "private, no-cache");
    // The same document, the same tag (the result never changes).
    BOOST_TEST(f.server.request("GET", path, f.alice).header("ETag") == etag);
    auto cached = f.server.request("GET", path, f.alice, {}, {}, {{"If-None-Match", etag}});
    BOOST_TEST(cached.status == 304u, path);
    BOOST_TEST(cached.body.empty());
    BOOST_TEST(cached.header("ETag") == etag);
    auto listed =
        f.server.request("GET", path, f.alice, {}, {}, {{"If-None-Match", "\"other\", W/" + etag}});
    BOOST_TEST(listed.status == 304u, path);
    auto stale = f.server.request("GET", path, f.alice, {}, {}, {{"If-None-Match", "\"stale\""}});
    BOOST_TEST(stale.status == 200u, path);
    BOOST_TEST(stale.body == first.body);
    // HEAD: the same headers, no body.
    auto head = f.server.request("HEAD", path, f.alice);
    BOOST_TEST(head.status == 200u);
    BOOST_TEST(head.body.empty());
    BOOST_TEST(head.header("ETag") == etag);
    BOOST_TEST(head.header("Content-Length") == std::to_string(first.body.size()));
    // Another user's run is not found, whatever tag is sent.
    auto other = f.server.request("GET", path, f.bob, {}, {}, {{"If-None-Match", etag}});
    BOOST_TEST(other.status == 404u);
  }
  // Different documents, different tags; status documents carry none.
  BOOST_TEST(
      f.server.request("GET", "/v1/backtest/" + f.run_id + "/metrics", f.alice).header("ETag")
      != f.server.request("GET", "/v1/backtest/" + f.run_id + "/zones", f.alice).header("ETag"));
  BOOST_TEST(f.server.request("GET", "/v1/backtest/" + f.run_id, f.alice).header("ETag")
             == "(absent)");
}

BOOST_AUTO_TEST_CASE(answers_are_gzipped_for_clients_that_accept_it) {
  auto& f = shared();
  const std::string path = "/v1/backtest/" + f.run_id + "/trades?format=csv";
  auto plain = f.server.request("GET", path, f.alice);
  BOOST_REQUIRE(plain.status == 200u);
  BOOST_TEST(plain.header("Content-Encoding") == "(absent)");
  BOOST_TEST(plain.header("Vary").find("Accept-Encoding") != std::string::npos);
  auto zipped = f.server.request("GET", path, f.alice, {}, {}, {{"Accept-Encoding", "gzip, br"}});
  BOOST_REQUIRE(zipped.status == 200u);
  BOOST_TEST(zipped.header("Content-Encoding") == "gzip");
  BOOST_TEST(zipped.body.size() < plain.body.size() / 3);
  std::string inflated;
  BOOST_TEST((bt::gzip_inflate(zipped.body, 64u << 20, inflated) == bt::inflate_status::ok));
  BOOST_TEST(inflated == plain.body);
  // Each representation has its own strong ETag, and revalidates as itself.
  const std::string tag = zipped.header("ETag");
  BOOST_TEST(tag != plain.header("ETag"));
  BOOST_TEST(tag.find("-gzip\"") != std::string::npos);
  BOOST_TEST(f.server
                 .request("GET", path, f.alice, {}, {},
                          {{"Accept-Encoding", "gzip"}, {"If-None-Match", tag}})
                 .status
             == 304u);
  // gzip;q=0 is a refusal; small answers are not worth compressing.
  auto refused = f.server.request("GET", path, f.alice, {}, {}, {{"Accept-Encoding", "gzip;q=0"}});
  BOOST_TEST(refused.header("Content-Encoding") == "(absent)");
  auto small = f.server.request("GET", "/healthz", {}, {}, {}, {{"Accept-Encoding", "gzip"}});
  BOOST_TEST(small.header("Content-Encoding") == "(absent)");
  // The market data path and a status read answered from memory too.
  auto bars = f.server.request("GET", "/v1/market-data/GC/1h/bars?format=csv&limit=5000", f.alice,
                               {}, {}, {{"Accept-Encoding", "gzip"}});
  BOOST_TEST(bars.header("Content-Encoding") == "gzip");
  auto status = f.server.request("GET", "/v1/backtest/" + f.run_id, f.alice, {}, {},
                                 {{"Accept-Encoding", "gzip"}});
  BOOST_TEST(status.header("Content-Encoding") == "gzip");
  BOOST_TEST((bt::gzip_inflate(status.body, 1 << 20, inflated) == bt::inflate_status::ok));
  BOOST_TEST(boost::json::parse(inflated).at("run_id").as_string() == f.run_id);
}

BOOST_AUTO_TEST_CASE(gzip_uploads_are_inflated_under_the_upload_limit) {
  auto& f = shared();
  const std::string csv = bt::test::gc_hourly_csv();
  auto plain =
      f.server.request("POST", "/v1/market-data?symbol=SI&timeframe=1h", f.bob, csv, "text/csv");
  BOOST_REQUIRE_MESSAGE(plain.status == 201u, plain.body);
  auto zipped =
      f.server.request("POST", "/v1/market-data?symbol=MGC&timeframe=1h", f.bob,
                       bt::gzip_compress(csv), "text/csv", {{"Content-Encoding", "gzip"}});
  BOOST_REQUIRE_MESSAGE(zipped.status == 201u, zipped.body);
  BOOST_TEST(zipped.json().at("imported") == plain.json().at("imported"));
  // A bomb: 120 KB that would inflate to 100 MB, stopped at the 50 MB limit.
  const std::string bomb = bt::gzip_compress(std::string(100u << 20, '7'), 9);
  BOOST_TEST(bomb.size() < 200'000u);
  const auto t0 = std::chrono::steady_clock::now();
  auto refused = f.server.request("POST", "/v1/market-data?symbol=ES&timeframe=1h", f.bob, bomb,
                                  "text/csv", {{"Content-Encoding", "gzip"}});
  BOOST_TEST(refused.status == 413u, refused.body);
  BOOST_TEST(refused.json().at("error").at("message").as_string().find("inflates past")
             != std::string::npos);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)));
  auto corrupt = f.server.request("POST", "/v1/market-data?symbol=ES&timeframe=1h", f.bob,
                                  "not gzip", "text/csv", {{"Content-Encoding", "gzip"}});
  BOOST_TEST(corrupt.status == 400u);
  // Only gzip, only of a CSV body, only on uploads.
  BOOST_TEST(f.server
                 .request("POST", "/v1/market-data?symbol=ES&timeframe=1h", f.bob, csv, "text/csv",
                          {{"Content-Encoding", "br"}})
                 .status
             == 415u);
  BOOST_TEST(f.server
                 .request("POST", "/v1/market-data?symbol=ES&timeframe=1h", f.bob, csv,
                          "multipart/form-data; boundary=x", {{"Content-Encoding", "gzip"}})
                 .status
             == 415u);
  BOOST_TEST(f.server
                 .request("POST", "/v1/backtest", f.bob, bt::gzip_compress("{}"),
                          "application/json", {{"Content-Encoding", "gzip"}})
                 .status
             == 415u);
  // Nothing was stored for the refused ones.
  BOOST_TEST(f.server.request("GET", "/v1/market-data/ES/1h", f.bob).status == 404u);
}

BOOST_AUTO_TEST_CASE(cors_preflight_needs_no_key_and_only_allowed_origins_pass) {
  auto& f = shared();
  const std::string path = "/v1/backtest/" + f.run_id + "/metrics";
  auto pre = f.server.request("OPTIONS", path, {}, {}, {},
                              {{"Origin", app_origin},
                               {"Access-Control-Request-Method", "GET"},
                               {"Access-Control-Request-Headers", "x-api-key"}});
  BOOST_TEST(pre.status == 204u, pre.body);
  BOOST_TEST(pre.header("Access-Control-Allow-Origin") == app_origin);
  BOOST_TEST(pre.header("Access-Control-Allow-Methods").find("POST") != std::string::npos);
  BOOST_TEST(pre.header("Access-Control-Allow-Headers").find("X-API-Key") != std::string::npos);
  BOOST_TEST(pre.header("Access-Control-Allow-Headers").find("traceparent") != std::string::npos);
  BOOST_TEST(pre.header("Access-Control-Max-Age") == "600");
  BOOST_TEST(pre.header("Vary") == "Origin");
  auto refused = f.server.request(
      "OPTIONS", path, {}, {}, {},
      {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "GET"}});
  BOOST_TEST(refused.status == 403u);
  BOOST_TEST(refused.header("Access-Control-Allow-Origin") == "(absent)");
  BOOST_TEST(refused.json().at("error").at("code").as_string() == "forbidden");
  // Actual requests: the allowed origin is echoed with the headers a page
  // may read; another origin gets an answer but no CORS headers.
  auto get = f.server.request("GET", path, f.alice, {}, {}, {{"Origin", "http://localhost:5173"}});
  BOOST_TEST(get.status == 200u);
  BOOST_TEST(get.header("Access-Control-Allow-Origin") == "http://localhost:5173");
  BOOST_TEST(get.header("Access-Control-Expose-Headers").find("ETag") != std::string::npos);
  // A browser page reads the request's trace id (to quote it to support).
  BOOST_TEST(get.header("Access-Control-Expose-Headers").find("X-Trace-Id") != std::string::npos);
  BOOST_TEST(get.header("X-Trace-Id").size() == 32u);
  auto foreign = f.server.request("GET", path, f.alice, {}, {}, {{"Origin", "https://x.example"}});
  BOOST_TEST(foreign.status == 200u);
  BOOST_TEST(foreign.header("Access-Control-Allow-Origin") == "(absent)");
  // Errors carry them too, so a page can read why.
  auto unauthorized = f.server.request("GET", path, {}, {}, {}, {{"Origin", app_origin}});
  BOOST_TEST(unauthorized.status == 401u);
  BOOST_TEST(unauthorized.header("Access-Control-Allow-Origin") == app_origin);
}

BOOST_AUTO_TEST_CASE(no_origin_is_allowed_by_default) {
  server_process plain;
  plain.start();
  auto pre = plain.request("OPTIONS", "/v1/strategies", {}, {}, {},
                           {{"Origin", app_origin}, {"Access-Control-Request-Method", "GET"}});
  BOOST_TEST(pre.status == 403u);
  BOOST_TEST(pre.header("Access-Control-Allow-Origin") == "(absent)");
}

BOOST_AUTO_TEST_CASE(swagger_ui_and_redoc_are_served_from_an_install_tree) {
  const auto prefix =
      std::filesystem::temp_directory_path() / ("bt_install_" + std::to_string(::getpid()));
  std::filesystem::remove_all(prefix);
  auto [code, out] = bt::test::run_command("cmake --install " BACKTESTD_BUILD_DIR " --prefix "
                                           + prefix.string() + " 2>&1");
  BOOST_REQUIRE_MESSAGE(code == 0, out);
  server_process installed;
  // From the root directory: nothing may be found relative to the source tree.
  installed.use_binary((prefix / "bin" / "backtestd").string(), "/");
  installed.start();
  for (const auto& [path, type] : std::vector<std::pair<std::string, std::string>>{
           {"/docs", "text/html"},
           {"/docs/swagger-ui-bundle.js", "application/javascript"},
           {"/redoc", "text/html"},
           {"/redoc/redoc.standalone.js", "application/javascript"},
           {"/openapi.json", "application/json"}}) {
    auto r = installed.request("GET", path);
    BOOST_TEST(r.status == 200u, path << ": " << r.body.substr(0, 300));
    BOOST_TEST(r.header("Content-Type").rfind(type, 0) == 0u, path);
  }
  // The bundles are gzipped once at start-up for browsers, which accept it.
  auto bundle = installed.request("GET", "/redoc/redoc.standalone.js", {}, {}, {},
                                  {{"Accept-Encoding", "gzip"}});
  BOOST_TEST(bundle.header("Content-Encoding") == "gzip");
  std::string js;
  BOOST_TEST((bt::gzip_inflate(bundle.body, 64u << 20, js) == bt::inflate_status::ok));
  BOOST_TEST(js == installed.request("GET", "/redoc/redoc.standalone.js").body);
  const auto page = installed.request("GET", "/redoc").body;
  BOOST_TEST(page.find("spec-url=\"/openapi.json\"") != std::string::npos);
  BOOST_TEST(page.find("/redoc/redoc.standalone.js") != std::string::npos);
  BOOST_TEST(page.find("http") == std::string::npos); // no CDN: every asset is ours
  BOOST_TEST(installed.request("GET", "/redoc/other.js").status == 404u);
  // The browser application: its page revalidates, its hashed bundles are
  // cached for a year (gzipped for browsers), every one of them ours.
  auto app = installed.request("GET", "/");
  BOOST_TEST_REQUIRE(app.status == 200u, app.body.substr(0, 300));
  BOOST_TEST(app.header("Content-Type").rfind("text/html", 0) == 0u);
  BOOST_TEST(app.header("Cache-Control") == "no-cache");
  BOOST_TEST(app.body.find("id=\"app\"") != std::string::npos);
  BOOST_TEST(app.body.find("http") == std::string::npos); // no CDN
  const auto at = app.body.find("/assets/index-");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  const std::string script = app.body.substr(at, app.body.find('"', at) - at);
  auto bundle_js = installed.request("GET", script, {}, {}, {}, {{"Accept-Encoding", "gzip"}});
  BOOST_TEST(bundle_js.status == 200u, script);
  BOOST_TEST(bundle_js.header("Content-Type").rfind("application/javascript", 0) == 0u);
  BOOST_TEST(bundle_js.header("Cache-Control") == "public, max-age=31536000, immutable");
  BOOST_TEST(bundle_js.header("Content-Encoding") == "gzip");
  BOOST_TEST(installed.request("GET", "/assets/nothing.js").status == 404u);
  BOOST_TEST(installed.request("POST", "/").status == 405u);
  installed.stop();
  std::filesystem::remove_all(prefix);
}

BOOST_AUTO_TEST_SUITE_END()
