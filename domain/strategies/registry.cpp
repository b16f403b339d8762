#include "domain/strategies/registry.hpp"

#include "domain/strategies/dual_sma.hpp"
#include "domain/strategies/supply_demand_zones.hpp"

#include <stdexcept>

namespace bt {

const std::vector<const strategy_schema*>& strategy_schemas() {
  static const std::vector<const strategy_schema*> all{&dual_sma_schema(),
                                                       &supply_demand_zones_schema()};
  return all;
}

const strategy_schema* find_strategy(std::string_view name) {
  for (const auto* s : strategy_schemas())
    if (s->name == name)
      return s;
  return nullptr;
}

std::unique_ptr<strategy> make_strategy(const strategy_schema& schema, const param_set& params) {
  if (&schema == &dual_sma_schema())
    return std::make_unique<dual_sma>(params);
  if (&schema == &supply_demand_zones_schema())
    return std::make_unique<supply_demand_zones>(params);
  throw std::logic_error("no factory for strategy " + schema.name);
}

std::string_view to_string(zone_status s) {
  switch (s) {
  case zone_status::active:
    return "active";
  case zone_status::broken:
    return "broken";
  case zone_status::expired:
    return "expired";
  }
  return "active";
}

bool from_string(std::string_view text, zone_status& out) {
  constexpr zone_status all[] = {zone_status::active, zone_status::broken, zone_status::expired};
  return from_name(text, all, out);
}

} // namespace bt
