#pragma once
// Who may do what: the roles, their permissions, and the permission of every
// endpoint, in one table. The services check it in one place (their
// `guarded` entry), the OpenAPI document is annotated from it
// (`x-permission`), and the role matrix test walks it.

#include <optional>
#include <string>
#include <vector>

namespace bt {

/// What an endpoint needs. Objects of other users stay 404 whatever the
/// permission: a 403 names the endpoint's permission, never an object.
enum class permission {
  data_read,    ///< data:read: list, describe and download one's own market data
  data_write,   ///< data:write: upload and delete one's own market data
  runs_read,    ///< runs:read: one's own runs, sweeps, walk-forwards, their results and streams
  runs_write,   ///< runs:write: submit, cancel and delete them, Monte Carlo
  audit_read,   ///< audit:read: the audit log
  cluster_read, ///< cluster:read: worker nodes
  metrics_read, ///< metrics:read: GET /metrics on the API listener
  purge,        ///< purge: run the retention purge on demand
  support_read, ///< support:read: other users' runs, read-only (support)
  account_read, ///< account:read: who the key is, its role and permissions (every role)
  deploy,       ///< deploy: deploy a program's candidate as a paper deployment
  override_deployment, ///< override: deactivate one's paper deployment at once
};

/// "runs:write" and so on.
const char* permission_name(permission p);

/// viewer, analyst, trader (the default), auditor, admin.
const std::vector<std::string>& role_names();
bool role_has(const std::string& role, permission p);
/// The role's permissions, in the enum's order (for messages and docs).
std::vector<permission> permissions_of(const std::string& role);

/// One endpoint: the operation the services know it by, its method and
/// path template as OpenAPI writes them, and what it needs.
struct endpoint_permission {
  const char* operation;
  const char* method; ///< GET, POST, DELETE
  const char* path;   ///< /v1/backtest/{id}
  permission needs;
};

/// Every endpoint that needs a key, in the API's order.
const std::vector<endpoint_permission>& endpoint_permissions();

/// The permission an operation needs; nothing for an unknown operation (a
/// programming error: the services refuse it as internal).
std::optional<permission> permission_of(const std::string& operation);

struct service_reply;

/// The one check: nothing when `role` may call `operation`, else the 403
/// naming the missing permission (an unknown operation: internal).
std::optional<service_reply> refuse_unpermitted(const std::string& role,
                                                const std::string& operation);

} // namespace bt
