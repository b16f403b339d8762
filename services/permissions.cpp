#include "services/permissions.hpp"

#include "services/service_reply.hpp"

#include <algorithm>
#include <initializer_list>

namespace bt {
namespace {

using p = permission;

struct role_grant {
  const char* role;
  std::initializer_list<permission> grants;
};

// viewer < analyst < trader read and work on their own data; an auditor
// reads the audit log and nothing of anyone's trading; an admin operates
// the service and reads other users' runs for support, never changes them.
// Only a trader deploys a program's candidates and overrides its
// deployments: an analyst's or viewer's key sees them, never changes them.
const role_grant grants[] = {
    {"viewer", {p::data_read, p::runs_read, p::account_read}},
    {"analyst", {p::data_read, p::runs_read, p::runs_write, p::account_read}},
    {"trader",
     {p::data_read, p::data_write, p::runs_read, p::runs_write, p::account_read, p::deploy,
      p::override_deployment}},
    {"auditor", {p::audit_read, p::account_read}},
    {"admin",
     {p::data_read, p::data_write, p::runs_read, p::runs_write, p::audit_read, p::cluster_read,
      p::metrics_read, p::purge, p::support_read, p::account_read}},
};

const role_grant* find_role(const std::string& role) {
  for (const auto& g : grants)
    if (role == g.role)
      return &g;
  return nullptr;
}

} // namespace

const char* permission_name(permission perm) {
  switch (perm) {
  case p::data_read:
    return "data:read";
  case p::data_write:
    return "data:write";
  case p::runs_read:
    return "runs:read";
  case p::runs_write:
    return "runs:write";
  case p::audit_read:
    return "audit:read";
  case p::cluster_read:
    return "cluster:read";
  case p::metrics_read:
    return "metrics:read";
  case p::purge:
    return "purge";
  case p::support_read:
    return "support:read";
  case p::account_read:
    return "account:read";
  case p::deploy:
    return "deploy";
  case p::override_deployment:
    return "override";
  }
  return "unknown";
}

const std::vector<std::string>& role_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& g : grants)
      n.emplace_back(g.role);
    return n;
  }();
  return names;
}

bool role_has(const std::string& role, permission perm) {
  const role_grant* g = find_role(role);
  return g && std::find(g->grants.begin(), g->grants.end(), perm) != g->grants.end();
}

std::vector<permission> permissions_of(const std::string& role) {
  std::vector<permission> out;
  for (int i = 0; i <= static_cast<int>(p::override_deployment); ++i)
    if (role_has(role, static_cast<permission>(i)))
      out.push_back(static_cast<permission>(i));
  return out;
}

const std::vector<endpoint_permission>& endpoint_permissions() {
  // The one table: every keyed endpoint, its operation and its permission.
  static const std::vector<endpoint_permission> table = {
      {"upload", "POST", "/v1/market-data", p::data_write},
      {"list", "GET", "/v1/market-data", p::data_read},
      {"describe", "GET", "/v1/market-data/{symbol}/{timeframe}", p::data_read},
      {"delete-data", "DELETE", "/v1/market-data/{symbol}/{timeframe}", p::data_write},
      {"bars", "GET", "/v1/market-data/{symbol}/{timeframe}/bars", p::data_read},
      {"regimes", "GET", "/v1/regimes", p::data_read},
      {"strategies", "GET", "/v1/strategies", p::runs_read},
      {"queue", "GET", "/v1/queue", p::runs_read},
      {"submit", "POST", "/v1/backtest", p::runs_write},
      {"history", "GET", "/v1/backtest", p::runs_read},
      {"history", "GET", "/v1/backtest/history", p::runs_read},
      {"compare", "GET", "/v1/backtest/compare", p::runs_read},
      {"status", "GET", "/v1/backtest/{id}", p::runs_read},
      {"delete", "DELETE", "/v1/backtest/{id}", p::runs_write},
      {"status", "GET", "/v1/backtest/{id}/events", p::runs_read},
      {"status", "GET", "/v1/backtest/{id}/progress", p::runs_read},
      {"cancel", "POST", "/v1/backtest/{id}/cancel", p::runs_write},
      {"monte-carlo", "POST", "/v1/backtest/{id}/monte-carlo", p::runs_write},
      {"results", "GET", "/v1/backtest/{id}/metrics", p::runs_read},
      {"results", "GET", "/v1/backtest/{id}/equity", p::runs_read},
      {"results", "GET", "/v1/backtest/{id}/trades", p::runs_read},
      {"results", "GET", "/v1/backtest/{id}/zones", p::runs_read},
      {"results", "GET", "/v1/backtest/{id}/chart", p::runs_read},
      {"sweep-submit", "POST", "/v1/sweeps", p::runs_write},
      {"sweep-list", "GET", "/v1/sweeps", p::runs_read},
      {"sweep-status", "GET", "/v1/sweeps/{id}", p::runs_read},
      {"sweep-delete", "DELETE", "/v1/sweeps/{id}", p::runs_write},
      {"sweep-status", "GET", "/v1/sweeps/{id}/events", p::runs_read},
      {"sweep-status", "GET", "/v1/sweeps/{id}/progress", p::runs_read},
      {"sweep-cancel", "POST", "/v1/sweeps/{id}/cancel", p::runs_write},
      {"sweep-results", "GET", "/v1/sweeps/{id}/results", p::runs_read},
      {"sweep-heatmap", "GET", "/v1/sweeps/{id}/heatmap", p::runs_read},
      {"sweep-overfitting", "GET", "/v1/sweeps/{id}/overfitting", p::runs_read},
      {"sweep-run", "POST", "/v1/sweeps/{id}/configs/{n}/run", p::runs_write},
      {"walk-forward-submit", "POST", "/v1/walk-forwards", p::runs_write},
      {"walk-forward-list", "GET", "/v1/walk-forwards", p::runs_read},
      {"walk-forward-status", "GET", "/v1/walk-forwards/{id}", p::runs_read},
      {"walk-forward-delete", "DELETE", "/v1/walk-forwards/{id}", p::runs_write},
      {"walk-forward-status", "GET", "/v1/walk-forwards/{id}/events", p::runs_read},
      {"walk-forward-status", "GET", "/v1/walk-forwards/{id}/progress", p::runs_read},
      {"walk-forward-cancel", "POST", "/v1/walk-forwards/{id}/cancel", p::runs_write},
      {"walk-forward-monte-carlo", "POST", "/v1/walk-forwards/{id}/monte-carlo", p::runs_write},
      {"walk-forward-trades", "GET", "/v1/walk-forwards/{id}/trades", p::runs_read},
      {"walk-forward-equity", "GET", "/v1/walk-forwards/{id}/equity", p::runs_read},
      {"program-submit", "POST", "/v1/programs", p::runs_write},
      {"program-list", "GET", "/v1/programs", p::runs_read},
      {"program-status", "GET", "/v1/programs/{id}", p::runs_read},
      {"program-delete", "DELETE", "/v1/programs/{id}", p::runs_write},
      {"program-cycle", "POST", "/v1/programs/{id}/cycles", p::runs_write},
      {"program-cycle-cancel", "POST", "/v1/programs/{id}/cycles/{n}/cancel", p::runs_write},
      {"program-scorecard", "GET", "/v1/programs/{id}/scorecards/{n}", p::runs_read},
      {"program-candidates", "GET", "/v1/programs/{id}/candidates", p::runs_read},
      {"program-scorecards", "GET", "/v1/programs/{id}/scorecards", p::runs_read},
      {"deployment-list", "GET", "/v1/programs/{id}/deployments", p::runs_read},
      {"deployment-list", "GET", "/v1/programs/{id}/deployments/events", p::runs_read},
      {"deployment-list", "GET", "/v1/programs/{id}/deployments/progress", p::runs_read},
      {"deployment-deploy", "POST", "/v1/programs/{id}/deployments", p::deploy},
      {"deployment-status", "GET", "/v1/programs/{id}/deployments/{deployment}", p::runs_read},
      {"deployment-deactivate", "POST", "/v1/programs/{id}/deployments/{deployment}/deactivate",
       p::override_deployment},
      {"program-alerts", "GET", "/v1/programs/{id}/alerts", p::runs_read},
      {"program-correlations", "GET", "/v1/programs/{id}/correlations", p::runs_read},
      {"program-report", "GET", "/v1/programs/{id}/reports/{date}", p::runs_read},
      {"program-decisions", "GET", "/v1/programs/{id}/decisions", p::runs_read},
      {"program-replay", "POST", "/v1/programs/{id}/replay", p::runs_write},
      {"program-replays", "GET", "/v1/programs/{id}/replays", p::runs_read},
      {"program-replay-status", "GET", "/v1/programs/{id}/replays/{replay}", p::runs_read},
      {"cluster", "GET", "/v1/admin/cluster", p::cluster_read},
      {"admin-queue", "GET", "/v1/admin/queue", p::cluster_read},
      {"audit", "GET", "/v1/admin/audit", p::audit_read},
      {"purge", "POST", "/v1/admin/purge", p::purge},
      {"metrics", "GET", "/metrics", p::metrics_read},
      {"me", "GET", "/v1/me", p::account_read},
  };
  return table;
}

std::optional<permission> permission_of(const std::string& operation) {
  for (const auto& e : endpoint_permissions())
    if (operation == e.operation)
      return e.needs;
  return std::nullopt;
}

std::optional<service_reply> refuse_unpermitted(const std::string& role,
                                                const std::string& operation) {
  const auto needs = permission_of(operation);
  if (!needs)
    return error_reply(service_code::internal, "operation " + operation + " has no permission", {});
  if (role_has(role, *needs))
    return std::nullopt;
  std::string held;
  for (permission h : permissions_of(role))
    held += (held.empty() ? "" : ", ") + std::string(permission_name(h));
  return error_reply(service_code::forbidden,
                     std::string("this key's role (") + role + ") lacks the permission "
                         + permission_name(*needs),
                     {{"permission", 0,
                       std::string("missing: ") + permission_name(*needs) + "; the role has "
                           + (held.empty() ? "none" : held)}});
}

} // namespace bt
