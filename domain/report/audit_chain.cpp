#include "domain/report/audit_chain.hpp"

#include "domain/report/hex.hpp"
#include "domain/report/json_writer.hpp"
#include "domain/report/sha256.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace bt {

const std::string& audit_genesis_hash() {
  static const std::string zeros(sha256_hex_chars, '0');
  return zeros;
}

std::string audit_canonical(const audit_record& r) {
  json_writer w;
  w.begin_object();
  w.key("seq").number(r.seq);
  w.key("at_ms").number(r.at_ms);
  w.key("actor").string(r.actor);
  w.key("actor_user_id").optional(r.actor_user_id);
  w.key("actor_key_id").optional(r.actor_key_id);
  w.key("action").string(r.action);
  w.key("object").string(r.object);
  // Stored as text and hashed as text: the database never re-formats it.
  w.key("details").string(r.details);
  w.key("trace_id").string(r.trace_id);
  w.end_object();
  return w.take();
}

std::string audit_chain_hash(const std::string& prev_hash, const audit_record& r) {
  sha256_stream s;
  s.update(prev_hash);
  s.update(audit_canonical(r));
  return s.finish();
}

std::string audit_checkpoint_signature(const audit_checkpoint& c, const std::string& key) {
  const std::string text = std::to_string(c.seq) + "|" + c.hash + "|" + std::to_string(c.at_ms)
                           + "|" + std::to_string(c.removed);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
  return to_hex(mac, length);
}

audit_chain_walker::audit_chain_walker(const std::optional<audit_checkpoint>& start)
    : next_seq_(start ? start->seq + 1 : 1),
      prev_hash_(start ? start->hash : audit_genesis_hash()) {}

void audit_chain_walker::broke(std::int64_t seq, std::string reason) {
  verdict_.intact = false;
  verdict_.broken_seq = seq;
  verdict_.reason = std::move(reason);
}

bool audit_chain_walker::feed(const audit_record& r) {
  if (!verdict_.intact)
    return false;
  if (r.seq != next_seq_) {
    broke(next_seq_, "entry " + std::to_string(next_seq_) + " is missing (next stored entry is "
                         + std::to_string(r.seq) + ")");
    return false;
  }
  if (r.prev_hash != prev_hash_) {
    broke(r.seq, "its previous hash does not match the hash of the entry before it");
    return false;
  }
  ++verdict_.checked;
  if (audit_chain_hash(prev_hash_, r) != r.hash) {
    broke(r.seq, "its contents do not match its hash (the entry was changed)");
    return false;
  }
  prev_hash_ = r.hash;
  ++next_seq_;
  return true;
}

audit_verdict audit_chain_walker::finish(std::int64_t head_seq, const std::string& head_hash) {
  if (verdict_.intact && (head_seq != next_seq_ - 1 || head_hash != prev_hash_))
    broke(next_seq_, "the log ends at entry " + std::to_string(next_seq_ - 1)
                         + " but its head records entry " + std::to_string(head_seq)
                         + " (entries were removed from its end)");
  return verdict_;
}

} // namespace bt
