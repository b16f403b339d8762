#include "actors/backtest_api_worker.hpp"

#include <caf/all.hpp>

namespace bt {
namespace {

backtest_api_actor::behavior_type backtest_api_worker(backtest_api_actor::pointer,
                                                      std::shared_ptr<backtest_service> svc) {
  return {
      [svc](submit_atom, const backtest_call& c) { return svc->submit(c); },
      [svc](status_atom, const backtest_call& c) { return svc->status(c); },
      [svc](cancel_atom, const backtest_call& c) { return svc->cancel(c); },
      [svc](delete_atom, const backtest_call& c) { return svc->remove(c); },
      [svc](history_atom, const backtest_call& c) { return svc->history(c); },
      [svc](compare_atom, const backtest_call& c) { return svc->compare(c); },
      [svc](metrics_atom, const backtest_call& c) {
        return svc->results(c, backtest_service::result_kind::metrics);
      },
      [svc](equity_atom, const backtest_call& c) {
        return svc->results(c, backtest_service::result_kind::equity);
      },
      [svc](trades_atom, const backtest_call& c) {
        return svc->results(c, backtest_service::result_kind::trades);
      },
      [svc](zones_atom, const backtest_call& c) {
        return svc->results(c, backtest_service::result_kind::zones);
      },
      [svc](chart_atom, const backtest_call& c) {
        return svc->results(c, backtest_service::result_kind::chart);
      },
      [svc](monte_carlo_atom, const backtest_call& c) { return svc->monte_carlo(c); },
      [svc](sweep_submit_atom, const backtest_call& c) { return svc->sweep_submit(c); },
      [svc](sweep_list_atom, const backtest_call& c) { return svc->sweep_list(c); },
      [svc](sweep_status_atom, const backtest_call& c) { return svc->sweep_status(c); },
      [svc](sweep_results_atom, const backtest_call& c) { return svc->sweep_results(c); },
      [svc](sweep_heatmap_atom, const backtest_call& c) { return svc->sweep_heatmap(c); },
      [svc](sweep_overfitting_atom, const backtest_call& c) { return svc->sweep_overfitting(c); },
      [svc](sweep_run_atom, const backtest_call& c) { return svc->sweep_run(c); },
      [svc](sweep_cancel_atom, const backtest_call& c) { return svc->sweep_cancel(c); },
      [svc](sweep_delete_atom, const backtest_call& c) { return svc->sweep_delete(c); },
      [svc](wf_submit_atom, const backtest_call& c) { return svc->walk_forward_submit(c); },
      [svc](wf_list_atom, const backtest_call& c) { return svc->walk_forward_list(c); },
      [svc](wf_status_atom, const backtest_call& c) { return svc->walk_forward_status(c); },
      [svc](wf_trades_atom, const backtest_call& c) { return svc->walk_forward_trades(c); },
      [svc](wf_equity_atom, const backtest_call& c) { return svc->walk_forward_equity(c); },
      [svc](wf_monte_carlo_atom, const backtest_call& c) {
        return svc->walk_forward_monte_carlo(c);
      },
      [svc](wf_cancel_atom, const backtest_call& c) { return svc->walk_forward_cancel(c); },
      [svc](wf_delete_atom, const backtest_call& c) { return svc->walk_forward_delete(c); },
      [svc](strategies_atom, const backtest_call& c) { return svc->strategies(c); },
      [svc](queue_atom, const backtest_call& c) { return svc->queue(c); },
      [svc](cluster_atom, const backtest_call& c) { return svc->cluster(c); },
  };
}

} // namespace

std::vector<backtest_api_actor>
spawn_backtest_api_workers(caf::actor_system& sys, std::size_t count,
                           std::shared_ptr<backtest_service> service) {
  std::vector<backtest_api_actor> workers;
  for (std::size_t i = 0; i < count; ++i)
    workers.push_back(sys.spawn<caf::detached>(backtest_api_worker, service));
  return workers;
}

} // namespace bt
