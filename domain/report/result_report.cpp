#include "domain/report/result_report.hpp"

#include "domain/report/json_writer.hpp"

#include <algorithm>
#include <cstdlib>

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

/// A timestamp field (written as ISO-8601 text).
struct at {
  std::optional<unix_time> time;
};

// Each record's fields are listed once, here; the JSON writer and the CSV
// writers visit the same list, so CSV columns always carry the JSON names.
template <class Sink>
void visit(const trade& t, Sink& s) {
  s("trade_id", t.trade_id);
  s("side", to_string(t.side));
  s("entry_time", at{t.entry_time});
  s("exit_time", at{t.exit_time});
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
  s("fill_type", to_string(t.fill_type));
  s("exit_reason", to_string(t.exit_reason));
  s("commission", t.commission);
  s("zone_id", t.zone ? std::optional<std::int64_t>(t.zone->id) : std::nullopt);
  s("zone_type", t.zone ? std::optional<std::string_view>(to_string(t.zone->type)) : std::nullopt);
  s("zone_strength", t.zone ? std::optional<double>(t.zone->strength) : std::nullopt);
}

template <class Sink>
void visit(const zone_record& z, Sink& s) {
  s("id", z.id);
  s("type", to_string(z.type));
  s("created_at", at{z.created_at});
  s("top", z.top);
  s("bottom", z.bottom);
  s("strength", z.strength);
  s("touches", z.touches);
  s("status", to_string(z.status));
  s("ended_at", at{z.ended_at});
}

template <class Sink>
void visit(const equity_point& p, Sink& s) {
  s("time", at{p.time});
  s("equity", p.equity);
  s("drawdown_pct", p.drawdown_pct);
}

struct json_sink {
  json_writer& w;
  template <class T>
  void operator()(std::string_view name, const T& v) {
    w.key(name);
    value(v);
  }
  void value(std::int64_t v) { w.number(v); }
  void value(std::string_view v) { w.string(v); }
  void value(fixed v) { w.number(v); }
  void value(double v) { w.number(v); }
  void value(const at& v) { w.timestamp(v.time); }
  template <class T>
  void value(const std::optional<T>& v) {
    if (v)
      value(*v);
    else
      w.null();
  }
};

struct csv_header_sink {
  std::string& out;
  template <class T>
  void operator()(std::string_view name, const T&) {
    if (!out.empty() && out.back() != '\n')
      out += ',';
    out += name;
  }
};

struct csv_row_sink {
  std::string& out;
  bool first = true;
  template <class T>
  void operator()(std::string_view, const T& v) {
    if (!first)
      out += ',';
    first = false;
    value(v);
  }
  void value(std::int64_t v) { out += std::to_string(v); }
  void value(std::string_view v) { out += v; } // enum names: no quoting needed
  void value(fixed v) { append_fixed(out, v); }
  void value(double v) { append_double(out, v); }
  void value(const at& v) {
    if (v.time)
      append_timestamp(out, *v.time);
  }
  template <class T>
  void value(const std::optional<T>& v) {
    if (v)
      value(*v);
  }
};

template <class Record>
void write_record(json_writer& w, const Record& r) {
  w.begin_object();
  json_sink sink{w};
  visit(r, sink);
  w.end_object();
}

template <class Record>
std::string to_csv_table(const std::vector<Record>& records) {
  std::string out;
  csv_header_sink header{out};
  visit(Record{}, header);
  out += '\n';
  for (const auto& r : records) {
    csv_row_sink row{out};
    visit(r, row);
    out += '\n';
  }
  return out;
}

} // namespace

void write_trade(json_writer& w, const trade& t) {
  write_record(w, t);
}

void write_zone(json_writer& w, const zone_record& z) {
  write_record(w, z);
}

void write_equity_summary(json_writer& w, const std::vector<equity_point>& curve, fixed initial) {
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

std::string trades_csv(const std::vector<trade>& trades) {
  return to_csv_table(trades);
}

bool parse_trades_csv(std::string_view csv, std::vector<trade>& out) {
  auto nl = csv.find('\n');
  if (nl == std::string_view::npos)
    return false;
  std::string expected;
  csv_header_sink header{expected};
  visit(trade{}, header);
  if (csv.substr(0, nl) != expected)
    return false;
  std::vector<std::string_view> f;
  for (std::size_t pos = nl + 1; pos < csv.size();) {
    auto end = csv.find('\n', pos);
    const std::string_view line =
        csv.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? csv.size() : end + 1;
    f.clear();
    for (std::size_t a = 0;;) {
      auto b = line.find(',', a);
      f.push_back(line.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a));
      if (b == std::string_view::npos)
        break;
      a = b + 1;
    }
    if (f.size() != 22)
      return false;
    auto num = [](std::string_view s) { return std::strtod(std::string(s).c_str(), nullptr); };
    auto whole = [](std::string_view s) {
      return std::strtoll(std::string(s).c_str(), nullptr, 10);
    };
    auto price = [](std::string_view s) {
      fixed v;
      parse_decimal(s, v);
      return v;
    };
    auto opt_price = [&](std::string_view s) {
      return s.empty() ? std::optional<fixed>() : price(s);
    };
    trade t;
    t.trade_id = whole(f[0]);
    t.side = f[1] == "long" ? side::long_side : side::short_side;
    parse_timestamp(f[2], t.entry_time);
    parse_timestamp(f[3], t.exit_time);
    t.entry_price = price(f[4]);
    t.exit_price = price(f[5]);
    t.quantity = price(f[6]);
    t.pnl = price(f[7]);
    t.pnl_pct = num(f[8]);
    t.stop_price = opt_price(f[9]);
    t.target_price = opt_price(f[10]);
    t.initial_risk = opt_price(f[11]);
    if (!f[12].empty())
      t.r_multiple = num(f[12]);
    t.mae = price(f[13]);
    t.mfe = price(f[14]);
    t.holding_bars = whole(f[15]);
    for (auto ft : {fill_type::market, fill_type::limit, fill_type::limit_gap, fill_type::stop,
                    fill_type::stop_gap})
      if (to_string(ft) == f[16])
        t.fill_type = ft;
    for (auto er : {exit_reason::stop_loss, exit_reason::take_profit, exit_reason::signal,
                    exit_reason::end_of_data})
      if (to_string(er) == f[17])
        t.exit_reason = er;
    t.commission = price(f[18]);
    if (!f[19].empty())
      t.zone = zone_ref{whole(f[19]), f[20] == "supply" ? zone_type::supply : zone_type::demand,
                        num(f[21])};
    out.push_back(t);
  }
  return true;
}

std::string equity_csv(const std::vector<equity_point>& curve) {
  return to_csv_table(curve);
}

std::string zones_csv(const std::vector<zone_record>& zones) {
  return to_csv_table(zones);
}

} // namespace bt
