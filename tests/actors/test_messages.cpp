// Every message type survives CAF's binary serialization, as it must to
// cross to another node.
#include "actors/messages.hpp"

#include <caf/all.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <boost/test/unit_test.hpp>

namespace {

struct system_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  system_fixture() {
    cfg.add_message_types<caf::id_block::bt>();
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

template <class T>
T round_trip(caf::actor_system& sys, T value) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto err = sink(value);
  BOOST_REQUIRE(!err);
  T copy;
  caf::binary_deserializer source{sys, buf};
  err = source(copy);
  BOOST_REQUIRE(!err);
  return copy;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(messages, system_fixture)

BOOST_AUTO_TEST_CASE(replies_with_details_round_trip) {
  bt::service_reply r;
  r.code = static_cast<std::uint8_t>(bt::service_code::unprocessable);
  r.message = "the file was rejected";
  r.details = {{"", 12, "high 'x' is not a number"}, {"symbol", 0, "must match [A-Z0-9._-]{1,16}"}};
  r.body = "{}";
  auto copy = round_trip(*sys, r);
  BOOST_TEST((copy.status() == bt::service_code::unprocessable));
  BOOST_TEST(copy.message == r.message);
  BOOST_REQUIRE(copy.details.size() == 2u);
  BOOST_TEST(copy.details[0].row == 12);
  BOOST_TEST(copy.details[1].field == "symbol");
  BOOST_TEST(copy.body == "{}");
}

BOOST_AUTO_TEST_CASE(requests_round_trip) {
  bt::upload_request u{"bt_key", "GC",
                       "1h",     std::string("timestamp,open\n") + std::string(100000, 'x'),
                       false,    "4bf92f3577b34da6a3ce929d0e0e4736"};
  auto cu = round_trip(*sys, u);
  BOOST_TEST(cu.api_key == "bt_key");
  BOOST_TEST(cu.csv == u.csv);
  BOOST_TEST(cu.trace_id == u.trace_id);
  bt::dataset_request d{"k", "ES", "4h", "2024-01-01T00:00:00Z", "", "100", "csv", false, "ab"};
  auto cd = round_trip(*sys, d);
  BOOST_TEST(cd.from == d.from);
  BOOST_TEST(cd.limit == "100");
  BOOST_TEST(cd.format == "csv");
  BOOST_TEST(cd.trace_id == "ab");
}

BOOST_AUTO_TEST_CASE(type_names_are_registered) {
  BOOST_TEST(std::string(caf::type_name<bt::service_reply>::value) == "bt::service_reply");
  BOOST_TEST(std::string(caf::type_name<bt::upload_request>::value) == "bt::upload_request");
  auto msg = caf::make_message(bt::upload_atom::value, bt::upload_request{});
  const bool matches = msg.match_elements<bt::upload_atom, bt::upload_request>();
  BOOST_TEST(matches);
}

BOOST_AUTO_TEST_SUITE_END()
