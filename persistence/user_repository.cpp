#include "persistence/user_repository.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"

#include "domain/report/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pqxx/pqxx>

#include <stdexcept>

namespace bt::db {

std::string generate_api_key() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("the system random number generator failed");
  return "bt_" + to_hex(bytes, sizeof bytes);
}

std::string hash_api_key(const std::string& key) {
  return sha256_hex(key);
}

bool valid_role(const std::string& role) {
  return role == "viewer" || role == "analyst" || role == "trader" || role == "auditor"
         || role == "admin";
}

bool valid_tier(const std::string& tier) {
  return tier == "free" || tier == "pro" || tier == "enterprise";
}

created_key create_key(pqxx::connection_base& c, const std::string& user, const std::string& role,
                       const std::string& tier, const audit_actor& by) {
  pqxx::work txn(c);
  // An existing user is only looked up: a new key changes none of its keys.
  auto u = txn.exec_params1("INSERT INTO users (name) VALUES ($1) "
                            "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                            user);
  created_key k;
  k.user_id = u[0].as<std::int64_t>();
  k.role = role;
  k.tier = tier;
  k.key = generate_api_key();
  auto row = txn.exec_params1("INSERT INTO api_keys (user_id, key_hash, prefix, role, tier) "
                              "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                              k.user_id, hash_api_key(k.key), k.key.substr(0, 10), role, tier);
  k.key_id = row[0].as<std::int64_t>();
  json_writer w;
  w.begin_object().key("user").string(user).key("user_id").number(k.user_id);
  w.key("role").string(role).key("tier").string(tier).key("prefix").string(k.key.substr(0, 10));
  w.end_object();
  append_audit(txn, by, "key.created", "key:" + std::to_string(k.key_id), w.take());
  txn.commit();
  return k;
}

std::vector<key_info> list_keys(pqxx::connection_base& c) {
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  std::vector<key_info> out;
  for (const auto& r : txn.exec("SELECT k.id, u.name, k.role, k.tier, k.prefix, extract(epoch FROM "
                                "k.created_at)::bigint, "
                                "extract(epoch FROM k.revoked_at)::bigint FROM api_keys k JOIN "
                                "users u ON u.id = k.user_id "
                                "ORDER BY k.id")) {
    key_info k;
    k.id = r[0].as<std::int64_t>();
    k.user = r[1].as<std::string>();
    k.role = r[2].as<std::string>();
    k.tier = r[3].as<std::string>();
    k.prefix = r[4].as<std::string>();
    k.created_at = r[5].as<std::int64_t>();
    if (!r[6].is_null())
      k.revoked_at = r[6].as<std::int64_t>();
    out.push_back(std::move(k));
  }
  return out;
}

namespace {

// One change to an unrevoked key (its tier or role); `change` is a fixed
// clause of this file, never client text, its value the second parameter.
bool update_active_key(pqxx::connection_base& c, std::int64_t id, const char* column,
                       const std::string& value, const audit_actor& by) {
  pqxx::work txn(c);
  auto r = txn.exec_params(std::string("UPDATE api_keys SET ") + column
                               + " = $2 WHERE id = $1 AND revoked_at IS NULL",
                           id, value);
  if (r.affected_rows() == 1) {
    json_writer w;
    w.begin_object().key(column).string(value).end_object();
    append_audit(txn, by, std::string("key.") + column + "_changed", "key:" + std::to_string(id),
                 w.take());
  }
  txn.commit();
  return r.affected_rows() == 1;
}

} // namespace

bool revoke_key(pqxx::connection_base& c, std::int64_t id, const audit_actor& by) {
  pqxx::work txn(c);
  auto r = txn.exec_params(
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", id);
  if (r.affected_rows() == 1)
    append_audit(txn, by, "key.revoked", "key:" + std::to_string(id));
  txn.commit();
  return r.affected_rows() == 1;
}

bool set_key_tier(pqxx::connection_base& c, std::int64_t id, const std::string& tier,
                  const audit_actor& by) {
  return update_active_key(c, id, "tier", tier, by);
}

bool set_key_role(pqxx::connection_base& c, std::int64_t id, const std::string& role,
                  const audit_actor& by) {
  return update_active_key(c, id, "role", role, by);
}

std::optional<std::int64_t> owner_of(pqxx::connection_base& c, owned_kind kind,
                                     const std::string& id) {
  // A fixed statement per kind; the id is a parameter.
  const char* sql = kind == owned_kind::run     ? "SELECT user_id FROM runs WHERE id = $1::uuid"
                    : kind == owned_kind::sweep ? "SELECT user_id FROM sweeps WHERE id = $1::uuid"
                                                : "SELECT user_id FROM walk_forwards WHERE id = "
                                                  "$1::uuid";
  pqxx::nontransaction txn(c);
  auto r = txn.exec_params(sql, id);
  if (r.empty())
    return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

std::optional<principal> authenticate(pqxx::connection_base& c, const std::string& key) {
  if (key.size() != 67 || key.compare(0, 3, "bt_") != 0)
    return std::nullopt;
  const std::string hash = hash_api_key(key);
  pqxx::nontransaction txn(c); // one statement: no BEGIN/COMMIT round trips
  auto r =
      txn.exec_params("SELECT u.id, u.name, k.role, k.tier, k.key_hash, k.id FROM api_keys k JOIN "
                      "users u ON u.id = k.user_id "
                      "WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
                      hash);
  if (r.empty())
    return std::nullopt;
  const std::string stored = r[0][4].as<std::string>();
  // The index finds the row; the decision is a constant-time comparison.
  if (stored.size() != hash.size() || CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) != 0)
    return std::nullopt;
  return principal{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(),
                   r[0][2].as<std::string>(),  r[0][3].as<std::string>(),
                   r[0][5].as<std::int64_t>(), {}};
}

} // namespace bt::db
