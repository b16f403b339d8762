#include "services/periodic_task.hpp"

#include "config/log.hpp"

namespace bt {

periodic_task::periodic_task(std::chrono::milliseconds interval, std::function<void()> work,
                             std::string failure_event) {
  thread_ = std::thread(
      [this, interval, work = std::move(work), failure_event = std::move(failure_event)] {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
          lock.unlock();
          try {
            work();
          } catch (const std::exception& e) {
            log::error(failure_event, {{"reason", e.what()}});
          }
          lock.lock();
        }
      });
}

periodic_task::~periodic_task() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

} // namespace bt
