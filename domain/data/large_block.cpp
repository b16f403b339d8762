#include "domain/data/large_block.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

#include <sys/mman.h>

namespace bt {
namespace {

std::size_t whole_huge_pages(std::size_t bytes) {
  return (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
}

/// Large blocks this thread freed, kept for its next run: a worker runs
/// series of similar length one after another, and a kept block's pages are
/// already faulted in (and zeroed) once. Reused only at exactly the same
/// mapped size, so that free_large's size stays the mapping's. Bounded by
/// `kept_blocks_max` blocks and `kept_bytes_max` bytes a thread; what does
/// not fit is unmapped, and so is everything when the thread ends.
class kept_blocks {
public:
  ~kept_blocks() {
    for (std::size_t i = 0; i < count_; ++i)
      ::munmap(blocks_[i].p, blocks_[i].size);
  }
  void* take(std::size_t size) {
    for (std::size_t i = 0; i < count_; ++i)
      if (blocks_[i].size == size) {
        void* p = blocks_[i].p;
        bytes_ -= size;
        blocks_[i] = blocks_[--count_];
        return p;
      }
    return nullptr;
  }
  bool keep(void* p, std::size_t size) {
    if (count_ == kept_blocks_max || bytes_ + size > kept_bytes_max)
      return false;
    blocks_[count_++] = {p, size};
    bytes_ += size;
    return true;
  }

private:
  struct block {
    void* p;
    std::size_t size;
  };
  block blocks_[kept_blocks_max] = {};
  std::size_t count_ = 0, bytes_ = 0;
};

kept_blocks& this_thread_blocks() {
  thread_local kept_blocks kept;
  return kept;
}

} // namespace

void* allocate_large(std::size_t bytes) {
  if (bytes == 0)
    bytes = 1;
  if (bytes < huge_block_threshold) {
    // Plain malloc: it reuses freed memory (an aligned_alloc of a few
    // hundred KB was mapped and faulted in afresh on every run).
    void* p = std::malloc(bytes);
    if (!p)
      throw std::bad_alloc();
    return p;
  }
  const std::size_t size = whole_huge_pages(bytes);
  if (size < bytes)
    throw std::bad_alloc(); // rounding overflowed
  if (void* kept = this_thread_blocks().take(size))
    return kept;
  // Over-map by one huge page, then trim both ends to a 2 MiB boundary.
  const std::size_t mapped = size + huge_page_bytes;
  void* raw = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED)
    throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
  if (aligned > start)
    ::munmap(raw, aligned - start);
  const std::uintptr_t tail = aligned + size;
  if (start + mapped > tail)
    ::munmap(reinterpret_cast<void*>(tail), start + mapped - tail);
  void* p = reinterpret_cast<void*>(aligned);
  ::madvise(p, size, MADV_HUGEPAGE); // advice: without it, ordinary pages
  return p;
}

void free_large(void* p, std::size_t bytes) noexcept {
  if (!p)
    return;
  if (bytes == 0)
    bytes = 1;
  if (bytes < huge_block_threshold) {
    std::free(p);
    return;
  }
  const std::size_t size = whole_huge_pages(bytes);
  if (!this_thread_blocks().keep(p, size))
    ::munmap(p, size);
}

} // namespace bt
