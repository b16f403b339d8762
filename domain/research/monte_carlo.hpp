#pragma once
// Monte Carlo of a finished run, computed from its trades or its daily
// returns (never by running the engine again): how bad could the same edge
// have looked in another order, or with other draws of the same trades?
//
// shuffle:         the trades in a random order (a permutation). The final
//                  equity is the same in every simulation; the path, and so
//                  the drawdowns, differ.
// bootstrap:       as many trades drawn with replacement.
// block_bootstrap: as many daily returns, drawn in runs of `block_days`
//                  consecutive days (wrapping at the end), compounded.
//
// Trade methods add the trades' exact P&L to the initial capital, so their
// equities are exact; returns compound in binary floating point and are
// reported to 8 decimals. Simulation k draws from random_stream::of(seed, k):
// the same seed gives byte-identical output.

#include "domain/data/decimal.hpp"
#include "domain/engine/field_error.hpp"

#include <boost/json/fwd.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace bt {

class json_writer;

enum class monte_carlo_method : std::uint8_t { shuffle, bootstrap, block_bootstrap };

inline constexpr std::size_t max_monte_carlo_simulations = 100'000;
/// The fan chart's most steps; fewer when simulations x steps would pass
/// max_fan_values: its matrix (8 bytes a value, 8 MB at most) is fresh
/// memory the kernel must zero, and each step costs a selection over every
/// simulation. The default 1,000 simulations get 500 steps, 10,000 get 100.
inline constexpr std::size_t max_fan_steps = 500;
inline constexpr std::size_t max_fan_values = 1'000'000;

struct monte_carlo_spec {
  std::size_t simulations = 1'000;
  monte_carlo_method method = monte_carlo_method::shuffle;
  std::uint64_t seed = 0;
  std::size_t block_days = 5;
  double ruin_drawdown_pct = 50;
};

/// {"simulations", "method", "seed" (required), "block_days", "ruin_drawdown_pct"}.
field_errors parse_monte_carlo_spec(const boost::json::value& given, monte_carlo_spec& out);

/// The percentiles reported, in percent.
inline constexpr std::array<int, 7> monte_carlo_percentiles{1, 5, 25, 50, 75, 95, 99};
/// The fan chart's bands, in percent.
inline constexpr std::array<int, 5> fan_bands{5, 25, 50, 75, 95};

struct monte_carlo_result {
  std::size_t simulations = 0;
  std::size_t steps = 0; ///< trades (or days) in each simulation
  /// At monte_carlo_percentiles: final equity, total return %, max drawdown
  /// % and the longest drawdown (steps from a peak until equity is back at
  /// it, or the end).
  std::array<double, 7> final_equity{}, total_return_pct{}, max_drawdown_pct{},
      longest_drawdown_steps{};
  double probability_of_ruin = 0; ///< max drawdown >= ruin_drawdown_pct (or equity <= 0)
  double probability_of_loss = 0; ///< final equity below the initial capital
  struct fan_step {
    std::size_t step = 0;
    std::array<double, 5> equity{}; ///< at fan_bands
  };
  std::vector<fan_step> fan; ///< step 0 (the initial capital) first
  /// Counts of the simulations in monte_carlo_histogram_bins equal bins
  /// from the least value to the greatest (one bin when all are equal);
  /// the greatest value counts in the last bin.
  struct histogram {
    double from = 0, width = 0;
    std::vector<std::uint64_t> counts;
  };
  histogram final_equity_histogram, max_drawdown_histogram;
};

inline constexpr std::size_t monte_carlo_histogram_bins = 20;

/// shuffle or bootstrap over the trades' P&L, the simulations shared out
/// over `threads` threads (the result does not depend on them). Throws
/// fixed_overflow when a simulated equity leaves the exact range.
monte_carlo_result simulate_trades(const std::vector<fixed>& pnl, fixed initial_capital,
                                   const monte_carlo_spec& spec, unsigned threads = 1);
/// block_bootstrap over daily returns.
monte_carlo_result simulate_daily_returns(const std::vector<double>& returns, fixed initial_capital,
                                          const monte_carlo_spec& spec, unsigned threads = 1);

/// The values at `percents` (ascending, 0 to 100) of the `n` values at `v`,
/// which it reorders, into `out`: linear interpolation between order
/// statistics (type 7 of Hyndman & Fan, 1996; numpy's default), by
/// successive selections on shrinking ranges rather than a sort (the fan
/// chart asks for five percentiles of every sampled step).
void percentiles_of(double* v, std::size_t n, const int* percents, std::size_t count, double* out);

void write_monte_carlo(json_writer& w, const monte_carlo_spec& spec, const monte_carlo_result& r);

} // namespace bt
