#include "domain/engine/trade.hpp"

namespace bt {

std::string_view to_string(side s) {
  return s == side::long_side ? "long" : "short";
}

std::string_view to_string(fill_type f) {
  switch (f) {
  case fill_type::market:
    return "market";
  case fill_type::limit:
    return "limit";
  case fill_type::limit_gap:
    return "limit_gap";
  case fill_type::stop:
    return "stop";
  case fill_type::stop_gap:
    return "stop_gap";
  }
  return "market";
}

std::string_view to_string(exit_reason r) {
  switch (r) {
  case exit_reason::stop_loss:
    return "stop_loss";
  case exit_reason::take_profit:
    return "take_profit";
  case exit_reason::signal:
    return "signal";
  case exit_reason::end_of_data:
    return "end_of_data";
  }
  return "end_of_data";
}

std::string_view to_string(zone_type z) {
  return z == zone_type::supply ? "supply" : "demand";
}

bool from_string(std::string_view text, side& out) {
  constexpr side all[] = {side::long_side, side::short_side};
  return from_name(text, all, out);
}

bool from_string(std::string_view text, fill_type& out) {
  constexpr fill_type all[] = {fill_type::market, fill_type::limit, fill_type::limit_gap,
                               fill_type::stop, fill_type::stop_gap};
  return from_name(text, all, out);
}

bool from_string(std::string_view text, exit_reason& out) {
  constexpr exit_reason all[] = {exit_reason::stop_loss, exit_reason::take_profit,
                                 exit_reason::signal, exit_reason::end_of_data};
  return from_name(text, all, out);
}

bool from_string(std::string_view text, zone_type& out) {
  constexpr zone_type all[] = {zone_type::supply, zone_type::demand};
  return from_name(text, all, out);
}

} // namespace bt
