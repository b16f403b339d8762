#pragma once
// Users and their API keys. Keys are random, shown once, stored as SHA-256.

#include "persistence/audit_log.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

/// The user an API key belongs to, with the key's own role and tier.
struct principal {
  std::int64_t user_id = 0;
  std::string name;
  std::string role;        ///< viewer | analyst | trader | auditor | admin
  std::string tier;        ///< free | pro | enterprise: the key's submission quota
  std::int64_t key_id = 0; ///< the key that authenticated
  std::string trace_id;    ///< the request's trace (set per request, not cached)
};

/// The principal as the actor of an audit entry.
inline audit_actor actor_of(const principal& who) {
  return audit_actor{who.name, who.user_id, who.key_id, who.trace_id};
}

/// The roles and tiers a key may have.
bool valid_role(const std::string& role);
bool valid_tier(const std::string& tier);

struct created_key {
  std::int64_t key_id = 0;
  std::int64_t user_id = 0;
  std::string key;        ///< the only time the plain key exists
  std::string role, tier; ///< the new key's
};

struct key_info {
  std::int64_t id = 0;
  std::string user, role, tier, prefix;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> revoked_at;
};

/// "bt_" followed by 64 hex digits of a 256-bit random number.
std::string generate_api_key();
/// Lowercase hex SHA-256 of the key.
std::string hash_api_key(const std::string& key);

/// Creates the user when it does not exist and issues it a new key with
/// `role` and `tier`; the user's other keys stay as they are.
created_key create_key(pqxx::connection_base& c, const std::string& user, const std::string& role,
                       const std::string& tier, const audit_actor& by);
std::vector<key_info> list_keys(pqxx::connection_base& c);
/// False when no unrevoked key has that id.
bool revoke_key(pqxx::connection_base& c, std::int64_t id, const audit_actor& by);
/// Changes one unrevoked key's tier or role (valid ones only: checked by the
/// caller and by the table); false when no unrevoked key has that id.
bool set_key_tier(pqxx::connection_base& c, std::int64_t id, const std::string& tier,
                  const audit_actor& by);
bool set_key_role(pqxx::connection_base& c, std::int64_t id, const std::string& role,
                  const audit_actor& by);
/// The objects a user owns by id.
enum class owned_kind { run, sweep, walk_forward };
/// The user that owns the run, sweep or walk-forward `id` (a UUID), if any.
std::optional<std::int64_t> owner_of(pqxx::connection_base& c, owned_kind kind,
                                     const std::string& id);

/// The key's user, unless the key is unknown or revoked.
std::optional<principal> authenticate(pqxx::connection_base& c, const std::string& key);

} // namespace bt::db
