#pragma once
// Recently used datasets kept in memory by the workers: most runs read the
// same few datasets, and reading 12,000 bars from PostgreSQL costs ~10 ms
// where checking that the stored checksum is unchanged costs ~0.2 ms.

#include "domain/containers/bounded_lru.hpp"
#include "domain/data/bar_series.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace bt {

class bar_cache {
public:
  /// At most `max_bars` bars in all, least recently used datasets evicted.
  explicit bar_cache(std::size_t max_bars = 4'000'000)
      : entries_(max_bars, [](const entry& e) { return e.bars->size(); }) {}

  /// The cached dataset if it is still the one with `checksum`.
  std::shared_ptr<const bar_series> find(const std::string& key, const std::string& checksum) {
    std::lock_guard<std::mutex> lock(mutex_);
    entry* e = entries_.find(key);
    if (!e)
      return nullptr;
    if (e->checksum != checksum) {
      entries_.erase(key);
      return nullptr;
    }
    return e->bars;
  }

  void put(const std::string& key, const std::string& checksum,
           std::shared_ptr<const bar_series> bars) {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_.put(key, {checksum, std::move(bars)});
  }

private:
  struct entry {
    std::string checksum;
    std::shared_ptr<const bar_series> bars;
  };
  std::mutex mutex_;
  bounded_lru<std::string, entry> entries_;
};

} // namespace bt
