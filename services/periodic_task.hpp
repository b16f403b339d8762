#pragma once
// Work the server does on its own every so often (the retention purge, the
// program schedule): a thread of its own, never an io or actor thread,
// that runs `work` every `interval` until destroyed. An exception from the
// work is logged under `failure_event` and the work runs again at the next
// interval.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace bt {

class periodic_task {
public:
  periodic_task(std::chrono::milliseconds interval, std::function<void()> work,
                std::string failure_event);
  ~periodic_task();
  periodic_task(const periodic_task&) = delete;
  periodic_task& operator=(const periodic_task&) = delete;

private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace bt
