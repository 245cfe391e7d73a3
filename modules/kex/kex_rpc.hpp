#pragma once
// kex's RPC commands: core.echo, core.prints, core.printi, core.pwd, core.arg, stats.fetch and stats.fetchn.

#include <siphost/module.h>

namespace siphost::modules::kex {

/// The table for the descriptor (ends with its end marker).
const siphost_rpc_command* rpc_commands();

/// The host table the handlers use (nullptr after destroy).
void set_rpc_host(const siphost_host_api* host);

} // namespace siphost::modules::kex
