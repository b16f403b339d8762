#pragma once
// Execution settings: costs and contract terms of a run, separate from the
// strategy's parameters.

#include "domain/data/decimal.hpp"
#include "domain/data/instrument.hpp"
#include "domain/engine/field_error.hpp"

namespace boost::json {
class value;
}

namespace bt {

class json_writer;

struct execution_settings {
  fixed initial_capital = fixed::from_int(50'000);
  fixed commission_per_contract = fixed::from_units(250'000'000); ///< per side
  fixed slippage_ticks = fixed::from_int(1);                      ///< on market and stop fills
  fixed multiplier = fixed::from_int(1);
  fixed tick_size = fixed::from_units(1'000'000);
  fixed quantity_step = fixed::from_int(1);

  fixed slippage() const { return mul(slippage_ticks, tick_size); }
};

/// Defaults with the contract terms of `inst`.
execution_settings default_execution(const instrument& inst);

/// Applies a JSON object with any of exactly these keys: initial_capital,
/// commission_per_contract, slippage_ticks, multiplier, tick_size,
/// quantity_step. Unknown keys and out-of-range values are errors.
field_errors apply_execution(const boost::json::value* given, execution_settings& s);

/// All six settings as a JSON object, keys sorted (canonical).
void write_execution(json_writer& w, const execution_settings& s);

} // namespace bt
