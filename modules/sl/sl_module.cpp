// sl: stateless replies (Kamailio's sl module).
//
//   sl_send_reply(code, reason), sl_reply(code, reason)   a stateless reply to the current request
//   sl_reply_error()                                      the last internal error's reply (else 500), for
//                                                         scripts that answer a failed step
//   send_reply(code, reason)                              stateful when tm says the request has a transaction
//                                                         (the "tm" major 1 API, <siphost/api/tm.h>), else
//                                                         stateless
//   RPC: sl.stats
//
// Replies with code >= 180 get sl's To-tag when the request has none (reply_tag.hpp); a pre-script request
// hook absorbs the ACK to such a reply. The "sl" major 1 API (<siphost/api/sl.h>) lets other modules send
// the same replies. tm is optional: it may be loaded after sl, or not at all.
#include "reply_counters.hpp"
#include "reply_tag.hpp"

#include <siphost/api/sl.h>
#include <siphost/api/tm.h>

#include <siphost/module.hpp>

#include <atomic>
#include <cstring>
#include <string>
#include <string_view>

namespace siphost::modules::sl {
namespace {

const char module_name[] = "sl";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
reply_counters counters_;

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

/// tm's table once looked up; looked_up_ turns true after the first send_reply (tm may load after sl).
std::atomic<const siphost_tm_api_v1*> tm_api_{nullptr};
std::atomic<bool> tm_looked_up_{false};

bool is_ack(const siphost_msg* msg) {
    return sdk::view(host_->msg_method(msg)) == "ACK";
}

/// A q value of 0..1000 as SIP writes it: "1", "0.5", "0.25", "0".
void append_q(std::string& out, int32_t q) {
    if (q >= 1000) {
        out.push_back('1');
        return;
    }
    if (q <= 0) {
        out.push_back('0');
        return;
    }
    char digits[4] = {'0', static_cast<char>('0' + q / 100), static_cast<char>('0' + q / 10 % 10),
                      static_cast<char>('0' + q % 10)};
    size_t n = 4;
    while (digits[n - 1] == '0')
        --n;
    out.append("0.").append(digits + 1, n - 1);
}

/// A redirect carries the new targets: the Request-URI when the script changed it, then every target of the
/// destination set (append_branch, lookup), with its q value, in one Contact header.
void append_redirect_contacts(const siphost_msg* request, std::string& headers) {
    std::string contacts;
    std::string_view ruri = sdk::view(host_->msg_ruri(request));
    if (!ruri.empty() && ruri != sdk::view(host_->msg_original_ruri(request)))
        contacts.append("<").append(ruri).append(">");
    uint32_t targets = host_->msgctx != nullptr ? host_->msgctx->branch_count(request) : 0;
    for (uint32_t i = 0; i < targets; ++i) {
        siphost_branch target = sdk::sized<siphost_branch>();
        if (host_->msgctx->branch_at(request, i, &target) != 0 || target.uri.len == 0)
            continue;
        if (!contacts.empty())
            contacts.append(", ");
        contacts.append("<").append(sdk::view(target.uri)).append(">");
        if ((target.info & SIPHOST_BRANCH_Q_SET) != 0) {
            contacts.append(";q=");
            append_q(contacts, target.q);
        }
    }
    if (!contacts.empty())
        headers.append("Contact: ").append(contacts).append("\r\n");
}

/// Sends one stateless reply with sl's rules. Returns 1 or -1.
int send_stateless(siphost_msg* request, int code, std::string_view reason, std::string_view extra_headers,
                   std::string_view body) {
    if (host_ == nullptr || request == nullptr || !host_->msg_is_request(request))
        return -1;
    if (code < 100 || code > 699) {
        log(SIPHOST_LOG_ERR, "reply code out of range 100..699");
        counters_.count_failure();
        return -1;
    }
    if (is_ack(request)) {
        // An ACK is never answered (RFC 3261 17.2.1); Kamailio refuses the same way.
        log(SIPHOST_LOG_WARN, "no reply is sent to an ACK");
        return -1;
    }
    // An empty reason: the host writes the code's standard phrase.

    char tag_buffer[reply_tag_length];
    std::string_view to_tag;
    if (code >= 180 && sdk::view(host_->msg_to_tag(request)).empty() &&
        compute_reply_tag(host_, request, tag_buffer))
        to_tag = std::string_view(tag_buffer, reply_tag_length);

    thread_local std::string headers;
    headers.assign(extra_headers);
    if (code >= 300 && code < 400)
        append_redirect_contacts(request, headers);

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
        siphost_dest destination = sdk::sized<siphost_dest>();
        if (rc == 0)
            rc = host_->reply_destination(request, &destination);
        if (rc == 0)
            rc = host_->send(&destination, siphost_str{buffer.data(), len});
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
        log(SIPHOST_LOG_ERR, "sl_send_reply: reply code out of range 100..699");
        return -1;
    }
    return send_stateless(msg, code, sdk::arg_view(args[1]), {}, {});
}

int cmd_sl_reply_error(siphost_msg* msg, const siphost_value*, void*) {
    // The last internal error recorded about the request (a module or the core), as Kamailio's ser_error;
    // without one, or with a code that is not an error reply, the generic 500.
    siphost_str reason{nullptr, 0};
    int code = host_->msgctx != nullptr ? host_->msgctx->last_error(msg, &reason) : 0;
    if (code < 300 || code > 699)
        return send_stateless(msg, 500, "Server Internal Error", {}, {});
    return send_stateless(msg, code, sdk::view(reason), {}, {});
}

const siphost_tm_api_v1* tm_api() {
    if (!tm_looked_up_.load(std::memory_order_acquire)) {
        const void* found = host_->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR);
        const auto* api = static_cast<const siphost_tm_api_v1*>(found);
        if (api != nullptr && (!SIPHOST_HAS(siphost_tm_api_v1, api, has_transaction) ||
                               !SIPHOST_HAS(siphost_tm_api_v1, api, reply)))
            api = nullptr; // incomplete: not usable
        tm_api_.store(api, std::memory_order_relaxed);
        tm_looked_up_.store(true, std::memory_order_release);
    }
    return tm_api_.load(std::memory_order_relaxed);
}

int cmd_send_reply(siphost_msg* msg, const siphost_value* args, void*) {
    int code = reply_code(args[0]);
    if (code < 0) {
        log(SIPHOST_LOG_ERR, "send_reply: reply code out of range 100..699");
        return -1;
    }
    std::string_view reason = sdk::arg_view(args[1]);
    if (const siphost_tm_api_v1* tm = tm_api(); tm != nullptr && tm->has_transaction(msg) > 0)
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

/// sl.stats: Kamailio's shape; xxx is every 1xx (xxx_replies).
void rpc_stats(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* st = rpc->add_struct(rpc->result(call), nullptr);
    if (st == nullptr)
        return;
    struct entry {
        const char* key;
        int code;        ///< a code with a counter of its own, or 0
        int reply_class; ///< else the class counter
    };
    static constexpr entry entries[] = {
        {"200", 200, 0}, {"202", 202, 0}, {"2xx", 0, 2},   {"300", 300, 0}, {"301", 301, 0},
        {"302", 302, 0}, {"3xx", 0, 3},   {"400", 400, 0}, {"401", 401, 0}, {"403", 403, 0},
        {"404", 404, 0}, {"407", 407, 0}, {"408", 408, 0}, {"483", 483, 0}, {"4xx", 0, 4},
        {"500", 500, 0}, {"5xx", 0, 5},   {"6xx", 0, 6},   {"xxx", 0, 1},
    };
    for (const entry& e : entries)
        rpc->add_int(st, e.key,
                     e.code != 0 ? counters_.code_count(e.code) : counters_.class_count(e.reply_class));
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    tm_api_.store(nullptr);
    tm_looked_up_.store(false);
    if (!counters_.register_all(host, self)) {
        sdk::write_error(err, err_size, "cannot register the sl counters");
        return -1;
    }
    if (host->register_request_hook(SIPHOST_HOOK_PRE_SCRIPT, absorb_own_acks, nullptr) != 0) {
        sdk::write_error(err, err_size, "cannot register the hook that absorbs ACKs to stateless replies");
        return -1;
    }
    if (host->api_export(self, SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR, &sl_api) != 0) {
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
                 "replies statelessly with the last internal error (500 without one)"),
    sdk::command("send_reply", send_reply_routes, sdk::guarded<&cmd_send_reply>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING}, sdk::fixup<&fix_reply>, nullptr,
                 "replies statefully when the request has a transaction (tm), else statelessly"),
    sdk::end_of_commands(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("sl.stats", rpc_stats, "stateless reply statistics"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor =
    sdk::module({.name = module_name, .version = "1.0", .commands = commands, .rpcs = rpcs, .init = init});

} // namespace
} // namespace siphost::modules::sl

SIPHOST_MODULE(siphost::modules::sl::descriptor)
