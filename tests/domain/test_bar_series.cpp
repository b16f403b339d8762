#include "domain/data/bar_series.hpp"

#include "bars.hpp"
#include "domain/data/large_block.hpp"
#include "domain/data/synthetic_bars.hpp"
#include "domain/report/sha256.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

#include <algorithm>

#include <thread>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

using namespace bt;
using bt::test::hourly;

BOOST_AUTO_TEST_SUITE(bar_series)

BOOST_AUTO_TEST_CASE(slice_is_inclusive_at_both_ends) {
  auto s = hourly(
      {{"1", "2", "1", "2"}, {"2", "3", "2", "3"}, {"3", "4", "3", "4"}, {"4", "5", "4", "5"}});
  auto mid = s.slice(s.times()[1], s.times()[2]);
  BOOST_TEST(mid.size() == 2u);
  BOOST_TEST(mid.times()[0] == s.times()[1]);
  BOOST_TEST(s.slice(s.times()[3] + 1, s.times()[3] + 100).empty());
  BOOST_TEST(s.slice(INT64_MIN, INT64_MAX).size() == 4u);
}

BOOST_AUTO_TEST_CASE(canonical_csv_and_checksum) {
  auto s = hourly({{"2034.1", "2035", "2033.9", "2034.5"}});
  BOOST_TEST(to_csv(s)
             == "timestamp,open,high,low,close,volume\n"
                "2024-01-02T00:00:00Z,2034.10000000,2035.00000000,2033.90000000,"
                "2034.50000000,100.00000000\n");
  // sha256 of the canonical CSV text, fixed once and for all.
  BOOST_TEST(data_checksum(s).size() == 64u);
  auto t = hourly({{"2034.1", "2035", "2033.9", "2034.6"}});
  BOOST_TEST(data_checksum(s) != data_checksum(t));
  BOOST_TEST(data_checksum(s)
             == data_checksum(hourly({{"2034.10", "2035.0", "2033.90", "2034.500"}})));
}

// The checksum is hashed piece by piece; it must be the digest of the whole
// canonical text, across many 64 KiB pieces.
BOOST_AUTO_TEST_CASE(checksum_is_the_digest_of_the_whole_canonical_csv) {
  synthetic_spec spec;
  spec.bars = 5'000; // about 450 KB of text
  const bt::bar_series s = generate_bars(spec);
  BOOST_TEST(data_checksum(s) == sha256_hex(to_csv(s)));
  const bt::bar_series one = s.slice(s.times()[0], s.times()[0]);
  BOOST_TEST(data_checksum(one) == sha256_hex(to_csv(one)));
  BOOST_TEST(data_checksum(bt::bar_series("GC", timeframe::h1))
             == sha256_hex("timestamp,open,high,low,close,volume\n"));
}

// The canonical writer formats a day's date once and the time of day per
// bar: rows must read exactly as formatting each bar from scratch, for
// irregular times (seconds, minutes), days skipped, and times before 1970.
BOOST_AUTO_TEST_CASE(canonical_rows_match_formatting_each_bar_alone) {
  std::mt19937_64 rng(11);
  bt::bar_series s("GC", timeframe::h1);
  unix_time t = -3 * 86'400 - 7; // 1969-12-28T23:59:53Z
  std::string expected = "timestamp,open,high,low,close,volume\n";
  for (int i = 0; i < 3'000; ++i) {
    t += 1 + static_cast<unix_time>(rng() % (i % 7 == 0 ? 200'000 : 5'000));
    const auto p = [&] {
      return fixed::from_units(static_cast<std::int64_t>(rng() % 10'000'000'000'000));
    };
    const bar b{t, p(), p(), p(), p(), fixed::from_units(-static_cast<std::int64_t>(rng() % 1000))};
    s.push_back(b);
    expected += format_timestamp(b.time) + ',' + to_string(b.open) + ',' + to_string(b.high) + ','
                + to_string(b.low) + ',' + to_string(b.close) + ',' + to_string(b.volume) + '\n';
  }
  BOOST_TEST(to_csv(s) == expected);
  BOOST_TEST(data_checksum(s) == sha256_hex(expected));
}

// The six columns live in one block, taken in 2 MiB pages when large: a
// copy is deep and equal, a move leaves the source empty, growth past the
// reservation keeps every bar.
BOOST_AUTO_TEST_CASE(one_block_copies_moves_and_grows_like_values) {
  synthetic_spec spec;
  spec.bars = 60'000; // 2.9 MB of columns: the huge-page path
  const bt::bar_series big = generate_bars(spec);
  BOOST_REQUIRE(big.size() * 48 >= huge_block_threshold);
  bt::bar_series copy = big;
  BOOST_TEST(to_csv(copy) == to_csv(big));
  BOOST_TEST(copy.times() != big.times());
  bt::bar_series moved = std::move(copy);
  BOOST_TEST(copy.empty());
  BOOST_TEST(copy.times() == nullptr);
  BOOST_TEST(moved.size() == big.size());
  moved = moved; // self-assignment leaves it whole
  BOOST_TEST(data_checksum(moved) == data_checksum(big));

  bt::bar_series grown("GC", timeframe::h1);
  grown.reserve(3); // then far past it: 3 -> 6 -> ... reallocations
  for (std::size_t i = 0; i < big.size(); ++i)
    grown.push_back(big.at(i));
  BOOST_TEST(to_csv(grown) == to_csv(big));
  bt::bar_series small = big.slice(big.times()[0], big.times()[9]);
  small = big; // copy-assign over a smaller block
  BOOST_TEST(small.size() == big.size());
  small = bt::bar_series("SI", timeframe::h4);
  BOOST_TEST(small.empty());
  BOOST_TEST(small.symbol() == "SI");
  BOOST_TEST(to_csv(small) == "timestamp,open,high,low,close,volume\n");
}

// Large blocks (1 MiB or more) are whole 2 MiB pages on a 2 MiB boundary; small ones come
// from the heap, aligned as malloc's; both are writable to their last byte.
BOOST_AUTO_TEST_CASE(large_blocks_are_aligned_and_writable) {
  for (std::size_t bytes :
       {std::size_t{2}, std::size_t{100}, huge_block_threshold - 1, huge_block_threshold,
        huge_page_bytes - 1, huge_page_bytes, huge_page_bytes + 1, 5 * huge_page_bytes + 12'345}) {
    auto* p = static_cast<unsigned char*>(allocate_large(bytes));
    const auto address = reinterpret_cast<std::uintptr_t>(p);
    BOOST_TEST(address
                   % (bytes >= huge_block_threshold ? huge_page_bytes : alignof(std::max_align_t))
               == 0u);
    p[0] = 1;
    p[bytes - 1] = 2;
    BOOST_TEST(p[0] + p[bytes - 1] == 3);
    free_large(p, bytes);
  }
  free_large(nullptr, 10); // nothing to free
}

// A freed large block is kept by its thread for the next block of the same
// mapped size (a worker's next run touches no fresh pages), within the caps;
// another size never gets it, and another thread starts with none. A kept
// block still holds what was written to it; a fresh mapping is zeros (an
// address alone proves nothing: the kernel reuses addresses).
BOOST_AUTO_TEST_CASE(freed_large_blocks_are_reused_by_their_thread_within_the_caps) {
  auto marked = [](void* p) { return static_cast<unsigned char*>(p)[4096] == 0xAB; };
  auto mark = [](void* p) { static_cast<unsigned char*>(p)[4096] = 0xAB; };
  const std::size_t size = 3 * huge_page_bytes;
  void* a = allocate_large(size - 100);
  mark(a);
  static_cast<char*>(a)[size - 1] = 7; // the whole mapping is usable
  free_large(a, size - 100);
  void* other = allocate_large(size + huge_page_bytes); // a different size
  BOOST_TEST(!marked(other));
  bool thread_got_it = true;
  std::thread([&] {
    void* p = allocate_large(size);
    thread_got_it = marked(p);
    free_large(p, size);
  }).join();
  BOOST_TEST(!thread_got_it);
  void* again = allocate_large(size); // same mapped size: a comes back
  BOOST_TEST(marked(again));
  static_cast<unsigned char*>(again)[4096] = 0;
  free_large(again, size);
  free_large(other, size + huge_page_bytes);

  // More blocks than are kept: at most kept_blocks_max come back.
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < kept_blocks_max + 4; ++i) {
    blocks.push_back(allocate_large(huge_page_bytes));
    mark(blocks.back());
  }
  for (void* p : blocks)
    free_large(p, huge_page_bytes);
  std::size_t reused = 0;
  std::vector<void*> back;
  for (std::size_t i = 0; i < kept_blocks_max + 4; ++i) {
    back.push_back(allocate_large(huge_page_bytes));
    reused += marked(back.back());
  }
  BOOST_TEST(reused >= 1u);
  BOOST_TEST(reused <= kept_blocks_max);
  for (void* p : back)
    free_large(p, huge_page_bytes);
}

BOOST_AUTO_TEST_SUITE_END()
