#pragma once
// Memory for the large arrays of a run (a series' columns, its equity
// curve), taken so that touching it does not fault page by page.
//
// A fresh 4 KiB page costs a fault on first touch, and on a virtual machine
// a fault is expensive: measured here, writing 6 MB of fresh memory took 17
// ms page by page and 0.3 ms in 2 MiB pages (a 20-year run touches about 10
// MB). So a block of at least `huge_block_threshold` (1 MiB) is mapped on
// its own, aligned to 2 MiB and rounded up to whole 2 MiB pages, and marked
// for transparent huge pages (MADV_HUGEPAGE; where the kernel declines, it
// is ordinary memory): at most half of it is rounding. Smaller blocks come
// from the heap, where rounding would waste more than the faults cost.
// A freed large block is kept by its thread for the next allocation of the
// same size (a worker's next run), up to 8 blocks and 256 MiB a thread.

#include <cstddef>

namespace bt {

inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;
inline constexpr std::size_t huge_block_threshold = huge_page_bytes / 2;
/// Freed large blocks a thread keeps for reuse (see large_block.cpp).
inline constexpr std::size_t kept_blocks_max = 8;
inline constexpr std::size_t kept_bytes_max = std::size_t{256} << 20;

/// `bytes` of uninitialised memory (aligned as malloc's, or to 2 MiB when
/// large), or throws std::bad_alloc.
void* allocate_large(std::size_t bytes);
/// Frees what allocate_large(bytes) returned, given the same `bytes`.
void free_large(void* p, std::size_t bytes) noexcept;

/// A std::allocator that takes its memory from allocate_large: for the
/// vectors that grow with the series (one element per bar).
template <class T>
struct large_allocator {
  using value_type = T;
  large_allocator() = default;
  template <class U>
  large_allocator(const large_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_large(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { free_large(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const large_allocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const large_allocator<U>&) const noexcept {
    return false;
  }
};

} // namespace bt
