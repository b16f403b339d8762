#pragma once
// The one CSV tokenizer: a trader's bar files and the result tables
// (trades, zones, equity) that crossed a node or were stored are all read
// through it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bt {

/// Reads CSV text record by record without copying it: fields are views
/// into the text. A quoted field may hold commas and `""` escapes; the
/// unescaped text of an escaped field lives in a buffer the reader reuses,
/// so views stay valid until the next call. A UTF-8 byte-order mark, CRLF
/// line ends and blank lines (spaces and tabs only) are accepted; blanks
/// around a field are trimmed. A record is one line.
class csv_reader {
public:
  explicit csv_reader(std::string_view text);

  /// bad_quote: a quote left open, or text after a closing quote.
  enum class record { ok, end, bad_quote };

  /// The next non-blank line's fields.
  record next(std::vector<std::string_view>& fields);

  /// The 1-based line number of the record last returned.
  std::size_t line() const { return line_; }
  /// Bytes of the record last returned (with its line end), and bytes not
  /// yet read: together an estimate of the records to come.
  std::size_t record_bytes() const { return record_bytes_; }
  std::size_t remaining() const { return pos_ < text_.size() ? text_.size() - pos_ : 0; }

private:
  bool split(std::string_view line, std::vector<std::string_view>& fields);
  // The next line when it has no quote and no blank: its length (without
  // the line end) and its fields, cut at its commas. False (fields left
  // partial) when the line needs the general path.
  static bool scan_plain(const char* text, std::size_t rest, std::vector<std::string_view>& fields,
                         std::size_t& length);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
  std::size_t record_bytes_ = 0;
  std::string unescaped_;
};

} // namespace bt
