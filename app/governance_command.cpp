// `backtestd purge` and `backtestd audit verify`: the retention purge and
// the audit chain's check from the command line, on the data directory's
// embedded database (running server or not) or --database-url.
#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "persistence/audit_log.hpp"
#include "persistence/embedded_postgres.hpp"
#include "persistence/retention.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <iostream>

namespace bt::app {

std::string open_database(const std::optional<std::string>& url, const std::string& data_dir,
                          std::unique_ptr<db::embedded_postgres>& embedded, bool server);

namespace {

std::int64_t days_setting(const command_line& args, const std::string& name,
                          std::int64_t fallback) {
  const auto text = setting(args, name);
  if (!text)
    return fallback;
  try {
    std::size_t used = 0;
    const long long v = std::stoll(*text, &used);
    if (used == text->size() && v >= 1 && v <= 36'525)
      return v;
  } catch (const std::exception&) {
  }
  throw usage_error("--" + name + " must be a whole number from 1 to 36525");
}

} // namespace

int purge_command(int argc, char** argv) {
  command_line args(argc, argv, 2,
                    {"data-dir", "database-url", "retention-run-days", "retention-data-days",
                     "retention-audit-days", "keep-runs-per-user"},
                    {"dry-run"});
  db::retention_policy policy;
  policy.run_days = days_setting(args, "retention-run-days", policy.run_days);
  policy.data_days = days_setting(args, "retention-data-days", policy.data_days);
  policy.audit_days = days_setting(args, "retention-audit-days", policy.audit_days);
  if (auto keep = setting(args, "keep-runs-per-user")) {
    try {
      std::size_t used = 0;
      policy.keep_runs_per_user = std::stoll(*keep, &used);
      if (used != keep->size() || *policy.keep_runs_per_user < 1)
        throw std::invalid_argument("keep");
    } catch (const std::exception&) {
      throw usage_error("--keep-runs-per-user must be a whole number of at least 1");
    }
  }
  const bool dry = args.flag("dry-run");
  const std::string data_dir = setting(args, "data-dir").value_or("./var");
  std::unique_ptr<db::embedded_postgres> embedded;
  const std::string conninfo =
      open_database(setting(args, "database-url"), data_dir, embedded, false);
  pqxx::connection c(conninfo);
  const auto start = std::chrono::steady_clock::now();
  const auto n =
      db::purge_expired(c, policy, db::wall_clock_ms(), db::load_audit_key(data_dir + "/audit.key"),
                        dry, db::audit_actor{});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << (dry ? "would remove" : "removed") << ": runs " << n.runs << ", sweeps " << n.sweeps
            << ", walk-forwards " << n.walk_forwards << ", datasets " << n.datasets
            << ", audit entries " << n.audit_entries << " (" << seconds << " s)\n";
  return exit_ok;
}

int audit_command(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "verify")
    throw usage_error("usage: backtestd audit verify [--data-dir DIR | --database-url URL]");
  command_line args(argc, argv, 3, {"data-dir", "database-url"});
  const std::string data_dir = setting(args, "data-dir").value_or("./var");
  std::unique_ptr<db::embedded_postgres> embedded;
  const std::string conninfo =
      open_database(setting(args, "database-url"), data_dir, embedded, false);
  // The server's key signs the checkpoints: without it they cannot be
  // checked, and a new key would only make every signature look forged.
  const std::string key_path = data_dir + "/audit.key";
  const auto key = db::read_audit_key(key_path);
  if (!key)
    throw std::runtime_error("no audit key at " + key_path
                             + ": the checkpoints' signatures cannot be checked; give the "
                               "server's --data-dir (its audit.key signs them)");
  pqxx::connection c(conninfo);
  const auto verdict = db::verify_audit(c, *key);
  if (verdict.intact) {
    std::cout << "audit log intact: " << verdict.checked << " entries verified\n";
    return exit_ok;
  }
  std::cout << "audit log BROKEN at entry " << verdict.broken_seq << ": " << verdict.reason << " ("
            << verdict.checked << " entries checked)\n";
  return exit_failure;
}

} // namespace bt::app
