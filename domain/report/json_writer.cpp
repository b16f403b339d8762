#include "domain/report/json_writer.hpp"

#include "domain/data/large_block.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <stdexcept>

#include <sys/mman.h>

namespace bt {

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, at most U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const std::size_t left = s.size() - i;
  auto cont = [&](std::size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF)
    return left >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2))
      return 0;
    if ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F))
      return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3))
      return 0;
    if ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F))
      return 0;
    return 4;
  }
  return 0;
}

// A byte that stands for itself inside a JSON string: printable ASCII
// other than the quote and the backslash.
bool is_plain(unsigned char u) {
  return u >= 0x20 && u < 0x80 && u != '"' && u != '\\';
}

} // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  // Keys, enum names and timestamps need no escaping: one append.
  std::size_t plain = 0;
  while (plain < s.size() && is_plain(static_cast<unsigned char>(s[plain])))
    ++plain;
  out += '"';
  out.append(s.data(), plain);
  if (plain == s.size()) {
    out += '"';
    return;
  }
  s.remove_prefix(plain);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Error messages may quote client input: bytes that are not UTF-8
      // become U+FFFD, so the document is always valid JSON and UTF-8.
      const std::size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out += "\\ufffd";
      } else {
        out.append(s.data() + i, n);
        i += n - 1;
      }
      continue;
    }
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        out += "\\u00";
        out += hex[(c >> 4) & 0xF];
        out += hex[c & 0xF];
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

void append_double(std::string& out, double v) {
  if (v == 0)
    v = 0; // no "-0"
  char buf[64];
  // Whole numbers print as integers (10000000, not 1e+07); the rest as the
  // shortest text that reads back exactly.
  auto r = std::abs(v) < 1e15 && v == std::trunc(v)
               ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v))
               : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void json_writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!outer_first_.empty()) {
    if (!first_)
      out_ += ',';
    first_ = false;
  }
}

json_writer& json_writer::begin_object() {
  before_value();
  out_ += '{';
  outer_first_.push_back(first_);
  first_ = true;
  return *this;
}

json_writer& json_writer::end_object() {
  out_ += '}';
  first_ = outer_first_.back();
  outer_first_.pop_back();
  return *this;
}

json_writer& json_writer::begin_array() {
  before_value();
  out_ += '[';
  outer_first_.push_back(first_);
  first_ = true;
  return *this;
}

json_writer& json_writer::end_array() {
  out_ += ']';
  first_ = outer_first_.back();
  outer_first_.pop_back();
  return *this;
}

json_writer& json_writer::key(std::string_view k) {
  before_value();
  // Member names are short and plain (our own field names): quote, name
  // and colon in one append. A 20-year run's document has 90,000 of them.
  constexpr std::size_t short_key = 60;
  if (k.size() <= short_key) {
    char buf[short_key + 3];
    bool plain = true;
    for (std::size_t i = 0; i < k.size(); ++i) {
      plain &= is_plain(static_cast<unsigned char>(k[i]));
      buf[i + 1] = k[i];
    }
    if (plain) {
      buf[0] = '"';
      buf[k.size() + 1] = '"';
      buf[k.size() + 2] = ':';
      out_.append(buf, k.size() + 3);
      after_key_ = true;
      return *this;
    }
  }
  append_json_string(out_, k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

json_writer& json_writer::string(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  return *this;
}

void json_writer::reserve(std::size_t bytes) {
  if (bytes < huge_block_threshold) {
    out_.reserve(bytes);
    return;
  }
  // A large document (a 20-year run's is 2-3 MB) would otherwise fault its
  // pages in one at a time as it is written, each fault costing microseconds
  // on a virtual machine. The buffer is made a huge page longer than asked,
  // so that whole 2 MiB pages inside it cover the document from the first
  // such boundary on: advised huge, each is one fault that clears it. The
  // ordinary pages before that boundary are mapped at once with
  // MADV_POPULATE_WRITE; those after the last huge page stay unmapped unless
  // the document outgrows its estimate. Advice only: a kernel without it
  // (before 5.14) says EINVAL, and the pages fault in as they are written.
  out_.reserve(bytes + huge_page_bytes);
  const auto small_page = static_cast<std::uintptr_t>(4096);
  const auto data = reinterpret_cast<std::uintptr_t>(out_.data());
  const std::uintptr_t begin = (data + small_page - 1) & ~(small_page - 1);
  const std::uintptr_t huge_begin = (data + huge_page_bytes - 1) & ~(huge_page_bytes - 1);
  const std::uintptr_t huge_end = (data + out_.capacity()) & ~(huge_page_bytes - 1);
  if (huge_end > huge_begin)
    ::madvise(reinterpret_cast<void*>(huge_begin), huge_end - huge_begin, MADV_HUGEPAGE);
  if (huge_begin > begin)
    ::madvise(reinterpret_cast<void*>(begin), huge_begin - begin, MADV_POPULATE_WRITE);
}

std::size_t json_writer::string_placeholder(std::size_t length) {
  before_value();
  out_ += '"';
  const std::size_t at = out_.size();
  out_.append(length, ' ');
  out_ += '"';
  return at;
}

void json_writer::fill(std::size_t at, std::string_view text) {
  if (at == 0 || at + text.size() >= out_.size() || out_[at - 1] != '"'
      || out_[at + text.size()] != '"')
    throw std::invalid_argument("json_writer::fill: not the placeholder's place or length");
  for (char c : text)
    if (!is_plain(static_cast<unsigned char>(c)))
      throw std::invalid_argument("json_writer::fill: text that needs escaping");
  out_.replace(at, text.size(), text);
}

json_writer& json_writer::number(fixed v) {
  before_value();
  append_fixed(out_, v);
  return *this;
}

json_writer& json_writer::number(double v) {
  before_value();
  if (!std::isfinite(v))
    out_ += "null";
  else
    append_double(out_, v);
  return *this;
}

json_writer& json_writer::number(std::int64_t v) {
  before_value();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  return *this;
}

json_writer& json_writer::number(std::uint64_t v) {
  before_value();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  return *this;
}

json_writer& json_writer::boolean(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}

json_writer& json_writer::null() {
  before_value();
  out_ += "null";
  return *this;
}

json_writer& json_writer::timestamp(unix_time t) {
  before_value();
  char buf[22];
  buf[0] = '"';
  format_timestamp(buf + 1, t);
  buf[21] = '"';
  out_.append(buf, sizeof buf);
  return *this;
}

json_writer& json_writer::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

void write_json_value(json_writer& w, const boost::json::value& v) {
  switch (v.kind()) {
  case boost::json::kind::null:
    w.null();
    break;
  case boost::json::kind::bool_:
    w.boolean(v.get_bool());
    break;
  case boost::json::kind::int64:
    w.number(v.get_int64());
    break;
  case boost::json::kind::uint64:
    w.number(v.get_uint64());
    break;
  case boost::json::kind::double_:
    w.number(v.get_double());
    break;
  case boost::json::kind::string:
    w.string(v.get_string());
    break;
  case boost::json::kind::array:
    w.begin_array();
    for (const auto& e : v.get_array())
      write_json_value(w, e);
    w.end_array();
    break;
  case boost::json::kind::object:
    w.begin_object();
    for (const auto& kv : v.get_object()) {
      w.key(kv.key());
      write_json_value(w, kv.value());
    }
    w.end_object();
    break;
  }
}

std::string flat_value_text(std::string_view object, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":";
  const auto at = object.find(needle);
  if (at == std::string_view::npos)
    return "";
  const auto from = at + needle.size();
  const auto to = object.find_first_of(",}", from);
  return std::string(object.substr(from, to == std::string_view::npos ? to : to - from));
}

} // namespace bt
