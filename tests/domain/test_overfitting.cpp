#include "domain/research/overfitting.hpp"

#include "domain/report/json_writer.hpp"
#include "domain/research/random_stream.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace bt;

namespace {

constexpr double tolerance = 1e-12;

bool close(double a, double b, double tol = tolerance) {
  return std::fabs(a - b) <= tol * std::max(1.0, std::fabs(b));
}

/// Approximately normal returns (a sum of 12 uniforms, centred): enough for
/// a null case and fully determined by the seed.
std::vector<double> noise(std::uint64_t seed, std::uint64_t index, std::size_t days, double drift,
                          double scale) {
  random_stream rng = random_stream::of(seed, index);
  std::vector<double> r(days);
  for (auto& x : r) {
    double s = 0;
    for (int k = 0; k < 12; ++k)
      s += static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
    x = drift + scale * (s - 6);
  }
  return r;
}

std::vector<const return_summary*> pointers(const std::vector<return_summary>& v) {
  std::vector<const return_summary*> p;
  for (const auto& s : v)
    p.push_back(&s);
  return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(overfitting)

BOOST_AUTO_TEST_CASE(normal_quantile_matches_reference_values) {
  // Reference: Python's statistics.NormalDist().inv_cdf (an independent
  // implementation of the same algorithm) and tables of the normal law.
  const std::pair<double, double> cases[] = {
      {1e-300, -37.0470962993612},    {1e-20, -9.262340089798405},
      {1e-10, -6.361340902404056},    {0.001, -3.090232306167813},
      {0.02425, -1.9729610513118845}, {0.075, -1.4395314709384557},
      {0.3, -0.5244005127080407},     {0.5, 0.0},
      {0.6, 0.2533471031357998},      {0.9, 1.2815515655446008},
      {0.99, 2.3263478740408408},     {1 - 1e-10, 6.361340889697421},
  };
  for (auto [p, z] : cases) {
    BOOST_TEST_INFO("p = " << p);
    BOOST_TEST(close(normal_quantile(p), z, 1e-14));
  }
  for (double p = 0.001; p < 1; p += 0.0173)
    BOOST_TEST(close(normal_cdf(normal_quantile(p)), p, 1e-14));
  BOOST_TEST(close(normal_cdf(1.959963984540054), 0.975, 1e-15));
}

BOOST_AUTO_TEST_CASE(summary_holds_moments_and_block_sums) {
  // 1, 2, 3, 4, 10: mean 4, central moments m2 = 10, m3 = 36, m4 = 278.8.
  const std::vector<double> r{1, 2, 3, 4, 10};
  const return_summary s = summarise_returns(r, 2);
  BOOST_TEST(s.days == 5u);
  BOOST_TEST(s.mean == 4.0);
  BOOST_TEST(close(s.sd, std::sqrt(50.0 / 4)));
  BOOST_TEST(close(s.skewness, 36.0 / std::pow(10.0, 1.5)));
  BOOST_TEST(close(s.kurtosis, 278.8 / 100));
  // Blocks floor(b*5/2): days 0-1 and 2-4.
  BOOST_TEST(s.block_sum == (std::vector<double>{3, 17}));
  BOOST_TEST(s.block_sum_sq == (std::vector<double>{5, 125}));
}

BOOST_AUTO_TEST_CASE(deflated_sharpe_matches_the_papers_example) {
  // Bailey & López de Prado (2014), section 6: the best of N = 100 trials
  // has an annualised Sharpe ratio of 2.5 over T = 1,250 days with
  // skewness -3 and kurtosis 10; the trials' annualised Sharpe ratios have
  // variance 1/2. The paper (annualising by 250 days) finds DSR = 0.9004;
  // with our 252 days the same formulas give 0.89967234849777... (computed
  // independently with Python's statistics.NormalDist).
  const double daily_variance = 0.5 / 252;
  // 100 trials of daily Sharpe +-c: sample variance 100/99 c^2.
  const double c = std::sqrt(daily_variance * 99 / 100);
  std::vector<return_summary> trials(100);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    trials[i].days = 1250;
    trials[i].sd = 1;
    trials[i].mean = i % 2 ? c : -c;
  }
  return_summary best;
  best.days = 1250;
  best.sd = 0.01;
  best.mean = 0.01 * 2.5 / std::sqrt(252.0);
  best.skewness = -3;
  best.kurtosis = 10;
  const auto d = deflated_sharpe(pointers(trials), best);
  BOOST_REQUIRE(d.available);
  BOOST_TEST(d.trials == 100u);
  BOOST_TEST(close(d.sharpe_variance, daily_variance, 1e-12));
  BOOST_TEST(close(d.expected_max_sharpe, 0.11272201200404275, 1e-12));
  BOOST_TEST(close(d.annualised_sharpe, 2.5, 1e-12));
  BOOST_TEST(close(d.probability, 0.8996723484977763, 1e-10));
  // One trial: no selection, SR0 = 0, and the statistic is the
  // probabilistic Sharpe ratio against 0.
  const auto alone = deflated_sharpe({&best}, best);
  BOOST_TEST(alone.expected_max_sharpe == 0.0);
  const double sr = 2.5 / std::sqrt(252.0);
  BOOST_TEST(close(alone.probability,
                   normal_cdf(sr * std::sqrt(1249.0) / std::sqrt(1 + 3 * sr + 9.0 / 4 * sr * sr)),
                   1e-14));
  // Returns that never vary have no Sharpe ratio to deflate.
  return_summary flat;
  flat.days = 100;
  BOOST_TEST(!deflated_sharpe({&flat}, flat).available);
}

BOOST_AUTO_TEST_CASE(pbo_of_two_hand_derived_cases) {
  // Two blocks of two days. A wins the first block and loses the second, B
  // the reverse: whichever half is in sample, its best is the other half's
  // worst. Rank 1 of 2: w = 1/3, logit ln(1/2), PBO 1, always a loss.
  const std::vector<double> a{0.01, 0.03, -0.01, -0.03}, b{-0.01, -0.03, 0.01, 0.03};
  std::vector<return_summary> mirror{summarise_returns(a, 2), summarise_returns(b, 2)};
  const auto p = probability_of_backtest_overfitting(pointers(mirror), 2);
  BOOST_REQUIRE(p.available);
  BOOST_TEST(p.combinations == 2u);
  BOOST_TEST(p.probability == 1.0);
  BOOST_TEST(p.probability_of_loss == 1.0);
  BOOST_REQUIRE(p.logits.size() == 2u);
  for (double l : p.logits)
    BOOST_TEST(close(l, std::log(0.5)));
  // Sharpe of {0.01, 0.03}: mean 0.02, sd 0.01 * sqrt(2), x sqrt(252).
  const double sr = 0.02 / (0.01 * std::sqrt(2.0)) * std::sqrt(252.0);
  BOOST_TEST(close(p.in_sample_sharpe[0], sr, 1e-9));
  BOOST_TEST(close(p.out_of_sample_sharpe[0], -sr, 1e-9));
  BOOST_TEST(p.degradation_slope == 0.0); // in sample is sr every time: no spread to fit
  BOOST_TEST(close(p.degradation_intercept, -sr, 1e-9));

  // A wins both halves: rank 2 of 2, w = 2/3, logit ln 2, PBO 0.
  const std::vector<double> c{0.01, 0.03, 0.01, 0.03}, d{-0.01, -0.03, -0.01, -0.03};
  std::vector<return_summary> skill{summarise_returns(c, 2), summarise_returns(d, 2)};
  const auto q = probability_of_backtest_overfitting(pointers(skill), 2);
  BOOST_TEST(q.probability == 0.0);
  for (double l : q.logits)
    BOOST_TEST(close(l, std::log(2.0)));

  // Identical configurations tie everywhere: the lower index is chosen and
  // shares the mean rank 1.5, w = 1/2, logit 0, which counts as overfit
  // (no better than the median).
  std::vector<return_summary> twins{summarise_returns(c, 2), summarise_returns(c, 2)};
  const auto t = probability_of_backtest_overfitting(pointers(twins), 2);
  BOOST_TEST(t.probability == 1.0);
  for (double l : t.logits)
    BOOST_TEST(l == 0.0);
}

BOOST_AUTO_TEST_CASE(pbo_agrees_with_a_brute_force_over_the_raw_returns) {
  // Every half of 8 blocks (C(8, 4) = 70, ascending bit masks), recomputed
  // from the returns themselves with two-pass variances: the chosen
  // configuration, both its Sharpe ratios and its logit.
  const std::size_t days = 64, blocks = 8, n = 7;
  std::vector<std::vector<double>> returns;
  std::vector<return_summary> v;
  for (std::uint64_t i = 0; i < n; ++i) {
    returns.push_back(noise(1, i, days, i == 3 ? 0.001 : 0, 0.01));
    v.push_back(summarise_returns(returns.back(), blocks));
  }
  const auto p = probability_of_backtest_overfitting(pointers(v), blocks);
  BOOST_REQUIRE(p.available);
  BOOST_TEST(p.combinations == 70u);
  BOOST_REQUIRE(p.logits.size() == 70u);
  auto sharpe = [](const std::vector<double>& r) {
    double mean = 0, var = 0;
    for (double x : r)
      mean += x;
    mean /= static_cast<double>(r.size());
    for (double x : r)
      var += (x - mean) * (x - mean);
    return mean / std::sqrt(var / static_cast<double>(r.size() - 1)) * std::sqrt(252.0);
  };
  std::size_t k = 0, overfit = 0;
  for (unsigned mask = 0; mask < (1u << blocks); ++mask) {
    if (__builtin_popcount(mask) != static_cast<int>(blocks / 2))
      continue;
    std::vector<double> is(n), oos(n);
    for (std::size_t c = 0; c < n; ++c) {
      std::vector<double> in, out;
      for (std::size_t d = 0; d < days; ++d)
        ((mask >> (d * blocks / days)) & 1 ? in : out).push_back(returns[c][d]);
      is[c] = sharpe(in);
      oos[c] = sharpe(out);
    }
    std::size_t best = 0;
    for (std::size_t c = 1; c < n; ++c)
      if (is[c] > is[best])
        best = c;
    std::size_t rank = 1;
    for (std::size_t c = 0; c < n; ++c)
      rank += oos[c] < oos[best];
    const double w = static_cast<double>(rank) / (n + 1);
    BOOST_TEST_INFO("mask " << mask);
    BOOST_TEST(close(p.in_sample_sharpe[k], is[best], 1e-9));
    BOOST_TEST(close(p.out_of_sample_sharpe[k], oos[best], 1e-9));
    BOOST_TEST(close(p.logits[k], std::log(w / (1 - w)), 1e-12));
    overfit += w <= 0.5;
    ++k;
  }
  BOOST_TEST(k == 70u);
  BOOST_TEST(p.probability == static_cast<double>(overfit) / 70);
}

BOOST_AUTO_TEST_CASE(pbo_of_pure_noise_is_near_one_half_and_of_real_skill_near_zero) {
  // 100 configurations of independent noise over 1,600 days, 16 blocks: no
  // configuration is better than another, so the in-sample best lands
  // anywhere out of sample. Averaged over 20 seeds to tame the dependence of
  // the 12,870 overlapping combinations.
  double sum = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::vector<return_summary> v;
    for (std::uint64_t i = 0; i < 100; ++i)
      v.push_back(summarise_returns(noise(seed, i, 1600, 0, 0.01), 16));
    const auto p = probability_of_backtest_overfitting(pointers(v), 16);
    BOOST_REQUIRE(p.available);
    BOOST_TEST(p.combinations == 12870u);
    BOOST_TEST_MESSAGE("seed " << seed << ": PBO " << p.probability);
    sum += p.probability;
  }
  BOOST_TEST(sum / 20 > 0.4);
  BOOST_TEST(sum / 20 < 0.6);

  // One configuration with a real edge (a daily Sharpe of 0.2) among noise:
  // it is the in-sample best nearly always and stays on top out of sample.
  std::vector<return_summary> v;
  v.push_back(summarise_returns(noise(9, 0, 1600, 0.002, 0.01), 16));
  for (std::uint64_t i = 1; i < 100; ++i)
    v.push_back(summarise_returns(noise(9, i, 1600, 0, 0.01), 16));
  const auto p = probability_of_backtest_overfitting(pointers(v), 16);
  BOOST_TEST(p.probability < 0.02);
  BOOST_TEST(p.probability_of_loss < 0.02);
}

BOOST_AUTO_TEST_CASE(pbo_refuses_too_few_configurations_or_days) {
  std::vector<return_summary> one{summarise_returns(noise(1, 0, 64, 0, 0.01), 16)};
  BOOST_TEST(!probability_of_backtest_overfitting(pointers(one), 16).available);
  std::vector<return_summary> short_run{summarise_returns(noise(1, 0, 31, 0, 0.01), 16),
                                        summarise_returns(noise(1, 1, 31, 0, 0.01), 16)};
  const auto p = probability_of_backtest_overfitting(pointers(short_run), 16);
  BOOST_TEST(!p.available);
  BOOST_TEST(p.reason.find("31 days") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(blocks_option_is_checked) {
  std::size_t blocks = 0;
  BOOST_TEST(parse_cscv_blocks(nullptr, blocks).empty());
  BOOST_TEST(blocks == 16u);
  for (const char* bad : {R"({"blocks": 3})", R"({"blocks": 18})", R"({"blocks": 0})",
                          R"({"blocks": "8"})", R"({"folds": 8})", "[]"}) {
    const auto v = boost::json::parse(bad);
    BOOST_TEST_INFO(bad);
    BOOST_TEST(!parse_cscv_blocks(&v, blocks).empty());
  }
  const auto v = boost::json::parse(R"({"blocks": 8})");
  BOOST_TEST(parse_cscv_blocks(&v, blocks).empty());
  BOOST_TEST(blocks == 8u);
}

BOOST_AUTO_TEST_CASE(document_is_valid_json_with_a_histogram_of_every_logit) {
  std::vector<return_summary> v;
  for (std::uint64_t i = 0; i < 20; ++i)
    v.push_back(summarise_returns(noise(3, i, 320, 0, 0.01), 16));
  const auto p = probability_of_backtest_overfitting(pointers(v), 16);
  const auto d = deflated_sharpe(pointers(v), v[0]);
  json_writer w;
  write_overfitting(w, d, p);
  const auto doc = boost::json::parse(w.take()).as_object();
  BOOST_TEST(doc.at("deflated_sharpe").at("available").as_bool());
  const auto& pbo = doc.at("pbo").as_object();
  BOOST_TEST(pbo.at("combinations").as_int64() == 12870);
  std::int64_t counted = 0;
  for (const auto& bin : pbo.at("logit_histogram").as_array())
    counted += bin.at("count").as_int64();
  BOOST_TEST(counted == 12870);
  BOOST_TEST(pbo.at("probability").as_double() == p.probability);
}

BOOST_AUTO_TEST_SUITE_END()
