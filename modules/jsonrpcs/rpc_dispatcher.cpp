#include "rpc_dispatcher.hpp"

#include <memory>

namespace siphost::modules::jsonrpcs {
namespace {

using json = nlohmann::ordered_json;

/// Reply trees come from handlers, not from the wire; still, a cycle-free tree deeper than this is a bug
/// worth cutting rather than a stack to exhaust.
constexpr int max_reply_depth = 64;

/// A scalar as the library writes it; reply strings come from SIP messages and may hold bytes that are not
/// UTF-8: replaced, never thrown on.
std::string scalar_text(const json& value) {
    if (value.is_number_float()) {
        // Kamailio's writer prints a whole double as an integer.
        double real = value.get<double>();
        if (real == static_cast<double>(static_cast<int64_t>(real)) && real > -1e15 && real < 1e15)
            return std::to_string(static_cast<int64_t>(real));
    }
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Kamailio's pretty layout, so that kamctl prints siphost's replies as it prints Kamailio's: members one a
/// line, indented with tabs, a tab after the colon; arrays on one line, ", " between values, their objects
/// one level deeper. The library writes every scalar and every key (escaping).
void write_pretty(const json& value, int depth, std::string& out) {
    if (value.is_object()) {
        out += "{\n";
        size_t left = value.size();
        for (const auto& [key, member] : value.items()) {
            out.append(static_cast<size_t>(depth + 1), '\t');
            out += scalar_text(json(key));
            out += ":\t";
            write_pretty(member, depth + 1, out);
            out += --left > 0 ? ",\n" : "\n";
        }
        out.append(static_cast<size_t>(depth), '\t');
        out += '}';
    } else if (value.is_array()) {
        out += '[';
        bool first = true;
        for (const auto& element : value) {
            if (!first)
                out += ", ";
            first = false;
            write_pretty(element, depth + 1, out);
        }
        out += ']';
    } else {
        out += scalar_text(value);
    }
}

std::string dump(const json& doc, bool pretty) {
    if (!pretty)
        return doc.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    write_pretty(doc, 0, out);
    return out;
}

json value_of(const siphost_rpc_api* rpc, const siphost_rpc_member& member, int depth);

json node_to_json(const siphost_rpc_api* rpc, const siphost_rpc_node* node, int depth) {
    const bool is_struct = rpc->node_kind(node) == SIPHOST_RPC_NODE_STRUCT;
    json out = is_struct ? json::object() : json::array();
    if (depth > max_reply_depth)
        return out;
    const size_t size = rpc->node_size(node);
    for (size_t i = 0; i < size; ++i) {
        siphost_rpc_member member{};
        member.struct_size = sizeof member;
        if (rpc->node_member(node, i, &member) != 0)
            break;
        json value = value_of(rpc, member, depth + 1);
        if (is_struct)
            out[std::string(member.key.s == nullptr ? "" : member.key.s, member.key.len)] = std::move(value);
        else
            out.push_back(std::move(value));
    }
    return out;
}

json value_of(const siphost_rpc_api* rpc, const siphost_rpc_member& member, int depth) {
    switch (member.kind) {
    case SIPHOST_RPC_MEMBER_INT:
        return member.num;
    case SIPHOST_RPC_MEMBER_DOUBLE:
        return member.real;
    case SIPHOST_RPC_MEMBER_STR:
        return std::string(member.str.s == nullptr ? "" : member.str.s, member.str.len);
    case SIPHOST_RPC_MEMBER_NODE:
        return node_to_json(rpc, member.node, depth);
    default:
        return nullptr;
    }
}

json envelope() {
    json doc = json::object();
    doc["jsonrpc"] = "2.0";
    return doc;
}

json error_body(int code, std::string_view message) {
    json error = json::object();
    error["code"] = code;
    error["message"] = std::string(message);
    return error;
}

struct call_deleter {
    const siphost_rpc_api* rpc;
    void operator()(siphost_rpc_call* call) const { rpc->call_free(call); }
};

} // namespace

std::string rpc_dispatcher::error_document(int code, std::string_view message, bool pretty) {
    json doc = envelope();
    doc["error"] = error_body(code, message);
    doc["id"] = nullptr;
    return dump(doc, pretty);
}

dispatch_result rpc_dispatcher::dispatch(std::string_view document, bool pretty) const {
    dispatch_result out;
    json_request request = parse_request(document, limits_);
    out.reply_name = request.reply_name;
    json doc = envelope();
    auto finish_error = [&](int code, std::string message) {
        doc["error"] = error_body(code, message);
        out.code = code;
        out.text = std::move(message);
    };

    if (!request.valid()) {
        finish_error(request.error_code, request.error_message);
    } else if (rpc_ == nullptr || !SIPHOST_HAS(siphost_rpc_api, rpc_, command_find)) {
        finish_error(500, "RPC Not Available");
    } else if (const siphost_rpc_command* command =
                   rpc_->command_find(siphost_str{request.method.data(), request.method.size()});
               command == nullptr) {
        finish_error(method_not_found, "Method Not Found");
    } else {
        std::unique_ptr<siphost_rpc_call, call_deleter> call(
            rpc_->call_new(siphost_str{request.method.data(), request.method.size()}), call_deleter{rpc_});
        if (!call) {
            finish_error(500, "Out Of Memory");
        } else {
            for (const auto& param : request.params) {
                if (const auto* number = std::get_if<int64_t>(&param))
                    rpc_->call_add_int(call.get(), *number);
                else if (const auto* real = std::get_if<double>(&param))
                    rpc_->call_add_double(call.get(), *real);
                else {
                    const auto& text = std::get<std::string>(param);
                    rpc_->call_add_str(call.get(), siphost_str{text.data(), text.size()});
                }
            }
            rpc_->call_run(call.get());
            siphost_str message{};
            if (int code = rpc_->call_fault(call.get(), &message); code != 0) {
                finish_error(code, std::string(message.s == nullptr ? "" : message.s, message.len));
            } else {
                json top = node_to_json(rpc_, rpc_->call_reply(call.get()), 0);
                if ((command->flags & SIPHOST_RPC_RETURNS_ARRAY) != 0 || top.size() > 1)
                    doc["result"] = std::move(top);
                else if (top.size() == 1)
                    doc["result"] = std::move(top[0]);
                else
                    doc["result"] = json::object();
            }
        }
    }
    if (request.has_id)
        doc["id"] = request.id;
    else if (!request.valid())
        doc["id"] = nullptr;
    out.body = dump(doc, pretty);
    return out;
}

} // namespace siphost::modules::jsonrpcs
