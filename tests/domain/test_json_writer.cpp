#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace bt;

BOOST_AUTO_TEST_SUITE(json_writer)

BOOST_AUTO_TEST_CASE(writes_valid_nested_json_with_exact_decimals) {
  bt::json_writer w;
  w.begin_object();
  w.key("price").number(fixed{203'410'000'000});
  w.key("list")
      .begin_array()
      .number(std::int64_t{1})
      .boolean(true)
      .null()
      .string("a\"b\\c\n\x01")
      .end_array();
  w.key("empty").begin_object().end_object();
  w.key("when").timestamp(1'704'200'400);
  w.key("ratio").number(0.1);
  w.key("bad").number(std::numeric_limits<double>::quiet_NaN());
  w.key("inf").number(std::numeric_limits<double>::infinity());
  w.key("none").optional(std::optional<double>{});
  w.end_object();
  BOOST_TEST(w.str()
             == "{\"price\":2034.10000000,\"list\":[1,true,null,\"a\\\"b\\\\c\\n\\u0001\"],"
                "\"empty\":{},\"when\":\"2024-01-02T13:00:00Z\",\"ratio\":0.1,\"bad\":null,"
                "\"inf\":null,\"none\":null}");
  auto v = boost::json::parse(w.str());
  BOOST_TEST(v.at("list").as_array()[3].as_string() == "a\"b\\c\n\x01");
}

BOOST_AUTO_TEST_CASE(doubles_round_trip) {
  for (double d : {1.0 / 3, 1e-9, 123456.789, -0.0, 7614.933778675136}) {
    std::string s;
    append_double(s, d);
    BOOST_TEST(std::stod(s) == d);
    BOOST_TEST((s[0] == '-') == (d < 0));
  }
}

BOOST_AUTO_TEST_CASE(strings_are_valid_utf8_whatever_the_input) {
  std::string out;
  std::string input = "a\xff";
  input += '\0';
  input += "\xc3\xa9\xed\xa0\x80";
  append_json_string(out, input);
  BOOST_TEST(out == "\"a\\ufffd\\u0000\xc3\xa9\\ufffd\\ufffd\\ufffd\"");
  BOOST_TEST(is_valid_utf8(out));
  BOOST_TEST(!is_valid_utf8("\xc0\xaf"));
  BOOST_TEST(is_valid_utf8("\xf0\x9f\x98\x80"));
}

// Member names take a one-append path when short and plain; any other
// name is escaped exactly as a string value is.
BOOST_AUTO_TEST_CASE(member_names_are_escaped_like_strings) {
  const std::string long_name(61, 'k');
  for (std::string name : {std::string("total_trades"), std::string("a\"b\\c"),
                           std::string("tab\there"), std::string("caf\xc3\xa9"),
                           std::string("bad\xff"), long_name, long_name + "\"", std::string()}) {
    bt::json_writer w;
    w.begin_object().key(name).number(std::int64_t{1}).end_object();
    std::string expected = "{";
    append_json_string(expected, name);
    expected += ":1}";
    BOOST_TEST(w.str() == expected);
    BOOST_TEST(boost::json::parse(w.str()).as_object().size() == 1u);
  }
}

// A value written later (the CLI's data checksum, hashed on another core
// while the document is written) lands in its place; a wrong length or
// text that would need escaping is refused, never a broken document.
BOOST_AUTO_TEST_CASE(placeholder_is_filled_in_place) {
  bt::json_writer w;
  w.begin_object();
  const std::size_t at = w.key("checksum").string_placeholder(4);
  w.key("n").number(std::int64_t{1});
  w.end_object();
  w.fill(at, "ab12");
  BOOST_TEST(w.str() == R"({"checksum":"ab12","n":1})");
  BOOST_CHECK_THROW(w.fill(at, "abc"), std::invalid_argument);
  BOOST_CHECK_THROW(w.fill(at, "abcde"), std::invalid_argument);
  BOOST_CHECK_THROW(w.fill(at, "a\"12"), std::invalid_argument);
  BOOST_CHECK_THROW(w.fill(at + 1, "b12"), std::invalid_argument);
  BOOST_TEST(w.str() == R"({"checksum":"ab12","n":1})");
}

BOOST_AUTO_TEST_SUITE_END()
