#include "domain/research/overfitting.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/research/monte_carlo.hpp"
#include "domain/research/parallel.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace bt {
namespace {

constexpr double euler_mascheroni = 0.57721566490153286061;
constexpr double trading_days = 252.0;

/// The first return of CSCV block b of `blocks` over `days` returns.
std::size_t block_start(std::size_t b, std::size_t days, std::size_t blocks) {
  return b * days / blocks;
}

std::size_t binomial(std::size_t n, std::size_t k) {
  std::size_t c = 1;
  for (std::size_t i = 1; i <= k; ++i)
    c = c * (n - k + i) / i;
  return c;
}

} // namespace

return_summary summarise_returns(const std::vector<double>& r, std::size_t blocks) {
  return_summary s;
  s.days = r.size();
  const double n = static_cast<double>(r.size());
  if (!r.empty()) {
    for (double x : r)
      s.mean += x;
    s.mean /= n;
    double m2 = 0, m3 = 0, m4 = 0;
    for (double x : r) {
      const double d = x - s.mean, d2 = d * d;
      m2 += d2;
      m3 += d2 * d;
      m4 += d2 * d2;
    }
    if (r.size() >= 2)
      s.sd = std::sqrt(m2 / (n - 1));
    m2 /= n;
    m3 /= n;
    m4 /= n;
    if (m2 > 0) {
      s.skewness = m3 / std::pow(m2, 1.5);
      s.kurtosis = m4 / (m2 * m2);
    }
  }
  if (blocks > 0) {
    s.block_sum.assign(blocks, 0.0);
    s.block_sum_sq.assign(blocks, 0.0);
    for (std::size_t b = 0; b < blocks; ++b)
      for (std::size_t i = block_start(b, r.size(), blocks);
           i < block_start(b + 1, r.size(), blocks); ++i) {
        s.block_sum[b] += r[i];
        s.block_sum_sq[b] += r[i] * r[i];
      }
  }
  return s;
}

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double normal_quantile(double p) {
  // Wichura, "Algorithm AS 241: The Percentage Points of the Normal
  // Distribution", Applied Statistics 37(3), 1988: PPND16.
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q
           * (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r
                   + 6.7265770927008700853e+4)
                      * r
                  + 4.5921953931549871457e+4)
                     * r
                 + 1.3731693765509461125e+4)
                    * r
                + 1.9715909503065514427e+3)
                   * r
               + 1.3314166789178437745e+2)
                  * r
              + 3.3871328727963666080e+0)
           / (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r
                   + 3.9307895800092710610e+4)
                      * r
                  + 2.1213794301586595867e+4)
                     * r
                 + 5.3941960214247511077e+3)
                    * r
                + 6.8718700749205790830e+2)
                   * r
               + 4.2313330701600911252e+1)
                  * r
              + 1.0);
  }
  double r = std::sqrt(-std::log(q < 0 ? p : 1.0 - p));
  double v;
  if (r <= 5.0) {
    r -= 1.6;
    v = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
              + 2.41780725177450611770e-1)
                 * r
             + 1.27045825245236838258e+0)
                * r
            + 3.64784832476320460504e+0)
               * r
           + 5.76949722146069140550e+0)
              * r
          + 4.63033784615654529590e+0)
             * r
         + 1.42343711074968357734e+0)
        / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
                + 1.51986665636164571966e-2)
                   * r
               + 1.48103976427480074590e-1)
                  * r
              + 6.89767334985100004550e-1)
                 * r
             + 1.67638483018380384940e+0)
                * r
            + 2.05319162663775882187e+0)
               * r
           + 1.0);
  } else {
    r -= 5.0;
    v = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
              + 1.24266094738807843860e-3)
                 * r
             + 2.65321895265761230930e-2)
                * r
            + 2.96560571828504891230e-1)
               * r
           + 1.78482653991729133580e+0)
              * r
          + 5.46378491116411436990e+0)
             * r
         + 6.65790464350110377720e+0)
        / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
                + 1.84631831751005468180e-5)
                   * r
               + 7.86869131145613259100e-4)
                  * r
              + 1.48753612908506148525e-2)
                 * r
             + 1.36929880922735805310e-1)
                * r
            + 5.99832206555887937690e-1)
               * r
           + 1.0);
  }
  return q < 0 ? -v : v;
}

double expected_max_sharpe(std::size_t trials, double sharpe_variance) {
  if (trials < 2)
    return 0; // one trial is not a selection
  const double n = static_cast<double>(trials);
  return std::sqrt(sharpe_variance)
         * ((1 - euler_mascheroni) * normal_quantile(1 - 1 / n)
            + euler_mascheroni * normal_quantile(1 - 1 / (n * std::exp(1.0))));
}

deflated_sharpe_result deflated_sharpe(const std::vector<const return_summary*>& trials,
                                       const return_summary& best) {
  deflated_sharpe_result d;
  d.observations = best.days;
  if (best.days < 3 || !(best.sd > 0)) {
    d.reason = "the best configuration's daily returns do not vary (or there are fewer than 3)";
    return d;
  }
  std::vector<double> sharpes;
  sharpes.reserve(trials.size());
  for (const auto* t : trials)
    if (t->days >= 2 && t->sd > 0)
      sharpes.push_back(t->mean / t->sd);
  d.trials = sharpes.size();
  if (sharpes.size() >= 2) {
    double mean = 0;
    for (double s : sharpes)
      mean += s;
    mean /= static_cast<double>(sharpes.size());
    for (double s : sharpes)
      d.sharpe_variance += (s - mean) * (s - mean);
    d.sharpe_variance /= static_cast<double>(sharpes.size() - 1);
  }
  d.sharpe = best.mean / best.sd;
  d.annualised_sharpe = d.sharpe * std::sqrt(trading_days);
  d.skewness = best.skewness;
  d.kurtosis = best.kurtosis;
  d.expected_max_sharpe = expected_max_sharpe(d.trials, d.sharpe_variance);
  const double spread = 1 - d.skewness * d.sharpe + (d.kurtosis - 1) / 4 * d.sharpe * d.sharpe;
  if (!(spread > 0)) {
    d.reason = "the best configuration's skewness and kurtosis leave the Sharpe ratio's "
               "standard error undefined";
    return d;
  }
  d.probability = normal_cdf((d.sharpe - d.expected_max_sharpe)
                             * std::sqrt(static_cast<double>(best.days) - 1) / std::sqrt(spread));
  d.available = true;
  return d;
}

namespace {

/// The annualised Sharpe ratio of `n` returns from their sum and sum of
/// squares. Rounding can leave a hair of variance in constant returns: a
/// spread below 1e-12 of the mean's scale is none, and gives Sharpe 0.
double sharpe_of(double sum, double sq, double n) {
  const double mean = sum / n, var = (sq - sum * mean) / (n - 1);
  if (!(var > 1e-24 * std::max(1.0, mean * mean)))
    return 0;
  return mean / std::sqrt(var) * std::sqrt(trading_days);
}

/// A key in the order of the configurations' Sharpe ratios over the same
/// `n` returns, without a square root: sign(SR) * SR^2 is
/// sum * |sum| / (n * sq - sum^2) times a factor that depends on n alone.
/// Branch-free, so the loop vectorises; constant returns get 0, as their
/// Sharpe ratio does.
void sharpe_keys(const double* sum, const double* sq, std::size_t count, double n, double* out) {
  const double floor = 1e-24 * n * (n - 1);
  for (std::size_t c = 0; c < count; ++c) {
    const double s2 = sum[c] * sum[c];
    const double spread = n * sq[c] - s2; // n (n - 1) var
    const double scale = s2 > n * n ? s2 / (n * n) : 1.0;
    const double divisor = spread > 1e-300 ? spread : 1e-300;
    const double key = sum[c] * std::fabs(sum[c]) / divisor;
    // A mask rather than a branch: key is finite, so key * 0 is 0.
    out[c] = key * static_cast<double>(spread > floor * scale);
  }
}

/// The CSCV of combinations [first, last) of the ascending masks, into
/// their slots of `p`'s per-combination vectors.
void cscv_range(const std::vector<std::uint32_t>& masks, std::size_t first, std::size_t last,
                const std::vector<double>& sums, const std::vector<double>& sqs,
                const std::vector<double>& total_sum, const std::vector<double>& total_sq,
                const std::vector<double>& days_in, std::size_t blocks, std::size_t days,
                pbo_result& p) {
  const std::size_t n = total_sum.size();
  std::vector<double> is_sum(n), is_sq(n), oos_sum(n), oos_sq(n), is(n), oos(n);
  for (std::size_t k = first; k < last; ++k) {
    const std::uint32_t mask = masks[k];
    // The in-sample sums, two blocks a pass: the loop is bound by the
    // stores to is_sum and is_sq, so the fewer passes the better.
    double is_days = 0;
    std::size_t chosen_blocks[max_cscv_blocks], half = 0;
    for (std::size_t b = 0; b < blocks; ++b)
      if (mask & (1u << b)) {
        chosen_blocks[half++] = b;
        is_days += days_in[b];
      }
    std::fill(is_sum.begin(), is_sum.end(), 0.0);
    std::fill(is_sq.begin(), is_sq.end(), 0.0);
    for (std::size_t j = 0; j < half; j += 2) {
      const double* s0 = &sums[chosen_blocks[j] * n];
      const double* q0 = &sqs[chosen_blocks[j] * n];
      if (j + 1 == half) {
        for (std::size_t c = 0; c < n; ++c) {
          is_sum[c] += s0[c];
          is_sq[c] += q0[c];
        }
        break;
      }
      const double* s1 = &sums[chosen_blocks[j + 1] * n];
      const double* q1 = &sqs[chosen_blocks[j + 1] * n];
      for (std::size_t c = 0; c < n; ++c) {
        is_sum[c] += s0[c] + s1[c];
        is_sq[c] += q0[c] + q1[c];
      }
    }
    for (std::size_t c = 0; c < n; ++c) {
      oos_sum[c] = total_sum[c] - is_sum[c];
      oos_sq[c] = total_sq[c] - is_sq[c];
    }
    const double oos_days = static_cast<double>(days) - is_days;
    sharpe_keys(is_sum.data(), is_sq.data(), n, is_days, is.data());
    sharpe_keys(oos_sum.data(), oos_sq.data(), n, oos_days, oos.data());
    std::size_t best = 0;
    for (std::size_t c = 1; c < n; ++c)
      if (is[c] > is[best])
        best = c; // ties keep the lowest index
    const double chosen = oos[best];
    std::size_t below = 0, tied = 0;
    for (std::size_t c = 0; c < n; ++c) {
      below += oos[c] < chosen;
      tied += oos[c] == chosen;
    }
    // Mean rank of the tied values, 1 the worst: below + (tied + 1) / 2.
    const double rank = static_cast<double>(below) + static_cast<double>(tied + 1) / 2;
    const double w = rank / static_cast<double>(n + 1);
    p.logits[k] = std::log(w / (1 - w));
    p.in_sample_sharpe[k] = sharpe_of(is_sum[best], is_sq[best], is_days);
    p.out_of_sample_sharpe[k] = sharpe_of(oos_sum[best], oos_sq[best], oos_days);
  }
}

} // namespace

pbo_result
probability_of_backtest_overfitting(const std::vector<const return_summary*>& configurations,
                                    std::size_t blocks, unsigned threads) {
  pbo_result p;
  p.blocks = blocks;
  p.configurations = configurations.size();
  if (configurations.size() < 2) {
    p.reason = "needs at least 2 configurations";
    return p;
  }
  p.days = configurations.front()->days;
  for (const auto* c : configurations)
    if (c->days != p.days || c->block_sum.size() != blocks)
      throw std::logic_error("CSCV over returns of different days or blocks");
  if (p.days < 2 * blocks) {
    p.reason = "needs at least 2 days a block: " + std::to_string(p.days) + " days for "
               + std::to_string(blocks) + " blocks";
    return p;
  }
  const std::size_t n = configurations.size();
  std::vector<double> days_in(blocks);
  for (std::size_t b = 0; b < blocks; ++b)
    days_in[b] =
        static_cast<double>(block_start(b + 1, p.days, blocks) - block_start(b, p.days, blocks));
  // Block-major, so that summing a half of the blocks runs along memory for
  // every configuration at once; out of sample is the whole minus in sample.
  std::vector<double> sums(blocks * n), sqs(blocks * n), total_sum(n, 0.0), total_sq(n, 0.0);
  for (std::size_t c = 0; c < n; ++c)
    for (std::size_t b = 0; b < blocks; ++b) {
      sums[b * n + c] = configurations[c]->block_sum[b];
      sqs[b * n + c] = configurations[c]->block_sum_sq[b];
      total_sum[c] += configurations[c]->block_sum[b];
      total_sq[c] += configurations[c]->block_sum_sq[b];
    }

  // Every mask of blocks/2 bits below 2^blocks, ascending (Gosper's hack).
  const std::size_t half = blocks / 2;
  std::vector<std::uint32_t> masks;
  masks.reserve(binomial(blocks, half));
  for (std::uint32_t mask = (1u << half) - 1; mask < (1u << blocks);) {
    masks.push_back(mask);
    const std::uint32_t low = mask & -mask, ripple = mask + low;
    mask = ripple | (((mask ^ ripple) >> 2) / low);
  }
  p.combinations = masks.size();
  p.logits.resize(p.combinations);
  p.in_sample_sharpe.resize(p.combinations);
  p.out_of_sample_sharpe.resize(p.combinations);
  // Each thread its own range of combinations, written at their index: the
  // result does not depend on the threads.
  for_each_range(p.combinations, threads, [&](std::size_t from, std::size_t to) {
    cscv_range(masks, from, to, sums, sqs, total_sum, total_sq, days_in, blocks, p.days, p);
  });

  std::size_t overfit = 0, losses = 0;
  for (std::size_t k = 0; k < p.combinations; ++k) {
    overfit += p.logits[k] <= 0;
    losses += p.out_of_sample_sharpe[k] < 0;
  }
  const double combos = static_cast<double>(p.combinations);
  p.probability = static_cast<double>(overfit) / combos;
  p.probability_of_loss = static_cast<double>(losses) / combos;

  double mx = 0, my = 0;
  for (std::size_t i = 0; i < p.combinations; ++i) {
    mx += p.in_sample_sharpe[i];
    my += p.out_of_sample_sharpe[i];
  }
  mx /= combos;
  my /= combos;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < p.combinations; ++i) {
    const double dx = p.in_sample_sharpe[i] - mx, dy = p.out_of_sample_sharpe[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx > 0) {
    p.degradation_slope = sxy / sxx;
    p.degradation_r_squared = syy > 0 ? sxy * sxy / (sxx * syy) : 0;
  }
  p.degradation_intercept = my - p.degradation_slope * mx;
  p.available = true;
  return p;
}

field_errors parse_cscv_blocks(const boost::json::value* given, std::size_t& blocks) {
  blocks = default_cscv_blocks;
  if (!given)
    return {};
  const std::string field = "overfitting";
  if (!given->is_object())
    return {{field, "must be an object such as {\"blocks\": 16}"}};
  for (const auto& kv : given->as_object()) {
    if (kv.key() != "blocks")
      return {{field + "." + std::string(kv.key()), "unknown field (only blocks)"}};
    const auto& v = kv.value();
    if (!v.is_int64() || v.as_int64() < 2 || v.as_int64() > std::int64_t(max_cscv_blocks)
        || v.as_int64() % 2 != 0)
      return {{field + ".blocks",
               "must be an even whole number from 2 to " + std::to_string(max_cscv_blocks)}};
    blocks = static_cast<std::size_t>(v.as_int64());
  }
  return {};
}

void write_overfitting(json_writer& w, const deflated_sharpe_result& d, const pbo_result& p) {
  w.begin_object();
  w.key("deflated_sharpe").begin_object();
  w.key("available").boolean(d.available);
  if (!d.available) {
    w.key("reason").string(d.reason);
  } else {
    w.key("probability").number(d.probability);
    w.key("sharpe_daily").number(d.sharpe);
    w.key("sharpe_annualised").number(d.annualised_sharpe);
    w.key("expected_max_sharpe_daily").number(d.expected_max_sharpe);
    w.key("trials").number(static_cast<std::uint64_t>(d.trials));
    w.key("trials_sharpe_variance").number(d.sharpe_variance);
    w.key("observations").number(static_cast<std::uint64_t>(d.observations));
    w.key("skewness").number(d.skewness);
    w.key("kurtosis").number(d.kurtosis);
  }
  w.end_object();

  w.key("pbo").begin_object();
  w.key("available").boolean(p.available);
  if (!p.available) {
    w.key("reason").string(p.reason);
    w.end_object();
    w.end_object();
    return;
  }
  w.key("probability").number(p.probability);
  w.key("blocks").number(static_cast<std::uint64_t>(p.blocks));
  w.key("combinations").number(static_cast<std::uint64_t>(p.combinations));
  w.key("configurations").number(static_cast<std::uint64_t>(p.configurations));
  w.key("days").number(static_cast<std::uint64_t>(p.days));
  w.key("probability_of_loss").number(p.probability_of_loss);
  w.key("degradation").begin_object();
  w.key("slope").number(p.degradation_slope);
  w.key("intercept").number(p.degradation_intercept);
  w.key("r_squared").number(p.degradation_r_squared);
  w.end_object();
  std::vector<double> logits = p.logits;
  std::array<double, 7> at{};
  percentiles_of(logits.data(), logits.size(), monte_carlo_percentiles.data(),
                 monte_carlo_percentiles.size(), at.data());
  w.key("logit_percentiles").begin_object();
  for (std::size_t i = 0; i < at.size(); ++i)
    w.key("p" + std::to_string(monte_carlo_percentiles[i])).number(at[i]);
  w.end_object();
  // Bins of 0.5 from the lowest logit's to the highest's: a histogram a
  // chart can draw, of a size bounded by ln(N) (logits lie within +-ln N).
  constexpr double width = 0.5;
  const auto [lo, hi] = std::minmax_element(p.logits.begin(), p.logits.end());
  const auto first = static_cast<std::int64_t>(std::floor(*lo / width));
  const auto last = static_cast<std::int64_t>(std::floor(*hi / width));
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(last - first + 1), 0);
  for (double l : p.logits)
    ++counts[static_cast<std::size_t>(static_cast<std::int64_t>(std::floor(l / width)) - first)];
  w.key("logit_histogram").begin_array();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    w.begin_object();
    w.key("from").number(static_cast<double>(first + static_cast<std::int64_t>(i)) * width);
    w.key("to").number(static_cast<double>(first + static_cast<std::int64_t>(i) + 1) * width);
    w.key("count").number(counts[i]);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
}

} // namespace bt
