#pragma once
// A progress bar on standard error while a research command works, drawn
// only when standard error is a terminal (a pipe or a file gets nothing, so
// that scripts and logs stay clean).

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace bt::app {

class progress_bar {
public:
  /// Watches `done` of `total` `unit` (e.g. "configurations").
  progress_bar(std::string unit, std::size_t total, const std::atomic<std::size_t>& done);
  /// Draws the final state and ends the line.
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

private:
  void draw(bool last);

  std::string unit_;
  std::size_t total_;
  const std::atomic<std::size_t>& done_;
  bool enabled_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread painter_;
};

} // namespace bt::app
