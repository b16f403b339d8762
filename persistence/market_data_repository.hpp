#pragma once
// Stored bar data: one dataset per user, symbol and timeframe.

#include "domain/data/bar_import.hpp"
#include "persistence/audit_log.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace bt::db {

struct dataset_info {
  std::string symbol, timeframe;
  std::int64_t bars = 0;
  std::optional<unix_time> from, to;
  std::string checksum;  ///< SHA-256 of the dataset's canonical CSV
  std::vector<gap> gaps; ///< filled by find_dataset only
  std::int64_t gap_count = 0;
  unix_time updated_at = 0;
};

struct merge_result {
  std::int64_t inserted = 0;
  std::int64_t already_stored = 0; ///< rows skipped: their timestamps were stored before
  dataset_info dataset;
};

/// Merges `bars` (sorted, unique times) into the caller's dataset in one
/// transaction (stored bars win on equal timestamps), rewrites the monthly
/// chunks that gained bars (bar_chunks.hpp) and refreshes the dataset's
/// range, gaps and checksum.
/// Writes the audit entry market_data.uploaded, by `by`.
merge_result store_bars(pqxx::connection_base& c, std::int64_t user_id, const bar_series& bars,
                        const audit_actor& by);

std::vector<dataset_info> list_datasets(pqxx::connection_base& c, std::int64_t user_id);
std::optional<dataset_info> find_dataset(pqxx::connection_base& c, std::int64_t user_id,
                                         const std::string& symbol, const std::string& timeframe);

/// Bars of a dataset in [from, to] (inclusive), oldest first, at most
/// `limit`; nothing when the caller has no such dataset.
std::optional<bar_series> load_bars(pqxx::connection_base& c, std::int64_t user_id,
                                    const std::string& symbol, timeframe tf,
                                    std::optional<unix_time> from, std::optional<unix_time> to,
                                    std::size_t limit);

/// False when the caller has no such dataset.
bool delete_dataset(pqxx::connection_base& c, std::int64_t user_id, const std::string& symbol,
                    const std::string& timeframe, const audit_actor& by);

} // namespace bt::db
