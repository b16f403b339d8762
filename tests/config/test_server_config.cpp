#include "config/server_config.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

// argv for load_server_config("serve", ...), first = 2.
struct args {
  std::vector<std::string> words;
  std::vector<char*> ptrs;
  explicit args(std::vector<std::string> w) : words(std::move(w)) {
    words.insert(words.begin(), {"backtestd", "serve"});
    for (auto& s : words)
      ptrs.push_back(s.data());
  }
  bt::server_config load() {
    return bt::load_server_config(static_cast<int>(ptrs.size()), ptrs.data(), 2);
  }
};

// Sets environment variables for one test, and removes them after.
struct env_guard {
  std::vector<std::string> names;
  void set(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    names.push_back(name);
  }
  ~env_guard() {
    for (const auto& n : names)
      ::unsetenv(n.c_str());
  }
};

std::string write_config(const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / ("bt_config_test_" + std::to_string(::getpid()));
  std::ofstream(path) << text;
  return path.string();
}

std::string error_of(args a) {
  try {
    a.load();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

} // namespace

BOOST_AUTO_TEST_SUITE(server_config)

BOOST_AUTO_TEST_CASE(defaults) {
  auto c = args({}).load();
  BOOST_TEST(c.listen_host == "127.0.0.1");
  BOOST_TEST(c.listen_port == 8080);
  BOOST_TEST(c.data_dir == "./var");
  BOOST_TEST(!c.database_url);
  BOOST_TEST(c.rate_limit_per_second == 200.0);
  BOOST_TEST(c.max_connections == 1024u);
}

BOOST_AUTO_TEST_CASE(command_line_over_environment_over_file_over_defaults) {
  env_guard env;
  const std::string file = write_config("# a comment\n"
                                        "listen = 127.0.0.1:9001\n"
                                        "workers = 3\n"
                                        "queue-capacity = 77   # trailing comment\n"
                                        "rate-limit = 50\n");
  env.set("BACKTESTD_CONFIG", file);
  env.set("BACKTESTD_WORKERS", "5");
  env.set("BACKTESTD_RATE_LIMIT", "60");
  auto c = args({"--rate-limit", "70"}).load();
  BOOST_TEST(c.listen_port == 9001);           // file
  BOOST_TEST(c.queue_capacity == 77);          // file
  BOOST_TEST(c.workers == 5u);                 // environment over file
  BOOST_TEST(c.rate_limit_per_second == 70.0); // command line over both
  BOOST_TEST(c.rate_limit_burst == 140.0);
  // --config on the command line wins over BACKTESTD_CONFIG.
  const std::string other = write_config("queue-capacity = 12\n");
  auto d = args({"--config=" + other}).load();
  BOOST_TEST(d.queue_capacity == 12);
  std::filesystem::remove(file);
}

BOOST_AUTO_TEST_CASE(errors_name_the_setting_and_its_source) {
  env_guard env;
  BOOST_TEST(error_of(args({"--workers", "many"})).find("workers") != std::string::npos);
  BOOST_TEST(error_of(args({"--frobnicate", "1"})).find("unknown setting 'frobnicate'")
             != std::string::npos);
  BOOST_TEST(error_of(args({"--listen"})).find("needs a value") != std::string::npos);
  BOOST_TEST(error_of(args({"--max-connections", "0"})).find("max-connections")
             != std::string::npos);
  BOOST_TEST(error_of(args({"--cluster-listen", "127.0.0.1:4242"})).find("cluster-token-file")
             != std::string::npos);
  env.set("BACKTESTD_IO_THREADS", "0");
  BOOST_TEST(error_of(args({})).find("BACKTESTD_IO_THREADS") != std::string::npos);
  ::unsetenv("BACKTESTD_IO_THREADS");
  const std::string file = write_config("shutdown-seconds = forever\n");
  const std::string e = error_of(args({"--config", file}));
  BOOST_TEST(e.find(file) != std::string::npos, e);
  BOOST_TEST(e.find("shutdown-seconds") != std::string::npos, e);
  std::filesystem::remove(file);
  // No abbreviations: --work is not --workers.
  BOOST_TEST(!error_of(args({"--work", "2"})).empty());
}

BOOST_AUTO_TEST_CASE(quotas_and_cors_origins) {
  env_guard env;
  auto c = args({}).load();
  BOOST_TEST(c.quota_free == 10);
  BOOST_TEST(c.quota_pro == 100);
  BOOST_TEST(c.quota_enterprise == 1000);
  BOOST_TEST(c.quota_window_seconds == 3600u);
  BOOST_TEST(c.cors_origins.empty()); // no origin allowed by default
  c = args({"--quota-pro", "7", "--quota-window-seconds", "60", "--cors-origins",
            "https://app.example.com, http://localhost:5173"})
          .load();
  BOOST_TEST(c.quota_pro == 7);
  BOOST_TEST(c.quota_window_seconds == 60u);
  BOOST_TEST(c.cors_origins.size() == 2u);
  BOOST_TEST(c.cors_origins[1] == "http://localhost:5173");
  BOOST_TEST(error_of(args({"--quota-free", "0"})).find("quota-free") != std::string::npos);
  BOOST_TEST(error_of(args({"--cors-origins", "https://a.example.com/path"})).find("not an origin")
             != std::string::npos);
  BOOST_TEST(error_of(args({"--cors-origins", "example.com"})).find("cors-origins")
             != std::string::npos);
  // A run's limits: 1 hour and 4 GiB by default, within their ranges.
  BOOST_TEST(args({}).load().run_timeout_seconds == 3600u);
  BOOST_TEST(args({}).load().run_memory_mb == 4096);
  BOOST_TEST(error_of(args({"--run-timeout-seconds", "299"})).find("300 to 14400")
             != std::string::npos);
  BOOST_TEST(error_of(args({"--run-timeout-seconds", "14401"})).find("run-timeout-seconds")
             != std::string::npos);
  BOOST_TEST(error_of(args({"--run-memory-mb", "63"})).find("64 to") != std::string::npos);
  BOOST_TEST(args({}).load().stream_buffer_events == 1024u);
  BOOST_TEST(error_of(args({"--stream-buffer-events", "15"})).find("16 to 65536")
             != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
