#pragma once
// Dual simple-moving-average crossover, with exact crossing semantics that
// other engines can be compared against (see README.md in this folder).

#include "domain/indicators/rolling_sum.hpp"
#include "domain/strategies/param_schema.hpp"
#include "domain/strategies/strategy.hpp"

namespace bt {

const strategy_schema& dual_sma_schema();

class dual_sma final : public strategy {
public:
  explicit dual_sma(const param_set& params);
  void on_bar(const market_view& market, broker& orders) override;
  bool decides_from_bars_only() const override { return true; }

private:
  rolling_sum fast_, slow_;
  std::size_t fast_period_, slow_period_;
  bool long_only_;
  fixed quantity_;
  int last_sign_ = 0; ///< m: the last non-zero sign of fast - slow
};

} // namespace bt
