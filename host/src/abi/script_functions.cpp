// The script: route blocks by id, pseudo-variables, and the hooks modules put around it.
#include "abi/host_table.hpp"
#include "flow/runtime.hpp"
#include "message/message_context.hpp"
#include "script/interpreter.hpp"
#include "script/route_ids.hpp"

#include <cstdio>
#include <memory>

namespace siphost::abi {
namespace {

using flow::view;

int route_lookup(uint32_t route_type, siphost_str name) {
    if (const auto* interpreter = parts().interpreter)
        return interpreter->route_lookup(route_type, view(name));
    // Before the script is compiled (init): the blocks of the config that was read.
    std::string_view wanted = view(name);
    if (wanted == "0" && route_type != SIPHOST_ROUTE_REQUEST)
        wanted = "";
    for (const auto& [type, block] : parts().routes_read)
        if (type == route_type && block == wanted)
            return script::route_id_of(type, block);
    return -1;
}

/// What an event route without a message runs on, as Kamailio runs them on a faked request.
std::unique_ptr<siphost_msg> local_request() {
    static constexpr std::string_view text = "OPTIONS sip:localhost SIP/2.0\r\n"
                                             "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKlocal\r\n"
                                             "From: <sip:siphost@localhost>;tag=local\r\n"
                                             "To: <sip:siphost@localhost>\r\n"
                                             "Call-ID: local\r\n"
                                             "CSeq: 1 OPTIONS\r\n"
                                             "Content-Length: 0\r\n\r\n";
    auto msg = std::make_unique<siphost_msg>();
    if (!msg->sip.parse_copy(text).ok())
        return nullptr;
    msg->id = siphost_msg::next_id();
    return msg;
}

int route_run(int route_id, siphost_msg* msg) {
    auto* runtime = parts().runtime;
    if (runtime == nullptr)
        return SIPHOST_ROUTE_NOT_FOUND;
    if (msg != nullptr)
        return runtime->run_route(route_id, *msg);
    auto local = local_request();
    return local ? runtime->run_route(route_id, *local) : SIPHOST_ROUTE_EXITED;
}

siphost_pv_spec* pv_parse(siphost_str text, char* err, size_t err_size) {
    std::string error = "pseudo-variables can be parsed from the fixups on, not in init";
    const script::compiled_script* script = script::compiled_script::being_compiled();
    if (script == nullptr && parts().interpreter != nullptr)
        script = &parts().interpreter->script();
    if (script != nullptr) {
        auto spec = script->parse_pv(view(text), error);
        if (spec)
            return reinterpret_cast<siphost_pv_spec*>(spec.release()); // the module owns it until pv_free
    }
    if (err != nullptr && err_size > 0)
        std::snprintf(err, err_size, "%s", error.c_str());
    return nullptr;
}

int pv_get(const siphost_pv_spec* pv, siphost_msg* msg, siphost_value* out) {
    const auto* interpreter = parts().interpreter;
    if (interpreter == nullptr || pv == nullptr || out == nullptr)
        return -1;
    return interpreter->pv_get(*reinterpret_cast<const script::pv_spec*>(pv), msg, out);
}

int pv_set(const siphost_pv_spec* pv, siphost_msg* msg, const siphost_value* value) {
    const auto* interpreter = parts().interpreter;
    if (interpreter == nullptr || pv == nullptr || value == nullptr)
        return -1;
    return interpreter->pv_set(*reinterpret_cast<const script::pv_spec*>(pv), msg, *value);
}

void pv_free(siphost_pv_spec* pv) {
    std::unique_ptr<script::pv_spec> owned(reinterpret_cast<script::pv_spec*>(pv));
}

int register_request_hook(int when, siphost_message_hook_fn fn, void* data) {
    auto* runtime = parts().runtime;
    return runtime == nullptr ? -1 : runtime->register_hook(true, when, fn, data);
}

int register_reply_hook(int when, siphost_message_hook_fn fn, void* data) {
    auto* runtime = parts().runtime;
    return runtime == nullptr ? -1 : runtime->register_hook(false, when, fn, data);
}

} // namespace

void fill_script_functions(siphost_host_api& api) {
    api.route_lookup = route_lookup;
    api.route_run = route_run;
    api.pv_parse = pv_parse;
    api.pv_get = pv_get;
    api.pv_set = pv_set;
    api.pv_free = pv_free;
    api.register_request_hook = register_request_hook;
    api.register_reply_hook = register_reply_hook;
}

} // namespace siphost::abi
