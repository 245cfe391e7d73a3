// The rpc sub-table: what a command handler uses to read its parameters and build its reply (core/rpc.hpp).
#include "abi/host_table.hpp"
#include "core/rpc.hpp"

#include <cstddef>
#include <new>

namespace siphost::abi {
namespace {

using node_kind = siphost_rpc_node::kind;

size_t param_count(const siphost_rpc_call* call) {
    return call == nullptr ? 0 : call->params.size();
}

int param(const siphost_rpc_call* call, size_t index, siphost_value* out) {
    if (call == nullptr || out == nullptr || index >= call->params.size())
        return -1;
    *out = call->params[index];
    return 0;
}

siphost_rpc_node* result(siphost_rpc_call* call) {
    return call == nullptr ? nullptr : &call->result;
}

/// A key is required in a struct and ignored elsewhere.
bool key_ok(const siphost_rpc_node* node, const char* key) {
    return node != nullptr && (node->type != node_kind::structure || (key != nullptr && *key != '\0'));
}

std::string key_of(const siphost_rpc_node* node, const char* key) {
    return node->type == node_kind::structure ? std::string(key) : std::string();
}

int add_int(siphost_rpc_node* node, const char* key, int64_t value) {
    if (!key_ok(node, key))
        return -1;
    node->members.emplace_back(key_of(node, key), core::rpc_value{value});
    return 0;
}

int add_str(siphost_rpc_node* node, const char* key, siphost_str value) {
    if (!key_ok(node, key))
        return -1;
    node->members.emplace_back(key_of(node, key),
                               core::rpc_value{std::string(value.s == nullptr ? "" : value.s, value.len)});
    return 0;
}

int add_double(siphost_rpc_node* node, const char* key, double value) {
    if (!key_ok(node, key))
        return -1;
    node->members.emplace_back(key_of(node, key), core::rpc_value{value});
    return 0;
}

siphost_rpc_node* add_node(siphost_rpc_node* node, const char* key, node_kind kind) {
    if (!key_ok(node, key))
        return nullptr;
    auto child = std::make_unique<siphost_rpc_node>();
    child->type = kind;
    siphost_rpc_node* raw = child.get();
    node->members.emplace_back(key_of(node, key), core::rpc_value{std::move(child)});
    return raw;
}

siphost_rpc_node* add_struct(siphost_rpc_node* node, const char* key) {
    return add_node(node, key, node_kind::structure);
}
siphost_rpc_node* add_array(siphost_rpc_node* node, const char* key) {
    return add_node(node, key, node_kind::array);
}

void fault(siphost_rpc_call* call, int code, siphost_str message) {
    if (call == nullptr)
        return;
    call->fault_code = code != 0 ? code : 500;
    call->fault_message.assign(message.s == nullptr ? "" : message.s, message.len);
}

// ---- [1.1] calling commands (control transports) ----

siphost_rpc_call* call_new(siphost_str name) {
    // Nothing may leave through the C ABI: out of memory is a NULL call, or a refused parameter.
    try {
        auto call = std::make_unique<siphost_rpc_call>();
        call->name.assign(name.s == nullptr ? "" : name.s, name.s == nullptr ? 0 : name.len);
        // The transport owns it from here until call_free, which takes it back.
        return call.release();
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}

int call_add(siphost_rpc_call* call, const core::rpc_param& param) {
    if (call == nullptr || call->ran)
        return -1;
    try {
        core::add_param(*call, param);
    } catch (const std::bad_alloc&) {
        return -1;
    }
    return 0;
}

int call_add_int(siphost_rpc_call* call, int64_t value) {
    return call_add(call, value);
}
int call_add_str(siphost_rpc_call* call, siphost_str value) {
    try {
        return call_add(call,
                        std::string(value.s == nullptr ? "" : value.s, value.s == nullptr ? 0 : value.len));
    } catch (const std::bad_alloc&) {
        return -1;
    }
}
int call_add_double(siphost_rpc_call* call, double value) {
    return call_add(call, value);
}

int call_run(siphost_rpc_call* call) {
    if (call == nullptr)
        return 500;
    return core::rpc_registry::instance().run(*call);
}

int call_fault(const siphost_rpc_call* call, siphost_str* message) {
    if (call == nullptr)
        return 500;
    if (message != nullptr)
        *message = {call->fault_message.data(), call->fault_message.size()};
    return call->fault_code;
}

const siphost_rpc_node* call_reply(const siphost_rpc_call* call) {
    return call == nullptr ? nullptr : &call->result;
}

void call_free(siphost_rpc_call* call) {
    std::unique_ptr<siphost_rpc_call> owned(call);
}

uint32_t node_kind_of(const siphost_rpc_node* node) {
    if (node == nullptr)
        return SIPHOST_RPC_NODE_LIST;
    switch (node->type) {
    case node_kind::structure:
        return SIPHOST_RPC_NODE_STRUCT;
    case node_kind::array:
        return SIPHOST_RPC_NODE_ARRAY;
    default:
        return SIPHOST_RPC_NODE_LIST;
    }
}

size_t node_size(const siphost_rpc_node* node) {
    return node == nullptr ? 0 : node->members.size();
}

int node_member(const siphost_rpc_node* node, size_t index, siphost_rpc_member* out) {
    if (node == nullptr || out == nullptr || index >= node->members.size() ||
        out->struct_size < offsetof(siphost_rpc_member, node) + sizeof out->node)
        return -1;
    size_t size = out->struct_size;
    *out = siphost_rpc_member{};
    out->struct_size = size;
    const auto& [key, value] = node->members[index];
    out->key = {key.data(), key.size()};
    if (const auto* number = std::get_if<int64_t>(&value.data)) {
        out->kind = SIPHOST_RPC_MEMBER_INT;
        out->num = *number;
    } else if (const auto* real = std::get_if<double>(&value.data)) {
        out->kind = SIPHOST_RPC_MEMBER_DOUBLE;
        out->real = *real;
    } else if (const auto* text = std::get_if<std::string>(&value.data)) {
        out->kind = SIPHOST_RPC_MEMBER_STR;
        out->str = {text->data(), text->size()};
    } else {
        out->kind = SIPHOST_RPC_MEMBER_NODE;
        out->node = std::get<std::unique_ptr<siphost_rpc_node>>(value.data).get();
    }
    return 0;
}

const siphost_rpc_command* command_at(size_t index) {
    const auto* found = core::rpc_registry::instance().at(index);
    return found == nullptr ? nullptr : found->declared;
}

const siphost_rpc_command* command_find(siphost_str name) {
    if (name.s == nullptr)
        return nullptr;
    const auto* found = core::rpc_registry::instance().find(std::string_view(name.s, name.len));
    return found == nullptr ? nullptr : found->declared;
}

} // namespace

const siphost_rpc_api* rpc_table() {
    static const siphost_rpc_api table = [] {
        siphost_rpc_api t{};
        t.struct_size = sizeof t;
        t.param_count = param_count;
        t.param = param;
        t.result = result;
        t.add_int = add_int;
        t.add_str = add_str;
        t.add_double = add_double;
        t.add_struct = add_struct;
        t.add_array = add_array;
        t.fault = fault;
        t.call_new = call_new;
        t.call_add_int = call_add_int;
        t.call_add_str = call_add_str;
        t.call_add_double = call_add_double;
        t.call_run = call_run;
        t.call_fault = call_fault;
        t.call_reply = call_reply;
        t.call_free = call_free;
        t.node_kind = node_kind_of;
        t.node_size = node_size;
        t.node_member = node_member;
        t.command_at = command_at;
        t.command_find = command_find;
        return t;
    }();
    return &table;
}

} // namespace siphost::abi
