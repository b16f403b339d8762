#pragma once
// The subcommands of the backtestd binary. Each returns the process exit code.

namespace bt::app {

int run_command(int argc, char** argv);
int gen_data_command(int argc, char** argv);
int strategies_command(int argc, char** argv);

} // namespace bt::app
