#pragma once
// Runs the real `backtestd serve` with embedded PostgreSQL in a temporary
// data directory, and talks to it over real HTTP.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "domain/data/bar_series.hpp"
#include "domain/data/synthetic_bars.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bt::test {

namespace fs = std::filesystem;

struct http_result {
  unsigned status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  boost::json::value json() const { return boost::json::parse(body); }
  /// A header's value, or "(absent)".
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string("(absent)") : it->second;
  }
};

/// Runs a command, returning (exit code, stdout); stderr goes to `err`.
inline std::pair<int, std::string> run_command(const std::string& command,
                                               std::string* err = nullptr) {
  const std::string err_file =
      fs::temp_directory_path() / ("bt_cmd_err_" + std::to_string(::getpid()));
  FILE* p = ::popen((command + " 2>" + err_file).c_str(), "r");
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int status = ::pclose(p);
  if (err) {
    std::ifstream e(err_file);
    std::stringstream ss;
    ss << e.rdbuf();
    *err = ss.str();
  }
  fs::remove(err_file);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// Starts `args` as a child that dies with the test, its stderr appended to
/// `log` and its stdout discarded (so it never holds ctest's pipe).
inline pid_t spawn_logged(std::vector<std::string> args,
                          const std::map<std::string, std::string>& env, const std::string& log,
                          const std::string& workdir = {}) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!workdir.empty() && ::chdir(workdir.c_str()) != 0)
      ::_exit(126);
    for (const auto& [k, v] : env)
      ::setenv(k.c_str(), v.c_str(), 1);
    std::FILE* err = std::fopen(log.c_str(), "a");
    std::FILE* out = std::fopen("/dev/null", "w");
    if (err)
      ::dup2(::fileno(err), 2);
    if (out)
      ::dup2(::fileno(out), 1);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

/// Two years of synthetic GC hours (12,000 bars, seed 42) as canonical CSV.
inline const std::string& gc_hourly_csv() {
  static const std::string csv = [] {
    bt::synthetic_spec spec;
    spec.seed = 42;
    return bt::to_csv(bt::generate_bars(spec));
  }();
  return csv;
}

inline std::uint16_t free_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

class server_process {
public:
  explicit server_process(std::string data_dir = {}) : port_(free_port()) {
    if (data_dir.empty()) {
      data_dir = (fs::temp_directory_path()
                  / ("bt_srv_" + std::to_string(::getpid()) + "_" + std::to_string(port_)))
                     .string();
      fs::remove_all(data_dir);
      owns_dir_ = true;
    }
    data_dir_ = data_dir;
    fs::create_directories(data_dir_);
    ::chmod(data_dir_.c_str(), 0755);
    log_ = data_dir_ + ".log";
  }
  ~server_process() {
    stop(SIGKILL);
    // An embedded postgres left by a killed server is stopped by the next
    // start; stop it here for a clean machine.
    run_command(std::string(BACKTESTD_BINARY) + " keys list --data-dir " + data_dir_
                + " >/dev/null");
    if (owns_dir_) {
      std::error_code ec;
      fs::remove_all(data_dir_, ec);
      fs::remove(log_, ec);
    }
  }

  const std::string& data_dir() const { return data_dir_; }
  std::uint16_t port() const { return port_; }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  /// A new key; enterprise by default, whose 1,000 submissions an hour no
  /// test but the quota tests comes near.
  std::string create_key(const std::string& user, const std::string& role = "trader",
                         const std::string& tier = "enterprise") {
    std::string err;
    auto [code, out] =
        run_command(std::string(BACKTESTD_BINARY) + " keys create --user " + user + " --role "
                        + role + " --tier " + tier + " --data-dir " + data_dir_,
                    &err);
    if (code != 0)
      throw std::runtime_error("keys create failed: " + err);
    while (!out.empty() && out.back() == '\n')
      out.pop_back();
    return out;
  }

  void start(std::vector<std::string> extra = {},
             const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args{binary_,      "serve",
                                  "--listen",   "127.0.0.1:" + std::to_string(port_),
                                  "--data-dir", data_dir_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = spawn_logged(std::move(args), env, log_, workdir_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (request("GET", "/healthz").status == 200)
          return;
      } catch (const std::exception&) {
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("server exited during start-up:\n" + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("server did not become healthy:\n" + log());
  }

  /// Sends `sig` and waits for the exit; returns the exit code (-1 if killed).
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0)
      return last_exit_;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    last_exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return last_exit_;
  }
  pid_t pid() const { return pid_; }
  /// Serves with another binary (an installed one), started in `workdir`.
  void use_binary(std::string binary, std::string workdir) {
    binary_ = std::move(binary);
    workdir_ = std::move(workdir);
  }

  /// The embedded database's connection string, with its password.
  std::string conninfo() const {
    std::ifstream in(data_dir_ + "/pg-password");
    std::string password;
    std::getline(in, password);
    return "host=" + data_dir_ + "/pg-run port=5432 user=backtestd password=" + password
           + " dbname=backtestd";
  }

  /// Runs SQL on the embedded database (psql, tab-separated, no header).
  std::string sql(const std::string& statement) const {
    auto [code, out] = run_command("psql \"" + conninfo() + "\" -tAc \"" + statement + "\"");
    if (code != 0)
      throw std::runtime_error("psql failed: " + statement);
    while (!out.empty() && out.back() == '\n')
      out.pop_back();
    return out;
  }

  http_result request(const std::string& method, const std::string& target,
                      const std::string& key = {}, const std::string& body = {},
                      const std::string& content_type = {},
                      const std::map<std::string, std::string>& headers = {}) const {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(120));
    stream.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!key.empty())
      req.set("X-API-Key", key);
    if (!content_type.empty())
      req.set(http::field::content_type, content_type);
    for (const auto& [k, v] : headers)
      req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    parser.skip(method == "HEAD"); // its Content-Length announces a body never sent
    http::read(stream, buffer, parser);
    http_result r;
    r.status = parser.get().result_int();
    for (const auto& f : parser.get())
      r.headers[std::string(f.name_string())] = std::string(f.value());
    r.body = parser.get().body();
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return r;
  }

  /// Sends `bytes` as they are (a hand-made request) and reads one response;
  /// status 0 when the server closed without answering within `seconds`.
  http_result raw_request(const std::string& bytes, int seconds = 10) const {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(seconds));
    stream.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    http_result r;
    beast::error_code ec;
    boost::asio::write(stream, boost::asio::buffer(bytes), ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    http::read(stream, buffer, parser, ec);
    if (ec && !parser.is_header_done())
      return r;
    r.status = parser.get().result_int();
    for (const auto& f : parser.get())
      r.headers[std::string(f.name_string())] = std::string(f.value());
    r.body = parser.get().body();
    return r;
  }

private:
  std::uint16_t port_;
  std::string data_dir_, log_;
  std::string binary_ = BACKTESTD_BINARY, workdir_;
  bool owns_dir_ = false;
  pid_t pid_ = -1;
  int last_exit_ = -1;
};

} // namespace bt::test

namespace bt::test {

/// A running server with two traders, alice and bob, for isolation tests.
struct two_user_server {
  server_process server;
  std::string alice, bob;
  two_user_server() {
    alice = server.create_key("alice");
    bob = server.create_key("bob");
    server.start();
  }
};

/// The backtest API as a test uses it: submit, read, wait for a state.
struct run_client {
  server_process& s;
  std::string key;

  std::string submit(const std::string& json) const {
    auto r = s.request("POST", "/v1/backtest", key, json, "application/json");
    if (r.status != 202)
      throw std::runtime_error("submission failed: " + r.body);
    return std::string(r.json().at("run_id").as_string());
  }
  boost::json::value run(const std::string& id) const {
    return s.request("GET", "/v1/backtest/" + id, key).json();
  }
  std::string status(const std::string& id) const {
    return std::string(run(id).at("status").as_string());
  }
  /// Polls until the run reaches one of `states` (or the time is up).
  boost::json::value wait(const std::string& id,
                          const std::set<std::string>& states = {"completed", "failed",
                                                                 "cancelled"},
                          double seconds = 60) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (true) {
      auto r = run(id);
      if (states.count(std::string(r.at("status").as_string()))
          || std::chrono::steady_clock::now() > deadline)
        return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
};

} // namespace bt::test
