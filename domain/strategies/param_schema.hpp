#pragma once
// Strategy parameters: a schema that documents them and validates input.

#include "domain/engine/field_error.hpp"

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace boost::json {
class value;
}

namespace bt {

class json_writer;

enum class param_type {
  integer,   ///< whole number in [min, max]
  number,    ///< real number in [min, max]
  choice,    ///< one of `choices`
  choice_set ///< a non-empty subset of `choices`, kept in schema order
};

struct param_spec {
  std::string name;
  param_type type = param_type::integer;
  std::string description;
  double default_number = 0;
  double min = 0, max = 0;
  std::vector<std::string> choices;
  std::vector<std::string> default_choices; ///< one element for `choice`
};

using param_value = std::variant<double, std::string, std::vector<std::string>>;

/// Fully-defaulted, validated parameter values, ordered by name.
class param_set {
public:
  void set(std::string name, param_value v) { values_[std::move(name)] = std::move(v); }
  double number(std::string_view name) const;
  long integer(std::string_view name) const { return static_cast<long>(number(name)); }
  const std::string& text(std::string_view name) const;
  const std::vector<std::string>& list(std::string_view name) const;
  const std::map<std::string, param_value, std::less<>>& values() const { return values_; }

private:
  std::map<std::string, param_value, std::less<>> values_;
};

/// A strategy's identity and parameter schema.
struct strategy_schema {
  std::string name;
  std::string version;
  std::string description;
  std::vector<param_spec> params;
  /// Checks across parameters (e.g. slow_period > fast_period).
  field_errors (*cross_check)(const param_set&) = nullptr;
};

/// Validates `given` (a JSON object, or null for all defaults) against the
/// schema and fills in defaults. Unknown names and out-of-range values are
/// errors naming the parameter and its allowed range.
field_errors resolve_params(const strategy_schema& schema, const boost::json::value* given,
                            param_set& out);

/// The schema as JSON: {name, version, description, parameters: [...]}.
void write_schema(json_writer& w, const strategy_schema& schema);
/// The values as a JSON object (keys sorted: canonical).
void write_params(json_writer& w, const param_set& params);

} // namespace bt
