#include "domain/evaluation/promotion.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace bt {

std::vector<candidate> promotion_candidates(const std::vector<ranked_cycle>& cycles,
                                            const gate_settings& s) {
  if (cycles.empty())
    return {};
  // Where each configuration's streak in the top began (erased when it
  // leaves the top, or misses a cycle).
  std::map<std::string, unix_time> streak_start;
  for (const auto& cycle : cycles) {
    const auto n = cycle.ranked.size();
    const auto top = std::min<std::size_t>(
        n, std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(
                                        static_cast<double>(n) * s.top_fraction - 1e-9))));
    std::map<std::string, unix_time> still;
    for (std::size_t i = 0; i < top; ++i) {
      auto it = streak_start.find(cycle.ranked[i]);
      still[cycle.ranked[i]] = it == streak_start.end() ? cycle.as_of : it->second;
    }
    streak_start = std::move(still);
  }
  const unix_time last = cycles.back().as_of;
  std::vector<candidate> out;
  for (const auto& key : cycles.back().ranked) // the last cycle's order
    if (auto it = streak_start.find(key);
        it != streak_start.end()
        && last - it->second >= static_cast<unix_time>(s.consecutive_days) * seconds_per_day)
      out.push_back({key, it->second});
  return out;
}

std::vector<fixed> allocate_capital(fixed capital, const std::vector<double>& scores,
                                    double cap_fraction) {
  const std::size_t n = scores.size();
  std::vector<double> share(n, 0.0);
  std::vector<bool> capped(n, false);
  const double cap = std::clamp(cap_fraction, 0.0, 1.0);
  // Water-filling: spread what is left over the uncapped in proportion to
  // their scores until no one passes the cap.
  double left = 1.0;
  for (bool again = true; again;) {
    again = false;
    double weight = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!capped[i] && scores[i] > 0)
        weight += scores[i];
    if (weight <= 0)
      break;
    for (std::size_t i = 0; i < n; ++i)
      if (!capped[i] && scores[i] > 0)
        share[i] = left * scores[i] / weight;
    for (std::size_t i = 0; i < n; ++i)
      if (!capped[i] && share[i] > cap) {
        capped[i] = true;
        share[i] = cap;
        left -= cap;
        again = true;
      }
  }
  // Whole cents, rounded down (past binary fractions' last bits: 0.35 is
  // 0.34999...), and the total never above the capital.
  const std::int64_t cent = fixed::from_int(1).units / 100;
  std::vector<std::int64_t> cents(n);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double exact = static_cast<long double>(capital.units) * share[i] / cent;
    cents[i] = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(exact + 1e-6L)));
    total += cents[i];
  }
  const std::int64_t available = capital.units / cent;
  for (std::size_t i = 0; total > available && i < n; ++i) {
    const std::int64_t back = std::min(cents[i], total - available);
    cents[i] -= back;
    total -= back;
  }
  std::vector<fixed> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = fixed::from_units(cents[i] * cent);
  return out;
}

std::string_view to_string(admission_outcome o) {
  switch (o) {
  case admission_outcome::deploy:
    return "deploy";
  case admission_outcome::redundant:
    return "redundant";
  case admission_outcome::type_capped:
    return "type_capped";
  case admission_outcome::full:
    break;
  }
  return "full";
}

std::optional<double> return_correlation(const std::vector<std::pair<unix_time, double>>& a,
                                         const std::vector<std::pair<unix_time, double>>& b,
                                         std::size_t days, std::size_t min_common) {
  auto last = [&](const std::vector<std::pair<unix_time, double>>& v) {
    return std::map<unix_time, double>(
        v.end() - static_cast<std::ptrdiff_t>(std::min(days, v.size())), v.end());
  };
  const auto x = last(a), y = last(b);
  std::vector<std::pair<double, double>> common;
  for (const auto& [day, r] : x)
    if (auto it = y.find(day); it != y.end())
      common.emplace_back(r, it->second);
  if (common.size() < std::max<std::size_t>(2, min_common))
    return std::nullopt;
  double mx = 0, my = 0;
  for (const auto& [p, q] : common) {
    mx += p;
    my += q;
  }
  mx /= static_cast<double>(common.size());
  my /= static_cast<double>(common.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (const auto& [p, q] : common) {
    sxy += (p - mx) * (q - my);
    sxx += (p - mx) * (p - mx);
    syy += (q - my) * (q - my);
  }
  if (sxx <= 0 || syy <= 0)
    return std::nullopt;
  return round_places(sxy / std::sqrt(sxx * syy));
}

admission admit(const std::vector<deployment_facts>& active, const deployment_facts& candidate,
                const admission_settings& s) {
  admission a;
  // Redundancy: the most correlated active deployment above the limit.
  for (const auto& d : active) {
    const auto c = return_correlation(candidate.daily_returns, d.daily_returns, s.correlation_days,
                                      s.min_common_days);
    if (c && *c > s.max_correlation && (!a.correlation || *c > *a.correlation)) {
      a.correlation = c;
      a.correlated_with = d.id;
    }
  }
  if (a.correlated_with) {
    a.outcome = admission_outcome::redundant;
    return a;
  }
  // Capacity: the lowest score goes (the first of equals), if below the candidate's.
  const deployment_facts* lowest = nullptr;
  if (active.size() >= s.max_active) {
    for (const auto& d : active)
      if (!lowest || d.score < lowest->score)
        lowest = &d;
    if (!lowest || lowest->score >= candidate.score) {
      a.outcome = admission_outcome::full;
      return a;
    }
    a.demote = lowest->id;
  }
  // The type cap, counted as the deployments would stand.
  const auto slots = static_cast<std::size_t>(
      std::floor(static_cast<double>(s.max_active) * s.max_type_share + 1e-9));
  std::size_t same = 1;
  for (const auto& d : active)
    if (&d != lowest && d.strategy == candidate.strategy)
      ++same;
  if (same > std::max<std::size_t>(1, slots)) {
    a.outcome = admission_outcome::type_capped;
    a.demote.reset();
  }
  return a;
}

std::string_view to_string(round_outcome o) {
  switch (o) {
  case round_outcome::deployed:
    return "deployed";
  case round_outcome::refused:
    return "refused";
  case round_outcome::no_capital:
    return "no_capital";
  case round_outcome::already_deployed:
    return "already_deployed";
  case round_outcome::ended:
    return "ended";
  }
  return "refused";
}

std::vector<round_step> promotion_round(std::vector<round_active> active,
                                        const std::vector<round_ended>& ended,
                                        const std::vector<round_candidate>& candidates,
                                        fixed capital, const admission_settings& s) {
  std::vector<round_step> out;
  fixed committed;
  for (const auto& d : active)
    committed += d.capital;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& g = candidates[i];
    round_step step;
    step.candidate = i;
    if (std::any_of(active.begin(), active.end(),
                    [&](const round_active& d) { return d.identity == g.identity; })) {
      step.outcome = round_outcome::already_deployed;
      out.push_back(step);
      continue;
    }
    if (std::any_of(ended.begin(), ended.end(), [&](const round_ended& e) {
          return e.identity == g.identity && e.ended_at >= g.since;
        })) {
      step.outcome = round_outcome::ended;
      out.push_back(step);
      continue;
    }
    std::vector<deployment_facts> facts;
    for (const auto& d : active)
      facts.push_back({d.id, d.strategy, d.score, d.daily_returns});
    step.admission = admit(facts, {g.id, g.strategy, g.score, g.daily_returns}, s);
    if (step.admission.outcome != admission_outcome::deploy) {
      step.outcome = round_outcome::refused;
      out.push_back(step);
      continue;
    }
    fixed reserve = capital - committed;
    auto demoted = active.end();
    if (step.admission.demote) {
      demoted = std::find_if(active.begin(), active.end(),
                             [&](const round_active& d) { return d.id == *step.admission.demote; });
      reserve += demoted->capital;
    }
    step.granted = std::min(g.allocation, reserve);
    if (step.granted.units <= 0) {
      step.outcome = round_outcome::no_capital;
      step.admission.demote.reset();
      out.push_back(step);
      continue;
    }
    if (demoted != active.end()) {
      committed -= demoted->capital;
      active.erase(demoted);
    }
    committed += step.granted;
    active.push_back({g.id, g.identity, g.strategy, g.score, step.granted, g.daily_returns});
    out.push_back(step);
  }
  return out;
}

} // namespace bt
