#include "domain/report/result_report.hpp"

#include "domain/data/csv_reader.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/record_fields.hpp"

#include <algorithm>

namespace bt {

void write_gaps(json_writer& w, const std::vector<gap>& gaps) {
  w.begin_array();
  for (const auto& g : gaps) {
    w.begin_object();
    w.key("from").timestamp(g.from);
    w.key("to").timestamp(g.to);
    w.key("missing_bars").number(g.missing_bars);
    w.end_object();
  }
  w.end_array();
}

upload_storage imported_whole(const import_result& imported) {
  upload_storage s;
  s.imported = static_cast<std::int64_t>(imported.report.rows_imported);
  if (!imported.bars.empty()) {
    s.from = imported.bars.times()[0];
    s.to = imported.bars.times()[imported.bars.size() - 1];
  }
  return s;
}

void write_import_report_fields(json_writer& w, const import_report& r,
                                const upload_storage& stored) {
  w.key("rows_received").number(static_cast<std::uint64_t>(r.rows_received));
  w.key("imported").number(stored.imported);
  w.key("duplicates_skipped").begin_object();
  w.key("within_file").number(static_cast<std::uint64_t>(r.duplicates_skipped));
  w.key("already_stored").number(stored.already_stored);
  w.key("rows").begin_array();
  for (auto row : r.duplicate_rows)
    w.number(static_cast<std::uint64_t>(row));
  w.end_array();
  w.end_object();
  w.key("rejected_count").number(static_cast<std::uint64_t>(r.rejected_count));
  w.key("rejected").begin_array();
  for (const auto& x : r.rejected) {
    w.begin_object();
    w.key("row").number(static_cast<std::uint64_t>(x.row));
    w.key("reason").string(x.reason);
    w.end_object();
  }
  w.end_array();
  w.key("sorted").boolean(r.sorted);
  w.key("values_rounded").number(static_cast<std::uint64_t>(r.values_rounded));
  w.key("gaps");
  write_gaps(w, r.gaps);
  w.key("range").begin_object();
  w.key("from").timestamp(stored.from);
  w.key("to").timestamp(stored.to);
  w.end_object();
  w.key("warnings").begin_array();
  for (const auto& s : r.warnings)
    w.string(s);
  if (stored.already_stored > 0)
    w.string(std::to_string(stored.already_stored)
             + " rows have timestamps already stored; the stored bars were kept");
  w.end_array();
}

namespace {

struct json_sink {
  json_writer& w;
  template <class T>
  void operator()(std::string_view name, const T& v) {
    w.key(name);
    value(v);
  }
  void value(std::int64_t v) { w.number(v); }
  void value(fixed v) { w.number(v); }
  void value(double v) { w.number(v); }
  template <class E>
  std::enable_if_t<std::is_enum_v<E>> value(E v) {
    w.string(to_string(v));
  }
  void value(time_field<const unix_time> v) { w.timestamp(v.value); }
  void value(time_field<const std::optional<unix_time>> v) { w.timestamp(v.value); }
  template <class T>
  void value(const std::optional<T>& v) {
    if (v)
      value(*v);
    else
      w.null();
  }
  template <class Opt, class Member>
  void value(optional_part<Opt, Member> v) {
    if (v.part)
      value((*v.part).*v.member);
    else
      w.null();
  }
};

/// One CSV row; an absent value is an empty field.
struct csv_row_sink {
  std::string& out;
  bool first = true;
  template <class T>
  void operator()(std::string_view, const T& v) {
    if (!first)
      out += ',';
    first = false;
    append_field_text(out, v);
  }
};

template <class Record>
void write_record(json_writer& w, const Record& r) {
  w.begin_object();
  json_sink sink{w};
  visit_fields(r, sink);
  w.end_object();
}

template <class Record, class Alloc>
std::string to_csv_table(const std::vector<Record, Alloc>& records) {
  std::string out;
  for (auto name : field_names<Record>()) {
    if (!out.empty())
      out += ',';
    out += name;
  }
  out += '\n';
  for (const auto& r : records) {
    csv_row_sink row{out};
    visit_fields(r, row);
    out += '\n';
  }
  return out;
}

template <class Record, class Alloc>
std::optional<std::string> read_csv_table(std::string_view csv, std::vector<Record, Alloc>& out) {
  csv_reader reader(csv);
  std::vector<std::string_view> fields;
  if (reader.next(fields) != csv_reader::record::ok || fields != field_names<Record>())
    return std::string("line 1: not the expected header");
  out.clear();
  for (csv_reader::record rec; (rec = reader.next(fields)) != csv_reader::record::end;) {
    auto error = rec == csv_reader::record::ok ? read_fields(fields, out.emplace_back())
                                               : std::optional<std::string>("malformed quote");
    if (error) {
      out.clear();
      return "line " + std::to_string(reader.line()) + ": " + *error;
    }
  }
  return std::nullopt;
}

} // namespace

void write_trade(json_writer& w, const trade& t) {
  write_record(w, t);
}

void write_zone(json_writer& w, const zone_record& z) {
  write_record(w, z);
}

void write_equity_summary(json_writer& w, const equity_curve& curve, fixed initial) {
  w.begin_object();
  w.key("points").number(static_cast<std::uint64_t>(curve.size()));
  w.key("initial_equity").number(initial);
  if (curve.empty()) {
    w.key("start").null().key("end").null().key("final_equity").number(initial);
    w.key("min_equity").null().key("max_equity").null().key("max_drawdown_pct").number(0.0);
  } else {
    auto [lo, hi] = std::minmax_element(
        curve.begin(), curve.end(),
        [](const equity_point& a, const equity_point& b) { return a.equity < b.equity; });
    double dd = 0;
    for (const auto& p : curve)
      dd = std::max(dd, p.drawdown_pct);
    w.key("start").timestamp(curve.front().time);
    w.key("end").timestamp(curve.back().time);
    w.key("final_equity").number(curve.back().equity);
    w.key("min_equity").number(lo->equity);
    w.key("max_equity").number(hi->equity);
    w.key("max_drawdown_pct").number(dd);
  }
  w.end_object();
}

void write_equity_points(json_writer& w, const equity_curve& points) {
  w.begin_array();
  for (const auto& p : points) {
    w.begin_object();
    w.key("time").timestamp(p.time);
    w.key("equity").number(p.equity);
    w.key("drawdown_pct").number(p.drawdown_pct);
    w.end_object();
  }
  w.end_array();
}

std::string trades_csv(const trade_list& trades) {
  return to_csv_table(trades);
}

std::optional<std::string> read_trades_csv(std::string_view csv, trade_list& out) {
  return read_csv_table(csv, out);
}

std::optional<std::string> read_equity_csv(std::string_view csv, equity_curve& out) {
  return read_csv_table(csv, out);
}

std::optional<std::string> read_zones_csv(std::string_view csv, zone_list& out) {
  return read_csv_table(csv, out);
}

std::string equity_csv(const equity_curve& curve) {
  return to_csv_table(curve);
}

std::string zones_csv(const zone_list& zones) {
  return to_csv_table(zones);
}

} // namespace bt
