#include "services/trace_context.hpp"

#include <boost/test/unit_test.hpp>

using namespace bt;

BOOST_AUTO_TEST_SUITE(trace_context)

BOOST_AUTO_TEST_CASE(a_valid_traceparent_is_continued) {
  auto c = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  BOOST_TEST(c->span_id == "00f067aa0ba902b7");
  BOOST_TEST(c->sampled);
  BOOST_TEST(c->traceparent() == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto unsampled = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  BOOST_REQUIRE(unsampled);
  BOOST_TEST(!unsampled->sampled);
  // A later version may carry more fields after its own.
  BOOST_TEST(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")
                 .has_value());
  const auto child = child_of(*c);
  BOOST_TEST(child.trace_id == c->trace_id);
  BOOST_TEST(child.span_id != c->span_id);
  BOOST_TEST(child.span_id.size() == 16u);
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused_and_a_new_trace_begins) {
  for (const char* bad : {"", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"})
    BOOST_TEST(!parse_traceparent(bad).has_value(), bad);
  const auto fresh = child_of(bt::trace_context{});
  BOOST_TEST(fresh.valid());
  BOOST_TEST(fresh.trace_id != child_of(bt::trace_context{}).trace_id);
}

BOOST_AUTO_TEST_SUITE_END()
