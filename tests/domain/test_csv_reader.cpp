#include "domain/data/csv_reader.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
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

BOOST_AUTO_TEST_CASE(long_lines_split_like_the_general_path) {
  // Texts of lines longer and shorter than the 16-byte blocks of the fast
  // path, with commas and line ends at every offset of a block, CRLF and
  // stray CRs, blank and empty lines, and blanks (which send a line to the
  // general path) anywhere: every text is checked against a plain splitter.
  std::uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  const char alphabet[] = {'a', '7', '.', ',', ',', '\r', ' ', '\t'};
  auto trim = [](std::string f) {
    const auto first = f.find_first_not_of(" \t");
    return first == std::string::npos ? std::string()
                                      : f.substr(first, f.find_last_not_of(" \t") - first + 1);
  };
  for (int round = 0; round < 3000; ++round) {
    const bool with_blanks = round % 3 == 0;
    std::string text;
    std::vector<fields> expected;
    const int lines = 1 + static_cast<int>(next() % 5);
    for (int l = 0; l < lines; ++l) {
      std::string line;
      const std::size_t length = next() % 70;
      for (std::size_t i = 0; i < length; ++i)
        line += alphabet[(next() >> 8) % (with_blanks ? 8 : 6)];
      const bool crlf = next() % 4 == 0;
      const bool last = l + 1 == lines;
      text += line + (crlf ? "\r\n" : last && next() % 2 ? "" : "\n");
      if (!crlf && !line.empty() && line.back() == '\r')
        line.pop_back(); // one CR before the line end is part of it
      if (trim(line).empty())
        continue; // a blank line is skipped, not a record
      fields record;
      for (std::size_t start = 0;;) {
        const std::size_t comma = line.find(',', start);
        record.push_back(trim(
            line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
      expected.push_back(record);
    }
    const auto r = records(text);
    BOOST_TEST(r == expected, "text '" << text << "'");
  }
}

BOOST_AUTO_TEST_CASE(a_quote_after_the_first_block_takes_the_general_path) {
  const auto r = records("2024-01-02T00:00:00Z,1.5,\"2,5\",3\n");
  BOOST_REQUIRE(r.size() == 1u);
  BOOST_TEST(r[0] == (fields{"2024-01-02T00:00:00Z", "1.5", "2,5", "3"}));
  std::size_t bad = 0;
  records("2024-01-02T00:00:00Z,1.5,\"open\n", &bad);
  BOOST_TEST(bad == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
