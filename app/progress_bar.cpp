#include "app/progress_bar.hpp"

#include <chrono>
#include <cstdio>

#include <unistd.h>

namespace bt::app {

progress_bar::progress_bar(std::string unit, std::size_t total,
                           const std::atomic<std::size_t>& done)
    : unit_(std::move(unit)), total_(total), done_(done), enabled_(::isatty(STDERR_FILENO) == 1) {
  if (!enabled_)
    return;
  painter_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    // Five frames a second: enough to watch, too few to cost anything.
    while (!wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; }))
      draw(false);
  });
}

progress_bar::~progress_bar() {
  if (!enabled_)
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  painter_.join();
  draw(true);
}

void progress_bar::draw(bool last) {
  constexpr int width = 30;
  const std::size_t done = std::min(done_.load(std::memory_order_relaxed), total_);
  const double share = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(share * width);
  char bar[width + 1];
  for (int i = 0; i < width; ++i)
    bar[i] = i < filled ? '#' : '.';
  bar[width] = '\0';
  std::fprintf(stderr, "\r[%s] %3d%% %zu/%zu %s%s", bar, static_cast<int>(share * 100), done,
               total_, unit_.c_str(), last ? "\n" : "");
  std::fflush(stderr);
}

} // namespace bt::app
