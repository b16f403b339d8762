#pragma once
// Each result record's fields, listed once. The JSON documents, the CSV
// exports, the CSV reader (results that crossed a node), and the database
// rows (COPY in, SELECT out) all visit the same list, so a column can never
// be written under one name and read under another, or be forgotten by
// one of them.
//
// A field list calls `sink(name, field)` for each field in order; `field`
// is a reference into the record (const when writing, mutable when
// reading) or one of the two views below.

#include "domain/data/decimal.hpp"
#include "domain/data/timestamp.hpp"
#include "domain/engine/trade.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/strategies/strategy.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace bt {

/// A time field, written as ISO-8601 UTC text. `T` is (const) unix_time or
/// (const) std::optional<unix_time>.
template <class T>
struct time_field {
  T& value;
};
template <class T>
time_field<T> as_time(T& v) {
  return {v};
}
template <class T>
struct is_time_field : std::false_type {};
template <class T>
struct is_time_field<time_field<T>> : std::true_type {};

/// One member of an optional part of a record (a trade's zone): absent in
/// every field when the part is absent.
template <class Opt, class Member>
struct optional_part {
  Opt& part;
  Member member;
};
template <class T>
struct is_optional_part : std::false_type {};
template <class Opt, class Member>
struct is_optional_part<optional_part<Opt, Member>> : std::true_type {};
template <class Opt, class Member>
optional_part<Opt, Member> part_of(Opt& part, Member member) {
  return {part, member};
}

/// The number of fields in a trade's list (tables streamed as tuples need
/// it at compile time; a test checks it against the list).
inline constexpr std::size_t trade_field_count = 22;

template <class R, class Sink>
std::enable_if_t<std::is_same_v<std::remove_const_t<R>, trade>> visit_fields(R& t, Sink& s) {
  s("trade_id", t.trade_id);
  s("side", t.side);
  s("entry_time", as_time(t.entry_time));
  s("exit_time", as_time(t.exit_time));
  s("entry_price", t.entry_price);
  s("exit_price", t.exit_price);
  s("quantity", t.quantity);
  s("pnl", t.pnl);
  s("pnl_pct", t.pnl_pct);
  s("stop_price", t.stop_price);
  s("target_price", t.target_price);
  s("initial_risk", t.initial_risk);
  s("r_multiple", t.r_multiple);
  s("mae", t.mae);
  s("mfe", t.mfe);
  s("holding_bars", t.holding_bars);
  s("fill_type", t.fill_type);
  s("exit_reason", t.exit_reason);
  s("commission", t.commission);
  s("zone_id", part_of(t.zone, &zone_ref::id));
  s("zone_type", part_of(t.zone, &zone_ref::type));
  s("zone_strength", part_of(t.zone, &zone_ref::strength));
}

template <class R, class Sink>
std::enable_if_t<std::is_same_v<std::remove_const_t<R>, zone_record>> visit_fields(R& z, Sink& s) {
  s("id", z.id);
  s("type", z.type);
  s("created_at", as_time(z.created_at));
  s("top", z.top);
  s("bottom", z.bottom);
  s("strength", z.strength);
  s("touches", z.touches);
  s("status", z.status);
  s("ended_at", as_time(z.ended_at));
}

template <class R, class Sink>
std::enable_if_t<std::is_same_v<std::remove_const_t<R>, equity_point>> visit_fields(R& p, Sink& s) {
  s("time", as_time(p.time));
  s("equity", p.equity);
  s("drawdown_pct", p.drawdown_pct);
}

/// The column names of `Record`, in order.
template <class Record>
std::vector<std::string_view> field_names() {
  std::vector<std::string_view> names;
  auto sink = [&](std::string_view name, const auto&) { names.push_back(name); };
  const Record r{};
  visit_fields(r, sink);
  return names;
}

// ---- Field text: one spelling per kind of value, written and read --------

/// Appends a field's text; false (nothing appended) when the value is absent.
inline bool append_field_text(std::string& out, std::int64_t v) {
  out += std::to_string(v);
  return true;
}
inline bool append_field_text(std::string& out, fixed v) {
  append_fixed(out, v);
  return true;
}
inline bool append_field_text(std::string& out, double v) {
  append_double(out, v);
  return true;
}
template <class E>
std::enable_if_t<std::is_enum_v<E>, bool> append_field_text(std::string& out, E v) {
  out += to_string(v); // enum names need no quoting
  return true;
}
template <class T>
bool append_field_text(std::string& out, const std::optional<T>& v) {
  return v && append_field_text(out, *v);
}
inline bool append_field_text(std::string& out, time_field<const unix_time> v) {
  append_timestamp(out, v.value);
  return true;
}
inline bool append_field_text(std::string& out, time_field<const std::optional<unix_time>> v) {
  return v.value && append_field_text(out, as_time(*v.value));
}
template <class Opt, class Member>
bool append_field_text(std::string& out, optional_part<Opt, Member> v) {
  return v.part && append_field_text(out, (*v.part).*v.member);
}

/// Reads a field's text back exactly; false when it is not what
/// append_field_text() writes. Empty text is an absent value.
inline bool read_field_text(std::string_view text, std::int64_t& v) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  return !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size();
}
inline bool read_field_text(std::string_view text, fixed& v) {
  return parse_decimal(text, v) == decimal_parse::ok;
}
inline bool read_field_text(std::string_view text, double& v) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  return !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size()
         && std::isfinite(v);
}
template <class E>
std::enable_if_t<std::is_enum_v<E>, bool> read_field_text(std::string_view text, E& v) {
  return from_string(text, v);
}
template <class T>
bool read_field_text(std::string_view text, std::optional<T>& v) {
  if (text.empty()) {
    v.reset();
    return true;
  }
  return read_field_text(text, v.emplace());
}
inline bool read_field_text(std::string_view text, time_field<unix_time> v) {
  return parse_timestamp(text, v.value) == timestamp_parse::ok;
}
inline bool read_field_text(std::string_view text, time_field<std::optional<unix_time>> v) {
  if (text.empty()) {
    v.value.reset();
    return true;
  }
  return read_field_text(text, as_time(v.value.emplace()));
}

/// Reads one record from its fields' texts, in field-list order (an empty
/// text is an absent value); on failure, names the column.
template <class Record>
std::optional<std::string> read_fields(const std::vector<std::string_view>& texts, Record& out) {
  std::size_t i = 0;
  std::optional<std::string> error;
  int parts_present = 0, parts_absent = 0; // an optional part is all or nothing
  auto fail = [&](std::string_view name, std::string_view why) {
    if (!error)
      error = "column " + std::string(name) + ": " + std::string(why);
  };
  auto sink = [&](std::string_view name, auto&& field) {
    if (i >= texts.size()) {
      fail(name, "missing");
      return;
    }
    const std::string_view text = texts[i++];
    using F = std::decay_t<decltype(field)>;
    if constexpr (is_time_field<F>::value) {
      if (!read_field_text(text, field))
        fail(name, "'" + std::string(text) + "' is not an ISO-8601 UTC time");
    } else if constexpr (is_optional_part<F>::value) {
      if (text.empty()) {
        ++parts_absent;
        return;
      }
      ++parts_present;
      if (!field.part)
        field.part.emplace();
      if (!read_field_text(text, (*field.part).*field.member))
        fail(name, "'" + std::string(text) + "' is not a valid value");
    } else if (!read_field_text(text, field)) {
      fail(name, "'" + std::string(text) + "' is not a valid value");
    }
  };
  visit_fields(out, sink);
  if (!error && i != texts.size())
    error = std::to_string(texts.size()) + " fields, expected " + std::to_string(i);
  if (!error && parts_present > 0 && parts_absent > 0)
    error = std::string("an optional part (such as a trade's zone) is partly empty");
  return error;
}

} // namespace bt
