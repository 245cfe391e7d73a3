#include "core/rpc.hpp"

#include <algorithm>
#include <cstdio>

namespace siphost::core {
namespace {

void append_quoted(std::string& out, std::string_view text) {
    out += '"';
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

void append_node(std::string& out, const siphost_rpc_node& node);

void append_value(std::string& out, const rpc_value& value) {
    if (const auto* number = std::get_if<int64_t>(&value.data)) {
        out += std::to_string(*number);
    } else if (const auto* real = std::get_if<double>(&value.data)) {
        char text[64];
        std::snprintf(text, sizeof text, "%g", *real);
        out += text;
    } else if (const auto* text = std::get_if<std::string>(&value.data)) {
        append_quoted(out, *text);
    } else {
        append_node(out, *std::get<std::unique_ptr<siphost_rpc_node>>(value.data));
    }
}

void append_node(std::string& out, const siphost_rpc_node& node) {
    bool is_struct = node.type == siphost_rpc_node::kind::structure;
    out += is_struct ? '{' : '[';
    bool first = true;
    for (const auto& [key, value] : node.members) {
        if (!first)
            out += ", ";
        first = false;
        if (is_struct) {
            append_quoted(out, key);
            out += ": ";
        }
        append_value(out, value);
    }
    out += is_struct ? '}' : ']';
}

} // namespace

rpc_registry& rpc_registry::instance() {
    static rpc_registry registry;
    return registry;
}

bool rpc_registry::add(std::string module, const siphost_rpc_command* declared, std::string& error) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = commands_.try_emplace(declared->name, command{module, declared});
    if (!inserted) {
        error = "RPC command '" + it->first + "' is declared by module '" + it->second.module + "' already";
        return false;
    }
    return true;
}

const rpc_registry::command* rpc_registry::find(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = commands_.find(name);
    return it == commands_.end() ? nullptr : &it->second;
}

std::vector<std::string> rpc_registry::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& entry : commands_)
        out.push_back(entry.first);
    return out;
}

const rpc_registry::command* rpc_registry::at(size_t index) const {
    std::lock_guard lock(mutex_);
    if (index >= commands_.size())
        return nullptr;
    return &std::next(commands_.begin(), static_cast<std::ptrdiff_t>(index))->second;
}

void add_param(siphost_rpc_call& call, const rpc_param& param) {
    siphost_value v{};
    if (const auto* number = std::get_if<int64_t>(&param)) {
        v.kind = SIPHOST_VALUE_INT;
        v.num = *number;
    } else {
        std::string text;
        if (const auto* real = std::get_if<double>(&param)) {
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, "%.17g", *real);
            text = buffer;
        } else {
            text = std::get<std::string>(param);
        }
        // A deque keeps earlier strings in place, so the values already handed out stay valid.
        const std::string& kept = call.param_text.emplace_back(std::move(text));
        v.kind = SIPHOST_VALUE_STR;
        v.str = {kept.data(), kept.size()};
    }
    call.params.push_back(v);
}

std::unique_ptr<siphost_rpc_call> rpc_registry::call(std::string_view name,
                                                     const std::vector<rpc_param>& params) const {
    auto call = std::make_unique<siphost_rpc_call>();
    call->name = std::string(name);
    for (const auto& p : params)
        add_param(*call, p);
    run(*call);
    return call;
}

int rpc_registry::run(siphost_rpc_call& call) const {
    if (call.ran) {
        call.fault_code = 500;
        call.fault_message = "call of " + call.name + " ran already";
        call.result.members.clear();
        return call.fault_code;
    }
    call.ran = true;
    const command* found = find(call.name);
    if (found == nullptr) {
        call.fault_code = 500;
        call.fault_message = "command " + call.name + " not found";
        return call.fault_code;
    }
    found->declared->handler(&call);
    if (call.fault_code != 0)
        call.result.members.clear();
    return call.fault_code;
}

void rpc_registry::remove_module(std::string_view module) {
    std::lock_guard lock(mutex_);
    std::erase_if(commands_, [&](const auto& entry) { return entry.second.module == module; });
}

void rpc_registry::reset() {
    std::lock_guard lock(mutex_);
    commands_.clear();
}

std::string to_text(const siphost_rpc_call& call) {
    if (call.fault_code != 0)
        return "fault " + std::to_string(call.fault_code) + ": " + call.fault_message;
    std::string out;
    append_node(out, call.result);
    return out;
}

} // namespace siphost::core
