#pragma once
// The host table of module.h, filled in one place. Each file of this folder adapts one group of the table (or
// one capability sub-table) to the host's C++ services: nothing here decides how a message is handled, it
// only converts between the C ABI and the service that does.
//
// The table is one per process (C function pointers carry no object), so the adapters reach the services
// through host_parts, which start-up fills as the parts come to exist; a function whose part is missing
// fails as documented (returns an error, or NULL).

#include "abi/sip_table.hpp"
#include "message/message_context.hpp"

#include <siphost/module.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace siphost::flow {
class runtime;
}
namespace siphost::script {
class interpreter;
}
namespace siphost::plugin {
class module_registry;
}

namespace siphost::abi {

struct host_parts {
    flow::runtime* runtime = nullptr;                 ///< sending, resolving, hooks, the pipeline
    const script::interpreter* interpreter = nullptr; ///< the running script (routes, pseudo-variables)
    plugin::module_registry* registry = nullptr;      ///< declared events
    /// The route blocks of the config that was read but not compiled yet (init runs before the fixups, and
    /// route_lookup answers from these until the interpreter exists).
    std::vector<std::pair<uint32_t, std::string>> routes_read;
};

/// The most branches of one relay, the Request-URI's included (Kamailio's default): limit(BRANCHES).
inline constexpr int64_t max_branches = static_cast<int64_t>(siphost::max_branches);

/// The process's parts, for the adapters and for start-up to fill.
host_parts& parts();

/// The process's host table, complete from the first call.
const siphost_host_api* host_table();

// Each adapter file fills its part of the table.
void fill_process_functions(siphost_host_api& api);
void fill_message_functions(siphost_host_api& api);
void fill_avp_functions(siphost_host_api& api);
void fill_transport_functions(siphost_host_api& api);
void fill_script_functions(siphost_host_api& api);
const siphost_msgctx_api* msgctx_table();
const siphost_async_api* async_table();
const siphost_metrics_api* metrics_table();
/// [1.3] host->metric_walk (metrics_functions.cpp).
int metric_walk(int (*fn)(const siphost_metric_info* info, void* visit_data), void* visit_data);
const siphost_rpc_api* rpc_table();
const siphost_events_api* events_table();

} // namespace siphost::abi
