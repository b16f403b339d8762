#include "net/otlp_exporter.hpp"

#include "server/otlp_receiver.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace bt;

namespace {

span_record sample(int i) {
  span_record s;
  s.trace_id = "0af7651916cd43dd8448eb211c80319c";
  s.span_id = "00f067aa0ba902b" + std::to_string(i % 10);
  s.parent_span_id = i == 0 ? "" : "b7ad6b7169203331";
  s.name = "engine run";
  s.start_ns = 1'700'000'000'000'000'000;
  s.end_ns = s.start_ns + 1'500'000;
  s.text = {{"run_id", "r-" + std::to_string(i)}};
  s.numbers = {{"attempt", 2}};
  s.error = i == 1;
  s.status_message = i == 1 ? "node lost" : "";
  return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(otlp_exporter)

BOOST_AUTO_TEST_CASE(spans_become_otlp_json) {
  const auto doc = boost::json::parse(http::otlp_json({sample(0), sample(1)}, "backtestd"));
  const auto& rs = doc.at("resourceSpans").at(0);
  BOOST_TEST(rs.at("resource").at("attributes").at(0).at("value").at("stringValue").as_string()
             == "backtestd");
  const auto& spans = rs.at("scopeSpans").at(0).at("spans").as_array();
  BOOST_REQUIRE_EQUAL(spans.size(), 2u);
  BOOST_TEST(!spans[0].as_object().contains("parentSpanId")); // a root span has none
  BOOST_TEST(spans[1].at("parentSpanId").as_string() == "b7ad6b7169203331");
  // 64-bit numbers are strings in the JSON mapping.
  BOOST_TEST(spans[0].at("startTimeUnixNano").as_string() == "1700000000000000000");
  BOOST_TEST(spans[0].at("endTimeUnixNano").as_string() == "1700000000001500000");
  BOOST_TEST(spans[0].at("attributes").at(1).at("value").at("intValue").as_string() == "2");
  BOOST_TEST(spans[0].at("status").at("code").to_number<int>() == 1);
  BOOST_TEST(spans[1].at("status").at("code").to_number<int>() == 2);
  BOOST_TEST(spans[1].at("status").at("message").as_string() == "node lost");
}

BOOST_AUTO_TEST_CASE(queued_spans_reach_the_collector) {
  bt::test::otlp_receiver receiver;
  {
    http::otlp_exporter exporter(receiver.url(), "backtestd-test");
    for (int i = 0; i < 300; ++i) // more than a batch
      exporter.enqueue(sample(i));
  } // destruction sends what is queued
  const auto spans = receiver.spans();
  BOOST_TEST(spans.size() == 300u);
  BOOST_TEST(spans.front().at("service").as_string() == "backtestd-test");
}

BOOST_AUTO_TEST_CASE(a_full_queue_drops_instead_of_blocking) {
  // A collector that is not there: posts fail, spans are dropped, enqueue
  // never waits.
  http::otlp_exporter exporter("http://127.0.0.1:9/v1/traces", "backtestd-test");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20'000; ++i)
    exporter.enqueue(sample(i));
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
  BOOST_TEST(exporter.dropped() >= 20'000u - 4096u - 256u);
  BOOST_CHECK_THROW(http::otlp_exporter("https://collector/v1/traces", "x"), std::invalid_argument);
  BOOST_CHECK_THROW(http::otlp_exporter("not a url", "x"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
