// Hostile and malformed HTTP on the real server: every answer is a JSON
// error with the right status, never a crash, a silent close or a 500.

#include "server_process.hpp"

#include "domain/report/json_writer.hpp"

#include <boost/test/unit_test.hpp>

using bt::test::http_result;
using bt::test::server_process;

namespace {

struct hardened_server {
  server_process server;
  std::string trader, admin;
  hardened_server() {
    trader = server.create_key("tess");
    admin = server.create_key("root", "admin");
    server.start();
  }
};

hardened_server& shared() {
  static hardened_server s;
  return s;
}

// The body is a JSON error document, valid UTF-8, with this status.
void require_json_error(const http_result& r, unsigned status) {
  BOOST_TEST_REQUIRE(r.status == status, "status " << r.status << ": " << r.body);
  BOOST_REQUIRE_MESSAGE(bt::is_valid_utf8(r.body), "not UTF-8: " << r.body);
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "not JSON: " << r.body);
  BOOST_REQUIRE(v.as_object().at("error").is_object());
}

std::string detail_fields(const http_result& r) {
  std::string out;
  const boost::json::value doc = r.json(); // kept: the loop walks into it
  for (const auto& d : doc.at("error").at("details").as_array())
    if (d.as_object().contains("field"))
      out += std::string(d.at("field").as_string()) + ",";
  return out;
}

const std::string csv = "timestamp,open,high,low,close,volume\n2024-01-02T13:00:00Z,1,2,1,1,1\n";

} // namespace

BOOST_AUTO_TEST_SUITE(http_hardening)

BOOST_AUTO_TEST_CASE(non_utf8_and_nul_in_the_target_are_400) {
  auto& f = shared();
  require_json_error(f.server.request("GET", "/v1/market-data/%ff/1h", f.trader), 400);
  require_json_error(f.server.request("GET", "/v1/market-data/GC/1h/bars?from=%c3%28", f.trader),
                     400);
  // Was: the NUL truncated the value and GC's runs were listed.
  require_json_error(f.server.request("GET", "/v1/backtest?symbol=GC%00", f.trader), 400);
  require_json_error(f.server.request("GET", "/v1/market-data/GC%00/1h", f.trader), 400);
  // Well-formed UTF-8 is fine (and simply not found).
  require_json_error(f.server.request("GET", "/v1/market-data/%C3%A9/1h", f.trader), 404);
}

BOOST_AUTO_TEST_CASE(error_bodies_stay_valid_utf8_json_when_the_input_is_not) {
  auto& f = shared();
  std::string bad = "timestamp,open,high,low,close,volume\n";
  bad += "\xff\xfe";
  bad += std::string(1, '\0');
  bad += "x,1,2,1,1,1\n";
  auto r =
      f.server.request("POST", "/v1/market-data?symbol=GC&timeframe=1h", f.trader, bad, "text/csv");
  require_json_error(r, 422);
  BOOST_TEST(r.body.find("\\ufffd") != std::string::npos, r.body);
}

BOOST_AUTO_TEST_CASE(media_types_are_compared_exactly) {
  auto& f = shared();
  for (const char* type : {"text/csvx", "text/csv-but-not-really", "application/csvfoo", "textcsv"})
    require_json_error(
        f.server.request("POST", "/v1/market-data?symbol=MT&timeframe=1h", f.trader, csv, type),
        415);
  BOOST_TEST(f.server
                 .request("POST", "/v1/market-data?symbol=MT&timeframe=1h", f.trader, csv,
                          "Text/CSV ; charset=utf-8")
                 .status
             == 201u);
  require_json_error(f.server.request("POST", "/v1/backtest", f.trader, "{}", "application/jsonx"),
                     415);
  require_json_error(
      f.server.request("POST", "/v1/backtest", f.trader, "{}", "application/json-seq"), 415);
  BOOST_TEST(
      f.server.request("POST", "/v1/backtest", f.trader, "{}", "application/json; charset=utf-8")
          .status
      == 422u);
}

BOOST_AUTO_TEST_CASE(multipart_matches_the_name_parameter_only) {
  auto& f = shared();
  auto part = [](const std::string& disposition, const std::string& content) {
    return "--XyZ\r\nContent-Disposition: " + disposition + "\r\nContent-Type: text/csv\r\n\r\n"
           + content + "\r\n";
  };
  const std::string type = "multipart/form-data; boundary=XyZ";
  // filename="file" on another field is not the file field.
  auto r = f.server.request(
      "POST", "/v1/market-data?symbol=MP&timeframe=1h", f.trader,
      part("form-data; name=\"other\"; filename=\"file\"", csv) + "--XyZ--\r\n", type);
  require_json_error(r, 422);
  BOOST_TEST(detail_fields(r) == "file,");
  // Two file parts are ambiguous.
  r = f.server.request("POST", "/v1/market-data?symbol=MP&timeframe=1h", f.trader,
                       part("form-data; name=\"file\"", csv) + part("form-data; name=file", csv)
                           + "--XyZ--\r\n",
                       type);
  require_json_error(r, 422);
  BOOST_TEST(r.body.find("more than one") != std::string::npos);
  // The real one, after another part whose filename is "file".
  r = f.server.request("POST", "/v1/market-data?symbol=MP&timeframe=1h", f.trader,
                       part("form-data; name=\"note\"; filename=\"file\"", "x")
                           + part("form-data; filename=\"gc.csv\"; name=\"file\"", csv)
                           + "--XyZ--\r\n",
                       type);
  BOOST_TEST(r.status == 201u, r.body);
}

BOOST_AUTO_TEST_CASE(broken_chunking_is_400_and_unknown_transfer_codings_501) {
  auto& f = shared();
  const std::string head = "POST /v1/backtest HTTP/1.1\r\nHost: x\r\nX-API-Key: " + f.trader
                           + "\r\nContent-Type: application/json\r\n";
  require_json_error(
      f.server.raw_request(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), 400);
  require_json_error(
      f.server.raw_request(
          head + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
      400);
  require_json_error(
      f.server.raw_request(head + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
      501);
  // Valid chunking still works.
  require_json_error(
      f.server.raw_request(head + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"), 422);
}

BOOST_AUTO_TEST_CASE(head_answers_where_get_does) {
  auto& f = shared();
  for (const char* path : {"/v1/market-data", "/v1/strategies", "/v1/queue", "/v1/backtest"}) {
    auto get = f.server.request("GET", path, f.trader);
    auto head =
        f.server.raw_request("HEAD " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                             + f.trader + "\r\nConnection: close\r\n\r\n");
    BOOST_TEST(head.status == 200u, path);
    BOOST_TEST(head.body.empty());
    BOOST_TEST(head.headers["Content-Length"] == std::to_string(get.body.size()), path);
  }
}

BOOST_AUTO_TEST_CASE(admin_routes_need_their_permission_and_unknown_ones_are_404) {
  auto& f = shared();
  // A trader lacks cluster:read: 403 naming it (the endpoint, not an
  // object: nothing of anyone's data is confirmed).
  auto denied = f.server.request("GET", "/v1/admin/cluster", f.trader);
  require_json_error(denied, 403);
  BOOST_TEST(denied.body.find("cluster:read") != std::string::npos);
  for (const char* method : {"GET", "POST", "DELETE", "PUT", "PATCH"})
    require_json_error(f.server.request(method, "/v1/admin/other", f.trader), 404);
  BOOST_TEST(f.server.request("GET", "/v1/admin/cluster", f.admin).status == 200u);
  auto r = f.server.request("POST", "/v1/admin/cluster", f.admin);
  require_json_error(r, 405);
  BOOST_TEST(r.headers["Allow"] == "GET, HEAD");
  require_json_error(f.server.request("GET", "/v1/admin/other", f.admin), 404);
}

BOOST_AUTO_TEST_CASE(unknown_query_parameters_are_named) {
  auto& f = shared();
  auto r = f.server.request("GET", "/v1/market-data?limt=1", f.trader);
  require_json_error(r, 400);
  BOOST_TEST(detail_fields(r) == "limt,");
  r = f.server.request("GET",
                       "/v1/backtest/compare?ids=00000000-0000-0000-0000-000000000001,"
                       "00000000-0000-0000-0000-000000000002&max_points=-1",
                       f.trader);
  require_json_error(r, 400);
  BOOST_TEST(detail_fields(r) == "max_points,");
  r = f.server.request("GET", "/v1/backtest?sort=net_profit&colour=red", f.trader);
  require_json_error(r, 400);
  BOOST_TEST(detail_fields(r) == "colour,");
  BOOST_TEST(f.server.request("GET", "/v1/backtest?sort=net_profit&limit=5", f.trader).status
             == 200u);
}

BOOST_AUTO_TEST_CASE(numeric_query_values_follow_one_rule_everywhere) {
  auto& f = shared();
  // Digits only (a leading '-'), within the documented range, on every endpoint.
  for (const char* bad : {"%2B5", "5.0", "0x10", "1e3", "%205", "-", "0"})
    for (const std::string path : {"/v1/backtest?limit=", "/v1/market-data/MT/1h/bars?limit="}) {
      auto r = f.server.request("GET", path + bad, f.trader);
      require_json_error(r, 400);
      BOOST_TEST(detail_fields(r) == "limit,", path << bad << ": " << r.body);
    }
  BOOST_TEST(f.server.request("GET", "/v1/market-data/MT/1h/bars?limit=5", f.trader).status
             == 200u);
}

BOOST_AUTO_TEST_CASE(upload_target_is_refused_before_the_body_is_read) {
  auto& f = shared();
  // 40 MB announced, none sent: the answer comes from the header alone.
  const std::string head =
      "POST /v1/market-data?symbol=GC&timeframe=2h HTTP/1.1\r\nHost: x\r\nX-API-Key: " + f.trader
      + "\r\nContent-Type: text/csv\r\nContent-Length: 40000000\r\n\r\n";
  const auto started = std::chrono::steady_clock::now();
  auto r = f.server.raw_request(head, 5);
  require_json_error(r, 422);
  BOOST_TEST(detail_fields(r) == "timeframe,");
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(3)));
  r = f.server.raw_request(
      "POST /v1/market-data?timeframe=1h HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
      "Content-Length: 40000000\r\n\r\n",
      5);
  require_json_error(r, 401);
}

BOOST_AUTO_TEST_CASE(keys_create_leaves_a_users_other_keys_as_they_are) {
  auto& f = shared();
  // Was: a second key for an admin silently demoted it to trader. A role
  // belongs to a key: the new key is what was asked (a trader by default),
  // and root's admin key stays an admin's.
  auto [code, out] = bt::test::run_command(
      std::string(BACKTESTD_BINARY) + " keys create --user root --data-dir " + f.server.data_dir());
  BOOST_REQUIRE(code == 0);
  BOOST_TEST(f.server.sql("SELECT string_agg(k.role, ',' ORDER BY k.id) FROM api_keys k JOIN users "
                          "u ON u.id = k.user_id WHERE u.name = 'root'")
             == "admin,trader");
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // past the 1 s authentication cache
  BOOST_TEST(f.server.request("GET", "/v1/admin/cluster", f.admin).status == 200u);
  require_json_error(f.server.request("GET", "/v1/admin/cluster", out), 403);
}

BOOST_AUTO_TEST_SUITE_END()
