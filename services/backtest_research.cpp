// Research over stored runs: Monte Carlo of a completed run's trades or
// daily returns, computed from what the run stored (never by running the
// engine again), outside the database connection it was read with.
#include "services/backtest_service.hpp"
#include "services/service_reply.hpp"

#include "domain/metrics/metrics.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/research/monte_carlo.hpp"
#include "persistence/run_results.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <pqxx/pqxx>

namespace bt {
namespace {

/// A run's initial capital exactly, from its stored execution settings (as
/// their decimal text: through a double it could lose its last digit).
std::optional<fixed> initial_capital_of(const std::string& execution_json) {
  const std::string key = "\"initial_capital\":";
  const auto at = execution_json.find(key);
  if (at == std::string::npos)
    return std::nullopt;
  const auto from = at + key.size();
  const auto to = execution_json.find_first_of(",}", from);
  fixed value;
  if (parse_decimal(std::string_view(execution_json).substr(from, to - from), value)
      != decimal_parse::ok)
    return std::nullopt;
  return value;
}

} // namespace

std::optional<service_reply> backtest_service::read_monte_carlo_request(const std::string& body,
                                                                        monte_carlo_request& out) {
  boost::system::error_code ec;
  const boost::json::value given = boost::json::parse(body, ec);
  if (ec)
    return error_reply(service_code::bad_request, "malformed JSON body: " + ec.message(), {});
  if (auto errors = parse_monte_carlo_spec(given, out.spec); !errors.empty()) {
    std::vector<error_detail> details;
    for (auto& e : errors)
      details.push_back({e.field, 0, e.message});
    return error_reply(service_code::unprocessable, "invalid Monte Carlo request",
                       std::move(details));
  }
  return std::nullopt;
}

service_reply backtest_service::load_monte_carlo_inputs(pqxx::connection& c,
                                                        const db::principal& who,
                                                        monte_carlo_request& request) {
  auto run = db::find_run(c, who.user_id, request.run_id);
  if (!run)
    return error_reply(service_code::not_found, "no run " + request.run_id, {});
  if (run->status != run_status::completed)
    return error_reply(service_code::conflict,
                       "the run is " + std::string(to_string(run->status))
                           + ": a Monte Carlo needs a completed run's trades",
                       {});
  const auto initial = initial_capital_of(run->execution_json);
  if (!initial)
    return failure_reply("monte-carlo");
  request.initial_capital = *initial;
  if (request.spec.method == monte_carlo_method::block_bootstrap) {
    request.returns = daily_returns(db::load_equity(c, run->id), *initial);
  } else {
    db::trade_filter all;
    all.limit = -1;
    auto trades = db::load_trades(c, run->id, all).second;
    // Exit order (trade_id), as the engine closed them and the CLI
    // simulates them: a shuffle permutes positions, so the order matters.
    std::sort(trades.begin(), trades.end(),
              [](const trade& a, const trade& b) { return a.trade_id < b.trade_id; });
    request.pnl.reserve(trades.size());
    for (const auto& t : trades)
      request.pnl.push_back(t.pnl);
  }
  return body_reply(service_code::ok, "", "application/json");
}

service_reply backtest_service::simulate_monte_carlo(const monte_carlo_request& request) {
  research_slot slot(research_running_, max_research_at_once);
  if (!slot.held())
    return error_reply(service_code::too_many_requests,
                       "at most " + std::to_string(max_research_at_once)
                           + " Monte Carlo computations at once; retry shortly",
                       {});
  monte_carlo_result result;
  try {
    result = request.spec.method == monte_carlo_method::block_bootstrap
                 ? simulate_daily_returns(request.returns, request.initial_capital, request.spec)
                 : simulate_trades(request.pnl, request.initial_capital, request.spec);
  } catch (const fixed_overflow& e) {
    // Exact or refused: a resampled path left the fixed-point range.
    return error_reply(service_code::unprocessable,
                       std::string("a simulated equity cannot be computed exactly: ") + e.what(),
                       {});
  }
  json_writer w;
  w.begin_object();
  w.key(request.id_key).string(request.run_id);
  w.key("initial_capital").number(request.initial_capital);
  w.key("monte_carlo");
  write_monte_carlo(w, request.spec, result);
  w.end_object();
  return body_reply(service_code::ok, w.take(), "application/json");
}

} // namespace bt
