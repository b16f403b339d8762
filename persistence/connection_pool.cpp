#include "persistence/connection_pool.hpp"

#include <pqxx/pqxx>

namespace bt::db {

connection_pool::connection_pool(std::string conninfo, std::size_t size,
                                 std::function<void(pqxx::connection&)> on_connect)
    : conninfo_(std::move(conninfo)), size_(size == 0 ? 1 : size),
      on_connect_(std::move(on_connect)) {}

connection_pool::~connection_pool() = default;

connection_pool::lease::lease(connection_pool& pool, std::unique_ptr<pqxx::connection> c)
    : pool_(&pool), conn_(std::move(c)) {}

connection_pool::lease::lease(lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)) {}

connection_pool::lease::~lease() {
  if (conn_)
    pool_->give_back(std::move(conn_));
}

std::size_t connection_pool::in_use() {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_ - idle_.size();
}

connection_pool::lease connection_pool::acquire(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!available_.wait_for(lock, timeout, [&] { return !idle_.empty() || open_ < size_; }))
    throw unavailable("no database connection became free within " + std::to_string(timeout.count())
                      + " ms");
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return lease(*this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    auto c = std::make_unique<pqxx::connection>(conninfo_);
    // Every wait has a timeout: no statement runs, and no transaction sits
    // idle holding locks, for longer than a minute.
    {
      pqxx::nontransaction q(*c);
      q.exec("SET statement_timeout = '60s'; SET idle_in_transaction_session_timeout = '60s'");
    }
    if (on_connect_)
      on_connect_(*c);
    return lease(*this, std::move(c));
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> relock(mutex_);
    --open_;
    available_.notify_one();
    throw unavailable(std::string("cannot connect to the database: ") + e.what());
  }
}

void connection_pool::give_back(std::unique_ptr<pqxx::connection> c) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (c->is_open())
    idle_.push_back(std::move(c));
  else
    --open_;
  available_.notify_one();
}

} // namespace bt::db
