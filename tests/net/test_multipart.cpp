#include "net/multipart.hpp"

#include <boost/test/unit_test.hpp>

using namespace bt::http;

BOOST_AUTO_TEST_SUITE(multipart)

BOOST_AUTO_TEST_CASE(header_parameters_per_rfc_7578) {
  const std::string v = "form-data; name=\"file\"; filename=\"a \\\"b\\\".csv\"";
  BOOST_TEST(*header_parameter(v, "name") == "file");
  BOOST_TEST(*header_parameter(v, "FILENAME") == "a \"b\".csv");
  BOOST_TEST(*header_parameter("form-data; name=file", "name") == "file");
  BOOST_TEST(!header_parameter("form-data; filename=\"name\"", "name"));
  BOOST_TEST(!header_parameter("form-data; name=\"unterminated", "name"));
  BOOST_TEST(*header_parameter("multipart/form-data; boundary=\"a b\"", "boundary") == "a b");
}

BOOST_AUTO_TEST_CASE(finds_the_part_by_its_name_only) {
  const std::string type = "multipart/form-data; boundary=B";
  auto body = [](const std::string& parts) { return parts + "--B--\r\n"; };
  auto part = [](const std::string& disposition, const std::string& content) {
    return "--B\r\nContent-Disposition: " + disposition + "\r\n\r\n" + content + "\r\n";
  };
  auto r =
      multipart_field(type, body(part("form-data; name=\"x\"; filename=\"file\"", "1")), "file");
  BOOST_TEST(r.well_formed);
  BOOST_TEST(r.matches == 0u);
  BOOST_TEST(!r.value);
  r = multipart_field(
      type, body(part("form-data; name=\"x\"", "1") + part("form-data; name=\"file\"", "2")),
      "file");
  BOOST_TEST(r.matches == 1u);
  BOOST_TEST(*r.value == "2");
  r = multipart_field(
      type, body(part("form-data; name=\"file\"", "1") + part("form-data; name=file", "2")),
      "file");
  BOOST_TEST(r.matches == 2u);
  // `name` must match exactly, not as a prefix or another case.
  r = multipart_field(
      type, body(part("form-data; name=\"files\"", "1") + part("form-data; name=\"FILE\"", "2")),
      "file");
  BOOST_TEST(r.matches == 0u);
  // No boundary, or an unterminated body: not well-formed.
  BOOST_TEST(
      !multipart_field("multipart/form-data", body(part("form-data; name=file", "1")), "file")
           .well_formed);
  BOOST_TEST(
      !multipart_field(type, "--B\r\nContent-Disposition: form-data; name=file\r\n\r\n1", "file")
           .value);
}

BOOST_AUTO_TEST_SUITE_END()
