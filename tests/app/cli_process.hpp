#pragma once
// Runs the real backtestd binary for the CLI suites: exit code, standard
// output and standard error, in a temporary directory of its own.

#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace bt::test {

namespace fs = std::filesystem;

struct outcome {
  int code;
  std::string out;
  std::string err;
};

inline outcome run(const std::string& args) {
  static int n = 0;
  const fs::path err_file =
      fs::temp_directory_path()
      / ("backtestd_cli_err_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
  const std::string command =
      std::string(BACKTESTD_BINARY) + " " + args + " 2>" + err_file.string();
  outcome o{};
  FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe);
  std::array<char, 65536> buf;
  std::size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
    o.out.append(buf.data(), got);
  int status = ::pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  o.err = ss.str();
  fs::remove(err_file);
  return o;
}

struct temp_dir {
  fs::path path;
  temp_dir() : path(fs::temp_directory_path() / ("backtestd_cli_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace bt::test
