#include "domain/data/csv_reader.hpp"

#include "domain/data/text.hpp"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    std::size_t length = 0;
    if (scan_plain(begin, rest, fields, length)) {
      pos_ += length + 1;
      record_bytes_ = length + 1;
      ++line_;
      if (length > 0 && begin[length - 1] == '\r') {
        --length;
        fields.back().remove_suffix(1); // the last field ends the line
      }
      if (length == 0) {
        fields.clear(); // an empty line
        continue;
      }
      return record::ok;
    }
    fields.clear();
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

bool csv_reader::scan_plain(const char* b, std::size_t rest, std::vector<std::string_view>& fields,
                            std::size_t& length) {
#if defined(__SSE2__)
  // Sixteen bytes at a time: one mask of line ends, one of commas, one of
  // the bytes that need the general path (a quote, or a blank that would be
  // trimmed). An exported bar line has neither, and is found and cut at its
  // commas in the same pass. Blocks never reach past the text.
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i tab = _mm_set1_epi8('\t');
  std::size_t start = 0, i = 0;
  for (; i + 16 <= rest; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    const auto end = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, newline)));
    auto special = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
        _mm_cmpeq_epi8(v, quote), _mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, tab)))));
    auto commas = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma)));
    if (end != 0) {
      const unsigned before_end = (end & (0u - end)) - 1; // the bytes before the first line end
      special &= before_end;
      commas &= before_end;
    }
    if (special != 0)
      return false;
    for (; commas != 0; commas &= commas - 1) {
      const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(commas));
      fields.emplace_back(b + start, at - start);
      start = at + 1;
    }
    if (end != 0) {
      length = i + static_cast<std::size_t>(__builtin_ctz(end));
      fields.emplace_back(b + start, length - start);
      return true;
    }
  }
  for (; i < rest; ++i) {
    const char c = b[i];
    if (c == '\n')
      break;
    if (c == '"' || c == ' ' || c == '\t')
      return false;
    if (c == ',') {
      fields.emplace_back(b + start, i - start);
      start = i + 1;
    }
  }
  length = i;
  fields.emplace_back(b + start, length - start);
  return true;
#else
  (void)b;
  (void)rest;
  (void)fields;
  (void)length;
  return false;
#endif
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
