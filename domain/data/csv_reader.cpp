#include "domain/data/csv_reader.hpp"

#include "domain/data/text.hpp"

#include <cstring>

namespace bt {

csv_reader::csv_reader(std::string_view text) : text_(text) {
  if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF
      && static_cast<unsigned char>(text_[1]) == 0xBB
      && static_cast<unsigned char>(text_[2]) == 0xBF)
    text_.remove_prefix(3);
}

csv_reader::record csv_reader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  while (pos_ < text_.size()) {
    const char* begin = text_.data() + pos_;
    const std::size_t rest = text_.size() - pos_;
    const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', rest));
    std::string_view line(begin, nl ? static_cast<std::size_t>(nl - begin) : rest);
    pos_ += line.size() + 1;
    record_bytes_ = line.size() + 1;
    ++line_;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (trim_blanks(line).empty())
      continue;
    return split(line, fields) ? record::ok : record::bad_quote;
  }
  return record::end;
}

bool csv_reader::split(std::string_view line, std::vector<std::string_view>& fields) {
  // Unescaped text is never longer than its line: reserving the line's
  // length up front keeps earlier views valid while later fields are added.
  unescaped_.clear();
  bool reserved = false;
  std::size_t i = 0;
  while (true) {
    std::size_t j = i;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t'))
      ++j;
    if (j < line.size() && line[j] == '"') {
      const std::size_t open = ++j;
      bool escaped = false;
      while (true) {
        if (j >= line.size())
          return false;
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            escaped = true;
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      std::string_view value = line.substr(open, j - open);
      if (escaped) {
        if (!reserved) {
          unescaped_.reserve(line.size());
          reserved = true;
        }
        const std::size_t start = unescaped_.size();
        for (std::size_t k = 0; k < value.size(); ++k) {
          unescaped_ += value[k];
          if (value[k] == '"')
            ++k; // the second quote of a pair
        }
        value = std::string_view(unescaped_).substr(start);
      }
      ++j; // the closing quote
      while (j < line.size() && (line[j] == ' ' || line[j] == '\t'))
        ++j;
      if (j < line.size() && line[j] != ',')
        return false; // text after the closing quote
      fields.push_back(value);
      i = j;
    } else {
      // Fields are short (a price is about a dozen bytes): a plain loop
      // beats a memchr call per field.
      // Leading blanks are already skipped (j); only trailing ones remain.
      const char* const b = line.data();
      std::size_t end = j;
      while (end < line.size() && b[end] != ',')
        ++end;
      std::size_t last = end;
      while (last > j && (b[last - 1] == ' ' || b[last - 1] == '\t'))
        --last;
      fields.emplace_back(b + j, last - j);
      i = end;
    }
    if (i >= line.size())
      return true;
    ++i; // the comma
    if (i == line.size()) {
      fields.emplace_back();
      return true;
    }
  }
}

} // namespace bt
