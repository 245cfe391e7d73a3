#pragma once
// What the command line says about the process itself, applied at the moments Kamailio applies them: the
// working directory before the config is read, the pid files once siphost runs in its final process, and
// the root directory, group and user once the sockets are open (a port below 1024 needs root to bind).

#include "core/command_line.hpp"

#include <string>

namespace siphost::app {

/// -w: changes the working directory. False with a reason.
bool enter_working_dir(const core::command_line& options, std::string& error);

/// -P and -G: writes the process id and the process group id. False with a reason.
bool write_pid_files(const core::command_line& options, std::string& error);

/// -t, -g and -u, in that order: chroot, then the group (and the user's supplementary groups), then the user.
/// Resolving names happens before the chroot, so /etc/passwd need not be inside it. False with a reason.
bool drop_privileges(const core::command_line& options, std::string& error);

/// -P and -G: removes the files written at start, when siphost stops.
void remove_pid_files(const core::command_line& options);

} // namespace siphost::app
