#pragma once
// Detached actors serving the backtest API through backtest_service.

#include "actors/messages.hpp"
#include "services/backtest_service.hpp"

#include <caf/fwd.hpp>

#include <vector>

namespace bt {

std::vector<backtest_api_actor>
spawn_backtest_api_workers(caf::actor_system& sys, std::size_t count,
                           std::shared_ptr<backtest_service> service);

} // namespace bt
