#pragma once
// The strategies the service knows, by name.

#include "domain/strategies/param_schema.hpp"
#include "domain/strategies/strategy.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace bt {

/// Every registered strategy's schema, in name order.
const std::vector<const strategy_schema*>& strategy_schemas();

/// The schema named `name`, or nullptr.
const strategy_schema* find_strategy(std::string_view name);

/// A fresh strategy instance; `params` must have been resolved against
/// `schema`.
std::unique_ptr<strategy> make_strategy(const strategy_schema& schema, const param_set& params);

} // namespace bt
