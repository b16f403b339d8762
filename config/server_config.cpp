#include "config/server_config.hpp"

#include <boost/program_options.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include <unistd.h>

namespace bt {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

unsigned long parse_number(const std::string& name, const std::string& v, unsigned long max) {
  std::size_t used = 0;
  unsigned long n = 0;
  try {
    n = std::stoul(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || n > max)
    throw std::invalid_argument(name + ": '" + v + "' is not a whole number up to "
                                + std::to_string(max));
  return n;
}

double parse_real(const std::string& name, const std::string& v) {
  std::size_t used = 0;
  double d = 0;
  try {
    d = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || !(d > 0))
    throw std::invalid_argument(name + ": '" + v + "' is not a positive number");
  return d;
}

// HOST:PORT (the last colon splits them); `where` says where HOST must be.
void host_and_port(const std::string& name, const std::string& v, const char* where,
                   std::string& host, std::uint16_t& port) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw std::invalid_argument(name + ": '" + v + "' must be HOST:PORT" + where);
  host = v.substr(0, colon);
  port = static_cast<std::uint16_t>(parse_number(name, v.substr(colon + 1), 65535));
}

void apply(server_config& c, const std::string& name, const std::string& v) {
  if (name == "listen") {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw std::invalid_argument("listen: '" + v + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
    c.listen_host = v.substr(0, colon);
    if (c.listen_host.size() > 2 && c.listen_host.front() == '[' && c.listen_host.back() == ']')
      c.listen_host = c.listen_host.substr(1, c.listen_host.size() - 2);
    c.listen_port = static_cast<std::uint16_t>(parse_number(name, v.substr(colon + 1), 65535));
  } else if (name == "data-dir") {
    c.data_dir = v;
  } else if (name == "database-url") {
    c.database_url = v;
  } else if (name == "io-threads") {
    c.io_threads = static_cast<unsigned>(parse_number(name, v, 256));
    if (c.io_threads == 0)
      throw std::invalid_argument("io-threads: must be at least 1");
  } else if (name == "workers") {
    c.workers = static_cast<unsigned>(parse_number(name, v, 1024));
  } else if (name == "db-connections") {
    c.db_connections = parse_number(name, v, 1000);
    if (c.db_connections == 0)
      throw std::invalid_argument("db-connections: must be at least 1");
  } else if (name == "max-user-runs") {
    c.max_user_runs = static_cast<int>(parse_number(name, v, 1000));
    if (c.max_user_runs == 0)
      throw std::invalid_argument("max-user-runs: must be at least 1");
  } else if (name == "cluster-listen") {
    host_and_port(name, v, " on loopback or a private interface", c.cluster_host, c.cluster_port);
  } else if (name == "cluster-token-file") {
    c.cluster_token_file = v;
  } else if (name == "cluster-tls-cert") {
    c.cluster_tls_cert = v;
  } else if (name == "cluster-tls-key") {
    c.cluster_tls_key = v;
  } else if (name == "cluster-tls-ca") {
    c.cluster_tls_ca = v;
  } else if (name == "watchdog-seconds") {
    c.watchdog_seconds = static_cast<unsigned>(parse_number(name, v, 86'400));
    if (c.watchdog_seconds == 0)
      throw std::invalid_argument("watchdog-seconds: must be at least 1");
  } else if (name == "queue-capacity") {
    c.queue_capacity = static_cast<std::int64_t>(parse_number(name, v, 10'000'000));
  } else if (name == "max-sweep-configurations") {
    // The domain reads stored specifications back with at most 10,000,000.
    c.max_sweep_configurations = parse_number(name, v, 10'000'000);
    if (c.max_sweep_configurations == 0)
      throw std::invalid_argument("max-sweep-configurations: must be at least 1");
  } else if (name == "quota-free" || name == "quota-pro" || name == "quota-enterprise") {
    const auto limit = static_cast<std::int64_t>(parse_number(name, v, 1'000'000));
    if (limit == 0)
      throw std::invalid_argument(name + ": must be at least 1");
    (name == "quota-free"  ? c.quota_free
     : name == "quota-pro" ? c.quota_pro
                           : c.quota_enterprise) = limit;
  } else if (name == "quota-window-seconds") {
    c.quota_window_seconds = static_cast<unsigned>(parse_number(name, v, 86'400));
    if (c.quota_window_seconds == 0)
      throw std::invalid_argument("quota-window-seconds: must be at least 1");
  } else if (name == "stream-buffer-events") {
    c.stream_buffer_events = parse_number(name, v, 65'536);
    if (c.stream_buffer_events < 16)
      throw std::invalid_argument("stream-buffer-events: must be from 16 to 65536");
  } else if (name == "run-timeout-seconds") {
    c.run_timeout_seconds = static_cast<unsigned>(parse_number(name, v, 14'400));
    if (c.run_timeout_seconds < 300)
      throw std::invalid_argument("run-timeout-seconds: must be from 300 to 14400");
  } else if (name == "run-memory-mb") {
    c.run_memory_mb = static_cast<std::int64_t>(parse_number(name, v, 1'048'576));
    if (c.run_memory_mb < 64)
      throw std::invalid_argument("run-memory-mb: must be from 64 to 1048576");
  } else if (name == "shutdown-seconds") {
    c.shutdown_seconds = static_cast<unsigned>(parse_number(name, v, 3600));
  } else if (name == "max-connections") {
    c.max_connections = parse_number(name, v, 1'000'000);
    if (c.max_connections == 0)
      throw std::invalid_argument("max-connections: must be at least 1");
  } else if (name == "max-body-bytes-in-flight") {
    c.max_body_bytes_in_flight = parse_number(name, v, 1ul << 40);
    if (c.max_body_bytes_in_flight < c.max_json_bytes)
      throw std::invalid_argument("max-body-bytes-in-flight: must be at least "
                                  + std::to_string(c.max_json_bytes));
  } else if (name == "cors-origins") {
    // Comma-separated; each an origin as browsers send it, or "*".
    c.cors_origins.clear();
    std::size_t pos = 0;
    while (pos <= v.size()) {
      const auto comma = v.find(',', pos);
      std::string o = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      while (!o.empty() && o.back() == ' ')
        o.pop_back();
      while (!o.empty() && o.front() == ' ')
        o.erase(0, 1);
      if (!o.empty()) {
        const bool origin = (o.rfind("http://", 0) == 0 || o.rfind("https://", 0) == 0)
                            && o.find('/', o.find("//") + 2) == std::string::npos;
        if (o != "*" && !origin)
          throw std::invalid_argument("cors-origins: '" + o
                                      + "' is not an origin (scheme://host[:port]) or *");
        c.cors_origins.push_back(o);
      }
      if (comma == std::string::npos)
        break;
      pos = comma + 1;
    }
  } else if (name == "metrics-listen") {
    host_and_port(name, v, "", c.metrics_host, c.metrics_port);
  } else if (name == "retention-run-days" || name == "retention-data-days"
             || name == "retention-audit-days") {
    // Up to 100 years: the cutoff in milliseconds stays far inside 64 bits.
    const auto days = static_cast<std::int64_t>(parse_number(name, v, 36'525));
    if (days == 0)
      throw std::invalid_argument(name + ": must be from 1 to 36525");
    (name == "retention-run-days"    ? c.retention_run_days
     : name == "retention-data-days" ? c.retention_data_days
                                     : c.retention_audit_days) = days;
  } else if (name == "keep-runs-per-user") {
    c.keep_runs_per_user = static_cast<std::int64_t>(parse_number(name, v, 100'000'000));
    if (*c.keep_runs_per_user == 0)
      throw std::invalid_argument("keep-runs-per-user: must be at least 1");
  } else if (name == "program-interval-ms") {
    c.program_interval_ms = static_cast<unsigned>(parse_number(name, v, 86'400'000));
  } else if (name == "purge-interval-seconds") {
    c.purge_interval_seconds = static_cast<unsigned>(parse_number(name, v, 31'536'000));
  } else if (name == "otlp-endpoint") {
    if (!v.empty() && v.rfind("http://", 0) != 0)
      throw std::invalid_argument("otlp-endpoint: '" + v
                                  + "' must be an http:// URL (OTLP/HTTP with JSON)");
    c.otlp_endpoint = v;
  } else if (name == "log-file") {
    c.log_file = v;
  } else if (name == "web-dir") {
    c.web_dir = v;
  } else if (name == "rate-limit") {
    c.rate_limit_per_second = parse_real(name, v);
    c.rate_limit_burst = 2 * c.rate_limit_per_second;
  } else {
    throw std::invalid_argument("unknown setting '" + name + "'");
  }
}

std::string env_name(const std::string& setting) {
  std::string e = "BACKTESTD_";
  for (char ch : setting)
    e += ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return e;
}

// The web assets ship next to the binary's source tree (web/node_modules).
std::string default_web_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return "web/node_modules/swagger-ui-dist";
  buf[n] = 0;
  auto exe_dir = std::filesystem::path(buf).parent_path();
  // An install tree (cmake --install: <prefix>/bin and
  // <prefix>/share/backtestd/web), then a source tree's build directories.
  for (auto dir : {exe_dir.parent_path() / "share" / "backtestd" / "web", exe_dir / "web",
                   exe_dir.parent_path() / "web", exe_dir.parent_path().parent_path() / "web"}) {
    auto candidate = dir / "node_modules" / "swagger-ui-dist";
    if (std::filesystem::exists(candidate / "swagger-ui-bundle.js"))
      return candidate.string();
  }
  return "web/node_modules/swagger-ui-dist";
}

} // namespace

const std::vector<std::string>& server_setting_names() {
  static const std::vector<std::string> names{"listen",
                                              "data-dir",
                                              "database-url",
                                              "io-threads",
                                              "workers",
                                              "db-connections",
                                              "web-dir",
                                              "cors-origins",
                                              "rate-limit",
                                              "max-user-runs",
                                              "queue-capacity",
                                              "max-sweep-configurations",
                                              "quota-free",
                                              "quota-pro",
                                              "quota-enterprise",
                                              "quota-window-seconds",
                                              "run-timeout-seconds",
                                              "stream-buffer-events",
                                              "run-memory-mb",
                                              "watchdog-seconds",
                                              "cluster-listen",
                                              "cluster-token-file",
                                              "cluster-tls-cert",
                                              "cluster-tls-key",
                                              "cluster-tls-ca",
                                              "max-connections",
                                              "max-body-bytes-in-flight",
                                              "shutdown-seconds",
                                              "metrics-listen",
                                              "retention-run-days",
                                              "retention-data-days",
                                              "retention-audit-days",
                                              "keep-runs-per-user",
                                              "purge-interval-seconds",
                                              "program-interval-ms",
                                              "otlp-endpoint",
                                              "log-file"};
  return names;
}

server_config load_server_config(int argc, char** argv, int first) {
  namespace po = boost::program_options;
  // One description for all three sources; every value is read as text and
  // validated by apply(), which names the setting in its errors.
  po::options_description desc;
  for (const auto& name : server_setting_names())
    desc.add_options()(name.c_str(), po::value<std::string>());
  po::options_description cli_desc;
  cli_desc.add(desc).add_options()("config", po::value<std::string>());
  const int style = po::command_line_style::allow_long | po::command_line_style::long_allow_adjacent
                    | po::command_line_style::long_allow_next;
  std::vector<po::option> cli;
  try {
    cli = po::command_line_parser(argc - first + 1, argv + first - 1)
              .options(cli_desc)
              .style(style)
              .run()
              .options;
  } catch (const po::unknown_option& e) {
    throw std::invalid_argument("unknown setting '" + e.get_option_name().substr(2) + "'");
  } catch (const po::invalid_command_line_syntax& e) {
    if (e.kind() == po::invalid_command_line_syntax::missing_parameter)
      throw std::invalid_argument(e.get_option_name() + " needs a value");
    throw std::invalid_argument(e.what());
  } catch (const po::error& e) {
    throw std::invalid_argument(e.what());
  }
  std::optional<std::string> config_file;
  if (const char* f = std::getenv("BACKTESTD_CONFIG"))
    config_file = f;
  for (const auto& o : cli)
    if (o.string_key == "config" && !o.value.empty())
      config_file = o.value.front();

  server_config c;
  c.web_dir = default_web_dir();
  c.workers = std::max(1u, std::thread::hardware_concurrency());
  // Lowest first: the file, then the environment, then the command line.
  if (config_file) {
    std::ifstream in(*config_file);
    if (!in)
      throw std::invalid_argument("config: cannot read " + *config_file);
    try {
      for (const auto& o : po::parse_config_file(in, desc, false).options)
        try {
          apply(c, o.string_key, o.value.empty() ? std::string() : trim(o.value.front()));
        } catch (const std::invalid_argument& e) {
          throw std::invalid_argument(*config_file + ": " + e.what());
        }
    } catch (const po::error& e) {
      throw std::invalid_argument(*config_file + ": " + e.what());
    }
  }
  const auto from_env = po::parse_environment(desc, [](const std::string& var) -> std::string {
    for (const auto& name : server_setting_names())
      if (env_name(name) == var)
        return name;
    return {};
  });
  for (const auto& o : from_env.options)
    try {
      apply(c, o.string_key, o.value.empty() ? std::string() : o.value.front());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(env_name(o.string_key) + ": " + e.what());
    }
  for (const auto& o : cli)
    if (o.string_key != "config")
      try {
        apply(c, o.string_key, o.value.empty() ? std::string() : o.value.front());
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("--" + std::string(e.what()));
      }
  if (c.cluster_tls_cert.empty() != c.cluster_tls_key.empty())
    throw std::invalid_argument("--cluster-tls-cert and --cluster-tls-key go together");
  if (!c.cluster_host.empty() && c.cluster_token_file.empty())
    throw std::invalid_argument("--cluster-listen needs --cluster-token-file");
  return c;
}

} // namespace bt
