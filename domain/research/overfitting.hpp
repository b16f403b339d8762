#pragma once
// Overfitting statistics of a sweep: is the best configuration's result
// real, or the luck of having tried many? Both are computed from the
// configurations' daily returns (metrics.hpp's daily_returns: one UTC day's
// last equity to the next's), reduced per configuration to a
// return_summary, so that a sweep of 100,000 configurations keeps a few
// hundred bytes of each rather than every return.
//
// Deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe
// Ratio: Correcting for Selection Bias, Backtest Overfitting and
// Non-Normality", Journal of Portfolio Management 40(5), 2014). With SR the
// best configuration's daily Sharpe ratio (mean / sample standard
// deviation, not annualised), T its number of daily returns, g3 their
// skewness and g4 their kurtosis (3 for a normal distribution), N the
// number of trials and V the sample variance of the trials' daily Sharpe
// ratios, the Sharpe ratio expected of the best of N trials without skill is
//   SR0 = sqrt(V) * ((1 - e) * Z(1 - 1/N) + e * Z(1 - 1/(N * E)))
// (e the Euler-Mascheroni constant, E Euler's number, Z the standard normal
// quantile), and the deflated Sharpe ratio is the probability that the true
// Sharpe ratio exceeds SR0:
//   DSR = Phi((SR - SR0) * sqrt(T - 1) / sqrt(1 - g3 * SR + (g4 - 1) / 4 * SR^2)).
// Trials are the configurations whose daily Sharpe ratio is defined (their
// returns vary); with one trial SR0 is 0 and DSR is the probabilistic Sharpe
// ratio against 0.
//
// Probability of backtest overfitting by combinatorially symmetric
// cross-validation (Bailey, Borwein, López de Prado & Zhu, "The Probability
// of Backtest Overfitting", Journal of Computational Finance 20(4), 2017;
// SSRN 2326253, 2015). The T days are cut into S contiguous blocks of
// floor(b*T/S) to floor((b+1)*T/S). For each of the C(S, S/2) ways to choose
// half the blocks as the in-sample set (the rest out of sample), the
// configuration with the best in-sample annualised Sharpe ratio n* (ties:
// the lowest index) is ranked among all N out of sample: w = rank / (N + 1),
// rank from 1 (worst) to N, tied values sharing their mean rank; its logit
// is L = ln(w / (1 - w)). PBO is the share of combinations with L <= 0 (the
// in-sample best no better than the median out of sample). The performance
// degradation is the least-squares line of n*'s out-of-sample Sharpe ratio
// on its in-sample one over all combinations; the probability of loss is
// the share of combinations in which n* loses out of sample (Sharpe < 0).
// A configuration whose returns do not vary within a set has Sharpe 0 there.

#include "domain/engine/field_error.hpp"

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bt {

class json_writer;

inline constexpr std::size_t default_cscv_blocks = 16;
/// C(16, 8) = 12,870 combinations: with 100,000 configurations, about
/// 2 x 10^10 additions, the cost of the sweep itself.
inline constexpr std::size_t max_cscv_blocks = 16;

/// A configuration's daily returns, reduced to what both statistics need.
struct return_summary {
  std::size_t days = 0;
  double mean = 0;
  double sd = 0;       ///< sample standard deviation (n - 1)
  double skewness = 0; ///< m3 / m2^1.5 (central moments over n)
  double kurtosis = 0; ///< m4 / m2^2 (3 for a normal distribution)
  /// Per CSCV block: the sum and the sum of squares of its returns.
  std::vector<double> block_sum, block_sum_sq;
};

/// Reduces `returns` for `blocks` CSCV blocks (0: none).
return_summary summarise_returns(const std::vector<double>& returns, std::size_t blocks);

/// The standard normal distribution function and its quantile (Wichura's
/// AS 241, relative error about 1e-16); quantile needs 0 < p < 1.
double normal_cdf(double x);
double normal_quantile(double p);

/// The Sharpe ratio expected of the best of `trials` without skill, given
/// the variance of their Sharpe ratios (SR0 above; 0 for one trial).
double expected_max_sharpe(std::size_t trials, double sharpe_variance);

struct deflated_sharpe_result {
  bool available = false;
  std::string reason; ///< why not, when not available
  std::size_t trials = 0, observations = 0;
  double sharpe = 0;              ///< the best configuration's, daily
  double annualised_sharpe = 0;   ///< x sqrt(252), as the metrics report it
  double sharpe_variance = 0;     ///< of the trials' daily Sharpe ratios
  double expected_max_sharpe = 0; ///< SR0, daily
  double skewness = 0, kurtosis = 0;
  double probability = 0; ///< DSR
};

/// The deflated Sharpe ratio of configuration `best` among `trials` (every
/// configuration's summary; those whose Sharpe ratio is undefined are not
/// trials).
deflated_sharpe_result deflated_sharpe(const std::vector<const return_summary*>& trials,
                                       const return_summary& best);

struct pbo_result {
  bool available = false;
  std::string reason;
  std::size_t blocks = 0, combinations = 0, configurations = 0, days = 0;
  double probability = 0;         ///< PBO
  double probability_of_loss = 0; ///< the in-sample best loses out of sample
  double degradation_slope = 0, degradation_intercept = 0, degradation_r_squared = 0;
  /// Per combination, in the order of their in-sample block sets read as
  /// ascending bit masks.
  std::vector<double> logits;
  std::vector<double> in_sample_sharpe, out_of_sample_sharpe; ///< n*'s, per combination
};

/// CSCV over `configurations` (summarised with the same `blocks` over the
/// same days) on `threads` threads, which share the combinations out and
/// do not change the result. Not available for fewer than 2 configurations
/// or fewer than 2 days a block.
pbo_result
probability_of_backtest_overfitting(const std::vector<const return_summary*>& configurations,
                                    std::size_t blocks, unsigned threads = 1);

/// {"blocks": S}: the options of a sweep's overfitting statistics.
field_errors parse_cscv_blocks(const boost::json::value* given, std::size_t& blocks);

/// {"deflated_sharpe": {...} | {"available": false, "reason"}, "pbo": {...}}
/// with the logits' percentiles and a histogram in bins of 0.5.
void write_overfitting(json_writer& w, const deflated_sharpe_result& dsr, const pbo_result& pbo);

} // namespace bt
