#include "actors/backtest_api_worker.hpp"

#include <caf/all.hpp>

namespace bt {
namespace {

backtest_api_actor::behavior_type backtest_api_worker(backtest_api_actor::pointer,
                                                      std::shared_ptr<backtest_service> svc) {
  return {
    [svc](backtest_atom, const backtest_call& call) { return svc->handle(call); },
  };
}

} // namespace

std::vector<backtest_api_actor> spawn_backtest_api_workers(caf::actor_system& sys, std::size_t count,
                                                           std::shared_ptr<backtest_service> service) {
  std::vector<backtest_api_actor> workers;
  for (std::size_t i = 0; i < count; ++i)
    workers.push_back(sys.spawn<caf::detached>(backtest_api_worker, service));
  return workers;
}

} // namespace bt
