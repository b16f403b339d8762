#pragma once
// A sweep as queued work: chunks of its configurations, each an ordinary
// item of the run queue (priorities, the per-user limit, local workers and
// worker nodes, retries), identified by its configuration text like a run
// and answered by one document of its configurations' results, which the
// server checks and stores in the transaction that completes the chunk: a
// configuration is stored once, by the attempt that completed its chunk.
//
// Doubles travel as the hex of their bits and metrics documents as JSON
// strings, so that nothing a node computed changes by a digit on the way
// (a JSON parser may round a double's last digit).

#include "domain/research/sweep_run.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bt {

/// At most this many configurations a chunk (a chunk is one queue item).
inline constexpr std::size_t max_chunk_configurations = 10'000;

/// The configuration text of a chunk: {"sweep_chunk":{"first":a,"last":b},
/// "spec":SPEC}, SPEC the sweep's specification as stored.
std::string chunk_config_json(const std::string& spec_json, std::size_t first, std::size_t last);
/// Whether a queued item's configuration text is a chunk's (else a run's).
bool is_chunk_config(std::string_view config_json);

struct sweep_chunk {
  sweep_spec spec;
  std::size_t first = 0, last = 0; ///< configurations [first, last)
};
/// The chunk a configuration text describes, or why it does not.
std::optional<std::string> parse_chunk_config(const std::string& config_json, sweep_chunk& out);

/// One configuration's result as stored.
struct stored_configuration {
  std::int64_t index = 0;
  std::string status; ///< completed, skipped or failed
  std::string params_json, execution_json, config_hash, metrics_json, reason;
  std::optional<double> objective;
  bool meets_constraints = false;
  std::vector<double> daily_returns;
};

stored_configuration to_stored(const sweep_spec& spec, std::size_t index,
                               const configuration_result& r);

/// A configuration's result as `backtestd sweep` prints it and the sweeps
/// API serves it: {index, params, execution, status, then config_hash,
/// meets_constraints and metrics, or the reason}.
void write_configuration(json_writer& w, const stored_configuration& r);

/// The results document of a chunk, and its reading, which checks that it
/// holds every configuration of [first, last) exactly once, in order.
std::string encode_chunk_results(const std::vector<stored_configuration>& results);
std::optional<std::string> decode_chunk_results(std::string_view text, std::size_t first,
                                                std::size_t last,
                                                std::vector<stored_configuration>& out);

} // namespace bt
