// The server side of the binary: serve, worker and keys, with everything
// they need (CAF, Beast, libpq and some thirty libraries behind them). It is
// a module the binary loads only for these commands, so that `run`,
// `gen-data`, `strategies` and `version` start without mapping any of it.

#include "app/commands.hpp"

#include <cstring>

extern "C" __attribute__((visibility("default"))) int backtestd_server_main(int argc, char** argv) {
  using namespace bt::app;
  return run_guarded(argv[1], [&] {
    if (!std::strcmp(argv[1], "serve"))
      return serve_command(argc, argv);
    if (!std::strcmp(argv[1], "keys"))
      return keys_command(argc, argv);
    if (!std::strcmp(argv[1], "worker"))
      return worker_command(argc, argv);
    if (!std::strcmp(argv[1], "purge"))
      return purge_command(argc, argv);
    if (!std::strcmp(argv[1], "audit"))
      return audit_command(argc, argv);
    report_error(argv[1], "not a server command", true);
    return static_cast<int>(exit_usage);
  });
}
