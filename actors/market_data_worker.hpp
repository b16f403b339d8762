#pragma once
// Detached actors serving market data requests: blocking database work
// never runs on CAF's cooperative threads.

#include "actors/messages.hpp"
#include "services/market_data_service.hpp"

#include <caf/actor_system.hpp>

#include <vector>

namespace bt {

/// Spawns `count` detached workers sharing `pool`.
std::vector<market_data_actor> spawn_market_data_workers(caf::actor_system& sys, std::size_t count,
                                                         std::shared_ptr<db::connection_pool> pool,
                                                         market_data_limits limits);

} // namespace bt
