#pragma once
// Numbered schema migrations, applied in order at start-up.

#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

struct migration {
  std::string name; ///< file name without .sql, e.g. "0001_initial"
  std::string sql;
};

/// Every migration shipped with this binary, in order (generated at build
/// time from persistence/migrations/*.sql).
const std::vector<migration>& migrations();

/// Applies the migrations not yet recorded in `schema_migrations`, each in
/// its own transaction, serialised across processes by an advisory lock.
/// Returns the names applied (empty when the schema is current).
std::vector<std::string> migrate(pqxx::connection_base& c);

} // namespace bt::db
