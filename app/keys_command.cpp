#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/data/timestamp.hpp"
#include "persistence/embedded_postgres.hpp"
#include "persistence/user_repository.hpp"

#include <pqxx/pqxx>

#include <iostream>

namespace bt::app {

std::string open_database(const std::optional<std::string>& url, const std::string& data_dir,
                          std::unique_ptr<db::embedded_postgres>& embedded, bool server);

int keys_command(int argc, char** argv) {
  if (argc < 3)
    throw usage_error("usage: backtestd keys create|list|revoke|set-tier|set-role ...");
  const std::string action = argv[2];
  int first = 3;
  std::optional<std::int64_t> key_id;
  std::string new_value; // set-tier's tier, set-role's role
  if (action == "revoke" || action == "set-tier" || action == "set-role") {
    const bool setter = action != "revoke";
    if (argc < (setter ? 5 : 4))
      throw usage_error("usage: backtestd keys " + action + (setter ? " ID VALUE" : " ID"));
    try {
      std::size_t used = 0;
      key_id = std::stoll(argv[3], &used);
      if (used != std::string(argv[3]).size() || *key_id <= 0)
        throw std::invalid_argument("id");
    } catch (const std::exception&) {
      throw usage_error(std::string("key id '") + argv[3] + "' is not a positive whole number");
    }
    first = 4;
    if (setter) {
      new_value = argv[4];
      first = 5;
      if (action == "set-tier" && !db::valid_tier(new_value))
        throw usage_error("tier '" + new_value + "' is not one of free, pro, enterprise");
      if (action == "set-role" && !db::valid_role(new_value))
        throw usage_error("role '" + new_value
                          + "' is not one of viewer, analyst, trader, auditor, admin");
    }
  } else if (action != "create" && action != "list") {
    throw usage_error("unknown keys action '" + action
                      + "' (create, list, revoke, set-tier, set-role)");
  }
  command_line args(argc, argv, first, {"user", "role", "tier", "data-dir", "database-url"});
  const std::string role = args.get("role").value_or("trader");
  const std::string tier = args.get("tier").value_or("free");
  if (action == "create") {
    const std::string user = args.require("user");
    if (user.empty() || user.size() > 64)
      throw usage_error("--user must be 1 to 64 characters");
    if (!db::valid_role(role))
      throw usage_error("--role must be viewer, analyst, trader, auditor or admin");
    if (!db::valid_tier(tier))
      throw usage_error("--tier must be free, pro or enterprise");
  }
  std::unique_ptr<db::embedded_postgres> embedded;
  const std::string conninfo = open_database(
      setting(args, "database-url"), setting(args, "data-dir").value_or("./var"), embedded, false);
  pqxx::connection c(conninfo);
  if (action == "create") {
    auto k = db::create_key(c, *args.get("user"), role, tier, db::audit_actor{});
    std::cerr << "created key " << k.key_id << " for user '" << *args.get("user") << "' (" << k.role
              << ", " << k.tier << "); it is shown only once\n";
    std::cout << k.key << '\n';
  } else if (action == "list") {
    std::cout << "id\tuser\trole\ttier\tprefix\tcreated_at\trevoked_at\n";
    for (const auto& k : db::list_keys(c))
      std::cout << k.id << '\t' << k.user << '\t' << k.role << '\t' << k.tier << '\t' << k.prefix
                << "...\t" << format_timestamp(k.created_at) << '\t'
                << (k.revoked_at ? format_timestamp(*k.revoked_at) : std::string("-")) << '\n';
  } else {
    const bool done = action == "revoke" ? db::revoke_key(c, *key_id, db::audit_actor{})
                      : action == "set-tier"
                          ? db::set_key_tier(c, *key_id, new_value, db::audit_actor{})
                          : db::set_key_role(c, *key_id, new_value, db::audit_actor{});
    if (!done) {
      std::cerr << "backtestd keys: no active key with id " << *key_id << '\n';
      return exit_usage;
    }
    if (action == "revoke")
      std::cerr << "revoked key " << *key_id << '\n';
    else
      std::cerr << "key " << *key_id << (action == "set-tier" ? " tier " : " role ") << new_value
                << " (a running server applies it within a second)\n";
  }
  return exit_ok;
}

} // namespace bt::app
