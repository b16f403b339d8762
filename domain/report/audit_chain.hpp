#pragma once
// The audit log's tamper evidence, pure: an entry's canonical text, the hash
// chain over entries (hash = SHA-256(previous hash || canonical entry)), the
// signature of a purge checkpoint, and the walk that finds the first broken
// link. persistence/ stores and reads the entries; this decides.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bt {

/// One audit entry as hashed and stored.
struct audit_record {
  std::int64_t seq = 0;   ///< 1, 2, 3 ... without gaps
  std::int64_t at_ms = 0; ///< Unix milliseconds
  std::string actor;      ///< the user's name, or "system"
  std::optional<std::int64_t> actor_user_id, actor_key_id;
  std::string action;  ///< key.created, run.submitted, ...
  std::string object;  ///< key:12, run:<uuid>, dataset:GC/1h, ...
  std::string details; ///< a JSON object, canonical (as written by json_writer)
  std::string trace_id;
  std::string prev_hash, hash; ///< lowercase hex
};

/// The hash before the first entry: 64 zeros.
const std::string& audit_genesis_hash();

/// The entry's canonical text: a JSON object with its fields in a fixed
/// order (details embedded as stored), without the hashes.
std::string audit_canonical(const audit_record& r);

/// SHA-256 (hex) of `prev_hash` followed by the entry's canonical text.
std::string audit_chain_hash(const std::string& prev_hash, const audit_record& r);

/// What a purge of expired entries leaves behind: the last removed entry's
/// sequence number and hash, so that the chain still verifies from there.
struct audit_checkpoint {
  std::int64_t seq = 0;
  std::string hash;
  std::int64_t at_ms = 0;   ///< when the purge ran
  std::int64_t removed = 0; ///< entries removed by that purge
  std::string signature;    ///< HMAC-SHA256 (hex) under the server's audit key
};

/// HMAC-SHA256 (hex) of the checkpoint's fields under `key`.
std::string audit_checkpoint_signature(const audit_checkpoint& c, const std::string& key);

/// The outcome of walking the chain.
struct audit_verdict {
  bool intact = true;
  std::int64_t checked = 0;    ///< entries whose hash was recomputed
  std::int64_t broken_seq = 0; ///< the first entry that does not link (0: none)
  std::string reason;          ///< what is wrong with it
};

/// Walks entries in sequence order from `start` (the newest checkpoint, or
/// nothing: from the genesis hash), feeding them one at a time; entries
/// that do not link, skip a number or carry a wrong hash break the chain.
class audit_chain_walker {
public:
  explicit audit_chain_walker(const std::optional<audit_checkpoint>& start);
  /// False once the chain is broken (the verdict names where).
  bool feed(const audit_record& r);
  /// The verdict, after checking that the last entry is the `head` the
  /// log records (an entry removed from the end breaks it too).
  audit_verdict finish(std::int64_t head_seq, const std::string& head_hash);

private:
  void broke(std::int64_t seq, std::string reason);
  std::int64_t next_seq_;
  std::string prev_hash_;
  audit_verdict verdict_;
};

} // namespace bt
