#pragma once
// The default database: a PostgreSQL 15 server that backtestd initialises
// and runs itself under <data-dir>/pg, listening only on a Unix socket in
// <data-dir>/pg-run, as the unprivileged `postgres` user when run as root.

#include <memory>
#include <stdexcept>
#include <string>

namespace bt::db {

/// Start-up failures with a message meant for the operator.
class embedded_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class embedded_postgres {
public:
  /// Server mode: takes the data directory's lock (a second backtestd on the
  /// same directory fails with a clear message), runs initdb on first use,
  /// starts postgres (or adopts one left running by a crashed process) and
  /// creates the `backtestd` database.
  static std::unique_ptr<embedded_postgres> start(const std::string& data_dir);

  /// Tool mode (`keys ...`): uses the database of a server running on
  /// `data_dir`, or starts postgres for the duration when none is.
  static std::unique_ptr<embedded_postgres> attach(const std::string& data_dir);

  ~embedded_postgres();
  embedded_postgres(const embedded_postgres&) = delete;
  embedded_postgres& operator=(const embedded_postgres&) = delete;

  /// libpq connection string for the backtestd database.
  const std::string& connection_string() const { return conninfo_; }
  /// Stops postgres if this object started or adopted it.
  void stop();

private:
  embedded_postgres() = default;
  void boot();

  std::string data_dir_, pgdata_, socket_dir_, log_file_, conninfo_;
  int lock_fd_ = -1;
  bool owns_server_ = false;
};

} // namespace bt::db
