#pragma once
// The research engine's one random number generator: splitmix64 (Steele,
// Lea & Flood, "Fast splittable pseudorandom number generators", 2014).
// Small, fast and fully specified here, so a seed gives the same numbers with
// every compiler and standard library (std::uniform_int_distribution does
// not promise that). Each sweep configuration and each Monte Carlo
// simulation takes its own stream from (seed, index), so results do not
// depend on the order or the threads that compute them.

#include <cstdint>

namespace bt {

struct random_stream {
  std::uint64_t state;

  /// The stream of item `index` of a job seeded with `seed`.
  static random_stream of(std::uint64_t seed, std::uint64_t index) {
    return {seed ^ (0x632be59bd9b4e019ULL * (index + 1))};
  }
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n) without bias (n > 0): Lemire's multiply-and-shift
  /// ("Fast random integer generation in an interval", 2019), which needs a
  /// division only in the rare case that decides a rejection.
  std::uint64_t below(std::uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
};

} // namespace bt
