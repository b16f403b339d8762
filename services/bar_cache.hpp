#pragma once
// Recently used datasets kept in memory by the workers: most runs read the
// same few datasets, and reading 12,000 bars from PostgreSQL costs ~10 ms
// where checking that the stored checksum is unchanged costs ~0.2 ms.
// Beside them, the data checksums of the ranges runs read: hashing the
// canonical text of 12,000 bars costs ~4 ms a run, and a range of a
// dataset with a given checksum always has the same one.

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
  explicit bar_cache(std::size_t max_bars = 4'000'000, std::size_t max_range_checksums = 4096)
      : entries_(max_bars, [](const entry& e) { return e.bars->size(); }),
        range_checksums_(max_range_checksums) {}

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

  /// The data checksum remembered for `range`: a key that names the
  /// dataset's checksum and everything else that decides the run's bars.
  std::optional<std::string> find_range_checksum(const std::string& range) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string* checksum = range_checksums_.find(range);
    return checksum ? std::optional<std::string>(*checksum) : std::nullopt;
  }

  void put_range_checksum(const std::string& range, std::string checksum) {
    std::lock_guard<std::mutex> lock(mutex_);
    range_checksums_.put(range, std::move(checksum));
  }

private:
  struct entry {
    std::string checksum;
    std::shared_ptr<const bar_series> bars;
  };
  std::mutex mutex_;
  bounded_lru<std::string, entry> entries_;
  bounded_lru<std::string, std::string> range_checksums_;
};

} // namespace bt
