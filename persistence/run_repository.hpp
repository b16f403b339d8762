#pragma once
// Backtest runs in PostgreSQL: the store (run_store.hpp), the queue
// (run_queue.hpp) and the results (run_results.hpp).

#include "persistence/run_queue.hpp"
#include "persistence/run_results.hpp"
#include "persistence/run_store.hpp"
