#pragma once
// A streaming JSON writer that prints decimals exactly.
//
// General JSON libraries print numbers from binary doubles; a price of
// 2034.1 must come out as 2034.10000000, never 2.0341E3 or 2034.0999999.

#include "domain/data/decimal.hpp"
#include "domain/data/timestamp.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::json {
class value;
}

namespace bt {

class json_writer {
public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  /// Starts a member; the next value call writes its value.
  json_writer& key(std::string_view k);

  json_writer& string(std::string_view s);
  json_writer& number(fixed v);  ///< exactly 8 decimals
  json_writer& number(double v); ///< shortest round-trip; non-finite is null
  json_writer& number(std::int64_t v);
  json_writer& number(std::uint64_t v);
  json_writer& number(int v) { return number(static_cast<std::int64_t>(v)); }
  json_writer& boolean(bool v);
  json_writer& null();
  json_writer& timestamp(unix_time t); ///< ISO-8601 UTC string
  json_writer& timestamp(const std::optional<unix_time>& t) { return t ? timestamp(*t) : null(); }

  template <class T>
  json_writer& optional(const std::optional<T>& v) {
    return v ? number(*v) : null();
  }

  /// Inserts already-serialized JSON as the next value.
  json_writer& raw(std::string_view json);

  /// The string, or null when absent.
  json_writer& optional_string(const std::optional<std::string>& s) {
    return s ? string(*s) : null();
  }
  /// The already-serialized JSON, or null when absent.
  json_writer& optional_raw(const std::optional<std::string>& json) {
    return json ? raw(*json) : null();
  }

  /// A string value of `length` characters written later with fill(): for
  /// a value computed while the rest of the document is written (the data
  /// checksum, on another core). Returns where its characters start.
  std::size_t string_placeholder(std::size_t length);
  /// Writes the placeholder's characters: plain text (nothing to escape)
  /// of exactly the length reserved, or std::invalid_argument.
  void fill(std::size_t at, std::string_view text);

  /// Sizes the buffer for a document of about `bytes`, so that a large
  /// result is written without regrowing (and copying) it.
  /// A megabyte or more is also mapped at once, in huge pages where it can
  /// (see json_writer.cpp).
  void reserve(std::size_t bytes);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

private:
  void before_value();
  std::string out_;
  // Whether the innermost open container has no element yet, and the same
  // of each container around it: a plain flag on the path every value takes.
  bool first_ = false;
  std::vector<char> outer_first_;
  bool after_key_ = false;
};

/// Whether `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);
/// Appends `s` as a quoted JSON string with escapes; control characters
/// (NUL included) are escaped and bytes that are not UTF-8 become U+FFFD.
void append_json_string(std::string& out, std::string_view s);
/// Shortest text that reads back as `v` (std::to_chars).
void append_double(std::string& out, double v);

/// Writes a parsed JSON value with our writer (Boost.JSON would print 1.5
/// as 1.5E0): request values echoed back, such as a sweep's swept values.
void write_json_value(json_writer& w, const boost::json::value& v);

/// The text of `key`'s value in a flat JSON object that this writer wrote
/// (numbers, null, strings without commas: a metrics document), or empty
/// when absent. Read as text, not through a parser: Boost.JSON 1.81 may
/// move a double's last digit, and a stored number must be shown as stored.
std::string flat_value_text(std::string_view object, std::string_view key);

} // namespace bt
