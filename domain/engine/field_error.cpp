#include "domain/engine/field_error.hpp"

namespace bt {

std::string describe(const field_errors& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty())
      out += "; ";
    out += e.field + ": " + e.message;
  }
  return out;
}

} // namespace bt
