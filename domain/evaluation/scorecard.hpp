#pragma once
// A cycle's scorecard: every configuration with its rank, its score and
// the score's components, its out-of-sample metrics and its walk-forward,
// and the cycle's data checksum. Configurations whose walk-forward did not
// complete are listed after the ranked ones, unranked.

#include "domain/data/decimal.hpp"
#include "domain/data/timestamp.hpp"
#include "domain/evaluation/program.hpp"
#include "domain/evaluation/promotion.hpp"
#include "domain/evaluation/score.hpp"
#include "domain/research/regimes.hpp"

#include <map>

#include <optional>
#include <string>
#include <vector>

namespace bt {

struct evaluation_facts {
  std::size_t index = 0;
  std::string strategy, params_json, walk_forward_id;
  std::string status; ///< the walk-forward's: completed, failed, cancelled
  std::optional<double> sharpe, max_drawdown_pct, volatility_pct, efficiency, net_profit,
      total_trades;
  /// Its out-of-sample trades: entry time and net P&L.
  std::vector<std::pair<unix_time, fixed>> oos_trades;
  /// Its out-of-sample daily returns, keyed by day.
  std::vector<std::pair<unix_time, double>> oos_daily;
  std::string symbol; ///< what it was tested on (a program may have several)
  /// Ranked again from an earlier cycle's evaluation on the same data.
  std::optional<int> carried_from_cycle;
};

/// The regime of each classified day (00:00 UTC), as of the cycle.
using regime_days = std::map<unix_time, volatility_regime>;

/// The facts a completed walk-forward's result document gives (its
/// out_of_sample metrics, volatility and efficiency).
void read_walk_forward_result(const std::string& result_json, evaluation_facts& into);

struct scorecard_header {
  std::string program_id;
  int cycle = 0;
  std::string as_of, data_checksum;
  std::size_t skipped = 0; ///< configurations already evaluated on the same data
};

/// The scorecard document (JSON), ranked by score (ties by index). With
/// `regimes`, each entry's out-of-sample results are also broken down by
/// regime ("by_regime"): its days in each regime (days, compounded return,
/// annualised Sharpe ratio and volatility, maximum drawdown of those days
/// strung together) and the trades entered on them (trades, net profit,
/// win rate, profit factor, average trade); "unclassified" for days
/// without a regime yet.
std::string scorecard_json(const scorecard_header& h, const std::vector<evaluation_facts>& facts,
                           const score_weights& weights, const regime_days* regimes = nullptr);
/// The same with each symbol's regimes (an entry's own symbol's).
std::string scorecard_json(const scorecard_header& h, const std::vector<evaluation_facts>& facts,
                           const score_weights& weights,
                           const std::map<std::string, regime_days>& regimes_by_symbol);

/// A program's promotion gate over its scorecards: each completed cycle's
/// ranking of configurations on symbols, added in cycle order, and the
/// candidates through the gate as of the last one with their recommended
/// capital. What the server's candidates and a replay's cycles both read.
class scorecard_gate {
public:
  explicit scorecard_gate(const program_spec& spec);
  /// A completed scorecard document; entries without a symbol (written
  /// before programs had several) are on the program's first.
  void add(unix_time as_of, const boost::json::value& scorecard);

  struct candidate_entry {
    std::string identity; ///< strategy, params and symbol, one per line
    std::string strategy, params_json, symbol;
    boost::json::object entry; ///< its entry in the last scorecard
    unix_time since = 0;       ///< the start of its streak
    double score = 0, expected_sharpe = 0;
    fixed allocation;
  };
  /// In the last scorecard's rank order.
  std::vector<candidate_entry> candidates() const;
  /// The last scorecard's as-of time; none before the first.
  std::optional<unix_time> as_of() const;

private:
  gate_settings gate_;
  fixed capital_;
  double cap_fraction_ = 0;
  std::string default_symbol_;
  std::vector<ranked_cycle> history_;
  std::map<std::string, boost::json::object> last_; ///< the last scorecard's entries by identity
};

} // namespace bt
