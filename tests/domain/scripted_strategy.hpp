#pragma once
// A strategy that performs scripted broker calls on given bars, for engine tests.

#include "domain/strategies/strategy.hpp"

#include <functional>
#include <map>

namespace bt::test {

class scripted_strategy final : public strategy {
public:
  using action = std::function<void(const market_view&, broker&)>;
  void at(std::size_t bar, action a) { script_[bar] = std::move(a); }
  void on_bar(const market_view& m, broker& b) override {
    seen_ = m.size();
    if (auto it = script_.find(m.current()); it != script_.end())
      it->second(m, b);
  }
  std::size_t seen() const { return seen_; }
  /// Lets the engine take this script's decisions in blocks (the script
  /// must then only set targets).
  void decide_from_bars_only() { bars_only_ = true; }
  bool decides_from_bars_only() const override { return bars_only_; }

private:
  bool bars_only_ = false;
  std::map<std::size_t, action> script_;
  std::size_t seen_ = 0;
};

inline execution_settings gc_execution() {
  execution_settings e;
  e.multiplier = fixed::from_int(100);
  e.tick_size = fixed::from_units(10'000'000); // 0.1
  return e;                                    // 1 tick slippage, 2.50 per contract per side
}

} // namespace bt::test
