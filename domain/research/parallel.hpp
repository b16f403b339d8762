#pragma once
// The research engine's one way to share work between threads: [0, n) cut
// into `threads` contiguous ranges, each run by its own thread (the caller's
// thread takes the first). Every result is written at its own index, so
// nothing computed depends on the number of threads; an exception in any
// range is rethrown to the caller once all have finished.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace bt {

template <class F>
void for_each_range(std::size_t n, unsigned threads, F&& f) {
  threads = static_cast<unsigned>(std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(n, 1)));
  std::vector<std::exception_ptr> errors(threads);
  auto run = [&](unsigned t) {
    try {
      f(n * t / threads, n * (t + 1) / threads);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(run, t);
  run(0);
  for (auto& t : pool)
    t.join();
  for (auto& e : errors)
    if (e)
      std::rethrow_exception(e);
}

} // namespace bt
