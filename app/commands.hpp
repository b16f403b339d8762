#pragma once
// The subcommands of the backtestd binary. Each returns the process exit code.

#include "app/command_line.hpp"

#include <exception>

namespace bt::app {

// In the binary itself: they need the engine and nothing of the server.
int run_command(int argc, char** argv);
int sweep_command(int argc, char** argv);
int walk_forward_command(int argc, char** argv);
int monte_carlo_command(int argc, char** argv);
int regress_command(int argc, char** argv);
int gen_data_command(int argc, char** argv);
int strategies_command(int argc, char** argv);

// In the server module (backtestd-server.so), loaded only for them.
int serve_command(int argc, char** argv);
int keys_command(int argc, char** argv);
int worker_command(int argc, char** argv);
int purge_command(int argc, char** argv);
int audit_command(int argc, char** argv);

/// Loads the server module next to the binary and runs argv[1] there.
int server_module_command(int argc, char** argv);

/// Runs a command, turning its exceptions into the documented exit codes
/// and a message on standard error (a usage_error: 2, anything else: 1).
template <class Command>
int run_guarded(const char* name, Command command) {
  try {
    return command();
  } catch (const usage_error& e) {
    report_error(name, e.what(), true);
    return exit_usage;
  } catch (const std::exception& e) {
    report_error(name, e.what(), false);
    return exit_failure;
  }
}

} // namespace bt::app
