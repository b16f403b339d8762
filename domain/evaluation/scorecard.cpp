#include "domain/evaluation/scorecard.hpp"

#include "domain/metrics/metrics.hpp"
#include "domain/report/json_writer.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

namespace bt {

void read_walk_forward_result(const std::string& result_json, evaluation_facts& into) {
  boost::json::error_code ec;
  const auto doc = boost::json::parse(result_json, ec);
  if (ec || !doc.is_object())
    return;
  const auto* oos = doc.as_object().if_contains("out_of_sample");
  if (!oos || !oos->is_object())
    return;
  auto number = [](const boost::json::object& o, const char* key) -> std::optional<double> {
    const auto* v = o.if_contains(key);
    return v && v->is_number() ? std::optional<double>(v->to_number<double>()) : std::nullopt;
  };
  const auto& o = oos->as_object();
  if (const auto* daily = o.if_contains("daily_returns"); daily && daily->is_array())
    for (const auto& d : daily->as_array()) {
      unix_time day = 0;
      if (d.is_array() && d.as_array().size() == 2 && d.as_array()[0].is_string()
          && d.as_array()[1].is_number()
          && parse_timestamp(std::string(d.as_array()[0].as_string()), day) == timestamp_parse::ok)
        into.oos_daily.emplace_back(day, d.as_array()[1].to_number<double>());
    }
  if (const auto* trades = o.if_contains("trades"); trades && trades->is_array())
    for (const auto& t : trades->as_array()) {
      const auto* entry = t.is_object() ? t.as_object().if_contains("entry_time") : nullptr;
      const auto* pnl = t.is_object() ? t.as_object().if_contains("pnl") : nullptr;
      unix_time at = 0;
      if (entry && entry->is_string() && pnl && pnl->is_number()
          && parse_timestamp(std::string(entry->as_string()), at) == timestamp_parse::ok)
        // The document writes P&L exactly, 8 decimals at most; through a
        // double it comes back exactly below 2^53 units (90 million).
        into.oos_trades.emplace_back(at, fixed::from_double(pnl->to_number<double>()));
    }
  into.efficiency = number(o, "walk_forward_efficiency");
  into.volatility_pct = number(o, "volatility_pct");
  if (const auto* m = o.if_contains("metrics"); m && m->is_object()) {
    into.sharpe = number(m->as_object(), "sharpe_ratio");
    into.max_drawdown_pct = number(m->as_object(), "max_drawdown_pct");
    into.net_profit = number(m->as_object(), "net_profit");
    into.total_trades = number(m->as_object(), "total_trades");
  }
}

namespace {

std::string
write_scorecard(const scorecard_header& h, const std::vector<evaluation_facts>& facts,
                const score_weights& weights,
                const std::function<const regime_days*(const evaluation_facts&)>& regimes_of) {
  std::vector<std::size_t> done;
  for (std::size_t i = 0; i < facts.size(); ++i)
    if (facts[i].status == "completed")
      done.push_back(i);
  std::vector<score_inputs> in;
  for (auto i : done)
    in.push_back(
        {facts[i].sharpe, facts[i].max_drawdown_pct, facts[i].volatility_pct, facts[i].efficiency});
  const auto scored = score_configurations(in, weights);
  std::vector<std::size_t> order(done.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (scored[a].score != scored[b].score)
      return scored[a].score > scored[b].score;
    return facts[done[a]].index < facts[done[b]].index;
  });
  json_writer w;
  w.begin_object();
  w.key("program_id").string(h.program_id).key("cycle").number(static_cast<std::int64_t>(h.cycle));
  w.key("status").string("completed");
  w.key("as_of").string(h.as_of).key("data_checksum").string(h.data_checksum);
  w.key("configurations").number(static_cast<std::uint64_t>(facts.size()));
  w.key("completed").number(static_cast<std::uint64_t>(done.size()));
  w.key("skipped").number(static_cast<std::uint64_t>(h.skipped));
  w.key("weights")
      .begin_object()
      .key("sharpe")
      .number(weights.sharpe)
      .key("drawdown")
      .number(weights.drawdown)
      .key("volatility")
      .number(weights.volatility)
      .key("persistence")
      .number(weights.persistence)
      .end_object();
  auto entry = [&](const evaluation_facts& f, std::optional<std::size_t> rank,
                   const score_components* c) {
    w.begin_object();
    if (rank)
      w.key("rank").number(static_cast<std::uint64_t>(*rank));
    else
      w.key("rank").null();
    w.key("index").number(static_cast<std::uint64_t>(f.index));
    w.key("strategy").string(f.strategy);
    w.key("params").raw(f.params_json);
    if (!f.symbol.empty())
      w.key("symbol").string(f.symbol);
    if (f.carried_from_cycle)
      w.key("carried_from_cycle").number(*f.carried_from_cycle);
    w.key("walk_forward_id").string(f.walk_forward_id);
    w.key("status").string(f.status);
    if (c) {
      w.key("score").number(c->score);
      w.key("components")
          .begin_object()
          .key("sharpe")
          .number(c->sharpe)
          .key("drawdown")
          .number(c->drawdown)
          .key("volatility")
          .number(c->volatility)
          .key("persistence")
          .number(c->persistence)
          .end_object();
    } else {
      w.key("score").null();
      w.key("components").null();
    }
    w.key("oos").begin_object();
    w.key("sharpe_ratio").optional(f.sharpe);
    w.key("max_drawdown_pct").optional(f.max_drawdown_pct);
    w.key("volatility_pct").optional(f.volatility_pct);
    w.key("net_profit").optional(f.net_profit);
    w.key("total_trades").optional(f.total_trades);
    w.end_object();
    w.key("walk_forward_efficiency").optional(f.efficiency);
    if (const regime_days* regimes = regimes_of(f)) {
      // By the regime of each day, and of each trade's entry day.
      struct tally {
        std::int64_t trades = 0, wins = 0;
        fixed net, gross_profit, gross_loss;
        std::vector<double> returns; ///< of its days, in day order
      };
      std::map<std::string, tally> by;
      auto regime_of = [&](unix_time t) {
        const auto it = regimes->find(utc_day(t));
        return it == regimes->end() ? std::string("unclassified")
                                    : std::string(to_string(it->second));
      };
      for (const auto& [day, r] : f.oos_daily)
        by[regime_of(day)].returns.push_back(r);
      for (const auto& [at, pnl] : f.oos_trades) {
        auto& t = by[regime_of(at)];
        ++t.trades;
        t.wins += pnl > fixed();
        t.net += pnl;
        (pnl > fixed() ? t.gross_profit : t.gross_loss) += pnl;
      }
      w.key("by_regime").begin_object();
      for (const char* name : {"low", "normal", "elevated", "high", "unclassified"}) {
        const auto it = by.find(name);
        if (it == by.end())
          continue;
        const tally& t = it->second;
        w.key(name).begin_object();
        w.key("days").number(static_cast<std::uint64_t>(t.returns.size()));
        double growth = 1, peak = 1, max_dd = 0;
        for (double r : t.returns) {
          growth *= 1 + r;
          peak = std::max(peak, growth);
          max_dd = std::max(max_dd, 1 - growth / peak);
        }
        w.key("return_pct").number(round_places((growth - 1) * 100));
        std::optional<double> sharpe, volatility;
        if (t.returns.size() >= 2) {
          const double mean = mean_of(t.returns), var = sample_variance(t.returns, mean);
          volatility = round_places(std::sqrt(var * 252) * 100);
          if (var > 0)
            sharpe = round_places(mean / std::sqrt(var) * std::sqrt(252.0));
        }
        w.key("sharpe_ratio").optional(sharpe).key("volatility_pct").optional(volatility);
        w.key("max_drawdown_pct").number(round_places(max_dd * 100));
        w.key("trades").number(t.trades);
        w.key("net_profit").number(t.net);
        if (t.trades > 0)
          w.key("win_rate")
              .number(round_places(100.0 * static_cast<double>(t.wins)
                                   / static_cast<double>(t.trades)));
        else
          w.key("win_rate").null();
        if (t.gross_loss.units < 0)
          w.key("profit_factor")
              .number(round_places(t.gross_profit.to_double() / -t.gross_loss.to_double()));
        else
          w.key("profit_factor").null();
        if (t.trades > 0)
          w.key("average_trade")
              .number(round_places(t.net.to_double() / static_cast<double>(t.trades)));
        else
          w.key("average_trade").null();
        w.end_object();
      }
      w.end_object();
    }
    w.end_object();
  };
  w.key("entries").begin_array();
  for (std::size_t r = 0; r < order.size(); ++r)
    entry(facts[done[order[r]]], r + 1, &scored[order[r]]);
  for (const auto& f : facts)
    if (f.status != "completed")
      entry(f, std::nullopt, nullptr);
  w.end_array();
  w.end_object();
  return w.take();
}

} // namespace

std::string scorecard_json(const scorecard_header& h, const std::vector<evaluation_facts>& facts,
                           const score_weights& weights, const regime_days* regimes) {
  return write_scorecard(h, facts, weights, [&](const evaluation_facts&) { return regimes; });
}

std::string scorecard_json(const scorecard_header& h, const std::vector<evaluation_facts>& facts,
                           const score_weights& weights,
                           const std::map<std::string, regime_days>& regimes_by_symbol) {
  return write_scorecard(h, facts, weights, [&](const evaluation_facts& f) -> const regime_days* {
    const auto it = regimes_by_symbol.find(f.symbol);
    return it == regimes_by_symbol.end() ? nullptr : &it->second;
  });
}

scorecard_gate::scorecard_gate(const program_spec& spec)
    : capital_(fixed::from_int(spec.capital)), cap_fraction_(spec.max_allocation_pct / 100.0),
      default_symbol_(spec.symbol) {
  gate_.top_fraction = spec.top_pct / 100.0;
  gate_.consecutive_days = spec.gate_days;
}

void scorecard_gate::add(unix_time as_of, const boost::json::value& scorecard) {
  ranked_cycle ranked{as_of, {}};
  last_.clear();
  for (const auto& e : scorecard.at("entries").as_array()) {
    if (e.at("rank").is_null())
      continue;
    const auto* symbol = e.as_object().if_contains("symbol");
    const std::string identity = std::string(e.at("strategy").as_string()) + "\n"
                                 + boost::json::serialize(e.at("params")) + "\n"
                                 + (symbol ? std::string(symbol->as_string()) : default_symbol_);
    ranked.ranked.push_back(identity);
    last_[identity] = e.as_object();
  }
  history_.push_back(std::move(ranked));
}

std::vector<scorecard_gate::candidate_entry> scorecard_gate::candidates() const {
  const auto chosen = promotion_candidates(history_, gate_);
  std::vector<double> scores;
  for (const auto& k : chosen)
    scores.push_back(last_.at(k.key).at("score").to_number<double>());
  const auto allocation = allocate_capital(capital_, scores, cap_fraction_);
  std::vector<candidate_entry> out;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto& e = last_.at(chosen[i].key);
    candidate_entry c;
    c.identity = chosen[i].key;
    c.strategy = std::string(e.at("strategy").as_string());
    c.params_json = boost::json::serialize(e.at("params"));
    const auto* symbol = e.if_contains("symbol");
    c.symbol = symbol ? std::string(symbol->as_string()) : default_symbol_;
    c.entry = e;
    c.since = chosen[i].since;
    c.score = scores[i];
    const auto& sharpe = e.at("oos").at("sharpe_ratio");
    c.expected_sharpe = sharpe.is_number() ? sharpe.to_number<double>() : 0.0;
    c.allocation = allocation[i];
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<unix_time> scorecard_gate::as_of() const {
  return history_.empty() ? std::nullopt : std::optional<unix_time>(history_.back().as_of);
}

} // namespace bt
