#include "domain/report/audit_chain.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace bt;

namespace {

// A chain of `n` linked entries, as append_audit writes them.
std::vector<audit_record> chain(int n) {
  std::vector<audit_record> out;
  std::string prev = audit_genesis_hash();
  for (int i = 1; i <= n; ++i) {
    audit_record r;
    r.seq = i;
    r.at_ms = 1'700'000'000'000 + i;
    r.actor = i % 2 ? "alice" : "system";
    if (i % 2) {
      r.actor_user_id = 7;
      r.actor_key_id = 9;
    }
    r.action = "run.submitted";
    r.object = "run:" + std::to_string(i);
    r.details = R"({"strategy":"dual_sma@1.0.0"})";
    r.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    r.prev_hash = prev;
    r.hash = audit_chain_hash(prev, r);
    prev = r.hash;
    out.push_back(r);
  }
  return out;
}

audit_verdict walk(const std::vector<audit_record>& entries,
                   const std::optional<audit_checkpoint>& start = std::nullopt) {
  audit_chain_walker w(start);
  for (const auto& e : entries)
    if (!w.feed(e))
      break;
  const std::int64_t head_seq = entries.empty() ? (start ? start->seq : 0) : entries.back().seq;
  const std::string head_hash =
      entries.empty() ? (start ? start->hash : audit_genesis_hash()) : entries.back().hash;
  return w.finish(head_seq, head_hash);
}

} // namespace

BOOST_AUTO_TEST_SUITE(audit_chain)

BOOST_AUTO_TEST_CASE(canonical_text_has_every_field_in_a_fixed_order) {
  const auto r = chain(1).front();
  BOOST_TEST(audit_canonical(r)
             == R"({"seq":1,"at_ms":1700000000001,"actor":"alice","actor_user_id":7,)"
                R"("actor_key_id":9,"action":"run.submitted","object":"run:1",)"
                R"("details":"{\"strategy\":\"dual_sma@1.0.0\"}",)"
                R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})");
  audit_record system = r;
  system.actor_user_id.reset();
  BOOST_TEST(audit_canonical(system).find(R"("actor_user_id":null)") != std::string::npos);
  // The hash depends on the previous one: the same entry after another
  // entry hashes differently.
  BOOST_TEST(audit_chain_hash(audit_genesis_hash(), r) != audit_chain_hash(r.hash, r));
  BOOST_TEST(audit_chain_hash(audit_genesis_hash(), r).size() == 64u);
}

BOOST_AUTO_TEST_CASE(an_intact_chain_verifies) {
  const auto v = walk(chain(50));
  BOOST_TEST(v.intact);
  BOOST_TEST(v.checked == 50);
  BOOST_TEST(walk({}).intact); // an empty log
}

BOOST_AUTO_TEST_CASE(a_changed_field_breaks_its_own_entry) {
  for (int field = 0; field < 5; ++field) {
    auto entries = chain(10);
    auto& e = entries[6];
    if (field == 0)
      e.actor = "mallory";
    else if (field == 1)
      e.details = R"({"strategy":"other@1.0.0"})";
    else if (field == 2)
      e.at_ms += 1;
    else if (field == 3)
      e.actor_key_id = 10;
    else
      e.action = "run.deleted";
    const auto v = walk(entries);
    BOOST_TEST(!v.intact);
    BOOST_TEST(v.broken_seq == 7);
    BOOST_TEST(v.checked == 7);
    BOOST_TEST(v.reason.find("changed") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_rehashed_entry_breaks_the_next_link) {
  // Whoever changes an entry and recomputes its hash breaks the link of
  // the entry after it.
  auto entries = chain(10);
  entries[3].actor = "mallory";
  entries[3].hash = audit_chain_hash(entries[3].prev_hash, entries[3]);
  const auto v = walk(entries);
  BOOST_TEST(!v.intact);
  BOOST_TEST(v.broken_seq == 5);
  BOOST_TEST(v.reason.find("previous hash") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(removed_entries_are_found_in_the_middle_and_at_the_end) {
  auto middle = chain(10);
  middle.erase(middle.begin() + 4);
  const auto v = walk(middle);
  BOOST_TEST(!v.intact);
  BOOST_TEST(v.broken_seq == 5);
  BOOST_TEST(v.reason.find("missing") != std::string::npos);

  auto entries = chain(10);
  audit_chain_walker w(std::nullopt);
  for (int i = 0; i < 8; ++i)
    BOOST_TEST(w.feed(entries[i]));
  const auto tail = w.finish(10, entries[9].hash); // the head still names entry 10
  BOOST_TEST(!tail.intact);
  BOOST_TEST(tail.reason.find("removed from its end") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_continues_the_chain_after_a_purge) {
  const auto entries = chain(20);
  audit_checkpoint cp{12, entries[11].hash, 1'800'000'000'000, 12, {}};
  cp.signature = audit_checkpoint_signature(cp, "key-one");
  const std::vector<audit_record> kept(entries.begin() + 12, entries.end());
  const auto v = walk(kept, cp);
  BOOST_TEST(v.intact);
  BOOST_TEST(v.checked == 8);
  // A checkpoint naming another hash does not link to what follows.
  audit_checkpoint wrong = cp;
  wrong.hash = entries[10].hash;
  BOOST_TEST(!walk(kept, wrong).intact);
}

BOOST_AUTO_TEST_CASE(checkpoint_signatures_depend_on_key_and_fields) {
  audit_checkpoint cp{12, std::string(64, 'a'), 1'800'000'000'000, 12, {}};
  const auto sig = audit_checkpoint_signature(cp, "key-one");
  BOOST_TEST(sig.size() == 64u);
  BOOST_TEST(sig == audit_checkpoint_signature(cp, "key-one"));
  BOOST_TEST(sig != audit_checkpoint_signature(cp, "key-two"));
  audit_checkpoint moved = cp;
  moved.seq = 13;
  BOOST_TEST(sig != audit_checkpoint_signature(moved, "key-one"));
}

BOOST_AUTO_TEST_SUITE_END()
