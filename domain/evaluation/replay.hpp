#pragma once
// A program's whole promotion process backtested: its cycles run as of
// each scheduled point in past data, each seeing only the bars up to its
// as-of time (every walk-forward, score, gate, admission and risk rule as
// the live server runs them), so that the 90-day survival rate of its
// promotions can be measured. Deterministic: the same bars, specification
// and range give the same decisions, byte for byte.

#include "domain/data/bar_series.hpp"
#include "domain/evaluation/program.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bt {

class json_writer;

/// A replay covers at most this many cycles (a weekly schedule over 7
/// years): its cost is cycles x configurations walk-forwards.
inline constexpr std::size_t max_replay_cycles = 370;
/// What a replay measures survival over.
inline constexpr unix_time replay_survival_seconds = 90 * seconds_per_day;

struct replay_decision {
  unix_time day = 0;  ///< the market day it was made on
  std::string action; ///< promoted, demoted, redundant, type_capped, full, rolled_back,
                      ///< size_halved, drift_alert
  std::string strategy, params_json;
  double value = 0, limit = 0; ///< the figure and the limit it passed (0 when none)
  int cycle = 0;
  std::string symbol;
};

struct replay_cycle {
  int cycle = 0;
  unix_time as_of = 0;         ///< the last bar it saw
  unix_time last_bar_used = 0; ///< the latest bar any of its walk-forwards read
  std::size_t configurations = 0, candidates = 0, active = 0;
  std::string best_strategy, best_params_json, best_symbol;
};

struct replay_result {
  std::vector<replay_cycle> cycles;
  std::vector<replay_decision> decisions;
  std::size_t promotions = 0;
  /// Promotions with 90 days of data after them, and those still active 90
  /// days on (not rolled back nor demoted).
  std::size_t judged_promotions = 0, survived = 0;
  std::optional<double> survival_rate;
  std::string digest; ///< SHA-256 of the decisions, for comparing replays
  bool cancelled = false;
};

/// The as-of times of a replay of [from, to]: from, then every `every`
/// (a week when the program has no schedule), each the last bar at or
/// before its point; none without bars there.
std::vector<unix_time> replay_points(const program_spec& spec, const bar_series& bars,
                                     unix_time from, unix_time to);

/// Each of a program's symbols with its bars.
using symbol_bars = std::map<std::string, bar_series>;

/// The as-of times of a replay of a program of several symbols: at each
/// point, the latest of its symbols' last bars at or before it.
std::vector<unix_time> replay_points(const program_spec& spec, const symbol_bars& bars,
                                     unix_time from, unix_time to);

/// Runs the replay over `bars` (every bar the program has; only those up
/// to each as-of time are read). `progress`, when given, is told each
/// finished cycle and the total, and cancels by returning false. Throws
/// backtest_error when a run cannot be computed exactly.
replay_result replay_program(const program_spec& spec, const bar_series& bars, unix_time from,
                             unix_time to,
                             const std::function<bool(std::size_t, std::size_t)>& progress = {});
/// A program of several symbols: each point's as-of time is the latest of
/// their last bars at or before it, and each symbol is read up to its own.
/// `bars` holds every symbol of the program.
replay_result replay_program(const program_spec& spec, const symbol_bars& bars, unix_time from,
                             unix_time to,
                             const std::function<bool(std::size_t, std::size_t)>& progress = {});

void write_replay(json_writer& w, const replay_result& r);

} // namespace bt
