#pragma once
// A worker executes one backtest at a time (services/run_executor) and
// reports to its queue manager. Detached: the engine is CPU-bound and the
// database calls block.

#include "actors/messages.hpp"
#include "services/run_executor.hpp"

#include <caf/fwd.hpp>

#include <memory>
#include <string>

namespace bt {

worker_actor::behavior_type backtest_worker(worker_actor::pointer self,
                                            std::shared_ptr<worker_context> ctx,
                                            caf::actor queue_manager, std::string worker_id);

} // namespace bt
