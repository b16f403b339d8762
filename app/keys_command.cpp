#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/data/timestamp.hpp"
#include "persistence/embedded_postgres.hpp"
#include "persistence/user_repository.hpp"

#include <pqxx/pqxx>

#include <cstdlib>
#include <iostream>

namespace bt::app {

std::string open_database(const std::optional<std::string>& url, const std::string& data_dir,
                          std::unique_ptr<db::embedded_postgres>& embedded, bool server);

namespace {

std::optional<std::string> setting(const command_line& args, const std::string& name,
                                   const char* env) {
  if (auto v = args.get(name))
    return v;
  if (const char* e = std::getenv(env))
    return std::string(e);
  return std::nullopt;
}

} // namespace

int keys_command(int argc, char** argv) {
  if (argc < 3)
    throw usage_error("usage: backtestd keys create|list|revoke ...");
  const std::string action = argv[2];
  int first = 3;
  std::optional<std::int64_t> revoke_id;
  if (action == "revoke") {
    if (argc < 4)
      throw usage_error("usage: backtestd keys revoke ID");
    try {
      std::size_t used = 0;
      revoke_id = std::stoll(argv[3], &used);
      if (used != std::string(argv[3]).size() || *revoke_id <= 0)
        throw std::invalid_argument("id");
    } catch (const std::exception&) {
      throw usage_error(std::string("key id '") + argv[3] + "' is not a positive whole number");
    }
    first = 4;
  } else if (action != "create" && action != "list") {
    throw usage_error("unknown keys action '" + action + "' (create, list, revoke)");
  }
  command_line args(argc, argv, first, {"user", "role", "tier", "data-dir", "database-url"});
  const std::string role = args.get("role").value_or("trader");
  const std::string tier = args.get("tier").value_or("free");
  if (action == "create") {
    const std::string user = args.require("user");
    if (user.empty() || user.size() > 64)
      throw usage_error("--user must be 1 to 64 characters");
    if (role != "trader" && role != "admin")
      throw usage_error("--role must be trader or admin");
    if (tier != "free" && tier != "pro")
      throw usage_error("--tier must be free or pro");
  }
  std::unique_ptr<db::embedded_postgres> embedded;
  const std::string conninfo = open_database(
      setting(args, "database-url", "BACKTESTD_DATABASE_URL"),
      setting(args, "data-dir", "BACKTESTD_DATA_DIR").value_or("./var"), embedded, false);
  pqxx::connection c(conninfo);
  if (action == "create") {
    auto k = db::create_key(c, *args.get("user"), role, tier);
    std::cerr << "created key " << k.key_id << " for user '" << *args.get("user") << "' (" << k.role
              << ", " << k.tier << "); it is shown only once\n";
    if ((args.get("role") && k.role != role) || (args.get("tier") && k.tier != tier))
      std::cerr << "note: '" << *args.get("user") << "' already exists as " << k.role << "/"
                << k.tier << "; a new key does not change a user's role or tier\n";
    std::cout << k.key << '\n';
  } else if (action == "list") {
    std::cout << "id\tuser\trole\ttier\tprefix\tcreated_at\trevoked_at\n";
    for (const auto& k : db::list_keys(c))
      std::cout << k.id << '\t' << k.user << '\t' << k.role << '\t' << k.tier << '\t' << k.prefix
                << "...\t" << format_timestamp(k.created_at) << '\t'
                << (k.revoked_at ? format_timestamp(*k.revoked_at) : std::string("-")) << '\n';
  } else {
    if (!db::revoke_key(c, *revoke_id)) {
      std::cerr << "backtestd keys: no active key with id " << *revoke_id << '\n';
      return exit_usage;
    }
    std::cerr << "revoked key " << *revoke_id << '\n';
  }
  return exit_ok;
}

} // namespace bt::app
