#pragma once
// From stored rows to the domain's terms, for the program and deployment
// services: a program's specification, its bars, and a stored deployment
// as the engine runs it.

#include "domain/data/bar_series.hpp"
#include "domain/evaluation/paper_deployment.hpp"
#include "domain/evaluation/program.hpp"
#include "persistence/deployment_store.hpp"
#include "persistence/market_data_repository.hpp"
#include "persistence/program_store.hpp"

#include <map>
#include <optional>

namespace pqxx {
class connection_base;
}

namespace bt {

/// The program's specification; none if it no longer parses (accepted
/// once: only if the code's rules tightened since).
std::optional<program_spec> spec_of(const db::program_row& p);

/// A user's program with its specification.
struct owned_program {
  db::program_row row;
  program_spec spec;
};
/// The program `id` of `user_id`; none when there is none (or its
/// specification no longer parses): the caller answers 404.
std::optional<owned_program> find_owned_program(pqxx::connection_base& c, std::int64_t user_id,
                                                const std::string& id);

/// Every bar of the program's dataset of `symbol` (its first symbol when
/// empty); none when it has none.
std::optional<bar_series> program_bars(pqxx::connection_base& c, const db::program_row& p,
                                       const std::string& symbol = {});

/// The bars of each of `spec`'s symbols that has any.
std::map<std::string, bar_series>
program_symbol_bars(pqxx::connection_base& c, const db::program_row& p, const program_spec& spec);

/// A program's data, symbol by symbol, each dataset and its bars read
/// once (a pass over several deployments of one symbol reads it once).
class program_data {
public:
  program_data(pqxx::connection_base& c, const db::program_row& p) : c_(c), p_(p) {}
  /// None when the symbol has no data.
  const db::dataset_info* dataset(const std::string& symbol);
  const bar_series* bars(const std::string& symbol);
  /// All of `symbols`' data as a cycle records it: the latest last bar and
  /// upload, and one checksum (one symbol's own; several hashed together,
  /// symbol by symbol); none when one has no data.
  struct state {
    unix_time last_bar = 0, updated_at = 0;
    std::string checksum;
  };
  std::optional<state> data_state(const std::vector<std::string>& symbols);
  /// The latest last bar of `symbols`' data (none when one has none).
  std::optional<unix_time> last_bar(const std::vector<std::string>& symbols);

private:
  pqxx::connection_base& c_;
  const db::program_row& p_;
  std::map<std::string, std::optional<db::dataset_info>> datasets_;
  std::map<std::string, std::optional<bar_series>> bars_;
};

/// A deployment's or evaluation's symbol: its own, or the program's for
/// rows written before programs had several.
inline const std::string& symbol_of(const db::program_row& p, const std::string& own) {
  return own.empty() ? p.symbol : own;
}

/// The program's benchmark basket with each leg's bars (a leg whose data
/// is gone has none: the benchmark is then unknown); none for buy and hold.
std::optional<benchmark_basket>
program_benchmark(pqxx::connection_base& c, const db::program_row& p, const program_spec& spec);

/// A configuration of the program on `symbol` (its timeframe, the
/// instrument's terms) with `capital`, resolved as a run's.
std::optional<run_config> program_configuration(const db::program_row& p, const std::string& symbol,
                                                const std::string& strategy,
                                                const std::string& params_json, fixed capital);

/// The stored deployment as the engine runs it.
std::optional<paper_deployment> paper_of(const db::program_row& p, const db::deployment_row& d);

class json_writer;

/// A deployment's fields as the API writes them (inside an object).
void write_deployment_fields(json_writer& w, const db::deployment_row& d);

/// The program's risk rules as an object (what every rule decision and
/// the deployments document name).
void write_risk_rules(json_writer& w, const program_spec& spec);

/// GET /v1/programs/{id}/deployments (and its stream's events): the
/// program's deployments with their latest figures, only the active ones
/// when asked. "status" is "active": the stream of a program's
/// deployments never ends.
std::string deployments_document(const db::program_row& p, const program_spec& spec,
                                 bool active_only, const std::vector<db::deployment_row>& rows);

/// The size schedule and risk state as stored (JSON) and back.
std::string sizing_json(const std::vector<size_change>& sizing);
std::string risk_json(const risk_state& s);
risk_state read_risk(const std::string& text);

} // namespace bt
