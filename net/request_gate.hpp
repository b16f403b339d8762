#pragma once
// A gate for requests in flight (Seastar's `gate`: "stop new requests, and
// tell when existing requests are done"). Every asynchronous step of a
// request holds a pass; the routes and the io_context a reply refers to
// are destroyed only after the gate is closed and every pass returned.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace bt::http {

class request_gate {
public:
  /// Held by whatever may still call back into the routes; returning it
  /// (destroying the last copy) leaves the gate.
  class pass {
  public:
    explicit pass(request_gate& g) : gate_(g) {}
    ~pass() { gate_.leave(); }
    pass(const pass&) = delete;
    pass& operator=(const pass&) = delete;

  private:
    request_gate& gate_;
  };

  /// A pass, or null once the gate is closed (the request is refused).
  std::shared_ptr<pass> enter() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_)
      return nullptr;
    ++inside_;
    return std::make_shared<pass>(*this);
  }

  /// No new passes from now on.
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }

  /// Waits until every pass is returned; false when `timeout` passed first.
  bool wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return empty_.wait_for(lock, timeout, [this] { return inside_ == 0; });
  }

  std::size_t inside() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return inside_;
  }

private:
  void leave() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--inside_ == 0)
      empty_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable empty_;
  std::size_t inside_ = 0;
  bool closed_ = false;
};

} // namespace bt::http
