#include "services/permissions.hpp"

#include "services/service_reply.hpp"
#include "services/telemetry.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace bt;

BOOST_AUTO_TEST_SUITE(permissions)

BOOST_AUTO_TEST_CASE(roles_hold_what_the_specification_gives_them) {
  const std::vector<std::string> expected{"viewer", "analyst", "trader", "auditor", "admin"};
  BOOST_TEST(role_names() == expected, boost::test_tools::per_element());
  // viewer < analyst < trader: each holds what the one before holds.
  for (auto p : permissions_of("viewer"))
    BOOST_TEST(role_has("analyst", p));
  for (auto p : permissions_of("analyst"))
    BOOST_TEST(role_has("trader", p));
  BOOST_TEST(role_has("viewer", permission::runs_read));
  BOOST_TEST(!role_has("viewer", permission::runs_write));
  BOOST_TEST(role_has("analyst", permission::runs_write));
  BOOST_TEST(!role_has("analyst", permission::data_write));
  BOOST_TEST(role_has("trader", permission::data_write));
  // The auditor reads the audit log and nothing of anyone's trading.
  BOOST_TEST(permissions_of("auditor").size() == 2u); // and account:read, as every role
  BOOST_TEST(role_has("auditor", permission::audit_read));
  BOOST_TEST(!role_has("trader", permission::audit_read));
  for (int i = 0; i <= static_cast<int>(permission::account_read); ++i)
    BOOST_TEST(role_has("admin", static_cast<permission>(i)));
  for (const auto& role : role_names())
    BOOST_TEST(role_has(role, permission::account_read), role);
  BOOST_TEST(!role_has("root", permission::runs_read)); // an unknown role holds nothing
  // Paper deployments change only by a trader's key: analysts and viewers
  // see them, the admin operates the service but never trades for a user.
  for (const auto& role : role_names()) {
    BOOST_TEST(role_has(role, permission::deploy) == (role == "trader"), role);
    BOOST_TEST(role_has(role, permission::override_deployment) == (role == "trader"), role);
  }
}

BOOST_AUTO_TEST_CASE(every_endpoint_has_one_permission_per_operation) {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(permission::override_deployment); ++i)
    names.insert(permission_name(static_cast<permission>(i)));
  BOOST_TEST(names.size() == 12u); // distinct names
  for (const auto& e : endpoint_permissions()) {
    // An operation shared by several paths (a run's status and its streams)
    // needs the same permission everywhere.
    BOOST_TEST((permission_of(e.operation) == e.needs), e.operation);
    BOOST_TEST((std::string(e.path).rfind("/v1/", 0) == 0 || std::string(e.path) == "/metrics"));
  }
  BOOST_TEST(!permission_of("no-such-operation").has_value());
}

BOOST_AUTO_TEST_CASE(a_refusal_names_the_missing_permission) {
  BOOST_TEST(!refuse_unpermitted("trader", "submit"));
  auto refused = refuse_unpermitted("viewer", "submit");
  BOOST_REQUIRE(refused);
  BOOST_TEST(static_cast<int>(refused->status()) == static_cast<int>(service_code::forbidden));
  BOOST_TEST(refused->message.find("runs:write") != std::string::npos);
  BOOST_REQUIRE_EQUAL(refused->details.size(), 1u);
  BOOST_TEST(refused->details[0].field == "permission");
  BOOST_TEST(refused->details[0].reason.find("missing: runs:write") == 0u);
  auto unknown = refuse_unpermitted("admin", "no-such-operation");
  BOOST_REQUIRE(unknown);
  BOOST_TEST(static_cast<int>(unknown->status()) == static_cast<int>(service_code::internal));
}

BOOST_AUTO_TEST_CASE(request_paths_become_bounded_route_templates) {
  using telemetry::route_template;
  BOOST_TEST(route_template("/v1/backtest") == "/v1/backtest");
  BOOST_TEST(route_template("/v1/backtest/history") == "/v1/backtest/history");
  BOOST_TEST(route_template("/v1/backtest/6a9006d9-da86-4c2b-8596-ac1d55b815ba")
             == "/v1/backtest/{id}");
  BOOST_TEST(route_template("/v1/backtest/anything/trades") == "/v1/backtest/{id}/trades");
  BOOST_TEST(route_template("/v1/market-data/GC/1h/bars")
             == "/v1/market-data/{symbol}/{timeframe}/bars");
  BOOST_TEST(route_template("/v1/sweeps/x/configs/3/run") == "/v1/sweeps/{id}/configs/{n}/run");
  BOOST_TEST(route_template("/metrics") == "/metrics");
  BOOST_TEST(route_template("/v1/no/such/endpoint/at/all") == "other");
  BOOST_TEST(route_template("/random-" + std::string(100, 'x')) == "other");
}

BOOST_AUTO_TEST_SUITE_END()
