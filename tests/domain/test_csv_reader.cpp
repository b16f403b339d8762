#include "domain/data/csv_reader.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

// No using-directive: the suite is named after the class.

namespace {
using fields = std::vector<std::string>;

// Every record of `text`, or the line of the first malformed one.
std::vector<fields> records(std::string_view text, std::size_t* bad_line = nullptr) {
  bt::csv_reader reader(text);
  std::vector<std::string_view> f;
  std::vector<fields> out;
  for (bt::csv_reader::record r; (r = reader.next(f)) != bt::csv_reader::record::end;) {
    if (r == bt::csv_reader::record::bad_quote) {
      if (bad_line)
        *bad_line = reader.line();
      continue;
    }
    out.emplace_back(f.begin(), f.end());
  }
  return out;
}
} // namespace

BOOST_AUTO_TEST_SUITE(csv_reader)

BOOST_AUTO_TEST_CASE(plain_fields_bom_crlf_blank_lines) {
  const auto r = records("\xEF\xBB\xBF"
                         "a, b ,c\r\n\r\n  \t\n1,,3\nlast,");
  BOOST_REQUIRE(r.size() == 3u);
  BOOST_TEST(r[0] == (fields{"a", "b", "c"}));
  BOOST_TEST(r[1] == (fields{"1", "", "3"}));
  BOOST_TEST(r[2] == (fields{"last", ""}));
}

BOOST_AUTO_TEST_CASE(line_numbers_count_blank_lines) {
  bt::csv_reader reader("h\n\nx\n");
  std::vector<std::string_view> f;
  BOOST_REQUIRE(reader.next(f) == bt::csv_reader::record::ok);
  BOOST_TEST(reader.line() == 1u);
  BOOST_REQUIRE(reader.next(f) == bt::csv_reader::record::ok);
  BOOST_TEST(reader.line() == 3u);
  BOOST_TEST((reader.next(f) == bt::csv_reader::record::end));
  BOOST_TEST(f.empty());
}

BOOST_AUTO_TEST_CASE(quoted_fields_and_escapes) {
  // Several escaped fields on one line: each view must survive the next.
  const auto r = records("\"a, \"\"b\"\"\", \"plain\" ,\"\"\"x\"\"\",\"\"\n");
  BOOST_REQUIRE(r.size() == 1u);
  BOOST_TEST(r[0] == (fields{"a, \"b\"", "plain", "\"x\"", ""}));
}

BOOST_AUTO_TEST_CASE(malformed_quotes_are_reported_with_their_line) {
  std::size_t bad = 0;
  auto r = records("ok\n\"open,1\nnext\n", &bad);
  BOOST_TEST(bad == 2u);
  BOOST_TEST(r.size() == 2u); // the reader goes on after a bad line
  bad = 0;
  records("\"closed\"trailing,1\n", &bad);
  BOOST_TEST(bad == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
