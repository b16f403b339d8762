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
  if (bytes < huge_block_threshold)
    std::free(p);
  else
    ::munmap(p, whole_huge_pages(bytes));
}

} // namespace bt
