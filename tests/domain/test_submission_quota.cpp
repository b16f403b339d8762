#include "domain/scheduling/submission_quota.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(submission_quota)

BOOST_AUTO_TEST_CASE(a_key_gets_its_limit_in_any_window_and_no_more) {
  ::bt::submission_quota q(3600s);
  const auto t0 = ::bt::submission_quota::clock::time_point(100h);
  for (int i = 0; i < 3; ++i) {
    auto t = q.take(7, 3, t0 + i * 10min);
    BOOST_TEST(t.granted);
    BOOST_TEST(t.after.remaining == 2 - i);
  }
  auto refused = q.take(7, 3, t0 + 30min);
  BOOST_TEST(!refused.granted);
  BOOST_TEST(refused.after.remaining == 0);
  // The first submission leaves the window at t0 + 60 min: 30 min from now.
  BOOST_TEST(refused.after.next_slot_in.count() == 1800);
  // One second before, still refused; at that moment, a slot is free (sliding).
  BOOST_TEST(!q.take(7, 3, t0 + 60min - 1s).granted);
  BOOST_TEST(q.take(7, 3, t0 + 60min).granted);
  BOOST_TEST(!q.take(7, 3, t0 + 60min).granted); // the second still counts until +70 min
  BOOST_TEST(q.take(7, 3, t0 + 70min).granted);
}

BOOST_AUTO_TEST_CASE(keys_and_limits_are_separate) {
  ::bt::submission_quota q(3600s);
  const auto now = ::bt::submission_quota::clock::time_point(5h);
  BOOST_TEST(q.take(1, 1, now).granted);
  BOOST_TEST(!q.take(1, 1, now).granted);
  BOOST_TEST(q.take(2, 1, now).granted); // another key has its own window
  // The limit is the caller's (the key's tier today): a raised tier counts
  // the submissions already made against the new limit.
  BOOST_TEST(q.take(1, 3, now).granted);
  BOOST_TEST(q.look(1, 3, now).remaining == 1);
}

BOOST_AUTO_TEST_CASE(a_slot_given_back_is_free_again_once) {
  ::bt::submission_quota q(60s);
  const auto now = ::bt::submission_quota::clock::time_point(1h);
  auto first = q.take(3, 2, now);
  auto second = q.take(3, 2, now + 1s);
  BOOST_TEST(!q.take(3, 2, now + 2s).granted);
  q.give_back(second); // e.g. an idempotent replay
  BOOST_TEST(!second.granted);
  q.give_back(second); // twice is once
  BOOST_TEST(q.look(3, 2, now + 2s).remaining == 1);
  auto third = q.take(3, 2, now + 2s);
  BOOST_TEST(third.granted);
  BOOST_TEST(!q.take(3, 2, now + 2s).granted);
  // The window's oldest is still the first: it frees at now + 60 s.
  BOOST_TEST(q.look(3, 2, now + 2s).next_slot_in.count() == 58);
  ::bt::submission_quota::ticket refused = q.take(3, 2, now + 3s);
  q.give_back(refused); // a refusal gives nothing back
  BOOST_TEST(q.look(3, 2, now + 3s).remaining == 0);
  (void)first;
}

BOOST_AUTO_TEST_CASE(next_slot_rounds_up_to_whole_seconds) {
  ::bt::submission_quota q(10s);
  const auto now = ::bt::submission_quota::clock::time_point(1h);
  q.take(1, 1, now);
  BOOST_TEST(q.look(1, 1, now + 1500ms).next_slot_in.count() == 9); // 8.5 s -> 9
  BOOST_TEST(q.look(1, 1, now + 2s).next_slot_in.count() == 8);
  BOOST_TEST(q.look(1, 1, now + 10s).remaining == 1); // gone at exactly the window
  BOOST_TEST(q.look(1, 1, now + 10s).next_slot_in.count() == 0);
}

BOOST_AUTO_TEST_CASE(the_memory_is_bounded_by_timestamps_held) {
  // Room for 100 timestamps (a key weighs its submissions + 1): a flood of
  // keys evicts the least recently active key's window, never grows.
  ::bt::submission_quota q(3600s, 100);
  const auto now = ::bt::submission_quota::clock::time_point(1h);
  for (std::int64_t key = 1; key <= 10'000; ++key)
    BOOST_TEST_REQUIRE(q.take(key, 5, now).granted);
  // The newest keys are still counted; the oldest were forgotten.
  BOOST_TEST(q.look(10'000, 5, now).remaining == 4);
  BOOST_TEST(q.look(1, 5, now).remaining == 5);
  // A key's own window is kept whole while it is active.
  for (int i = 0; i < 4; ++i)
    q.take(10'000, 5, now);
  BOOST_TEST(!q.take(10'000, 5, now).granted);
}

BOOST_AUTO_TEST_SUITE_END()
