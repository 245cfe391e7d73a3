// The rpc sub-table: what a command handler uses to read its parameters and build its reply (core/rpc.hpp).
#include "abi/host_table.hpp"
#include "core/rpc.hpp"

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
        return t;
    }();
    return &table;
}

} // namespace siphost::abi
