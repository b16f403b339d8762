#pragma once
// From scorecards to paper deployments: the promotion gate, the capital a
// candidate is recommended, and whether a candidate may join the active
// deployments (capacity with demotion, a cap per strategy type, and a
// redundancy check on daily-return correlation). Pure decisions on given
// facts: the caller stores and audits them.

#include "domain/data/decimal.hpp"
#include "domain/data/timestamp.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bt {

/// One cycle's scorecard as the gate sees it: the configurations' keys,
/// best first, and the market-data time the cycle was evaluated as of.
struct ranked_cycle {
  unix_time as_of = 0;
  std::vector<std::string> ranked;
};

struct gate_settings {
  double top_fraction = 0.10; ///< the top ceil(n * fraction) of a cycle (at least one)
  int consecutive_days = 30;  ///< of market-data time, from the first cycle of the streak
};

struct candidate {
  std::string key;
  unix_time since = 0; ///< the as-of time of the first cycle of its streak
};

/// The configurations in the top of every cycle from the start of their
/// current streak to the last cycle, that streak spanning at least
/// consecutive_days of as-of time; in the last cycle's rank order. Cycles
/// must be in as-of order.
std::vector<candidate> promotion_candidates(const std::vector<ranked_cycle>& cycles,
                                            const gate_settings& s = {});

/// Capital for each candidate in proportion to its score (scores at or
/// below 0 get none), no one above cap_fraction of the capital: what a cap
/// removes goes to the others in proportion, what no one can take stays in
/// reserve. Whole cents, rounded down, so the total never exceeds capital.
std::vector<fixed> allocate_capital(fixed capital, const std::vector<double>& scores,
                                    double cap_fraction = 0.10);

struct admission_settings {
  std::size_t max_active = 35;
  /// No strategy type above this share of the max_active slots (30 % of 35:
  /// at most 10 of a type). Measured against the slots, not the deployments
  /// active now: with two strategy types a share of those could never be
  /// met, and the first deployment of a type would be 100 % of one.
  double max_type_share = 0.30;
  double max_correlation = 0.8; ///< of daily returns over the last correlation_days
  std::size_t correlation_days = 60;
  std::size_t min_common_days = 20; ///< fewer days in common: no correlation is judged
};

struct deployment_facts {
  std::string id, strategy;
  double score = 0;
  /// Daily returns keyed by day (00:00 UTC), in day order, the most recent last.
  std::vector<std::pair<unix_time, double>> daily_returns;
};

enum class admission_outcome {
  deploy,      ///< joins (after demoting `demote` when the deployments were full)
  redundant,   ///< correlates above the limit with `correlated_with`
  type_capped, ///< its strategy type holds its share of the slots already
  full         ///< every slot taken by a higher (or equal) score
};
std::string_view to_string(admission_outcome o);

struct admission {
  admission_outcome outcome = admission_outcome::deploy;
  std::optional<std::string> demote;          ///< the lowest-scoring active deployment
  std::optional<std::string> correlated_with; ///< redundant: the most correlated active one
  std::optional<double> correlation;          ///< redundant: that correlation
};

/// The first day of the correlation window that ends with the day of
/// `last` (a time of the data's last bar): the days each configuration is
/// run over when its returns are compared.
inline unix_time correlation_window_from(unix_time last, const admission_settings& s) {
  return utc_day(last) - static_cast<unix_time>(s.correlation_days - 1) * seconds_per_day;
}

/// Whether `candidate` joins `active`: redundancy first (the pair named),
/// then capacity (the lowest-scoring active one demoted, if the candidate
/// scores higher), then the type cap (counted after any demotion).
admission admit(const std::vector<deployment_facts>& active, const deployment_facts& candidate,
                const admission_settings& s = {});

/// One promotion pass: the gate's candidates, in rank order, through the
/// admission rules against the active deployments as each admitted one
/// joins them. What the server does after a scorecard and a replay does at
/// each of its cycles.
struct round_candidate {
  std::string id; ///< what the deployment is called if it joins
  std::string identity, strategy;
  double score = 0;
  fixed allocation;
  unix_time since = 0; ///< the start of its streak in the gate
  std::vector<std::pair<unix_time, double>> daily_returns;
};
struct round_active {
  std::string id, identity, strategy;
  double score = 0;
  fixed capital;
  std::vector<std::pair<unix_time, double>> daily_returns;
};
/// A configuration's deployment that ended: it returns only with a streak
/// that began after.
struct round_ended {
  std::string identity;
  unix_time ended_at = 0;
};
enum class round_outcome {
  deployed,         ///< with `granted` capital, after demoting `admission.demote` if set
  refused,          ///< by `admission.outcome` (redundant, type_capped, full)
  no_capital,       ///< the capital is committed to the active deployments
  already_deployed, ///< an active deployment runs it
  ended             ///< its deployment ended during its current streak
};
std::string_view to_string(round_outcome o);
struct round_step {
  std::size_t candidate = 0; ///< index into the candidates
  round_outcome outcome = round_outcome::deployed;
  bt::admission admission;
  fixed granted; ///< deployed: the allocation within what the reserve holds
};
/// The steps of a pass over `candidates` (each listed once, in order);
/// `capital` is the program's, shared by the active deployments and the
/// reserve.
std::vector<round_step> promotion_round(std::vector<round_active> active,
                                        const std::vector<round_ended>& ended,
                                        const std::vector<round_candidate>& candidates,
                                        fixed capital, const admission_settings& s);

/// Pearson correlation of two return series over their common days among
/// the last `days` of each; none with fewer than `min_common` common days
/// or a series without variance.
std::optional<double> return_correlation(const std::vector<std::pair<unix_time, double>>& a,
                                         const std::vector<std::pair<unix_time, double>>& b,
                                         std::size_t days, std::size_t min_common);

} // namespace bt
