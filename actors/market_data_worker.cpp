#include "actors/market_data_worker.hpp"

#include "services/gzip.hpp"

#include <caf/all.hpp>

namespace bt {
namespace {

market_data_actor::behavior_type market_data_worker(market_data_actor::pointer,
                                                    std::shared_ptr<market_data_service> svc) {
  return {
      [svc](upload_atom, const upload_request& r) { return svc->upload(r); },
      // Answers are gzipped here, on this detached worker, for clients that ask.
      [svc](list_atom, const dataset_request& r) {
        return encode_reply(svc->list(r), r.accept_gzip);
      },
      [svc](info_atom, const dataset_request& r) {
        return encode_reply(svc->describe(r), r.accept_gzip);
      },
      [svc](bars_atom, const dataset_request& r) {
        return encode_reply(svc->bars(r), r.accept_gzip);
      },
      [svc](regimes_atom, const dataset_request& r) {
        return encode_reply(svc->regimes(r), r.accept_gzip);
      },
      [svc](delete_atom, const dataset_request& r) { return svc->remove(r); },
      [svc](ready_atom) { return svc->ready(); },
  };
}

} // namespace

std::vector<market_data_actor> spawn_market_data_workers(caf::actor_system& sys, std::size_t count,
                                                         std::shared_ptr<db::connection_pool> pool,
                                                         market_data_limits limits) {
  auto svc = std::make_shared<market_data_service>(std::move(pool), limits);
  std::vector<market_data_actor> workers;
  for (std::size_t i = 0; i < count; ++i)
    workers.push_back(sys.spawn<caf::detached>(market_data_worker, svc));
  return workers;
}

} // namespace bt
