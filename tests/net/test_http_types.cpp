#include "net/http_types.hpp"

#include <boost/test/unit_test.hpp>

using namespace bt::http;

BOOST_AUTO_TEST_SUITE(http_types)

BOOST_AUTO_TEST_CASE(targets_decode_and_refuse_nul_and_invalid_utf8) {
  std::string path;
  std::map<std::string, std::string> q;
  BOOST_TEST(parse_target("/v1/market-data/GC/1h/bars?from=2024-01-02&x=a+b%21", path, q));
  BOOST_TEST(path == "/v1/market-data/GC/1h/bars");
  BOOST_TEST(q["from"] == "2024-01-02");
  BOOST_TEST(q["x"] == "a b!");
  q.clear();
  BOOST_TEST(parse_target("/v1/%C3%A9", path, q)); // é: valid UTF-8
  BOOST_TEST(!parse_target("/v1/market-data/%ff/1h", path, q));
  BOOST_TEST(!parse_target("/v1/backtest?symbol=GC%00", path, q));
  BOOST_TEST(!parse_target("/v1/backtest?sym%00bol=GC", path, q));
  BOOST_TEST(!parse_target("/v1/%ED%A0%80", path, q)); // a surrogate
  BOOST_TEST(!parse_target("/v1/%C0%AF", path, q));    // overlong
  BOOST_TEST(!parse_target("/v1/%4", path, q));
  BOOST_TEST(!parse_target("/v1/%zz", path, q));
}

BOOST_AUTO_TEST_CASE(media_types_are_type_and_subtype_exactly) {
  BOOST_TEST(media_type("text/csv") == "text/csv");
  BOOST_TEST(media_type(" Text/CSV ; charset=utf-8") == "text/csv");
  BOOST_TEST(media_type("text/csvx") == "text/csvx");
  BOOST_TEST(media_type("application/json;charset=utf-8") == "application/json");
  BOOST_TEST(media_type("") == "");
}

BOOST_AUTO_TEST_CASE(if_none_match_lists_compare_weakly) {
  const std::string tag = "\"0123abcd\"";
  BOOST_TEST(etag_matches(tag, tag));
  BOOST_TEST(etag_matches("*", tag));
  BOOST_TEST(etag_matches("\"x\", \"0123abcd\"", tag));
  BOOST_TEST(etag_matches("  W/\"0123abcd\" ", tag));
  BOOST_TEST(!etag_matches("\"0123abce\"", tag));
  BOOST_TEST(!etag_matches("0123abcd", tag)); // unquoted is another tag
  BOOST_TEST(!etag_matches("", tag));
  BOOST_TEST(!etag_matches("\"x\",", tag));
  BOOST_TEST(!etag_matches("*", ""));
}

BOOST_AUTO_TEST_CASE(accept_encoding_names_gzip_unless_q_is_zero) {
  BOOST_TEST(accepts_gzip("gzip"));
  BOOST_TEST(accepts_gzip("gzip, deflate, br"));
  BOOST_TEST(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  BOOST_TEST(accepts_gzip("*"));
  BOOST_TEST(accepts_gzip("x-gzip"));
  BOOST_TEST(!accepts_gzip(""));
  BOOST_TEST(!accepts_gzip("identity"));
  BOOST_TEST(!accepts_gzip("br, deflate"));
  BOOST_TEST(!accepts_gzip("gzip;q=0"));
  BOOST_TEST(!accepts_gzip("gzip; q=0.000"));
  BOOST_TEST(!accepts_gzip("*, gzip;q=0")); // named beats the wildcard
  BOOST_TEST(!accepts_gzip("*;q=0"));
  BOOST_TEST(accepts_gzip("gzip;q=0.001"));
}

BOOST_AUTO_TEST_SUITE_END()
