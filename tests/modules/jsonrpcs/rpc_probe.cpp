// rpc_probe: RPC commands with known replies, for jsonrpcs' tests: a fault, parameters echoed with their
// kinds, several top-level values, none, and a nested reply.
#include <siphost/module.hpp>

#include <string>

namespace {

const siphost_host_api* host_ = nullptr;

/// probe.fault: fails as a handler does on bad parameters.
void rpc_fault(siphost_rpc_call* call) {
    host_->rpc->fault(call, 400, siphost::sdk::str("bad parameter here"));
}

/// probe.echo: each parameter as "i:<n>" or "s:<text>" (RETURNS_ARRAY).
void rpc_echo(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* top = rpc->result(call);
    for (size_t i = 0; i < rpc->param_count(call); ++i) {
        siphost_value v{};
        if (rpc->param(call, i, &v) != 0)
            return;
        std::string text = v.kind == SIPHOST_VALUE_INT ? "i:" + std::to_string(v.num)
                                                       : "s:" + std::string(siphost::sdk::view(v.str));
        rpc->add_str(top, nullptr, siphost::sdk::str(text));
    }
}

/// probe.several: two top-level values without RETURNS_ARRAY.
void rpc_several(siphost_rpc_call* call) {
    host_->rpc->add_int(host_->rpc->result(call), nullptr, 1);
    host_->rpc->add_str(host_->rpc->result(call), nullptr, siphost::sdk::str("two"));
}

/// probe.none: adds nothing.
void rpc_none(siphost_rpc_call*) {}

/// probe.nested: a struct holding an array of structs, a double and bytes that are not UTF-8.
void rpc_nested(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* top = rpc->add_struct(rpc->result(call), nullptr);
    siphost_rpc_node* list = rpc->add_array(top, "items");
    for (int i = 0; i < 2; ++i) {
        siphost_rpc_node* item = rpc->add_struct(list, nullptr);
        rpc->add_int(item, "IDX", i);
    }
    rpc->add_double(top, "ratio", 0.5);
    rpc->add_str(top, "raw",
                 siphost::sdk::str("a\xff"
                                   "b"));
}

int init(const siphost_host_api* host, siphost_module_handle*, char*, size_t) {
    host_ = host;
    return 0;
}

const siphost_rpc_command rpcs[] = {
    siphost::sdk::rpc("probe.fault", rpc_fault, "always a 400 fault"),
    siphost::sdk::rpc("probe.echo", rpc_echo, "the parameters with their kinds", nullptr,
                      SIPHOST_RPC_RETURNS_ARRAY),
    siphost::sdk::rpc("probe.several", rpc_several, "two top-level values"),
    siphost::sdk::rpc("probe.none", rpc_none, "no value"),
    siphost::sdk::rpc("probe.nested", rpc_nested, "a nested reply"),
    siphost::sdk::end_of_rpcs(),
};

const siphost_module descriptor =
    siphost::sdk::module({.name = "rpc_probe", .version = "1.0", .rpcs = rpcs, .init = init});

} // namespace

SIPHOST_MODULE(descriptor)
