#include "abi/host_table.hpp"

namespace siphost::abi {

host_parts& parts() {
    static host_parts instance;
    return instance;
}

const siphost_host_api* host_table() {
    static const siphost_host_api table = [] {
        siphost_host_api api{};
        api.struct_size = sizeof api;
        api.abi_major = SIPHOST_ABI_MAJOR;
        api.abi_minor = SIPHOST_ABI_MINOR;
        fill_process_functions(api);
        fill_message_functions(api);
        fill_avp_functions(api);
        fill_transport_functions(api);
        fill_script_functions(api);
        api.msgctx = msgctx_table();
        api.sip = sip_table();
        api.async = async_table();
        api.metrics = metrics_table();
        api.rpc = rpc_table();
        api.events = events_table();
        api.metric_walk = metric_walk;
        return api;
    }();
    return &table;
}

} // namespace siphost::abi
