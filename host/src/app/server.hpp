#pragma once
// siphost from start to stop: read the config (loading modules as it goes), check it, initialise modules,
// start the workers and the timer thread, wait for SIGINT/SIGTERM, then stop in reverse order.

#include "core/command_line.hpp"

namespace siphost::app {

/// Runs siphost as the command line says; returns the process exit status.
int run_server(const core::command_line& options);

/// `siphost -c`: prints the diagnostics and a one-line summary; 0 when the config is valid, 1 otherwise.
int check_config(const core::command_line& options);

/// `siphost --cfg-print`: the config as the preprocessor leaves it, on stdout; 1 when it cannot be read.
int print_config(const core::command_line& options);

} // namespace siphost::app
