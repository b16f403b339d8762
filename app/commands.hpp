#pragma once
// The subcommands of the backtestd binary. Each returns the process exit code.

namespace bt::app {

int run_command(int argc, char** argv);
int gen_data_command(int argc, char** argv);
int strategies_command(int argc, char** argv);
int serve_command(int argc, char** argv);
int keys_command(int argc, char** argv);
int worker_command(int argc, char** argv);

/// The engine version, for logs.
const char* engine_version_text();

} // namespace bt::app
