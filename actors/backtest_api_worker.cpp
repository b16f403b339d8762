#include "actors/backtest_api_worker.hpp"

#include "services/gzip.hpp"

#include <caf/all.hpp>

namespace bt {
namespace {

// Every answer is gzipped here, on this detached worker, for clients that
// ask (encode_reply), never on an io thread.
backtest_api_actor::behavior_type backtest_api_worker(backtest_api_actor::pointer,
                                                      std::shared_ptr<backtest_service> svc) {
  return {
      [svc](submit_atom, const backtest_call& c) {
        return encode_reply(svc->submit(c), c.accept_gzip);
      },
      [svc](status_atom, const backtest_call& c) {
        return encode_reply(svc->status(c), c.accept_gzip);
      },
      [svc](cancel_atom, const backtest_call& c) {
        return encode_reply(svc->cancel(c), c.accept_gzip);
      },
      [svc](delete_atom, const backtest_call& c) {
        return encode_reply(svc->remove(c), c.accept_gzip);
      },
      [svc](history_atom, const backtest_call& c) {
        return encode_reply(svc->history(c), c.accept_gzip);
      },
      [svc](compare_atom, const backtest_call& c) {
        return encode_reply(svc->compare(c), c.accept_gzip);
      },
      [svc](metrics_atom, const backtest_call& c) {
        return encode_reply(svc->results(c, backtest_service::result_kind::metrics), c.accept_gzip);
      },
      [svc](equity_atom, const backtest_call& c) {
        return encode_reply(svc->results(c, backtest_service::result_kind::equity), c.accept_gzip);
      },
      [svc](trades_atom, const backtest_call& c) {
        return encode_reply(svc->results(c, backtest_service::result_kind::trades), c.accept_gzip);
      },
      [svc](zones_atom, const backtest_call& c) {
        return encode_reply(svc->results(c, backtest_service::result_kind::zones), c.accept_gzip);
      },
      [svc](chart_atom, const backtest_call& c) {
        return encode_reply(svc->results(c, backtest_service::result_kind::chart), c.accept_gzip);
      },
      [svc](monte_carlo_atom, const backtest_call& c) {
        return encode_reply(svc->monte_carlo(c), c.accept_gzip);
      },
      [svc](sweep_submit_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_submit(c), c.accept_gzip);
      },
      [svc](sweep_list_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_list(c), c.accept_gzip);
      },
      [svc](sweep_status_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_status(c), c.accept_gzip);
      },
      [svc](sweep_results_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_results(c), c.accept_gzip);
      },
      [svc](sweep_heatmap_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_heatmap(c), c.accept_gzip);
      },
      [svc](sweep_overfitting_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_overfitting(c), c.accept_gzip);
      },
      [svc](sweep_run_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_run(c), c.accept_gzip);
      },
      [svc](sweep_cancel_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_cancel(c), c.accept_gzip);
      },
      [svc](sweep_delete_atom, const backtest_call& c) {
        return encode_reply(svc->sweep_delete(c), c.accept_gzip);
      },
      [svc](wf_submit_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_submit(c), c.accept_gzip);
      },
      [svc](wf_list_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_list(c), c.accept_gzip);
      },
      [svc](wf_status_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_status(c), c.accept_gzip);
      },
      [svc](wf_trades_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_trades(c), c.accept_gzip);
      },
      [svc](wf_equity_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_equity(c), c.accept_gzip);
      },
      [svc](wf_monte_carlo_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_monte_carlo(c), c.accept_gzip);
      },
      [svc](wf_cancel_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_cancel(c), c.accept_gzip);
      },
      [svc](wf_delete_atom, const backtest_call& c) {
        return encode_reply(svc->walk_forward_delete(c), c.accept_gzip);
      },
      [svc](program_submit_atom, const backtest_call& c) {
        return encode_reply(svc->program_submit(c), c.accept_gzip);
      },
      [svc](program_list_atom, const backtest_call& c) {
        return encode_reply(svc->program_list(c), c.accept_gzip);
      },
      [svc](program_status_atom, const backtest_call& c) {
        return encode_reply(svc->program_status(c), c.accept_gzip);
      },
      [svc](program_delete_atom, const backtest_call& c) {
        return encode_reply(svc->program_delete(c), c.accept_gzip);
      },
      [svc](program_cycle_atom, const backtest_call& c) {
        return encode_reply(svc->program_cycle(c), c.accept_gzip);
      },
      [svc](program_scorecard_atom, const backtest_call& c) {
        return encode_reply(svc->program_scorecard(c), c.accept_gzip);
      },
      [svc](program_candidates_atom, const backtest_call& c) {
        return encode_reply(svc->program_candidates(c), c.accept_gzip);
      },
      [svc](program_view_atom, const backtest_call& c) {
        return encode_reply(svc->program_view(c), c.accept_gzip);
      },
      [svc](program_change_atom, const backtest_call& c) {
        return encode_reply(svc->program_change(c), c.accept_gzip);
      },
      [svc](strategies_atom, const backtest_call& c) {
        return encode_reply(svc->strategies(c), c.accept_gzip);
      },
      [svc](queue_atom, const backtest_call& c) {
        return encode_reply(svc->queue(c), c.accept_gzip);
      },
      [svc](cluster_atom, const backtest_call& c) {
        return encode_reply(svc->cluster(c), c.accept_gzip);
      },
      [svc](admin_queue_atom, const backtest_call& c) {
        return encode_reply(svc->admin_queue(c), c.accept_gzip);
      },
      [svc](audit_atom, const backtest_call& c) {
        return encode_reply(svc->audit(c), c.accept_gzip);
      },
      [svc](purge_atom, const backtest_call& c) {
        return encode_reply(svc->purge(c), c.accept_gzip);
      },
      [svc](scrape_atom, const backtest_call& c) {
        return encode_reply(svc->scrape(c), c.accept_gzip);
      },
      [svc](me_atom, const backtest_call& c) { return encode_reply(svc->me(c), c.accept_gzip); },
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
