#pragma once
// A bounded pool of PostgreSQL connections. Blocking: used only from
// detached actors and command-line tools, never from CAF's cooperative
// threads or Beast's io threads.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace bt::db {

/// No connection became free in time, or the database is unreachable.
class unavailable : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class connection_pool {
public:
  /// `on_connect` runs on every new connection (e.g. to lower the priority
  /// of the server process behind it).
  connection_pool(std::string conninfo, std::size_t size,
                  std::function<void(pqxx::connection&)> on_connect = nullptr);
  ~connection_pool();

  /// A connection on loan; returned to the pool when destroyed. A connection
  /// that broke is dropped and replaced on the next acquire.
  class lease {
  public:
    lease(connection_pool& pool, std::unique_ptr<pqxx::connection> c);
    lease(lease&&) noexcept;
    ~lease();
    pqxx::connection& operator*() { return *conn_; }
    pqxx::connection* operator->() { return conn_.get(); }

  private:
    connection_pool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };

  /// Waits up to `timeout` for a connection; throws `unavailable`.
  lease acquire(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  const std::string& conninfo() const { return conninfo_; }
  /// Connections on loan now, and the most there may be.
  std::size_t in_use();
  std::size_t size() const { return size_; }

private:
  void give_back(std::unique_ptr<pqxx::connection> c);

  const std::string conninfo_;
  const std::size_t size_;
  const std::function<void(pqxx::connection&)> on_connect_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0; ///< idle + on loan
};

} // namespace bt::db
