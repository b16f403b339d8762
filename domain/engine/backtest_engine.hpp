#pragma once
// The bar-by-bar simulation loop.

#include "domain/data/bar_series.hpp"
#include "domain/engine/broker.hpp"
#include "domain/engine/execution_settings.hpp"
#include "domain/engine/trade.hpp"

#include <cstdint>
#include <vector>

namespace bt {

class strategy;

/// Where a run stands after a bar: what progress streams show a trader.
struct run_progress {
  std::size_t bars_done = 0, bars_total = 0;
  std::size_t trades = 0; ///< closed so far
  fixed equity;           ///< marked to market at the bar's close
  fixed position;         ///< open quantity, long positive and short negative
};

/// Lets a caller watch a run and stop it (progress reports, cancellation).
class run_observer {
public:
  virtual ~run_observer() = default;
  /// Called every `interval()` bars; returning false cancels the run.
  virtual bool on_progress(const run_progress& p) = 0;
  virtual std::size_t interval() const { return 4096; }
};

struct engine_output {
  trade_list trades;   ///< in exit order; trade_id = 1, 2, ...
  equity_curve equity; ///< one point per bar
  std::int64_t skipped_signals = 0;
  std::int64_t bars_in_market = 0; ///< bars that closed with a position open
  bool cancelled = false;
};

/// Each point's drawdown below the running peak of the curve, which starts
/// at `initial` (what run_engine fills in; a walk-forward's stitched curve
/// is measured again as one account).
void fill_drawdowns(equity_curve& curve, fixed initial);

/// Runs `strat` over `bars`. Per bar t: fills of orders placed up to bar
/// t-1 (market targets at the open, then brackets of trades already open,
/// then working entry orders in the order they were placed), then the
/// mark-to-market equity point at t's close, then the strategy's decision
/// on t. On the last bar open trades are closed at its close (end_of_data)
/// before its equity point.
///
/// Bars before `first_entry_bar` only warm the strategy up (a walk-forward
/// test window's history): it sees them and may place orders, but nothing
/// fills before that bar; a market target set before the bar preceding it
/// is dropped, and working entry orders wait.
engine_output run_engine(const bar_series& bars, strategy& strat, const execution_settings& exec,
                         run_observer* observer = nullptr, std::size_t first_entry_bar = 0);

} // namespace bt
