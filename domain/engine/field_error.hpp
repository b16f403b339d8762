#pragma once
// Validation errors that name what was wrong, for 422 details and CLI messages.

#include <string>
#include <vector>

namespace bt {

/// One rejected input: `field` is a dotted path such as "params.atr_period".
struct field_error {
  std::string field;
  std::string message;
};

using field_errors = std::vector<field_error>;

/// "field: message; field: message" for command-line output.
std::string describe(const field_errors& errors);

} // namespace bt
