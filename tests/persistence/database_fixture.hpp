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
    user_id = t.exec1("INSERT INTO users (name, role, tier) VALUES ('alice', 'trader', 'pro') "
                      "RETURNING id")[0]
                  .as<std::int64_t>();
    t.commit();
  }
};

} // namespace bt::test
