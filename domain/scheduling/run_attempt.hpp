#pragma once
// One attempt of a run as it is dispatched: what a worker, here or on
// another node, needs to execute it. The same value goes from the claim in
// the database to the worker and comes back with its outcome, so the
// scheduler, the workers and the repository never copy it field by field.

#include "domain/data/timestamp.hpp"

#include <cstdint>
#include <string>

namespace bt {

struct run_attempt {
  std::string run_id;
  std::int64_t user_id = 0;
  std::int32_t attempt = 0; ///< 1-based; a late message of an older attempt is stale
  std::string symbol, timeframe, source_timeframe, config_json, config_hash;
  unix_time start = 0, end = 0;
};

} // namespace bt
