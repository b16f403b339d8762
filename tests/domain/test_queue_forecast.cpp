#include "domain/scheduling/queue_forecast.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using namespace bt;

BOOST_AUTO_TEST_SUITE(queue_forecast)

BOOST_AUTO_TEST_CASE(the_per_user_limit_keeps_idle_workers_idle) {
  // Two workers, one run per user: A's second and third runs wait for the
  // first, although the second worker is idle.
  forecast_input in;
  in.workers = 2;
  in.per_user_limit = 1;
  in.run_seconds = 2;
  in.running = {{1, 1.5}};
  in.queued = {{"a2", 1, 0}, {"a3", 1, 0}, {"b1", 2, 0}};
  const auto f = forecast_queue(in);
  BOOST_REQUIRE(f.size() == 3u);
  BOOST_TEST(f[2].position == 1); // b1 passes A's runs and starts at once
  BOOST_TEST(f[2].starts_in_seconds == 0.0);
  BOOST_TEST(f[0].position == 2);
  BOOST_TEST(f[0].starts_in_seconds == 1.5);
  BOOST_TEST(f[0].eta_seconds == 3.5);
  BOOST_TEST(f[1].position == 3);
  BOOST_TEST(f[1].eta_seconds == 5.5);
}

BOOST_AUTO_TEST_CASE(fifo_across_workers) {
  forecast_input in;
  in.workers = 2;
  in.per_user_limit = 3;
  in.run_seconds = 10;
  in.queued = {{"r1", 1, 0}, {"r2", 2, 0}, {"r3", 3, 0}, {"r4", 4, 0}, {"r5", 5, 0}};
  const auto f = forecast_queue(in);
  BOOST_TEST(f[0].eta_seconds == 10.0);
  BOOST_TEST(f[1].eta_seconds == 10.0);
  BOOST_TEST(f[2].eta_seconds == 20.0);
  BOOST_TEST(f[4].eta_seconds == 30.0);
  BOOST_TEST(f[4].position == 5);
}

BOOST_AUTO_TEST_CASE(retry_backoff_delays_a_run) {
  forecast_input in;
  in.workers = 1;
  in.run_seconds = 1;
  in.queued = {{"later", 1, 5}, {"now", 2, 0}};
  const auto f = forecast_queue(in);
  BOOST_TEST(f[1].position == 1);
  BOOST_TEST(f[0].starts_in_seconds == 5.0);
}

BOOST_AUTO_TEST_CASE(no_workers_or_no_history_is_no_forecast) {
  forecast_input in;
  in.workers = 0;
  in.run_seconds = 2;
  in.queued = {{"x", 1, 0}};
  BOOST_TEST(forecast_queue(in).empty());
  BOOST_TEST(!forecast_run(in, "x"));
  in.workers = 1;
  in.run_seconds = 0;
  BOOST_TEST(!forecast_run(in, "x"));
  in.run_seconds = 1;
  BOOST_TEST(forecast_run(in, "x")->eta_seconds == 1.0);
  BOOST_TEST(!forecast_run(in, "missing"));
}

BOOST_AUTO_TEST_CASE(one_run_s_forecast_stops_early_and_agrees_with_the_whole_queue) {
  // forecast_run replays only until its run starts; with users at their
  // limit, backoffs and running runs it must still give what the whole
  // replay gives, for every run of the queue.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    forecast_input in;
    in.workers = 1 + rng() % 4;
    in.per_user_limit = 1 + static_cast<int>(rng() % 3);
    in.run_seconds = 0.5 + rng() % 20;
    for (unsigned r = rng() % 5; r > 0; --r)
      in.running.push_back({static_cast<std::int64_t>(rng() % 4), (rng() % 100) / 10.0});
    const unsigned n = 1 + rng() % 60;
    for (unsigned i = 0; i < n; ++i)
      in.queued.push_back({"r" + std::to_string(i), static_cast<std::int64_t>(rng() % 4),
                           rng() % 4 == 0 ? (rng() % 50) / 10.0 : 0.0});
    const auto all = forecast_queue(in);
    BOOST_TEST_REQUIRE(all.size() == n);
    for (unsigned i = 0; i < n; ++i) {
      const auto one = forecast_run(in, in.queued[i].run_id);
      BOOST_TEST_REQUIRE(one.has_value());
      BOOST_TEST(one->position == all[i].position);
      BOOST_TEST(one->starts_in_seconds == all[i].starts_in_seconds);
      BOOST_TEST(one->eta_seconds == all[i].eta_seconds);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
