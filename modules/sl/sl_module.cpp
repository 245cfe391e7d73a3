// sl: stateless replies (Kamailio's sl module).
//
//   sl_send_reply(code, reason), sl_reply(code, reason)   a stateless reply to the current request
//   sl_reply_error()                                      500, for scripts that answer a failed step
//   send_reply(code, reason)                              stateful when tm says the request has a transaction
//                                                         (the "tm" major 1 API, see sl_api.h), else
//                                                         stateless
//
// Replies with code >= 180 get sl's To-tag when the request has none (reply_tag.hpp); a pre-script request
// hook absorbs the ACK to such a reply. The "sl" major 1 API (sl_api.h) lets tm send the same replies.
#include "reply_counters.hpp"
#include "reply_tag.hpp"
#include "sl_api.h"

#include <siphost/module.hpp>

#include <atomic>
#include <cstring>
#include <string>
#include <string_view>

namespace siphost::modules::sl {
namespace {

const char module_name[] = "sl";

const siphost_host_api* host_ = nullptr;
reply_counters counters_;

/// tm's table once looked up; looked_up_ turns true after the first send_reply (tm may load after sl).
std::atomic<const siphost_tm_reply_api_v1*> tm_api_{nullptr};
std::atomic<bool> tm_looked_up_{false};

bool is_ack(const siphost_msg* msg) {
    return sdk::view(host_->msg_method(msg)) == "ACK";
}

/// Sends one stateless reply with sl's rules. Returns 1 or -1.
int send_stateless(siphost_msg* request, int code, std::string_view reason, std::string_view extra_headers,
                   std::string_view body) {
    if (host_ == nullptr || request == nullptr || !host_->msg_is_request(request))
        return -1;
    if (code < 100 || code > 699) {
        sdk::log(host_, SIPHOST_LOG_ERR, module_name, "reply code out of range 100..699");
        counters_.count_failure();
        return -1;
    }
    if (is_ack(request)) {
        // An ACK is never answered (RFC 3261 17.2.1); Kamailio refuses the same way.
        sdk::log(host_, SIPHOST_LOG_WARN, module_name, "no reply is sent to an ACK");
        return -1;
    }
    // An empty reason: the host writes the code's standard phrase.

    char tag_buffer[reply_tag_length];
    std::string_view to_tag;
    if (code >= 180 && sdk::view(host_->msg_to_tag(request)).empty() &&
        compute_reply_tag(host_, request, tag_buffer))
        to_tag = std::string_view(tag_buffer, reply_tag_length);

    // A redirect carries the new target when the script changed the Request-URI (Kamailio adds the
    // destination set; branches are not visible through the ABI, so the Request-URI is all there is).
    thread_local std::string headers;
    headers.assign(extra_headers);
    if (code >= 300 && code < 400) {
        std::string_view ruri = sdk::view(host_->msg_ruri(request));
        if (!ruri.empty() && ruri != sdk::view(host_->msg_original_ruri(request)))
            headers.append("Contact: <").append(ruri).append(">\r\n");
    }

    int rc = -1;
    if (body.empty()) {
        rc =
            host_->send_stateless_reply(request, code, sdk::str(reason), sdk::str(to_tag), sdk::str(headers));
    } else {
        thread_local std::string buffer(4096, '\0');
        size_t len = 0;
        rc = host_->build_reply(request, code, sdk::str(reason), sdk::str(to_tag), sdk::str(headers),
                                sdk::str(body), buffer.data(), buffer.size(), &len);
        if (rc != 0 && len > buffer.size()) {
            buffer.resize(len);
            rc = host_->build_reply(request, code, sdk::str(reason), sdk::str(to_tag), sdk::str(headers),
                                    sdk::str(body), buffer.data(), buffer.size(), &len);
        }
        siphost_addr destination{};
        siphost_socket* from = nullptr;
        if (rc == 0)
            rc = host_->reply_destination(request, &destination, &from);
        if (rc == 0)
            rc = host_->send(from, &destination, siphost_str{buffer.data(), len});
    }
    if (rc != 0) {
        counters_.count_failure();
        return -1;
    }
    counters_.count_reply(code);
    return 1;
}

int reply_code(const siphost_value& arg) {
    int64_t code = 0;
    return sdk::arg_int(arg, code) && code >= 100 && code <= 699 ? static_cast<int>(code) : -1;
}

// ---- script commands ----

int cmd_sl_send_reply(siphost_msg* msg, const siphost_value* args, void*) {
    int code = reply_code(args[0]);
    if (code < 0) {
        sdk::log(host_, SIPHOST_LOG_ERR, module_name, "sl_send_reply: reply code out of range 100..699");
        return -1;
    }
    return send_stateless(msg, code, sdk::arg_view(args[1]), {}, {});
}

int cmd_sl_reply_error(siphost_msg* msg, const siphost_value*, void*) {
    // Kamailio picks the code from the core's last internal error; the ABI has no such state, and every
    // error a script can meet here is the server's own, so the reply is the generic 500.
    return send_stateless(msg, 500, "Server Internal Error", {}, {});
}

const siphost_tm_reply_api_v1* tm_api() {
    if (!tm_looked_up_.load(std::memory_order_acquire)) {
        const void* found = host_->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR);
        const auto* api = static_cast<const siphost_tm_reply_api_v1*>(found);
        if (api != nullptr && !SIPHOST_HAS(siphost_tm_reply_api_v1, api, reply))
            api = nullptr; // too old or incomplete to use
        if (api != nullptr && !SIPHOST_HAS(siphost_tm_reply_api_v1, api, has_transaction))
            api = nullptr;
        tm_api_.store(api, std::memory_order_relaxed);
        tm_looked_up_.store(true, std::memory_order_release);
    }
    return tm_api_.load(std::memory_order_relaxed);
}

int cmd_send_reply(siphost_msg* msg, const siphost_value* args, void*) {
    int code = reply_code(args[0]);
    if (code < 0) {
        sdk::log(host_, SIPHOST_LOG_ERR, module_name, "send_reply: reply code out of range 100..699");
        return -1;
    }
    std::string_view reason = sdk::arg_view(args[1]);
    if (const siphost_tm_reply_api_v1* tm = tm_api(); tm != nullptr && tm->has_transaction(msg) > 0)
        return tm->reply(msg, code, sdk::str(reason)) > 0 ? 1 : -1;
    return send_stateless(msg, code, reason, {}, {});
}

/// Checks a constant reply code when the config is read.
std::unique_ptr<int> fix_reply(const siphost_value* args, const int* constant) {
    if (constant[0]) {
        int64_t code = 0;
        if (!sdk::arg_int(args[0], code) || code < 100 || code > 699)
            throw sdk::config_error("the reply code must be a number from 100 to 699");
    }
    return nullptr;
}

// ---- hooks and the API for other modules ----

int absorb_own_acks(siphost_msg* msg, void*) {
    if (host_ == nullptr || !is_ack(msg))
        return SIPHOST_HOOK_CONTINUE;
    std::string_view to_tag = sdk::view(host_->msg_to_tag(msg));
    if (to_tag.size() != reply_tag_length || !is_own_reply_tag(host_, msg, to_tag))
        return SIPHOST_HOOK_CONTINUE;
    counters_.count_absorbed_ack();
    return SIPHOST_HOOK_CONSUMED;
}

int api_reply(siphost_msg* request, int code, siphost_str reason) {
    return sdk::guard(-1, [&] { return send_stateless(request, code, sdk::view(reason), {}, {}); });
}

int api_reply_with(siphost_msg* request, int code, siphost_str reason, siphost_str extra_headers,
                   siphost_str body) {
    return sdk::guard(-1, [&] {
        return send_stateless(request, code, sdk::view(reason), sdk::view(extra_headers), sdk::view(body));
    });
}

int api_reply_totag(const siphost_msg* request, char* buf, size_t cap, size_t* len) {
    char tag[reply_tag_length];
    if (host_ == nullptr || buf == nullptr || cap < reply_tag_length ||
        !compute_reply_tag(host_, request, tag))
        return -1;
    std::memcpy(buf, tag, reply_tag_length);
    if (len != nullptr)
        *len = reply_tag_length;
    return 0;
}

const siphost_sl_api_v1 sl_api = {
    sizeof(siphost_sl_api_v1),
    api_reply,
    api_reply_with,
    api_reply_totag,
};

int init(const siphost_host_api* host, char* err, size_t err_size) {
    host_ = host;
    tm_api_.store(nullptr);
    tm_looked_up_.store(false);
    if (!counters_.register_all(host)) {
        sdk::write_error(err, err_size, "cannot register the sl counters");
        return -1;
    }
    if (host->register_request_hook(SIPHOST_HOOK_PRE_SCRIPT, absorb_own_acks, nullptr) != 0) {
        sdk::write_error(err, err_size, "cannot register the hook that absorbs ACKs to stateless replies");
        return -1;
    }
    if (host->api_export(SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR, &sl_api) != 0) {
        sdk::write_error(err, err_size, "cannot export the \"sl\" API: another module already exports it");
        return -1;
    }
    return 0;
}

// error_route too: Kamailio's documented error_route answers the bad request with sl_send_reply().
constexpr uint32_t reply_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_ERROR;
constexpr uint32_t send_reply_routes =
    SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_TM_ONREPLY | SIPHOST_ROUTE_ERROR;

const siphost_command commands[] = {
    sdk::command("sl_send_reply", reply_routes, sdk::guarded<&cmd_sl_send_reply>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING}, sdk::fixup<&fix_reply>, nullptr,
                 "sends a stateless reply: sl_send_reply(code, reason)"),
    sdk::command("sl_reply", reply_routes, sdk::guarded<&cmd_sl_send_reply>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING}, sdk::fixup<&fix_reply>, nullptr,
                 "alias of sl_send_reply(code, reason)"),
    sdk::command("sl_reply_error", reply_routes, sdk::guarded<&cmd_sl_reply_error>, {}, nullptr, nullptr,
                 "sends a stateless 500 reply after an internal error"),
    sdk::command("send_reply", send_reply_routes, sdk::guarded<&cmd_send_reply>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING}, sdk::fixup<&fix_reply>, nullptr,
                 "replies statefully when the request has a transaction (tm), else statelessly"),
    sdk::end_of_commands(),
};

const siphost_module descriptor = sdk::module(module_name, "1.0", commands, nullptr, nullptr, init);

} // namespace
} // namespace siphost::modules::sl

SIPHOST_MODULE(siphost::modules::sl::descriptor)
