#include "actors/backtest_worker.hpp"

#include <caf/all.hpp>

#include <sys/resource.h>
#include <unistd.h>

namespace bt {

worker_actor::behavior_type backtest_worker(worker_actor::pointer self,
                                            std::shared_ptr<worker_context> ctx,
                                            caf::actor queue_manager, std::string worker_id) {
  // A crash ends the actor with the exception's text as its exit reason, so
  // that the supervisor can record what happened.
  self->set_exception_handler([](caf::scheduled_actor*, std::exception_ptr& eptr) -> caf::error {
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      return caf::make_error(caf::sec::runtime_error, std::string(e.what()));
    } catch (...) {
      return caf::make_error(caf::sec::runtime_error, std::string("unknown exception"));
    }
  });
  // Backtests yield the CPU to request handling: on two cores a busy
  // worker would otherwise add milliseconds to every API call.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  return {
      [=](run_atom, const run_attempt& job) {
        // An exception here ends the actor: its supervisor sees the crash,
        // retries the job and restarts the worker.
        job_outcome outcome = execute_job(job, *ctx, worker_id);
        caf::anon_send(queue_manager, done_atom::value, std::move(outcome));
      },
  };
}

} // namespace bt
