#pragma once
// Users and their API keys. Keys are random, shown once, stored as SHA-256.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

/// The user an API key belongs to.
struct principal {
  std::int64_t user_id = 0;
  std::string name;
  std::string role; ///< trader | admin
  std::string tier; ///< free | pro
};

struct created_key {
  std::int64_t key_id = 0;
  std::int64_t user_id = 0;
  std::string key;        ///< the only time the plain key exists
  std::string role, tier; ///< the user's, as stored (an existing user keeps its own)
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

/// Creates the user when it does not exist (with `role` and `tier`),
/// otherwise updates its role and tier, and issues a new key for it.
created_key create_key(pqxx::connection_base& c, const std::string& user, const std::string& role,
                       const std::string& tier);
std::vector<key_info> list_keys(pqxx::connection_base& c);
/// False when no unrevoked key has that id.
bool revoke_key(pqxx::connection_base& c, std::int64_t id);
/// The key's user, unless the key is unknown or revoked.
std::optional<principal> authenticate(pqxx::connection_base& c, const std::string& key);

} // namespace bt::db
