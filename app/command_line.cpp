#include "app/command_line.hpp"

#include "domain/data/timestamp.hpp"
#include "domain/research/sweep.hpp"

#include <boost/json.hpp>

#include <boost/program_options.hpp>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bt::app {

command_line::command_line(int argc, char** argv, int first, const std::set<std::string>& valued,
                           const std::set<std::string>& flags) {
  namespace po = boost::program_options;
  po::options_description desc;
  for (const auto& name : valued)
    desc.add_options()(name.c_str(), po::value<std::string>());
  for (const auto& name : flags)
    desc.add_options()(name.c_str(), po::bool_switch());
  // Long options only, `--name value` or `--name=value`, never abbreviated
  // (a prefix must not silently select another option).
  const int style = po::command_line_style::allow_long | po::command_line_style::long_allow_adjacent
                    | po::command_line_style::long_allow_next;
  po::variables_map vm;
  try {
    // The parser skips its first element as the program name.
    po::store(po::command_line_parser(argc - first + 1, argv + first - 1)
                  .options(desc)
                  .style(style)
                  .run(),
              vm);
  } catch (const po::unknown_option& e) {
    throw usage_error("unknown option " + e.get_option_name());
  } catch (const po::invalid_command_line_syntax& e) {
    if (e.kind() == po::invalid_command_line_syntax::missing_parameter)
      throw usage_error(e.get_option_name() + " needs a value");
    if (e.kind() == po::invalid_command_line_syntax::extra_parameter)
      throw usage_error(e.get_option_name() + " takes no value");
    throw usage_error(e.what());
  } catch (const po::too_many_positional_options_error&) {
    throw usage_error("unexpected argument (options are --name value)");
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  for (const auto& [name, value] : vm) {
    if (flags.count(name)) {
      if (value.as<bool>())
        flags_.insert(name);
    } else {
      values_[name] = value.as<std::string>();
    }
  }
}

std::optional<std::string> command_line::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    return std::nullopt;
  return it->second;
}

std::string command_line::require(const std::string& name) const {
  auto v = get(name);
  if (!v)
    throw usage_error("--" + name + " is required");
  return *v;
}

void report_error(const char* command, const char* message, bool usage) {
  std::cerr << "backtestd " << command << ": " << (usage ? "" : "error: ") << message << '\n';
}

file_text::file_text(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw usage_error("cannot read " + path + ": " + std::strerror(errno));
  auto fail = [&](int e) {
    ::close(fd);
    throw usage_error("cannot read " + path + ": " + std::strerror(e));
  };
  struct ::stat st {};
  if (::fstat(fd, &st) != 0)
    fail(errno);
  if (S_ISREG(st.st_mode)) {
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      // MAP_POPULATE maps every page in one call instead of one fault each.
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p == MAP_FAILED)
        fail(errno);
      mapping_ = p;
      data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return;
  }
  std::size_t used = 0;
  read_.resize(65536);
  while (true) {
    if (used == read_.size())
      read_.resize(read_.size() * 2);
    const ssize_t n = ::read(fd, read_.data() + used, read_.size() - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail(errno);
    }
    if (n == 0)
      break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  read_.resize(used);
  data_ = read_.data();
  size_ = read_.size();
}

file_text::~file_text() {
  if (mapping_)
    ::munmap(mapping_, size_);
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(e));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
}

std::string pretty_json(const std::string& s) {
  std::string out;
  out.reserve(s.size() * 2);
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out += '\n';
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < s.size())
        out += s[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
    case '"':
      in_string = true;
      out += c;
      break;
    case '{':
    case '[':
      out += c;
      if (i + 1 < s.size() && (s[i + 1] == '}' || s[i + 1] == ']')) {
        out += s[++i];
        break;
      }
      ++depth;
      newline();
      break;
    case '}':
    case ']':
      --depth;
      newline();
      out += c;
      break;
    case ',':
      out += c;
      newline();
      break;
    case ':':
      out += ": ";
      break;
    default:
      out += c;
    }
  }
  out += '\n';
  return out;
}

std::uint64_t parse_count(const std::string& name, const std::string& text, std::uint64_t max) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-' || v > max)
    throw usage_error("--" + name + " must be a whole number from 0 to " + std::to_string(max)
                      + ", got '" + text + "'");
  return v;
}

boost::json::value parse_json_option(const command_line& args, const std::string& name) {
  auto text = args.get(name);
  if (!text)
    return nullptr;
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec)
    throw usage_error("--" + name + " is not valid JSON: " + ec.message());
  if (!v.is_object())
    throw usage_error("--" + name + " must be a JSON object, e.g. '{\"atr_period\": 20}'");
  return v;
}

std::optional<unix_time> parse_time_option(const command_line& args, const std::string& name) {
  auto text = args.get(name);
  if (!text)
    return std::nullopt;
  unix_time t = 0;
  switch (parse_range_bound(*text, name == "to" ? range_bound::end : range_bound::start, t)) {
  case timestamp_parse::ok:
    return t;
  case timestamp_parse::non_utc_offset:
    throw usage_error("--" + name + " '" + *text + "' has a non-UTC offset");
  case timestamp_parse::invalid:
    break;
  }
  throw usage_error("--" + name + " '" + *text
                    + "' is not a UTC timestamp (e.g. 2024-01-02T13:00:00Z)");
}

void print_document(const command_line& args, std::string compact) {
  std::string document = args.flag("pretty") ? pretty_json(compact) : std::move(compact);
  document += '\n'; // in place: a document can be megabytes
  std::cout << document;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

boost::json::value read_json_file(const std::string& path) {
  const file_text text(path);
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(text.text(), ec);
  if (ec)
    throw usage_error(path + " is not valid JSON: " + ec.message());
  return v;
}

void report_field_errors(const char* command, const std::string& where,
                         const field_errors& errors) {
  for (const auto& e : errors)
    std::cerr << "backtestd " << command << ": " << (where.empty() ? "" : where + ": ")
              << (e.field.empty() ? "" : e.field + ": ") << e.message << '\n';
}

unsigned threads_option(const command_line& args) {
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  if (auto text = args.get("threads")) {
    threads = static_cast<unsigned>(parse_count("threads", *text, 256));
    if (threads < 1)
      throw usage_error("--threads must be at least 1");
  }
  return threads;
}

std::size_t max_configurations_option(const command_line& args) {
  std::size_t max = default_max_sweep_configurations;
  if (auto text = args.get("max-configurations")) {
    max = parse_count("max-configurations", *text, absolute_max_sweep_configurations);
    if (max < 1)
      throw usage_error("--max-configurations must be at least 1");
  }
  return max;
}

std::optional<std::filesystem::path> output_directory(const command_line& args) {
  auto out = args.get("out");
  if (!out)
    return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(*out, ec);
  if (ec)
    throw std::runtime_error("cannot create " + *out + ": " + ec.message());
  return std::filesystem::path(*out);
}

std::optional<std::string> setting(const command_line& args, const std::string& name) {
  if (auto v = args.get(name))
    return v;
  std::string env = "BACKTESTD_";
  for (char ch : name)
    env += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (const char* e = std::getenv(env.c_str()))
    return std::string(e);
  return std::nullopt;
}

} // namespace bt::app
