#pragma once
// A fresh embedded PostgreSQL for one test, in a temporary directory that is
// removed afterwards: the persistence tests run against a real database.
#include "persistence/embedded_postgres.hpp"
#include "persistence/migrations.hpp"

#include <pqxx/pqxx>

#include <filesystem>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace bt::test {

namespace fs = std::filesystem;

/// A fresh embedded PostgreSQL in a temporary directory, removed afterwards.
struct database {
  std::string dir =
      (fs::temp_directory_path() / ("bt_persist_" + std::to_string(::getpid()))).string();
  std::unique_ptr<db::embedded_postgres> pg;
  std::unique_ptr<pqxx::connection> c;
  std::int64_t user_id = 0;

  database() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    ::chmod(dir.c_str(), 0755);
    pg = db::embedded_postgres::start(dir);
    c = std::make_unique<pqxx::connection>(pg->connection_string());
  }
  ~database() {
    c.reset();
    pg->stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  /// The schema as a binary before the chunks left it.
  void migrate_before(const std::string& first_not_applied) {
    pqxx::work t(*c);
    t.exec("CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT "
           "NULL DEFAULT now())");
    for (const auto& m : db::migrations())
      if (m.name < first_not_applied) {
        t.exec(m.sql);
        t.exec_params("INSERT INTO schema_migrations (name) VALUES ($1)", m.name);
      }
    t.commit();
  }
  void add_user() {
    pqxx::work t(*c);
    // Before migration 0013 a user had a role and a tier; since, its keys have.
    const bool user_roles = !t.exec("SELECT 1 FROM information_schema.columns WHERE table_name = "
                                    "'users' AND column_name = 'role'")
                                 .empty();
    user_id = t.exec1(user_roles ? "INSERT INTO users (name, role, tier) VALUES ('alice', "
                                   "'trader', 'pro') RETURNING id"
                                 : "INSERT INTO users (name) VALUES ('alice') RETURNING id")[0]
                  .as<std::int64_t>();
    t.commit();
  }
};

/// `count` runs of `user` in `status`, their ids numbered from `first`.
inline void add_runs(database& d, std::int64_t user, const char* status, int priority, int first,
                     int count) {
  pqxx::work t(*d.c);
  t.exec_params("INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, "
                "source_timeframe, start_time, end_time, strategy, strategy_version, config_json, "
                "params_json, execution_json, config_hash, dataset_checksum, dedupe_key) "
                "SELECT ('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, $1, $2, "
                "$3, 'GC', '1h', '1h', now(), now(), 'supply_demand_zones', '1', '{}', '{}', "
                "'{}', 'h', 'c', 'k' || n FROM generate_series($4::int, $4::int + $5::int - 1) n",
                user, status, priority, first, count);
  t.commit();
}

/// The id add_runs gives run number `n`.
inline std::string run_id(int n) {
  std::string digits = std::to_string(n);
  return "00000000-0000-0000-0000-" + std::string(12 - digits.size(), '0') + digits;
}

} // namespace bt::test
