#include "persistence/audit_log.hpp"

#include "domain/data/timestamp.hpp"
#include "domain/report/hex.hpp"
#include "domain/report/json_writer.hpp"
#include "persistence/prepared.hpp"

#include <openssl/rand.h>
#include <pqxx/pqxx>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>

namespace bt::db {
namespace {

constexpr const char* entry_columns = "seq, at_ms, actor, actor_user_id, actor_key_id, action, "
                                      "object, details, trace_id, prev_hash, hash";

audit_record record_of(const pqxx::row& r) {
  audit_record e;
  e.seq = r[0].as<std::int64_t>();
  e.at_ms = r[1].as<std::int64_t>();
  e.actor = r[2].as<std::string>();
  if (!r[3].is_null())
    e.actor_user_id = r[3].as<std::int64_t>();
  if (!r[4].is_null())
    e.actor_key_id = r[4].as<std::int64_t>();
  e.action = r[5].as<std::string>();
  e.object = r[6].as<std::string>();
  e.details = r[7].as<std::string>();
  e.trace_id = r[8].as<std::string>();
  e.prev_hash = r[9].as<std::string>();
  e.hash = r[10].as<std::string>();
  return e;
}

std::optional<audit_checkpoint> newest_checkpoint(pqxx::transaction_base& txn) {
  auto r = txn.exec("SELECT seq, hash, at_ms, removed, signature FROM audit_checkpoints "
                    "ORDER BY seq DESC LIMIT 1");
  if (r.empty())
    return std::nullopt;
  return audit_checkpoint{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(),
                          r[0][2].as<std::int64_t>(), r[0][3].as<std::int64_t>(),
                          r[0][4].as<std::string>()};
}

} // namespace

std::int64_t wall_clock_ms() {
  if (const char* forced = std::getenv("BACKTESTD_NOW"); forced && *forced) {
    unix_time t = 0;
    if (parse_timestamp(forced, t) == timestamp_parse::ok)
      return t * 1000;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string audit_details(std::initializer_list<std::pair<std::string, std::string>> fields) {
  json_writer w;
  w.begin_object();
  for (const auto& [k, v] : fields)
    w.key(k).string(v);
  w.end_object();
  return w.take();
}

void append_audit(pqxx::transaction_base& txn, const audit_actor& by, const std::string& action,
                  const std::string& object, const std::string& details) {
  // The head's row lock, held to the end of the transaction, orders the
  // chain: entries link in commit order of their changes.
  auto head = exec_prepared(txn, "audit_head_lock",
                            "SELECT seq, hash FROM audit_head WHERE one FOR UPDATE");
  audit_record e;
  e.seq = head[0][0].as<std::int64_t>() + 1;
  e.prev_hash = head[0][1].as<std::string>();
  e.at_ms = wall_clock_ms();
  e.actor = by.name;
  e.actor_user_id = by.user_id;
  e.actor_key_id = by.key_id;
  e.action = action;
  e.object = object;
  e.details = details;
  e.trace_id = by.trace_id;
  e.hash = audit_chain_hash(e.prev_hash, e);
  exec_prepared(txn, "audit_append",
                "INSERT INTO audit_log (seq, at_ms, actor, actor_user_id, actor_key_id, action, "
                "object, details, trace_id, prev_hash, hash) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                e.seq, e.at_ms, e.actor, e.actor_user_id, e.actor_key_id, e.action, e.object,
                e.details, e.trace_id, e.prev_hash, e.hash);
  exec_prepared(txn, "audit_head_move", "UPDATE audit_head SET seq = $1, hash = $2 WHERE one",
                e.seq, e.hash);
}

void append_audit_alone(pqxx::connection_base& c, const audit_actor& by, const std::string& action,
                        const std::string& object, const std::string& details) {
  pqxx::work txn(c);
  append_audit(txn, by, action, object, details);
  txn.commit();
}

audit_page read_audit(pqxx::connection_base& c, const audit_filter& f) {
  pqxx::read_transaction txn(c);
  // One statement for every filter: an absent one is NULL and matches all;
  // the planner picks the index of the filter that is given.
  auto rows = txn.exec_params(
      std::string("SELECT ") + entry_columns
          + " FROM audit_log WHERE seq > $1 AND ($2::bigint IS NULL OR at_ms >= $2) "
            "AND ($3::bigint IS NULL OR at_ms < $3) AND ($4 = '' OR actor = $4) "
            "AND ($5 = '' OR action = $5) AND ($6 = '' OR object = $6) "
            "ORDER BY seq LIMIT $7",
      f.after_seq, f.from_ms, f.to_ms, f.actor, f.action, f.object, f.limit + 1);
  audit_page page;
  for (const auto& r : rows) {
    if (static_cast<std::int64_t>(page.entries.size()) == f.limit) {
      page.next_after_seq = page.entries.back().seq;
      break;
    }
    page.entries.push_back(record_of(r));
  }
  return page;
}

audit_verdict verify_audit(pqxx::connection_base& c, const std::string& key) {
  // One snapshot for the whole walk: entries appended meanwhile are not
  // half-seen.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(c);
  const auto checkpoint = newest_checkpoint(txn);
  audit_chain_walker walker(checkpoint);
  if (checkpoint && audit_checkpoint_signature(*checkpoint, key) != checkpoint->signature) {
    audit_verdict v;
    v.intact = false;
    v.broken_seq = checkpoint->seq;
    v.reason = "the purge checkpoint at entry " + std::to_string(checkpoint->seq)
               + " is not signed by this server's audit key";
    return v;
  }
  std::int64_t after = checkpoint ? checkpoint->seq : 0;
  bool going = true;
  while (going) {
    auto rows = txn.exec_params(std::string("SELECT ") + entry_columns
                                    + " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 10000",
                                after);
    if (rows.empty())
      break;
    for (const auto& r : rows) {
      const audit_record e = record_of(r);
      after = e.seq;
      if (!walker.feed(e)) {
        going = false;
        break;
      }
    }
  }
  auto head = txn.exec("SELECT seq, hash FROM audit_head WHERE one");
  return walker.finish(head[0][0].as<std::int64_t>(), head[0][1].as<std::string>());
}

std::int64_t purge_audit(pqxx::connection_base& c, std::int64_t cutoff_ms, const std::string& key,
                         std::int64_t batch, bool dry_run) {
  std::int64_t last = 0, count = 0;
  {
    pqxx::read_transaction txn(c);
    // Entries leave from the chain's start only: the last expired one is
    // the newest entry older than the cutoff with nothing newer before it.
    auto r = txn.exec_params("SELECT coalesce(max(seq), 0), count(*) FROM audit_log "
                             "WHERE at_ms < $1 AND seq < coalesce((SELECT min(seq) FROM "
                             "audit_log WHERE at_ms >= $1), 9223372036854775807)",
                             cutoff_ms);
    last = r[0][0].as<std::int64_t>();
    count = r[0][1].as<std::int64_t>();
  }
  if (dry_run || count == 0)
    return count;
  {
    pqxx::work txn(c);
    auto h = txn.exec_params("SELECT hash FROM audit_log WHERE seq = $1", last);
    audit_checkpoint cp{last, h[0][0].as<std::string>(), wall_clock_ms(), count, {}};
    cp.signature = audit_checkpoint_signature(cp, key);
    txn.exec_params("INSERT INTO audit_checkpoints (seq, hash, at_ms, removed, signature) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING",
                    cp.seq, cp.hash, cp.at_ms, cp.removed, cp.signature);
    txn.commit();
  }
  std::int64_t removed = 0;
  for (;;) {
    pqxx::work txn(c);
    auto r = txn.exec_params("DELETE FROM audit_log WHERE seq IN (SELECT seq FROM audit_log "
                             "WHERE seq <= $1 ORDER BY seq LIMIT $2)",
                             last, batch);
    txn.commit();
    removed += static_cast<std::int64_t>(r.affected_rows());
    if (static_cast<std::int64_t>(r.affected_rows()) < batch)
      break;
  }
  return removed;
}

std::optional<std::string> read_audit_key(const std::string& path) {
  std::ifstream in(path);
  std::string key;
  if (in && std::getline(in, key) && key.size() == 64)
    return key;
  return std::nullopt;
}

std::string load_audit_key(const std::string& path) {
  if (auto key = read_audit_key(path))
    return *key;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty())
    std::filesystem::create_directories(dir);
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("no random bytes for the audit key");
  const std::string key = to_hex(bytes, sizeof bytes);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << key << '\n';
    if (!out.flush())
      throw std::runtime_error("cannot write the audit key " + path);
  }
  ::chmod(tmp.c_str(), 0600);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write the audit key " + path);
  return key;
}

} // namespace bt::db
