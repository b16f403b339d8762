// The market-data API over real HTTP against a real server and database.

#include "server_process.hpp"

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"

#include <boost/test/unit_test.hpp>

using bt::test::http_result;
using bt::test::server_process;

namespace {

bt::test::two_user_server& shared() {
  static bt::test::two_user_server s;
  return s;
}

const std::string header = "timestamp,open,high,low,close,volume\n";

std::string generated(std::size_t bars, const char* start = "2024-03-01T00:00:00Z",
                      std::uint64_t seed = 1) {
  bt::synthetic_spec spec;
  spec.bars = bars;
  spec.seed = seed;
  bt::parse_timestamp(start, spec.start);
  return bt::to_csv(bt::generate_bars(spec));
}

http_result upload(const std::string& key, const std::string& symbol, const std::string& csv,
                   const std::string& timeframe = "1h") {
  return shared().server.request(
      "POST", "/v1/market-data?symbol=" + symbol + "&timeframe=" + timeframe, key, csv, "text/csv");
}

std::string error_code(const http_result& r) {
  return std::string(r.json().at("error").at("code").as_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(market_data_api)

BOOST_AUTO_TEST_CASE(health_and_readiness_need_no_key) {
  auto& s = shared().server;
  BOOST_TEST(s.request("GET", "/healthz").status == 200u);
  auto ready = s.request("GET", "/readyz");
  BOOST_TEST(ready.status == 200u);
  BOOST_TEST(ready.json().at("database").as_string() == "reachable");
}

BOOST_AUTO_TEST_CASE(every_v1_endpoint_needs_a_valid_key) {
  auto& s = shared().server;
  const std::vector<std::pair<std::string, std::string>> endpoints{
      {"GET", "/v1/market-data"},
      {"POST", "/v1/market-data?symbol=GC&timeframe=1h"},
      {"GET", "/v1/market-data/GC/1h"},
      {"GET", "/v1/market-data/GC/1h/bars"},
      {"DELETE", "/v1/market-data/GC/1h"}};
  for (const auto& [method, target] : endpoints) {
    for (const std::string& key :
         {std::string(), std::string("bt_nonsense"), "bt_" + std::string(64, 'a')}) {
      auto r = s.request(method, target, key, "", "text/csv");
      BOOST_TEST(r.status == 401u, method << " " << target << " key '" << key << "'");
      BOOST_TEST(error_code(r) == "unauthorized");
    }
  }
  // A revoked key stops working within a second, also while the server runs.
  const std::string carol = s.create_key("carol");
  BOOST_TEST(s.request("GET", "/v1/market-data", carol).status == 200u);
  auto [code, list] = bt::test::run_command(std::string(BACKTESTD_BINARY) + " keys list --data-dir "
                                            + s.data_dir());
  BOOST_REQUIRE(code == 0);
  std::string id;
  std::istringstream lines(list);
  for (std::string line; std::getline(lines, line);)
    if (line.find("\tcarol\t") != std::string::npos)
      id = line.substr(0, line.find('\t'));
  BOOST_REQUIRE(!id.empty());
  BOOST_TEST(bt::test::run_command(std::string(BACKTESTD_BINARY) + " keys revoke " + id
                                   + " --data-dir " + s.data_dir())
                 .first
             == 0);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1100)); // authentications are remembered for 1 s
  BOOST_TEST(s.request("GET", "/v1/market-data", carol).status == 401u);
}

BOOST_AUTO_TEST_CASE(upload_happy_path_and_exact_download) {
  auto& sh = shared();
  const std::string csv = generated(500);
  auto r = upload(sh.alice, "GC", csv);
  BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  auto rep = r.json();
  BOOST_TEST(rep.at("symbol").as_string() == "GC");
  BOOST_TEST(rep.at("rows_received").to_number<int>() == 500);
  BOOST_TEST(rep.at("imported").to_number<int>() == 500);
  BOOST_TEST(rep.at("rejected").as_array().empty());
  BOOST_TEST(rep.at("gaps").as_array().empty());
  BOOST_TEST(rep.at("range").at("from").as_string() == "2024-03-01T00:00:00Z");
  BOOST_TEST(rep.at("checksum").as_string().size() == 64u);
  auto down =
      sh.server.request("GET", "/v1/market-data/GC/1h/bars?format=csv&limit=100000", sh.alice);
  BOOST_TEST(down.status == 200u);
  BOOST_TEST(down.headers["Content-Type"].find("text/csv") == 0u);
  BOOST_TEST(down.body == csv); // byte for byte
  auto list = sh.server.request("GET", "/v1/market-data", sh.alice).json();
  bool found = false;
  for (const auto& d : list.at("datasets").as_array())
    if (d.at("symbol").as_string() == "GC") {
      found = true;
      BOOST_TEST(d.at("bars").to_number<int>() == 500);
      BOOST_TEST(d.at("checksum") == rep.at("checksum"));
    }
  BOOST_TEST(found);
  auto json_bars =
      sh.server
          .request("GET",
                   "/v1/market-data/GC/1h/bars?from=2024-03-01T01:00:00Z&to=2024-03-01T03:00:00Z",
                   sh.alice)
          .json();
  BOOST_TEST(json_bars.at("count").to_number<int>() == 3);
  BOOST_TEST(json_bars.at("bars").as_array()[0].at("timestamp").as_string()
             == "2024-03-01T01:00:00Z");
}

BOOST_AUTO_TEST_CASE(other_users_get_404_for_everything) {
  auto& sh = shared();
  BOOST_REQUIRE(upload(sh.alice, "SI", generated(100)).status == 201u);
  auto& s = sh.server;
  BOOST_TEST(s.request("GET", "/v1/market-data/SI/1h", sh.bob).status == 404u);
  BOOST_TEST(s.request("GET", "/v1/market-data/SI/1h/bars", sh.bob).status == 404u);
  BOOST_TEST(s.request("DELETE", "/v1/market-data/SI/1h", sh.bob).status == 404u);
  const auto listing = s.request("GET", "/v1/market-data", sh.bob).json();
  for (const auto& d : listing.at("datasets").as_array())
    BOOST_TEST(d.at("symbol").as_string() != "SI");
  BOOST_TEST(s.request("GET", "/v1/market-data/SI/1h", sh.alice).status == 200u);
}

BOOST_AUTO_TEST_CASE(regimes_classify_a_datasets_daily_volatility_for_its_owner_only) {
  auto& sh = shared();
  auto& s = sh.server;
  BOOST_REQUIRE(upload(sh.alice, "ES", generated(6000, "2023-01-02T00:00:00Z", 5)).status == 201u);
  auto r = s.request("GET", "/v1/regimes?symbol=ES&timeframe=1h", sh.alice);
  BOOST_REQUIRE_MESSAGE(r.status == 200u, r.body);
  const auto doc = r.json();
  BOOST_TEST(doc.at("window_days").as_int64() == 30);
  const auto& series = doc.at("series").as_array();
  BOOST_TEST(series.size() > 200u); // a day each, of about a year of hours
  // The current regime is the last classified day's, one of the four.
  const auto& current = doc.at("current");
  BOOST_REQUIRE(current.is_object());
  BOOST_TEST(current == series.back());
  const std::string regime(current.at("regime").as_string());
  BOOST_TEST((regime == "low" || regime == "normal" || regime == "elevated" || regime == "high"));
  BOOST_TEST(current.at("p25").to_number<double>() <= current.at("p75").to_number<double>());
  // The first days have too few returns for a volatility.
  BOOST_TEST(series.at(0).at("volatility_pct").is_null());
  BOOST_TEST(series.at(0).at("regime").is_null());
  // Another user's, an unknown or a missing dataset.
  BOOST_TEST(s.request("GET", "/v1/regimes?symbol=ES&timeframe=1h", sh.bob).status == 404u);
  BOOST_TEST(s.request("GET", "/v1/regimes?symbol=ZZ&timeframe=1h", sh.alice).status == 404u);
  auto missing = s.request("GET", "/v1/regimes?symbol=ES", sh.alice);
  BOOST_TEST(missing.status == 400u);
  BOOST_TEST(missing.body.find("timeframe") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(duplicate_gap_and_price_logic_reports_name_rows) {
  auto& sh = shared();
  const std::string csv = header
                          + "2024-01-02T10:00:00Z,10,11,9,10,1\n"  // 1
                            "2024-01-02T11:00:00Z,10,11,9,10,1\n"  // 2
                            "2024-01-02T11:00:00Z,12,13,11,12,1\n" // 3 duplicate of 2
                            "2024-01-02T12:00:00Z,10,9,8,10,1\n"   // 4 high below open
                            "2024-01-02T16:00:00Z,10,11,9,10,1\n"  // 5 after a 4-hour hole
                            "2024-01-02T17:00:00Z,10,11,9,-1,1\n"; // 6 non-positive
  auto r = upload(sh.alice, "ES", csv);
  BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  auto rep = r.json();
  BOOST_TEST(rep.at("rows_received").to_number<int>() == 6);
  BOOST_TEST(rep.at("imported").to_number<int>() == 3);
  BOOST_TEST(rep.at("duplicates_skipped").at("within_file").to_number<int>() == 1);
  BOOST_TEST(rep.at("duplicates_skipped").at("rows").as_array()[0].to_number<int>() == 3);
  auto rejected = rep.at("rejected").as_array();
  BOOST_REQUIRE(rejected.size() == 2u);
  BOOST_TEST(rejected[0].at("row").to_number<int>() == 4);
  BOOST_TEST(rejected[0].at("reason").as_string() == "high below max(open, close)");
  BOOST_TEST(rejected[1].at("row").to_number<int>() == 6);
  BOOST_TEST(rejected[1].at("reason").as_string() == "non-positive price");
  auto gaps = rep.at("gaps").as_array();
  BOOST_REQUIRE(gaps.size() == 1u); // 12:00 was rejected: 12:00-15:00 missing
  BOOST_TEST(gaps[0].at("from").as_string() == "2024-01-02T12:00:00Z");
  BOOST_TEST(gaps[0].at("to").as_string() == "2024-01-02T15:00:00Z");
  BOOST_TEST(gaps[0].at("missing_bars").to_number<int>() == 4);
}

BOOST_AUTO_TEST_CASE(malformed_files_are_rejected_and_nothing_is_stored) {
  auto& sh = shared();
  auto r = upload(sh.alice, "CL",
                  header
                      + "2024-01-02T10:00:00Z,10,11,9,10,1\n2024-01-02T11:00:00Z,10,eleven,9,10,1\n"
                        "2024-01-02T12:00:00+01:00,10,11,9,10,1\n");
  BOOST_TEST(r.status == 422u);
  auto details = r.json().at("error").at("details").as_array();
  BOOST_REQUIRE(details.size() == 2u);
  BOOST_TEST(details[0].at("row").to_number<int>() == 2);
  BOOST_TEST(details[1].at("row").to_number<int>() == 3);
  BOOST_TEST(std::string(details[1].at("reason").as_string()).find("non-UTC") != std::string::npos);
  BOOST_TEST(sh.server.request("GET", "/v1/market-data/CL/1h", sh.alice).status == 404u);
  auto bad_name = upload(sh.alice, "gc%20lower", header);
  BOOST_TEST(bad_name.status == 422u);
  BOOST_TEST(bad_name.json().at("error").at("details").as_array()[0].at("field").as_string()
             == "symbol");
}

BOOST_AUTO_TEST_CASE(size_limits) {
  auto& sh = shared();
  // More than 100,000 data rows: 413, nothing stored.
  std::string rows = header;
  rows.reserve(100'001 * 40);
  for (int i = 0; i <= 100'000; ++i)
    rows += std::to_string(1'600'000'000 + i * 60) + ",1,1,1,1,1\n";
  auto r = upload(sh.alice, "MES", rows, "1m");
  BOOST_TEST(r.status == 413u);
  BOOST_TEST(std::string(r.json().at("error").at("message").as_string()).find("100000")
             != std::string::npos);
  BOOST_TEST(sh.server.request("GET", "/v1/market-data/MES/1m", sh.alice).status == 404u);
  // More than 50 MB: 413 from the Content-Length alone.
  auto big = upload(sh.alice, "MES", std::string(50 * 1024 * 1024 + 1, 'x'), "1m");
  BOOST_TEST(big.status == 413u);
  BOOST_TEST(error_code(big) == "payload_too_large");
  // JSON-sized endpoints accept at most 1 MB.
  auto r2 = sh.server.request("DELETE", "/v1/market-data/MES/1m", sh.alice,
                              std::string(2 << 20, 'x'), "text/plain");
  BOOST_TEST(r2.status == 413u);
}

BOOST_AUTO_TEST_CASE(crlf_bom_and_multipart_are_accepted) {
  auto& sh = shared();
  std::string csv =
      "\xEF\xBB\xBFTimestamp,Open,High,Low,Close,Volume\r\n2024-01-02T10:00:00Z,10,11,9,10,1\r\n"
      "2024-01-02T11:00:00Z,10,11,9,10.5,2\r\n";
  auto r = upload(sh.alice, "NQ", csv);
  BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  BOOST_TEST(r.json().at("imported").to_number<int>() == 2);
  const std::string boundary = "----btboundary";
  std::string body = "--" + boundary
                     + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--"
                     + boundary
                     + "\r\nContent-Disposition: form-data; name=\"file\"; "
                       "filename=\"mgc.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                     + header + "2024-01-02T10:00:00Z,10,11,9,10,1\n\r\n--" + boundary + "--\r\n";
  auto m = sh.server.request("POST", "/v1/market-data?symbol=MGC&timeframe=1h", sh.alice, body,
                             "multipart/form-data; boundary=" + boundary);
  BOOST_REQUIRE_MESSAGE(m.status == 201u, m.body);
  BOOST_TEST(m.json().at("imported").to_number<int>() == 1);
  auto wrong = sh.server.request("POST", "/v1/market-data?symbol=MGC&timeframe=1h", sh.alice, "{}",
                                 "application/json");
  BOOST_TEST(wrong.status == 415u);
}

BOOST_AUTO_TEST_CASE(second_upload_merges_and_stored_bars_win) {
  auto& sh = shared();
  BOOST_REQUIRE(
      upload(sh.alice, "ZB",
             header + "2024-01-02T10:00:00Z,10,11,9,10,1\n2024-01-02T11:00:00Z,10,11,9,10,1\n")
          .status
      == 201u);
  auto r =
      upload(sh.alice, "ZB",
             header + "2024-01-02T11:00:00Z,20,21,19,20,1\n2024-01-02T12:00:00Z,10,11,9,10,1\n");
  BOOST_REQUIRE(r.status == 201u);
  auto rep = r.json();
  BOOST_TEST(rep.at("imported").to_number<int>() == 1);
  BOOST_TEST(rep.at("duplicates_skipped").at("already_stored").to_number<int>() == 1);
  BOOST_TEST(rep.at("dataset").at("bars").to_number<int>() == 3);
  auto bars =
      sh.server.request("GET", "/v1/market-data/ZB/1h/bars", sh.alice).json().at("bars").as_array();
  BOOST_REQUIRE(bars.size() == 3u);
  BOOST_TEST(bars[1].at("open").to_number<double>() == 10.0); // the stored bar, not the upload's 20
}

BOOST_AUTO_TEST_CASE(delete_then_404) {
  auto& sh = shared();
  BOOST_REQUIRE(upload(sh.alice, "HG", header + "2024-01-02T10:00:00Z,10,11,9,10,1\n").status
                == 201u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/market-data/HG/1h", sh.alice).status == 204u);
  BOOST_TEST(sh.server.request("GET", "/v1/market-data/HG/1h", sh.alice).status == 404u);
  BOOST_TEST(sh.server.request("DELETE", "/v1/market-data/HG/1h", sh.alice).status == 404u);
}

BOOST_AUTO_TEST_CASE(errors_are_json_with_the_right_status) {
  auto& sh = shared();
  auto& s = sh.server;
  auto m = s.request("PUT", "/v1/market-data", sh.alice);
  BOOST_TEST(m.status == 405u);
  BOOST_TEST(m.headers["Allow"] == "GET, HEAD, POST");
  BOOST_TEST(error_code(m) == "method_not_allowed");
  BOOST_TEST(s.request("POST", "/healthz").headers["Allow"] == "GET");
  BOOST_TEST(s.request("GET", "/v1/nothing", sh.alice).status == 404u);
  BOOST_TEST(s.request("GET", "/nothing").status == 404u);
  auto q = s.request("GET", "/v1/market-data/GC/1h/bars?limit=abc", sh.alice);
  BOOST_TEST(q.status == 400u);
  BOOST_TEST(q.json().at("error").at("details").as_array()[0].at("field").as_string() == "limit");
  BOOST_TEST(s.request("GET", "/v1/market-data/GC/1h/bars?from=yesterday", sh.alice).status
             == 400u);
  BOOST_TEST(s.request("GET", "/v1/market-data/GC/1h/bars?x=%zz", sh.alice).status == 400u);
  auto missing = s.request("POST", "/v1/market-data", sh.alice, header, "text/csv");
  BOOST_TEST(missing.status == 422u);
}

BOOST_AUTO_TEST_CASE(openapi_describes_every_endpoint) {
  auto& s = shared().server;
  auto doc = s.request("GET", "/openapi.json");
  BOOST_REQUIRE(doc.status == 200u);
  auto v = doc.json();
  BOOST_TEST(std::string(v.at("openapi").as_string()).rfind("3.0", 0) == 0u);
  const auto& paths = v.at("paths").as_object();
  for (const char* p :
       {"/healthz", "/readyz", "/v1/market-data", "/v1/market-data/{symbol}/{timeframe}",
        "/v1/market-data/{symbol}/{timeframe}/bars", "/v1/strategies", "/v1/backtest",
        "/v1/backtest/history", "/v1/backtest/compare", "/v1/backtest/{id}",
        "/v1/backtest/{id}/cancel", "/v1/backtest/{id}/monte-carlo", "/v1/backtest/{id}/metrics",
        "/v1/backtest/{id}/equity", "/v1/backtest/{id}/trades", "/v1/backtest/{id}/zones",
        "/v1/backtest/{id}/chart"})
    BOOST_TEST(paths.contains(p), p);
  BOOST_TEST(paths.at("/v1/market-data").as_object().contains("post"));
  BOOST_TEST(paths.at("/v1/market-data/{symbol}/{timeframe}").as_object().contains("delete"));
  auto docs = s.request("GET", "/docs");
  BOOST_TEST(docs.status == 200u);
  BOOST_TEST(docs.body.find("swagger-ui-bundle.js") != std::string::npos);
  auto bundle = s.request("GET", "/docs/swagger-ui-bundle.js");
  BOOST_TEST(bundle.status == 200u);
  BOOST_TEST(bundle.body.size() > 100'000u);
}

BOOST_AUTO_TEST_SUITE_END()
