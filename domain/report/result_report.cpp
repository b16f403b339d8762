#include "domain/report/result_report.hpp"

#include "domain/report/json_writer.hpp"

#include <algorithm>

namespace bt {

void write_import_report(json_writer& w, const import_report& r) {
  w.begin_object();
  w.key("rows_received").number(static_cast<std::uint64_t>(r.rows_received));
  w.key("rows_imported").number(static_cast<std::uint64_t>(r.rows_imported));
  w.key("duplicates_skipped").number(static_cast<std::uint64_t>(r.duplicates_skipped));
  w.key("duplicate_rows").begin_array();
  for (auto row : r.duplicate_rows)
    w.number(static_cast<std::uint64_t>(row));
  w.end_array();
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
  w.key("gaps").begin_array();
  for (const auto& g : r.gaps) {
    w.begin_object();
    w.key("from").timestamp(g.from);
    w.key("to").timestamp(g.to);
    w.key("missing_bars").number(g.missing_bars);
    w.end_object();
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const auto& s : r.warnings)
    w.string(s);
  w.end_array();
  w.end_object();
}

void write_trade(json_writer& w, const trade& t) {
  w.begin_object();
  w.key("trade_id").number(t.trade_id);
  w.key("side").string(to_string(t.side));
  w.key("entry_time").timestamp(t.entry_time);
  w.key("exit_time").timestamp(t.exit_time);
  w.key("entry_price").number(t.entry_price);
  w.key("exit_price").number(t.exit_price);
  w.key("quantity").number(t.quantity);
  w.key("pnl").number(t.pnl);
  w.key("pnl_pct").number(t.pnl_pct);
  w.key("stop_price").optional(t.stop_price);
  w.key("target_price").optional(t.target_price);
  w.key("initial_risk").optional(t.initial_risk);
  w.key("r_multiple").optional(t.r_multiple);
  w.key("mae").number(t.mae);
  w.key("mfe").number(t.mfe);
  w.key("holding_bars").number(t.holding_bars);
  w.key("fill_type").string(to_string(t.fill_type));
  w.key("exit_reason").string(to_string(t.exit_reason));
  w.key("commission").number(t.commission);
  if (t.zone) {
    w.key("zone_id").number(t.zone->id);
    w.key("zone_type").string(to_string(t.zone->type));
    w.key("zone_strength").number(t.zone->strength);
  } else {
    w.key("zone_id").null();
    w.key("zone_type").null();
    w.key("zone_strength").null();
  }
  w.end_object();
}

void write_zone(json_writer& w, const zone_record& z) {
  w.begin_object();
  w.key("id").number(z.id);
  w.key("type").string(to_string(z.type));
  w.key("created_at").timestamp(z.created_at);
  w.key("top").number(z.top);
  w.key("bottom").number(z.bottom);
  w.key("strength").number(z.strength);
  w.key("touches").number(z.touches);
  w.key("status").string(to_string(z.status));
  w.key("ended_at");
  if (z.ended_at)
    w.timestamp(*z.ended_at);
  else
    w.null();
  w.end_object();
}

void write_equity_summary(json_writer& w, const std::vector<equity_point>& curve, fixed initial) {
  w.begin_object();
  w.key("points").number(static_cast<std::uint64_t>(curve.size()));
  w.key("initial_equity").number(initial);
  if (curve.empty()) {
    w.key("start").null().key("end").null().key("final_equity").number(initial);
    w.key("min_equity").null().key("max_equity").null().key("max_drawdown_pct").number(0.0);
  } else {
    auto [lo, hi] = std::minmax_element(curve.begin(), curve.end(),
                                        [](const equity_point& a, const equity_point& b) {
                                          return a.equity < b.equity;
                                        });
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

namespace {

void csv_optional(std::string& out, const std::optional<fixed>& v) {
  if (v)
    append_fixed(out, *v);
}

void csv_double(std::string& out, double v) {
  append_double(out, v);
}

} // namespace

std::string trades_csv(const std::vector<trade>& trades) {
  std::string out =
    "trade_id,side,entry_time,exit_time,entry_price,exit_price,quantity,pnl,pnl_pct,stop_price,"
    "target_price,initial_risk,r_multiple,mae,mfe,holding_bars,fill_type,exit_reason,commission,"
    "zone_id,zone_type,zone_strength\n";
  for (const auto& t : trades) {
    out += std::to_string(t.trade_id);
    out += ',';
    out += to_string(t.side);
    out += ',';
    append_timestamp(out, t.entry_time);
    out += ',';
    append_timestamp(out, t.exit_time);
    out += ',';
    append_fixed(out, t.entry_price);
    out += ',';
    append_fixed(out, t.exit_price);
    out += ',';
    append_fixed(out, t.quantity);
    out += ',';
    append_fixed(out, t.pnl);
    out += ',';
    csv_double(out, t.pnl_pct);
    out += ',';
    csv_optional(out, t.stop_price);
    out += ',';
    csv_optional(out, t.target_price);
    out += ',';
    csv_optional(out, t.initial_risk);
    out += ',';
    if (t.r_multiple)
      csv_double(out, *t.r_multiple);
    out += ',';
    append_fixed(out, t.mae);
    out += ',';
    append_fixed(out, t.mfe);
    out += ',';
    out += std::to_string(t.holding_bars);
    out += ',';
    out += to_string(t.fill_type);
    out += ',';
    out += to_string(t.exit_reason);
    out += ',';
    append_fixed(out, t.commission);
    out += ',';
    if (t.zone) {
      out += std::to_string(t.zone->id);
      out += ',';
      out += to_string(t.zone->type);
      out += ',';
      csv_double(out, t.zone->strength);
    } else {
      out += ",,";
    }
    out += '\n';
  }
  return out;
}

std::string equity_csv(const std::vector<equity_point>& curve) {
  std::string out = "time,equity,drawdown_pct\n";
  out.reserve(out.size() + curve.size() * 48);
  for (const auto& p : curve) {
    append_timestamp(out, p.time);
    out += ',';
    append_fixed(out, p.equity);
    out += ',';
    csv_double(out, p.drawdown_pct);
    out += '\n';
  }
  return out;
}

std::string zones_csv(const std::vector<zone_record>& zones) {
  std::string out = "id,type,created_at,top,bottom,strength,touches,status,ended_at\n";
  for (const auto& z : zones) {
    out += std::to_string(z.id);
    out += ',';
    out += to_string(z.type);
    out += ',';
    append_timestamp(out, z.created_at);
    out += ',';
    append_fixed(out, z.top);
    out += ',';
    append_fixed(out, z.bottom);
    out += ',';
    csv_double(out, z.strength);
    out += ',';
    out += std::to_string(z.touches);
    out += ',';
    out += to_string(z.status);
    out += ',';
    if (z.ended_at)
      append_timestamp(out, *z.ended_at);
    out += '\n';
  }
  return out;
}

} // namespace bt
