#pragma once
// The core's own RPC commands, as Kamailio's core and kex answer them to kamcmd: introspection
// (system.listMethods, system.methodHelp, system.methodSignature), core.version, core.uptime, core.ps,
// core.psx, core.info, core.shmmem, core.tcp_info, and the statistics over core::metric_registry
// (stats.get_statistics, stats.reset_statistics, stats.clear_statistics), and siphost's own siphost.reload
// (the routing script's hot reload, app/script_reloader.hpp). Registered under module "core".
#include <cstddef>
#include <functional>
#include <string>

namespace siphost::app {

/// What the core commands read from the running server; each may be left empty (then it reads as zero).
struct core_rpc_sources {
    std::function<size_t()> tcp_connections; ///< open TCP connections
    int tcp_max_connections = 0;             ///< 0: TCP is not served
    int tcp_readers = 0;                     ///< io threads serving TCP
};

/// Registers the commands (before the modules load, so that a module cannot take their names; again in one
/// process is harmless) and notes the start time for core.uptime.
void install_core_rpcs();
/// What core.tcp_info reports from now on; reset with {} before the transport goes away.
void set_core_rpc_sources(core_rpc_sources sources);
struct reload_answer;
/// What siphost.reload runs (on the control thread; it waits for the main thread's answer); empty when no
/// server runs a script (then the command is a fault).
void set_reload_handler(std::function<reload_answer()> handler);

/// Names the calling thread for core.ps and core.psx (Kamailio names processes so: "udp receiver child=0").
void note_thread(int kind, int index);

} // namespace siphost::app
