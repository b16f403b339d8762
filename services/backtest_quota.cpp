// The hourly submission quota by tier: taking a slot, the 429, giving a
// slot back, and the X-RateLimit-* headers every submission answer carries.

#include "services/backtest_service.hpp"

#include "config/log.hpp"
#include "services/service_reply.hpp"

#include <chrono>

namespace bt {

void backtest_service::note_quota(const db::principal& who, quota_ticket& ticket) const {
  ticket.counted = who.role != "admin"; // admins are exempt
  ticket.key_id = who.key_id;
  ticket.tier = who.tier;
  ticket.limit = who.tier == "enterprise" ? limits_.quota_enterprise
                 : who.tier == "pro"      ? limits_.quota_pro
                                          : limits_.quota_free;
}

std::optional<service_reply> backtest_service::take_quota(const db::principal& who,
                                                          quota_ticket& ticket) {
  if (ticket.key_id != who.key_id)
    note_quota(who, ticket);
  if (!ticket.counted || ticket.slot.granted)
    return std::nullopt;
  ticket.slot = quota_.take(ticket.key_id, ticket.limit);
  if (ticket.slot.granted)
    return std::nullopt;
  const auto wait = std::max<std::int64_t>(1, ticket.slot.after.next_slot_in.count());
  const std::string window = std::to_string(quota_.window().count()) + " s";
  log::info("submission_quota_exceeded", {{"user_id", who.user_id},
                                          {"key_id", who.key_id},
                                          {"tier", ticket.tier},
                                          {"limit", ticket.limit}});
  service_reply r = error_reply(
      service_code::too_many_requests,
      "the " + ticket.tier + " tier allows " + std::to_string(ticket.limit) + " submissions per "
          + window + " and this key has made them; the next slot frees in " + std::to_string(wait)
          + " s",
      {{"tier", 0,
        ticket.tier + ": " + std::to_string(ticket.limit) + " submissions per " + window}});
  r.headers.emplace_back("Retry-After", std::to_string(wait));
  return r;
}

service_reply backtest_service::settle_quota(quota_ticket& ticket, service_reply reply) {
  if (!ticket.counted)
    return reply;
  const auto code = reply.status();
  const bool accepted =
      code == service_code::ok || code == service_code::accepted || code == service_code::created;
  if (!accepted || ticket.give_back)
    quota_.give_back(ticket.slot);
  const auto s = quota_.look(ticket.key_id, ticket.limit);
  // Reset: when the oldest counted submission leaves the window, as Unix
  // seconds (the X-RateLimit convention); now when none is counted.
  const auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                     + s.next_slot_in;
  reply.headers.emplace_back("X-RateLimit-Limit", std::to_string(s.limit));
  reply.headers.emplace_back("X-RateLimit-Remaining", std::to_string(s.remaining));
  reply.headers.emplace_back("X-RateLimit-Reset", std::to_string(reset.count()));
  return reply;
}

} // namespace bt
