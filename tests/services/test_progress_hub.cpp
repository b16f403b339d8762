// The progress hub alone: sequence numbers, transitions published once per
// change, progress only while running, resumption from the ring (and when
// it cannot), delivery in order to every subscriber, and the bounds.
#include "services/progress_hub.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace bt;

namespace {

db::run_row row(const std::string& id, run_status status) {
  db::run_row r;
  r.id = id;
  r.status = status;
  r.attempts = 1;
  return r;
}

std::string seq_of(const progress_event& e) {
  return std::to_string(boost::json::parse(e.data).at("seq").as_int64());
}

} // namespace

BOOST_AUTO_TEST_SUITE(progress_hub)

BOOST_AUTO_TEST_CASE(transitions_are_numbered_and_published_once_per_change) {
  ::bt::progress_hub hub;
  std::vector<progress_event> seen;
  auto sub = hub.subscribe("r1", 0, [&](const progress_event& e) { seen.push_back(e); });
  BOOST_TEST(sub.complete);
  BOOST_TEST(sub.missed.empty());
  hub.publish_transition(row("r1", run_status::queued), nullptr);
  hub.publish_transition(row("r1", run_status::queued), nullptr); // a sync that changed nothing
  hub.publish_transition(row("r1", run_status::running), nullptr);
  live_run live;
  live.percent = 50;
  live.bars_done = 6;
  live.bars_total = 12;
  live.net_profit_units = -123'450'000'000; // -1,234.5
  live.position_units = -300'000'000;       // short 3
  hub.publish_progress("r1", live);
  const std::string done = R"({"run_id":"r1","status":"completed","metrics":{"net_profit":1}})";
  hub.publish_transition(row("r1", run_status::completed), &done);
  BOOST_REQUIRE(seen.size() == 4u);
  BOOST_TEST(seen[0].type == "status");
  BOOST_TEST(seen[1].type == "status");
  BOOST_TEST(seen[2].type == "progress");
  BOOST_TEST(seen[3].type == "completed");
  BOOST_TEST(seen[3].terminal());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    BOOST_TEST(seen[i].seq == i + 1);
    BOOST_TEST(seq_of(seen[i]) == std::to_string(i + 1)); // "seq" inside the data too
  }
  const auto p = boost::json::parse(seen[2].data);
  BOOST_TEST(p.at("net_profit_so_far").as_double() == -1234.5);
  BOOST_TEST(p.at("open_position").as_double() == -3.0);
  BOOST_TEST(seen[2].data.find("\"net_profit_so_far\":-1234.50000000") != std::string::npos);
  BOOST_TEST(boost::json::parse(seen[3].data).at("metrics").at("net_profit").as_int64() == 1);
  // After the end, a late report of an abandoned attempt is not the run's.
  hub.publish_progress("r1", live);
  BOOST_TEST(seen.size() == 4u);
  BOOST_TEST(hub.current_seq("r1") == 4u);
}

BOOST_AUTO_TEST_CASE(progress_is_published_only_while_running) {
  ::bt::progress_hub hub;
  live_run live;
  hub.publish_progress("r2", live); // never seen running
  BOOST_TEST(hub.current_seq("r2") == 0u);
  hub.publish_transition(row("r2", run_status::running), nullptr);
  hub.publish_progress("r2", live);
  BOOST_TEST(hub.current_seq("r2") == 2u);
  hub.publish_transition(row("r2", run_status::queued), nullptr); // requeued after a crash
  hub.publish_progress("r2", live);
  BOOST_TEST(hub.current_seq("r2") == 3u);
}

BOOST_AUTO_TEST_CASE(resumption_hands_over_exactly_the_missed_events) {
  ::bt::progress_hub hub;
  hub.publish_transition(row("r3", run_status::running), nullptr);
  live_run live;
  for (int i = 0; i < 10; ++i)
    hub.publish_progress("r3", live); // seq 2..11
  std::vector<progress_event> later;
  auto sub = hub.subscribe("r3", 7, [&](const progress_event& e) { later.push_back(e); });
  BOOST_TEST(sub.complete);
  BOOST_REQUIRE(sub.missed.size() == 4u);
  BOOST_TEST(sub.missed.front().seq == 8u);
  BOOST_TEST(sub.missed.back().seq == 11u);
  hub.publish_progress("r3", live);
  BOOST_REQUIRE(later.size() == 1u);
  BOOST_TEST(later[0].seq == 12u); // nothing lost or repeated across the subscription
  hub.unsubscribe("r3", sub.id);
  hub.publish_progress("r3", live);
  BOOST_TEST(later.size() == 1u);
  // An id from the future (e.g. before a restart): not complete.
  BOOST_TEST(!hub.subscribe("r3", 99, [](const progress_event&) {}).complete);
  // Up to date: complete, nothing missed.
  auto now = hub.subscribe("r3", 13, [](const progress_event&) {});
  BOOST_TEST(now.complete);
  BOOST_TEST(now.missed.empty());
  BOOST_TEST(hub.subscribers() == 2u);
}

BOOST_AUTO_TEST_CASE(a_ring_that_lost_the_events_asks_for_a_snapshot) {
  ::bt::progress_hub hub;
  hub.publish_transition(row("r4", run_status::running), nullptr);
  live_run live;
  for (std::size_t i = 0; i < ::bt::progress_hub::ring_size + 10; ++i)
    hub.publish_progress("r4", live);
  auto sub = hub.subscribe("r4", 3, [](const progress_event&) {});
  BOOST_TEST(!sub.complete); // 4 .. 11 are gone
  BOOST_TEST(sub.missed.size() == ::bt::progress_hub::ring_size);
  BOOST_TEST(hub.subscribe("r4", 11, [](const progress_event&) {}).complete);
}

BOOST_AUTO_TEST_CASE(idle_channels_are_bounded_and_subscribed_ones_kept) {
  ::bt::progress_hub hub(64 * 1024); // room for a few idle channels
  std::vector<progress_event> seen;
  hub.subscribe("watched", 0, [&](const progress_event& e) { seen.push_back(e); });
  hub.publish_transition(row("watched", run_status::running), nullptr);
  live_run live;
  for (int run = 0; run < 2000; ++run) {
    const std::string id = "other-" + std::to_string(run);
    hub.publish_transition(row(id, run_status::running), nullptr);
    for (int i = 0; i < 10; ++i)
      hub.publish_progress(id, live);
  }
  BOOST_TEST(hub.current_seq("other-0") == 0u);     // evicted long ago
  BOOST_TEST(hub.current_seq("other-1999") == 11u); // recent: kept
  hub.publish_progress("watched", live);
  BOOST_TEST(seen.size() == 2u); // the subscribed channel was never evicted
  BOOST_TEST(hub.current_seq("watched") == 2u);
}

BOOST_AUTO_TEST_CASE(a_sweep_counts_each_chunk_once_whatever_order_syncs_come_in) {
  // Two chunks of 4 of a sweep of 8. The database's count of stored
  // configurations may include a chunk whose own sync has not come yet: the
  // progress must neither count that chunk twice nor go backwards.
  ::bt::progress_hub hub;
  std::vector<double> progress;
  std::vector<std::int64_t> done;
  hub.subscribe("sweep:S", 0, [&](const progress_event& e) {
    const auto v = boost::json::parse(e.data);
    progress.push_back(v.at("progress").to_number<double>());
    done.push_back(v.at("counts").at("done").as_int64());
  });
  const std::string doc = R"({"sweep_id":"S","status":"running","progress":0,)"
                          R"("counts":{"total":8,"done":0}})";
  for (const char* chunk : {"c1", "c2"}) {
    hub.link(chunk, "sweep:S", 4, 8, 0, true);
    hub.publish_transition(row(chunk, run_status::running), nullptr);
  }
  hub.publish_document("sweep:S", "running", doc);
  live_run live;
  live.percent = 50;
  hub.publish_progress("c1", live); // 2 of c1
  live.percent = 100;
  hub.publish_progress("c2", live); // 4 of c2: 6 of 8
  // c2 is stored; c1's sync (still running) comes first and sees it counted.
  hub.link("c1", "sweep:S", 4, 8, 4, true);
  hub.publish_document("sweep:S", "running",
                       R"({"sweep_id":"S","status":"running","progress":50,)"
                       R"("counts":{"total":8,"done":4,"completed":4}})");
  hub.link("c2", "sweep:S", 4, 8, 4, false, true);
  hub.publish_transition(row("c2", run_status::completed), nullptr);
  hub.publish_document("sweep:S", "running",
                       R"({"sweep_id":"S","status":"running","progress":50,)"
                       R"("counts":{"total":8,"done":4,"completed":4,"skipped":0}})");
  live.percent = 75;
  hub.publish_progress("c1", live); // 3 of c1: 7 of 8
  BOOST_REQUIRE(progress.size() >= 4u);
  for (std::size_t i = 1; i < progress.size(); ++i) {
    BOOST_TEST(progress[i] >= progress[i - 1], i);
    BOOST_TEST(done[i] >= done[i - 1], i);
  }
  BOOST_TEST(progress.back() == 87.5); // (4 stored + 3 running) / 8, c2 counted once
  BOOST_TEST(*std::max_element(progress.begin(), progress.end()) <= 87.5);
  BOOST_TEST(done.back() == 4);
}

BOOST_AUTO_TEST_SUITE_END()
