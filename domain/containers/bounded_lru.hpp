#pragma once
// The one bounded map for state a client can grow (rate-limit buckets,
// authentications, documents, cluster challenges, cached bars): a fixed
// capacity, least recently used entries evicted one by one. Nothing keyed
// by client input is ever cleared wholesale, so a flood of new keys pushes
// out only the oldest entries, never every client's state at once.
//
// Not thread-safe: the owner holds its own lock.

#include <cstddef>
#include <functional>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

namespace bt {

template <class Key, class Value>
class bounded_lru {
public:
  /// An entry's weight against the capacity (1 per entry by default; e.g.
  /// bars held, for caches of series).
  using weigher = std::function<std::size_t(const Value&)>;

  explicit bounded_lru(std::size_t capacity, weigher weight = nullptr)
      : capacity_(capacity), weigh_(std::move(weight)) {}

  /// The entry, made the most recently used; null when absent.
  Value* find(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end())
      return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  /// The entry without touching its recency.
  const Value* peek(const Key& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &it->second->second;
  }

  /// Inserts or replaces `key` as the most recently used entry, then evicts
  /// the least recently used until the total weight fits. An entry heavier
  /// than the whole capacity is not kept (false).
  bool put(const Key& key, Value value) {
    const std::size_t w = weight_of(value);
    erase(key);
    if (w > capacity_)
      return false;
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    weight_ += w;
    while (weight_ > capacity_) {
      auto& last = order_.back();
      weight_ -= weight_of(last.second);
      index_.erase(last.first);
      order_.pop_back();
      ++evictions_;
    }
    return true;
  }

  /// Removes `key` and hands its value over; nothing when absent. A weighed
  /// value is changed by taking it and putting it back, never in place: its
  /// weight is counted as it was put.
  std::optional<Value> take(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end())
      return std::nullopt;
    weight_ -= weight_of(it->second->second);
    std::optional<Value> out(std::move(it->second->second));
    order_.erase(it->second);
    index_.erase(it);
    return out;
  }

  /// Removes `key`; false when absent.
  bool erase(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end())
      return false;
    weight_ -= weight_of(it->second->second);
    order_.erase(it->second);
    index_.erase(it);
    return true;
  }

  std::size_t size() const { return index_.size(); }
  std::size_t weight() const { return weight_; }
  std::size_t capacity() const { return capacity_; }
  /// Entries pushed out by newer ones since construction.
  std::size_t evictions() const { return evictions_; }

private:
  std::size_t weight_of(const Value& v) const { return weigh_ ? weigh_(v) : 1; }

  const std::size_t capacity_;
  const weigher weigh_;
  std::list<std::pair<Key, Value>> order_; ///< most recently used first
  std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator> index_;
  std::size_t weight_ = 0;
  std::size_t evictions_ = 0;
};

} // namespace bt
