// backtestd: one binary, one subcommand per job.

#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "domain/engine/run_config.hpp"

#include <cstring>
#include <iostream>

namespace {

const char* usage =
    "usage: backtestd <command> [options]\n"
    "\n"
    "commands:\n"
    "  run         run a backtest on a CSV file and print the result as JSON\n"
    "              --data FILE.csv --symbol SYM [--timeframe 1h] [--data-timeframe 1h]\n"
    "              [--strategy NAME]\n"
    "              [--params JSON] [--execution JSON] [--from T] [--to T] [--out DIR] [--pretty]\n"
    "  sweep       run every configuration of a search space on a CSV file (the bars\n"
    "              read once); print each one's metrics and the best as JSON\n"
    "              --data FILE.csv --spec SWEEP.json [--data-timeframe 1h] [--threads N]\n"
    "              [--max-configurations N] [--pretty]\n"
    "  walk-forward sweep each fold's train window, run its best on the test window after\n"
    "              it; print the folds and the stitched out-of-sample account as JSON\n"
    "              --data FILE.csv --spec WF.json [--data-timeframe 1h] [--threads N]\n"
    "              [--max-configurations N] [--out DIR] [--pretty]\n"
    "  monte-carlo run a backtest as `run` does, then a Monte Carlo of its trades or daily\n"
    "              returns: the options of run and --spec MC.json ({simulations, method,\n"
    "              seed, block_days, ruin_drawdown_pct})\n"
    "  regress     run the golden-result cases of a manifest and report every difference\n"
    "              [--golden tests/golden] [--update --reason TEXT]\n"
    "  gen-data    write synthetic OHLCV CSV on the symbol's trading calendar\n"
    "              --symbol SYM --bars N --seed S [--start T] [--timeframe 1h] [--out FILE]\n"
    "  strategies  print every strategy with its parameter schema as JSON\n"
    "  serve       run the HTTP service (embedded PostgreSQL unless --database-url)\n"
    "              [--listen 127.0.0.1:8080] [--data-dir ./var] [--database-url URL]\n"
    "              [--io-threads N] [--workers N] [--db-connections N] [--rate-limit R]\n"
    "              [--max-user-runs N] [--queue-capacity N] [--watchdog-seconds N]\n"
    "              [--max-sweep-configurations N] [--quota-free N] [--quota-pro N]\n"
    "              [--quota-enterprise N] [--quota-window-seconds N]\n"
    "              [--run-timeout-seconds N] [--run-memory-mb N] [--stream-buffer-events N]\n"
    "              [--cluster-listen HOST:PORT --cluster-token-file FILE]\n"
    "              [--metrics-listen HOST:PORT] [--otlp-endpoint URL] [--log-file PATH]\n"
    "              [--retention-run-days N] [--retention-data-days N]\n"
    "              [--retention-audit-days N] [--keep-runs-per-user N]\n"
    "              [--purge-interval-seconds N] [--program-interval-ms N]\n"
    "              [--web-dir DIR] [--cors-origins LIST] [--config FILE];\n"
    "              also BACKTESTD_<SETTING> variables\n"
    "  worker      run a worker node: --join HOST:PORT --cluster-token-file FILE\n"
    "              [--workers N] [--node-id ID] [--run-timeout-seconds N] [--run-memory-mb N]\n"
    "  keys        manage API keys: create --user NAME [--role "
    "viewer|analyst|trader|auditor|admin]\n"
    "              [--tier free|pro|enterprise], list, revoke ID, set-tier ID TIER,\n"
    "              set-role ID ROLE; with [--data-dir DIR | --database-url URL]\n"
    "  purge       remove what the retention policy says has expired (runs 90 days,\n"
    "              market data 30 days after its last upload, audit entries 5 years)\n"
    "              [--dry-run] [--retention-run-days N] [--retention-data-days N]\n"
    "              [--retention-audit-days N] [--keep-runs-per-user N]\n"
    "              [--data-dir DIR | --database-url URL]\n"
    "  audit       verify: walk the audit log's hash chain, report the first broken link\n"
    "              [--data-dir DIR | --database-url URL]\n"
    "  version     print the engine version\n"
    "\n"
    "exit codes: 0 success, 1 failure, 2 invalid arguments or parameters, 3 invalid data\n";

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")
      || !std::strcmp(argv[1], "help")) {
    std::cout << usage;
    return argc < 2 ? bt::app::exit_usage : bt::app::exit_ok;
  }
  const std::string command = argv[1];
  if (command == "serve" || command == "keys" || command == "worker" || command == "purge"
      || command == "audit")
    return bt::app::server_module_command(argc, argv);
  return bt::app::run_guarded(argv[1], [&] {
    if (command == "run")
      return bt::app::run_command(argc, argv);
    if (command == "sweep")
      return bt::app::sweep_command(argc, argv);
    if (command == "walk-forward")
      return bt::app::walk_forward_command(argc, argv);
    if (command == "monte-carlo")
      return bt::app::monte_carlo_command(argc, argv);
    if (command == "regress")
      return bt::app::regress_command(argc, argv);
    if (command == "gen-data")
      return bt::app::gen_data_command(argc, argv);
    if (command == "strategies")
      return bt::app::strategies_command(argc, argv);
    if (command == "version" || command == "--version") {
      std::cout << bt::engine_version() << '\n';
      return static_cast<int>(bt::app::exit_ok);
    }
    std::cerr << "backtestd: unknown command '" << command << "'\n\n" << usage;
    return static_cast<int>(bt::app::exit_usage);
  });
}
