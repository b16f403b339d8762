#include "persistence/migrations.hpp"

#include <pqxx/pqxx>

namespace bt::db {

std::vector<std::string> migrate(pqxx::connection_base& c) {
  {
    pqxx::work txn(c);
    txn.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
             "name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    txn.commit();
  }
  std::vector<std::string> applied;
  for (const auto& m : migrations()) {
    pqxx::work txn(c);
    // Two processes starting on one database apply each migration once.
    txn.exec("SELECT pg_advisory_xact_lock(7265735)");
    if (!txn.exec_params("SELECT 1 FROM schema_migrations WHERE name = $1", m.name).empty())
      continue;
    txn.exec(m.sql);
    txn.exec_params("INSERT INTO schema_migrations (name) VALUES ($1)", m.name);
    txn.commit();
    applied.push_back(m.name);
  }
  return applied;
}

} // namespace bt::db
