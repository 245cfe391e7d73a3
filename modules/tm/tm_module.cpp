// tm: transaction-stateful forwarding (Kamailio's tm module).
//
//   t_relay([host, port]), t_relay_to_udp([host, port])    relay in a transaction (request, failure route)
//   t_on_reply(r), t_on_failure(r), t_on_branch(r)         arm onreply_route[r], failure_route[r],
//                                                          branch_route[r]
//   t_on_branch_failure(name)                              arm event_route[tm:branch-failure:name]
//   t_reply(code, reason)                                  a stateful reply
//   t_newtran(), t_check_trans()                           create / look up the transaction
//   t_check_status(re)                                     the reply code against a regular expression
//   t_precheck_trans(), t_is_canceled(), t_set_fr(inv[, fr])
//   t_branch_timeout(), t_branch_replied(), t_any_timeout(), t_any_replied()
//   RPC: tm.stats, tm.list
//
// A pre-script request hook absorbs retransmissions and notes the ACKs of negative INVITE replies (which go
// on to the script, as in Kamailio, where t_check_trans() is true for them and t_relay() takes them); a
// post-script reply hook takes the replies of tm's branches. The "tm" major 1 API (<siphost/api/tm.h>) serves
// sl, tmx and any module that needs transactions: callbacks on their events, stateful replies, t_uac.
#include "tm.hpp"

#include <siphost/api/tm.h>
#include <siphost/module.hpp>

#include <regex>

namespace siphost::modules::tm {

tm_state& state() {
    static tm_state instance;
    return instance;
}

void count(siphost_metric* metric, int64_t delta) {
    if (metric != nullptr)
        host()->metrics->metric_add(metric, delta);
}

void log(int level, std::string_view text) {
    sdk::log(host(), state().self, level, text);
}

uint32_t fr_timer_of(const transaction& t) {
    return t.fr_timer_ms != 0 ? t.fr_timer_ms : static_cast<uint32_t>(state().params.fr_timer);
}

uint32_t fr_inv_timer_of(const transaction& t) {
    return t.fr_inv_timer_ms != 0 ? t.fr_inv_timer_ms : static_cast<uint32_t>(state().params.fr_inv_timer);
}

route_context& current_route() {
    thread_local route_context context;
    return context;
}

request_context& current_request() {
    thread_local request_context context;
    return context;
}

void msg_deleter::operator()(siphost_msg* msg) const noexcept {
    if (msg != nullptr && host() != nullptr)
        host()->msg_free(msg);
}

void avp_list_deleter::operator()(siphost_avp_list* list) const noexcept {
    if (list != nullptr && host() != nullptr)
        host()->avp_list_free(list);
}

namespace {

// ---- finding the transaction a command works on ----

/// The transaction of the route running on this thread for msg: tm's own routes first, then request_route.
std::shared_ptr<transaction> transaction_of(const siphost_msg* msg) {
    if (route_context& route = current_route(); route.txn != nullptr)
        return route.txn->self.lock();
    request_context& request = current_request();
    if (request.msg == msg)
        return request.txn;
    return nullptr;
}

enum class lookup_result { found, created, retransmission, failed };

/// request_route's transaction for msg, created when `create`.
std::shared_ptr<transaction> request_transaction(siphost_msg* msg, bool create, lookup_result& result) {
    request_context& request = current_request();
    if (request.msg == msg && request.txn) {
        result = lookup_result::found;
        return request.txn;
    }
    result = lookup_result::failed;
    if (!create)
        return nullptr;
    request_key key;
    if (!read_request_key(msg, key) || key.method == "ACK")
        return nullptr;
    if (auto existing = match_request(key, match_mode::same)) {
        // Another worker has it: this is a retransmission that came while the first copy was in the script.
        std::lock_guard lock(existing->mutex);
        resend_last_reply(*existing);
        result = lookup_result::retransmission;
        return nullptr;
    }
    auto t = new_transaction(msg, key);
    if (!t)
        return nullptr;
    std::unique_lock lock(t->mutex, std::adopt_lock);
    t->on_reply = request.on_reply;
    t->on_failure = request.on_failure;
    t->on_branch = request.on_branch;
    t->on_branch_failure = request.on_branch_failure;
    t->fr_timer_ms = request.fr_timer_ms;
    t->fr_inv_timer_ms = request.fr_inv_timer_ms;
    lock.unlock();
    request.msg = msg;
    request.txn = t;
    result = lookup_result::created;
    return t;
}

bool port_of(const siphost_value& arg, uint16_t& port) {
    int64_t value = 0;
    if (!sdk::arg_int(arg, value) || value < 0 || value > 65535)
        return false;
    port = static_cast<uint16_t>(value);
    return true;
}

// ---- script commands ----

/// The INVITE transaction here whose negative final reply (relayed or tm's own) msg acknowledges, or null.
std::shared_ptr<transaction> acked_by(siphost_msg* msg) {
    request_key key;
    if (!read_request_key(msg, key) || key.method != "ACK")
        return nullptr;
    auto t = match_request(key, match_mode::same);
    if (!t)
        return nullptr;
    std::lock_guard lock(t->mutex);
    return t->invite && t->final_sent && t->status >= 300 ? t : nullptr;
}

request_context& request_context_of(siphost_msg* msg);

/// t_relay() from request_route or from failure_route (tried: the Request-URI is the one that failed). As
/// Kamailio 5.6.3 does it (measured): a Request-URI that route relayed already goes no more unless the
/// script changed it since, the destination set's new targets go, and with neither nothing goes and it fails.
int relay_new_branches(transaction& t, siphost_msg* msg, bool tried, std::string_view host_name,
                       uint16_t port, uint8_t proto) {
    std::string_view ruri = sdk::view(host()->msg_ruri(msg));
    bool relayed_already = !t.relayed_ruri.empty() && ruri == t.relayed_ruri;
    if (relayed_already && host()->msgctx->branch_count(msg) == 0) {
        log(SIPHOST_LOG_ERR, "t_relay: no branches for forwarding (the Request-URI was relayed already)");
        return -1;
    }
    t.relayed_ruri.assign(ruri);
    return relay_to_targets(t, msg, host_name, port, relayed_already || tried, proto);
}

int relay(siphost_msg* msg, std::string_view host_name, uint16_t port, uint8_t proto = SIPHOST_PROTO_NONE) {
    if (route_context& route = current_route(); route.txn != nullptr) {
        if (route.route_type != SIPHOST_ROUTE_FAILURE && route.route_type != SIPHOST_ROUTE_BRANCH_FAILURE)
            return -1;
        std::lock_guard lock(route.txn->mutex);
        bool tried = sdk::view(host()->msg_ruri(msg)) == route.txn->failure_ruri;
        return relay_new_branches(*route.txn, msg, tried, host_name, port, proto);
    }
    std::string_view method = sdk::view(host()->msg_method(msg));
    if (method == "ACK") {
        if (acked_by(msg))
            return 1; // hop by hop: it ends here (the pre-script hook stopped the reply's retransmissions)
        return forward_stateless(msg, host_name, port, proto); // the ACK to a 2xx: end to end, no transaction
    }
    if (method == "CANCEL") {
        request_key key;
        if (!read_request_key(msg, key))
            return -1;
        if (int rc = handle_cancel(msg, key); rc != 0)
            return rc;
        // A CANCEL for nothing known here is relayed in a transaction of its own.
    }
    lookup_result result;
    auto t = request_transaction(msg, true, result);
    if (result == lookup_result::retransmission)
        return 0;
    if (!t)
        return -1;
    std::lock_guard lock(t->mutex);
    // The automatic 100 goes when the INVITE is relayed, not when its transaction is made: after t_newtran()
    // the script may still answer it itself (Kamailio 5.6.3, measured: t_newtran() and t_reply("404") send
    // the 404 alone; t_newtran() and t_relay() send the 100 before the branches).
    if (t->invite && state().params.auto_inv_100 != 0 && t->status < 100) {
        const char* reason = state().params.auto_inv_100_reason;
        send_local_reply(*t, 100, reason != nullptr && *reason != '\0' ? reason : "Trying");
    }
    int relayed = relay_new_branches(*t, msg, false, host_name, port, proto);
    if (relayed < 0 && t->branches.empty())
        request_context_of(msg).unsent = t;
    return relayed;
}

int cmd_t_relay(siphost_msg* msg, const siphost_value*, void*) {
    return relay(msg, {}, 0);
}

int relay_to(siphost_msg* msg, const siphost_value* args, uint8_t proto) {
    uint16_t port = 0;
    if (!port_of(args[1], port)) {
        log(SIPHOST_LOG_ERR, "t_relay: the port is not a number from 0 to 65535");
        return -1;
    }
    std::string_view host_name = sdk::arg_view(args[0]);
    if (host_name.empty())
        return -1;
    return relay(msg, host_name, port, proto);
}

int cmd_t_relay_to(siphost_msg* msg, const siphost_value* args, void*) {
    return relay_to(msg, args, SIPHOST_PROTO_NONE);
}

/// t_relay_to_udp / t_relay_to_tcp: the transport when the next hop's URI names none.
template <uint8_t Proto> int cmd_t_relay_proto(siphost_msg* msg, const siphost_value*, void*) {
    return relay(msg, {}, 0, Proto);
}

template <uint8_t Proto> int cmd_t_relay_to_proto(siphost_msg* msg, const siphost_value* args, void*) {
    return relay_to(msg, args, Proto);
}

/// The request context for msg, fresh when request_route moved on to another message.
request_context& request_context_of(siphost_msg* msg) {
    request_context& request = current_request();
    if (request.msg != msg) {
        request = request_context{};
        request.msg = msg;
    }
    return request;
}

/// t_on_reply / t_on_failure / t_on_branch: which route field to set.
template <int transaction::*Field, int request_context::*Pending>
int cmd_t_on(siphost_msg* msg, const siphost_value* args, void*) {
    int route_id = static_cast<int>(args[0].num);
    if (route_context& route = current_route(); route.txn != nullptr) {
        std::lock_guard lock(route.txn->mutex);
        route.txn->*Field = route_id;
        return 1;
    }
    request_context& request = request_context_of(msg);
    request.*Pending = route_id;
    if (request.txn) {
        std::lock_guard lock(request.txn->mutex);
        request.txn.get()->*Field = route_id;
    }
    return 1;
}

/// The route id of event_route[tm:branch-failure:name], or -1 when the script has none.
int branch_failure_route(std::string_view name) {
    std::string event = "tm:branch-failure:";
    event.append(name);
    return host()->events->lookup(state().self, sdk::str(event));
}

struct branch_failure_site {
    int route = -1;
};

std::unique_ptr<branch_failure_site> fix_t_on_branch_failure(const siphost_value* args, const int* constant) {
    if (!constant[0])
        return nullptr; // a name made at run time is looked up at each call
    std::string_view name = sdk::arg_view(args[0]);
    int route = branch_failure_route(name);
    if (name.empty() || route < 0)
        throw sdk::config_error("t_on_branch_failure: the script has no event_route[tm:branch-failure:" +
                                std::string(name) + "]");
    return std::make_unique<branch_failure_site>(branch_failure_site{route});
}

int cmd_t_on_branch_failure(siphost_msg* msg, const siphost_value* args, void* call_data) {
    int route = call_data != nullptr ? static_cast<branch_failure_site*>(call_data)->route
                                     : branch_failure_route(sdk::arg_view(args[0]));
    if (route < 0) {
        log(SIPHOST_LOG_ERR, "t_on_branch_failure: the script has no event_route[tm:branch-failure:" +
                                 std::string(sdk::arg_view(args[0])) + "]");
        return -1;
    }
    if (route_context& current = current_route(); current.txn != nullptr) {
        std::lock_guard lock(current.txn->mutex);
        current.txn->on_branch_failure = route;
        return 1;
    }
    request_context& request = request_context_of(msg);
    request.on_branch_failure = route;
    if (request.txn) {
        std::lock_guard lock(request.txn->mutex);
        request.txn->on_branch_failure = route;
    }
    return 1;
}

int cmd_t_reply(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t code = 0;
    if (!sdk::arg_int(args[0], code) || code < 100 || code > 699) {
        log(SIPHOST_LOG_ERR, "t_reply: the code must be a number from 100 to 699");
        return -1;
    }
    std::shared_ptr<transaction> t = transaction_of(msg);
    if (!t) {
        lookup_result result;
        t = request_transaction(msg, true, result);
        if (result == lookup_result::retransmission)
            return 0;
    }
    if (!t)
        return -1;
    std::lock_guard lock(t->mutex);
    return send_script_reply(*t, msg, static_cast<int>(code), sdk::arg_view(args[1]));
}

int cmd_t_newtran(siphost_msg* msg, const siphost_value*, void*) {
    lookup_result result;
    auto t = request_transaction(msg, true, result);
    if (result == lookup_result::retransmission)
        return 0;
    return t ? 1 : -1;
}

int cmd_t_check_trans(siphost_msg* msg, const siphost_value*, void*) {
    if (current_route().txn != nullptr || transaction_of(msg))
        return 1;
    if (!host()->msg_is_request(msg)) { // the core onreply_route: does the reply answer a transaction?
        reply_match match;
        auto t = reply_transaction(msg, match);
        if (!t)
            return -1;
        std::lock_guard lock(t->mutex);
        return match.answers(*t) ? 1 : -1;
    }
    request_key key;
    if (!read_request_key(msg, key))
        return -1;
    if (key.method == "CANCEL")
        return match_request(key, match_mode::cancel_target) ? 1 : -1;
    auto t = match_request(key, match_mode::same);
    if (!t)
        return -1;
    std::lock_guard lock(t->mutex);
    if (key.method == "ACK") // the ACK of a negative reply ends here, and so does the script (measured)
        return t->invite && t->final_sent && t->status >= 300 ? 0 : 1;
    resend_last_reply(*t); // a retransmission: answered, and the script ends
    return 0;
}

int cmd_t_precheck_trans(siphost_msg* msg, const siphost_value*, void*) {
    // Another copy of this request is in a transaction already (a retransmission that came while the first
    // was in the script): the default kamailio.cfg then lets t_check_trans() answer it and exits.
    request_key key;
    if (!read_request_key(msg, key) || key.method == "ACK" || key.method == "CANCEL")
        return -1;
    if (transaction_of(msg))
        return -1; // this copy's own transaction
    return match_request(key, match_mode::same) ? 1 : -1;
}

template <bool HasFr> int cmd_t_set_fr(siphost_msg* msg, const siphost_value* args, void*) {
    int64_t fr_inv = 0, fr = 0;
    constexpr bool has_fr = HasFr;
    if (!sdk::arg_int(args[0], fr_inv) || fr_inv < 0 || fr_inv > 0xffffffffLL ||
        (has_fr && (!sdk::arg_int(args[1], fr) || fr < 0 || fr > 0xffffffffLL))) {
        log(SIPHOST_LOG_ERR, "t_set_fr: the timeouts are milliseconds, 0 or more");
        return -1;
    }
    // 0 keeps the modparam, as in Kamailio; without the second argument fr_timer stays as it is.
    auto apply = [&](uint32_t& inv_target, uint32_t& fr_target) {
        inv_target = static_cast<uint32_t>(fr_inv);
        if (has_fr)
            fr_target = static_cast<uint32_t>(fr);
    };
    if (auto t = transaction_of(msg)) {
        std::lock_guard lock(t->mutex);
        apply(t->fr_inv_timer_ms, t->fr_timer_ms);
        return 1;
    }
    request_context& request = request_context_of(msg);
    apply(request.fr_inv_timer_ms, request.fr_timer_ms);
    return 1;
}

int cmd_t_is_canceled(siphost_msg* msg, const siphost_value*, void*) {
    auto t = transaction_of(msg);
    if (!t)
        return -1;
    std::lock_guard lock(t->mutex);
    return t->canceled ? 1 : -1;
}

/// t_branch_timeout / t_branch_replied (the branch failure_route is about) and t_any_timeout /
/// t_any_replied (every branch).
template <bool AnyBranch, bool Timeout>
int cmd_branch_outcome(siphost_msg* msg, const siphost_value*, void*) {
    auto t = transaction_of(msg);
    if (!t)
        return -1;
    std::lock_guard lock(t->mutex);
    auto matches = [](const branch& b) { return Timeout ? (b.final && b.local) : b.replied; };
    if (AnyBranch) {
        for (const branch& b : t->branches)
            if (matches(b))
                return 1;
        return -1;
    }
    int index = current_route().branch;
    if (current_route().txn == nullptr || index < 0 || static_cast<size_t>(index) >= t->branches.size())
        return -1;
    return matches(t->branches[static_cast<size_t>(index)]) ? 1 : -1;
}

/// t_is_set(target): whether the transaction (or the request, before it has one) will run that route.
struct route_target {
    int request_context::*pending;
    int transaction::*armed;
};

std::unique_ptr<route_target> fix_t_is_set(const siphost_value* args, const int* constant) {
    std::string_view target = sdk::arg_view(args[0]);
    if (!constant[0])
        throw sdk::config_error("t_is_set: the target must be a constant: branch_route, failure_route or "
                                "onreply_route");
    if (target == "branch_route")
        return std::make_unique<route_target>(
            route_target{&request_context::on_branch, &transaction::on_branch});
    if (target == "failure_route")
        return std::make_unique<route_target>(
            route_target{&request_context::on_failure, &transaction::on_failure});
    if (target == "onreply_route")
        return std::make_unique<route_target>(
            route_target{&request_context::on_reply, &transaction::on_reply});
    throw sdk::config_error("t_is_set: unknown target '" + std::string(target) +
                            "' (branch_route, failure_route or onreply_route)");
}

int cmd_t_is_set(siphost_msg* msg, const siphost_value*, void* data) {
    const auto* target = static_cast<const route_target*>(data);
    if (route_context& route = current_route(); route.txn != nullptr) {
        std::lock_guard lock(route.txn->mutex);
        return route.txn->*(target->armed) >= 0 ? 1 : -1;
    }
    request_context& request = request_context_of(msg);
    if (request.txn) {
        std::lock_guard lock(request.txn->mutex);
        return request.txn.get()->*(target->armed) >= 0 ? 1 : -1;
    }
    return request.*(target->pending) >= 0 ? 1 : -1;
}

/// t_drop_replies([mode]) in failure_route: 'a' (or none) drops every earlier reply, 'l' the last leg's,
/// 'n' none, for this transaction.
int8_t drop_mode(std::string_view mode) {
    if (mode.empty() || mode == "a")
        return 1;
    if (mode == "l")
        return 2;
    if (mode == "n")
        return 0;
    return -1;
}

std::unique_ptr<int8_t> fix_t_drop_replies(const siphost_value* args, const int* constant) {
    if (constant[0] && drop_mode(sdk::arg_view(args[0])) < 0)
        throw sdk::config_error("t_drop_replies: the mode must be \"a\" (all), \"l\" (the last leg) or \"n\" "
                                "(none)");
    return nullptr;
}

template <bool WithMode> int cmd_t_drop_replies(siphost_msg*, const siphost_value* args, void*) {
    int8_t mode = drop_mode(WithMode ? sdk::arg_view(args[0]) : std::string_view());
    route_context& route = current_route();
    if (route.txn == nullptr || mode < 0)
        return -1;
    std::lock_guard lock(route.txn->mutex);
    route.txn->drop_replies = mode;
    return 1;
}

int current_status(siphost_msg* msg) {
    if (route_context& route = current_route(); route.txn != nullptr)
        return route.reply_code;
    if (auto t = transaction_of(msg)) {
        std::lock_guard lock(t->mutex);
        return t->status;
    }
    return -1;
}

struct status_pattern {
    std::regex regex;
};

std::unique_ptr<status_pattern> fix_check_status(const siphost_value* args, const int* constant) {
    if (!constant[0])
        return nullptr;
    try {
        return std::make_unique<status_pattern>(
            status_pattern{std::regex(std::string(sdk::arg_view(args[0])))});
    } catch (const std::regex_error&) {
        throw sdk::config_error("t_check_status: not a valid regular expression");
    }
}

int cmd_t_check_status(siphost_msg* msg, const siphost_value* args, void* call_data) {
    int code = current_status(msg);
    if (code <= 0)
        return -1;
    std::string text = std::to_string(code);
    if (call_data != nullptr)
        return std::regex_search(text, static_cast<status_pattern*>(call_data)->regex) ? 1 : -1;
    try {
        return std::regex_search(text, std::regex(std::string(sdk::arg_view(args[0])))) ? 1 : -1;
    } catch (const std::regex_error&) {
        log(SIPHOST_LOG_ERR, "t_check_status: not a valid regular expression");
        return -1;
    }
}

// ---- hooks ----

int on_request_hook(siphost_msg* msg, void*) {
    return sdk::guard(SIPHOST_HOOK_CONTINUE, [&] {
        request_context& request = current_request();
        request = request_context{};
        request.msg = msg;
        // Nothing to match (a registrar's REGISTERs, answered statelessly): the key is not even read.
        if (state().transactions.empty())
            return SIPHOST_HOOK_CONTINUE;
        request_key key;
        if (!read_request_key(msg, key))
            return SIPHOST_HOOK_CONTINUE;
        auto t = match_request(key, match_mode::same);
        if (!t && key.method == "ACK") {
            // The ACK to a 2xx tm made itself (t_reply) ends here: there is nobody downstream to take it.
            if (auto local = match_ack_to_local_reply(key)) {
                std::lock_guard lock(local->mutex);
                if (local->final_local && local->status >= 200 && local->status < 300)
                    return SIPHOST_HOOK_CONSUMED;
            }
        }
        if (!t)
            return SIPHOST_HOOK_CONTINUE;
        std::lock_guard lock(t->mutex);
        if (key.method == "ACK") {
            if (!(t->invite && t->final_sent && t->status >= 300))
                return SIPHOST_HOOK_CONTINUE; // the ACK to a 2xx goes on end to end through the script
            if (!t->acked) {
                t->acked = true;
                ++t->upstream_generation; // timer G stops
                schedule_wait(*t);
            }
            // As in Kamailio (measured), the script sees it too: t_check_trans() is true for it and t_relay()
            // takes it without sending it on (relay() below). A script that does neither drops it.
            return SIPHOST_HOOK_CONTINUE;
        }
        resend_last_reply(*t);
        return SIPHOST_HOOK_CONSUMED;
    });
}

int after_request_hook(siphost_msg*, void*) {
    // A t_relay() that sent nothing and a script that did not reply: Kamailio 5.6.3 answers 477 once the
    // script is over (measured: after an sl_send_reply() too, which tm does not see; not after t_reply()).
    if (std::shared_ptr<transaction> t = std::move(current_request().unsent)) {
        std::lock_guard lock(t->mutex);
        if (!t->final_sent && t->branches.empty())
            send_local_reply(*t, 477, "Unfortunately error on sending to next hop occurred (477/TM)");
    }
    current_request() = request_context{}; // do not keep the transaction alive with the worker
    return SIPHOST_HOOK_CONTINUE;
}

// ---- the "tm" API ----

transaction* unwrap(siphost_tm_transaction* t) {
    return reinterpret_cast<transaction*>(t);
}

siphost_tm_transaction* wrap(transaction* t) {
    return reinterpret_cast<siphost_tm_transaction*>(t);
}

int api_has_transaction(siphost_msg* request) {
    return sdk::guard(-1, [&] { return transaction_of(request) ? 1 : 0; });
}

int api_reply_with(siphost_msg* request, int code, siphost_str reason, siphost_str extra_headers,
                   siphost_str body) {
    return sdk::guard(-1, [&] {
        auto t = transaction_of(request);
        if (!t)
            return -1;
        std::lock_guard lock(t->mutex);
        return send_script_reply(*t, request, code, sdk::view(reason), sdk::view(extra_headers),
                                 sdk::view(body));
    });
}

int api_reply(siphost_msg* request, int code, siphost_str reason) {
    return api_reply_with(request, code, reason, siphost_str{nullptr, 0}, siphost_str{nullptr, 0});
}

int api_reply_code(siphost_msg* msg) {
    return sdk::guard(-1, [&] {
        // branch_route has no reply of its own: there, as in request_route, it is the last one sent upstream
        // (Kamailio 5.6.3, measured: 100 after the automatic 100, 180 for a branch failure_route adds).
        if (const route_context& route = current_route();
            route.txn != nullptr && route.route_type != SIPHOST_ROUTE_BRANCH)
            return route.reply_code;
        auto t = transaction_of(msg);
        // An ACK to a negative reply reads the code of the INVITE it acknowledges, as in Kamailio 5.6.3
        // (measured: 487 after a CANCEL, 408 after a timeout, before any t_check_trans()).
        if (!t && sdk::view(host()->msg_method(msg)) == "ACK")
            t = acked_by(msg);
        if (!t)
            return -1;
        std::lock_guard lock(t->mutex);
        return t->status;
    });
}

siphost_msg* api_transaction_request(siphost_msg* msg) {
    auto t = transaction_of(msg);
    return t ? t->request.get() : nullptr;
}

siphost_msg* api_transaction_reply(siphost_msg*) {
    return current_route().txn != nullptr ? current_route().reply : nullptr;
}

int api_branch_index(siphost_msg* msg) {
    if (current_route().txn != nullptr)
        return current_route().branch;
    return transaction_of(msg) ? 0 : -1;
}

uint32_t api_route_type() {
    return current_route().route_type;
}

siphost_tm_transaction* api_transaction(siphost_msg* msg) {
    // The holder of the shared pointer (the request context or the route's runner) outlives the caller's use.
    auto t = transaction_of(msg);
    return wrap(t.get());
}

int api_newtran(siphost_msg* msg) {
    return sdk::guard(-1, [&] {
        if (transaction_of(msg))
            return 1;
        if (current_route().txn != nullptr)
            return -1; // tm's own routes run on a transaction already
        lookup_result result;
        auto t = request_transaction(msg, true, result);
        if (result == lookup_result::retransmission)
            return 0;
        return t ? 1 : -1;
    });
}

int api_transaction_info(siphost_tm_transaction* t, siphost_tm_transaction_info* out) {
    if (t == nullptr || out == nullptr)
        return -1;
    return sdk::guard(-1, [&] { return describe(*unwrap(t), *out); });
}

void api_ref(siphost_tm_transaction* t) {
    if (t != nullptr)
        pin(*unwrap(t));
}

void api_unref(siphost_tm_transaction* t) {
    if (t != nullptr)
        unpin(*unwrap(t));
}

siphost_tm_transaction* api_lookup_ident(uint32_t index, uint32_t label) {
    try {
        auto t = state().transactions.find(index, label);
        if (!t)
            return nullptr;
        pin(*t);
        return wrap(t.get());
    } catch (...) {
        return nullptr;
    }
}

int api_register_callback(siphost_tm_transaction* t, uint32_t types, siphost_tm_callback_fn fn, void* param) {
    return sdk::guard(-1, [&] { return register_callback(unwrap(t), types, fn, param); });
}

int api_t_uac(const siphost_tm_uac_request* request, uint32_t* index, uint32_t* label) {
    if (request == nullptr)
        return -1;
    return sdk::guard(-1, [&] { return start_uac(*request, index, label); });
}

int api_route_info(siphost_msg*, siphost_tm_route_info* out) {
    // Every field here is of minor 1; one added later is written only when out->struct_size covers it.
    const route_context& route = current_route();
    if (out == nullptr || out->struct_size < sizeof(siphost_tm_route_info) || route.txn == nullptr)
        return -1;
    transaction& t = *route.txn; // its lock is held while the route runs
    out->route_type = route.route_type;
    out->branch = route.branch;
    out->reply_code = route.reply_code;
    out->reply_local = 0;
    out->reply_reason = sdk::str("");
    out->branch_uri = sdk::str("");
    out->branch_ruid = sdk::str("");
    out->branch_flags = 0;
    out->branch_last_code = 0;
    if (route.reply != nullptr) {
        out->reply_reason = host()->msg_reason(route.reply);
    } else if (route.route_type != SIPHOST_ROUTE_BRANCH && route.reply_code >= 300) {
        // The only final reply tm makes for a branch is a timeout's (fail_branch_locally).
        out->reply_local = 1;
        out->reply_reason = sdk::str(timeout_reason);
    }
    if (route.branch >= 0 && static_cast<size_t>(route.branch) < t.branches.size()) {
        const branch& b = t.branches[static_cast<size_t>(route.branch)];
        out->branch_uri = sdk::str(branch_ruri(b));
        out->branch_ruid = sdk::str(b.ruid);
        out->branch_flags = b.flags;
        out->branch_last_code = b.last_received;
    }
    return 0;
}

int api_with_canceled_request(siphost_msg* cancel, siphost_tm_request_fn fn, void* data) {
    if (cancel == nullptr || fn == nullptr)
        return -1;
    return sdk::guard(-1, [&] {
        request_key key;
        if (!read_request_key(cancel, key) || key.method != "CANCEL")
            return 0;
        auto invite = match_request(key, match_mode::cancel_target);
        if (!invite)
            return 0;
        std::lock_guard lock(invite->mutex);
        if (!invite->request)
            return 0;
        fn(invite->request.get(), data);
        return 1;
    });
}

const siphost_tm_api_v1 tm_api = {
    sizeof(siphost_tm_api_v1),
    api_has_transaction,
    api_reply,
    api_reply_code,
    api_transaction_request,
    api_transaction_reply,
    api_branch_index,
    api_route_type,
    api_transaction,
    api_newtran,
    api_transaction_info,
    api_ref,
    api_unref,
    api_lookup_ident,
    api_register_callback,
    api_reply_with,
    api_t_uac,
    api_route_info,
    api_with_canceled_request,
};

// ---- RPC ----

int64_t value_of(const siphost_metric* metric) {
    return metric != nullptr ? host()->metrics->metric_value(metric) : 0;
}

/// tm.stats: Kamailio's shape, with what tm counts (it frees a transaction at once: no delayed_free).
void rpc_stats(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host()->rpc;
    const tm_metrics& m = state().metrics;
    siphost_rpc_node* st = rpc->add_struct(rpc->result(call), nullptr);
    if (st == nullptr)
        return;
    int64_t created = value_of(m.created);
    int64_t current = value_of(m.active);
    int64_t relayed = 0;
    for (const siphost_metric* metric : m.relayed)
        relayed += value_of(metric);
    rpc->add_int(st, "current", current);
    rpc->add_int(st, "waiting", value_of(m.waiting));
    rpc->add_int(st, "total", created);
    rpc->add_int(st, "total_local", value_of(m.local_created));
    rpc->add_int(st, "rpl_received", value_of(m.replies_received));
    rpc->add_int(st, "rpl_generated", value_of(m.local_replies));
    rpc->add_int(st, "rpl_sent", value_of(m.local_replies) + relayed);
    static const char* const classes[5] = {"2xx", "3xx", "4xx", "5xx", "6xx"};
    for (int i = 4; i >= 0; --i)
        rpc->add_int(st, classes[i], value_of(m.completed[i]));
    rpc->add_int(st, "created", created);
    rpc->add_int(st, "freed", created - current);
}

/// tm.list: one struct per transaction in the table.
void rpc_list(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host()->rpc;
    siphost_rpc_node* top = rpc->result(call);
    uint64_t now = host()->now_ms();
    try {
        state().transactions.for_each([&](const std::shared_ptr<transaction>& t) {
            siphost_tm_transaction_info info = sdk::sized<siphost_tm_transaction_info>();
            if (describe(*t, info) != 0)
                return;
            siphost_rpc_node* st = rpc->add_struct(top, nullptr);
            if (st == nullptr)
                return;
            rpc->add_int(st, "tindex", info.index);
            rpc->add_int(st, "tlabel", info.label);
            rpc->add_str(st, "method", info.method);
            rpc->add_str(st, "ruri", info.ruri);
            rpc->add_str(st, "callid", info.call_id);
            rpc->add_int(st, "cseq", info.cseq);
            rpc->add_str(st, "from_tag", info.from_tag);
            rpc->add_int(st, "status", info.status);
            rpc->add_int(st, "flags", info.flags);
            rpc->add_int(st, "branches", info.branch_count);
            rpc->add_int(st, "age_ms", static_cast<int64_t>(now - info.created_ms));
        });
    } catch (...) {
        rpc->fault(call, 500, sdk::str("out of memory"));
    }
}

// ---- the module ----

siphost_metric* register_metric(const siphost_host_api* h, siphost_module_handle* self, const char* name,
                                uint32_t kind, const char* help) {
    siphost_metric_desc desc = sdk::sized<siphost_metric_desc>();
    desc.name = name;
    desc.kind = kind;
    desc.help = help;
    return h->metrics->metric_register(self, &desc);
}

bool register_metrics(const siphost_host_api* h, siphost_module_handle* self, tm_metrics& m) {
    static const char* const relayed_names[6] = {"relayed_1xx", "relayed_2xx", "relayed_3xx",
                                                 "relayed_4xx", "relayed_5xx", "relayed_6xx"};
    static const char* const completed_names[5] = {"completed_2xx", "completed_3xx", "completed_4xx",
                                                   "completed_5xx", "completed_6xx"};
    constexpr uint32_t counter = SIPHOST_METRIC_COUNTER;
    constexpr uint32_t gauge = SIPHOST_METRIC_GAUGE;
    m.created = register_metric(h, self, "created", counter, "transactions created, t_uac's included");
    m.active = register_metric(h, self, "active", gauge, "transactions in the table now");
    m.waiting = register_metric(h, self, "waiting", gauge, "finished transactions waiting out wt_timer");
    m.local_created = register_metric(h, self, "local_created", counter, "transactions created by t_uac");
    m.local_replies = register_metric(h, self, "local_replies", counter, "replies tm made itself");
    m.retransmissions =
        register_metric(h, self, "retransmissions", counter, "requests and replies tm sent again");
    m.replies_received =
        register_metric(h, self, "replies_received", counter, "replies received on a transaction's branch");
    bool ok = m.created && m.active && m.waiting && m.local_created && m.local_replies && m.retransmissions &&
              m.replies_received;
    for (int i = 0; i < 6; ++i) {
        m.relayed[i] =
            register_metric(h, self, relayed_names[i], counter, "replies relayed upstream, by class");
        ok = ok && m.relayed[i] != nullptr;
    }
    for (int i = 0; i < 5; ++i) {
        m.completed[i] = register_metric(h, self, completed_names[i], counter,
                                         "transactions completed, by the class of their final reply");
        ok = ok && m.completed[i] != nullptr;
    }
    return ok;
}

int init(const siphost_host_api* h, siphost_module_handle* self, char* err, size_t err_size) {
    return sdk::guard_with_error(err, err_size, [&] {
        tm_state& s = state();
        const tm_params& p = s.params;
        if (p.fr_timer <= 0 || p.fr_inv_timer <= 0 || p.wt_timer <= 0 || p.retr_timer1 <= 0 ||
            p.retr_timer2 < p.retr_timer1 || p.max_inv_lifetime <= 0 || p.max_noninv_lifetime <= 0)
            throw sdk::config_error("tm timers must be positive and retr_timer2 at least retr_timer1");
        if (p.failure_reply_mode < 0 || p.failure_reply_mode > 3)
            throw sdk::config_error("failure_reply_mode must be 0, 1, 2 or 3 (it is " +
                                    std::to_string(p.failure_reply_mode) + ")");
        s.host = h;
        s.self = self;
        s.shutting_down.store(false);
        int64_t branches = h->limit(SIPHOST_LIMIT_BRANCHES);
        // The branch index is 16 bits in the timer entries.
        s.max_branches = branches > 0 && branches <= 65535 ? static_cast<size_t>(branches) : 12;
        if (!register_metrics(h, self, s.metrics))
            throw sdk::config_error("cannot register the tm metrics");
        // 10 ms ticks, 4096 buckets: one turn is about 41 s, longer timers wait for their turn.
        s.wheel = std::make_unique<timer_wheel<timer_entry>>(10, 4096, h->now_ms());
        // Without a transaction the tick has nothing to do: it rests until a timer is added (ABI 1.8).
        s.wheel->on_rest([](bool resting) { host()->async->every_idle(state().self, resting ? 1 : 0); });
        if (h->async->every(self, 10, 0, on_timer_tick, nullptr) != 0)
            throw sdk::config_error("cannot start the tm timer");
        if (h->register_request_hook(SIPHOST_HOOK_PRE_SCRIPT, on_request_hook, nullptr) != 0 ||
            h->register_request_hook(SIPHOST_HOOK_POST_SCRIPT, after_request_hook, nullptr) != 0 ||
            h->register_reply_hook(SIPHOST_HOOK_POST_SCRIPT, on_reply_hook, nullptr) != 0)
            throw sdk::config_error("cannot register the tm hooks");
        if (h->api_export(self, SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR, &tm_api) != 0)
            throw sdk::config_error("cannot export the \"tm\" API: another module already exports it");
        return 0;
    });
}

void destroy() {
    tm_state& s = state();
    s.shutting_down.store(true);
    if (s.wheel)
        s.wheel->clear();
    s.transactions.clear();
    s.request_in_count.store(0);
}

// event_route[tm:branch-failure:X] may start a branch and arm the routes it runs (Kamailio's outbound
// example).
constexpr uint32_t relay_routes =
    SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH_FAILURE;
constexpr uint32_t arm_routes = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_TM_ONREPLY |
                                SIPHOST_ROUTE_BRANCH | SIPHOST_ROUTE_BRANCH_FAILURE;
constexpr uint32_t status_routes =
    SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_TM_ONREPLY | SIPHOST_ROUTE_BRANCH_FAILURE;
constexpr uint32_t inspect_routes = arm_routes | SIPHOST_ROUTE_BRANCH_FAILURE;
constexpr uint32_t branch_outcome_routes = SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH_FAILURE;

siphost_command route_command(const char* name, siphost_command_fn handler, uint32_t route_type,
                              const char* doc) {
    siphost_command c = sdk::command(name, arm_routes, handler, {SIPHOST_ARG_ROUTE}, nullptr, nullptr, doc);
    c.arg_route_types[0] = route_type;
    return c;
}

const siphost_command commands[] = {
    sdk::command("t_relay", relay_routes, sdk::guarded<&cmd_t_relay>, {}, nullptr, nullptr,
                 "relays the request statefully to its next hop"),
    sdk::command("t_relay", relay_routes, sdk::guarded<&cmd_t_relay_to>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "relays the request statefully to host, port"),
    sdk::command("t_relay_to_udp", relay_routes, sdk::guarded<&cmd_t_relay_proto<SIPHOST_PROTO_UDP>>, {},
                 nullptr, nullptr, "relays the request statefully over UDP to its next hop"),
    sdk::command("t_relay_to_udp", relay_routes, sdk::guarded<&cmd_t_relay_to_proto<SIPHOST_PROTO_UDP>>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "relays the request statefully over UDP to host, port"),
    sdk::command("t_relay_to_tcp", relay_routes, sdk::guarded<&cmd_t_relay_proto<SIPHOST_PROTO_TCP>>, {},
                 nullptr, nullptr, "relays the request statefully over TCP to its next hop"),
    sdk::command("t_relay_to_tcp", relay_routes, sdk::guarded<&cmd_t_relay_to_proto<SIPHOST_PROTO_TCP>>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "relays the request statefully over TCP to host, port"),
    sdk::command("t_relay_to_tls", relay_routes, sdk::guarded<&cmd_t_relay_proto<SIPHOST_PROTO_TLS>>, {},
                 nullptr, nullptr, "relays the request statefully over TLS to its next hop"),
    sdk::command("t_relay_to_tls", relay_routes, sdk::guarded<&cmd_t_relay_to_proto<SIPHOST_PROTO_TLS>>,
                 {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "relays the request statefully over TLS to host, port"),
    route_command("t_on_reply", sdk::guarded<&cmd_t_on<&transaction::on_reply, &request_context::on_reply>>,
                  SIPHOST_ROUTE_TM_ONREPLY, "runs onreply_route[name] for the replies of the transaction"),
    route_command("t_on_failure",
                  sdk::guarded<&cmd_t_on<&transaction::on_failure, &request_context::on_failure>>,
                  SIPHOST_ROUTE_FAILURE, "runs failure_route[name] when the transaction fails"),
    route_command("t_on_branch",
                  sdk::guarded<&cmd_t_on<&transaction::on_branch, &request_context::on_branch>>,
                  SIPHOST_ROUTE_BRANCH, "runs branch_route[name] for each branch"),
    sdk::command("t_on_branch_failure", arm_routes, sdk::guarded<&cmd_t_on_branch_failure>,
                 {SIPHOST_ARG_STRING}, sdk::fixup<&fix_t_on_branch_failure>,
                 sdk::free_call_data<branch_failure_site>,
                 "runs event_route[tm:branch-failure:name] for each branch that fails"),
    sdk::command("t_reply", SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE, sdk::guarded<&cmd_t_reply>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_STRING}, nullptr, nullptr,
                 "sends a stateful reply: t_reply(code, reason)"),
    sdk::command("t_newtran", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_t_newtran>, {}, nullptr, nullptr,
                 "creates the transaction of the request"),
    sdk::command(
        "t_check_trans", arm_routes | SIPHOST_ROUTE_CORE_ONREPLY, sdk::guarded<&cmd_t_check_trans>, {},
        nullptr, nullptr,
        "true when the request has a transaction (answering a retransmission ends the script), or the "
        "reply answers one"),
    sdk::command("t_check_status", status_routes, sdk::guarded<&cmd_t_check_status>, {SIPHOST_ARG_STRING},
                 sdk::fixup<&fix_check_status>, sdk::free_call_data<status_pattern>,
                 "true when the reply code matches the regular expression"),
    sdk::command("t_precheck_trans", SIPHOST_ROUTE_REQUEST, sdk::guarded<&cmd_t_precheck_trans>, {}, nullptr,
                 nullptr, "true when another copy of the request is in a transaction already"),
    sdk::command("t_set_fr", arm_routes, sdk::guarded<&cmd_t_set_fr<false>>, {SIPHOST_ARG_INT}, nullptr,
                 nullptr, "sets the transaction's fr_inv_timer (ms; 0: the modparam)"),
    sdk::command("t_set_fr", arm_routes, sdk::guarded<&cmd_t_set_fr<true>>,
                 {SIPHOST_ARG_INT, SIPHOST_ARG_INT}, nullptr, nullptr,
                 "sets the transaction's fr_inv_timer and fr_timer (ms; 0: the modparam)"),
    sdk::command("t_is_canceled", inspect_routes, sdk::guarded<&cmd_t_is_canceled>, {}, nullptr, nullptr,
                 "true when a CANCEL came for the transaction"),
    sdk::command("t_branch_timeout", branch_outcome_routes, sdk::guarded<&cmd_branch_outcome<false, true>>,
                 {}, nullptr, nullptr, "true when the failed branch timed out"),
    sdk::command("t_branch_replied", branch_outcome_routes, sdk::guarded<&cmd_branch_outcome<false, false>>,
                 {}, nullptr, nullptr, "true when the failed branch received a reply"),
    sdk::command("t_any_timeout", inspect_routes, sdk::guarded<&cmd_branch_outcome<true, true>>, {}, nullptr,
                 nullptr, "true when a branch of the transaction timed out"),
    sdk::command("t_any_replied", inspect_routes, sdk::guarded<&cmd_branch_outcome<true, false>>, {}, nullptr,
                 nullptr, "true when a branch of the transaction received a reply"),
    sdk::command("t_is_set", inspect_routes, sdk::guarded<&cmd_t_is_set>, {SIPHOST_ARG_STRING},
                 sdk::fixup<&fix_t_is_set>, sdk::free_call_data<route_target>,
                 "true when branch_route, failure_route or onreply_route is armed for the transaction"),
    sdk::command("t_drop_replies", SIPHOST_ROUTE_FAILURE, sdk::guarded<&cmd_t_drop_replies<false>>, {},
                 nullptr, nullptr, "drops the replies of earlier branches once failure_route forks again"),
    sdk::command("t_drop_replies", SIPHOST_ROUTE_FAILURE, sdk::guarded<&cmd_t_drop_replies<true>>,
                 {SIPHOST_ARG_STRING}, sdk::fixup<&fix_t_drop_replies>, sdk::free_call_data<int8_t>,
                 "drops replies once failure_route forks again: a (all), l (the last leg), n (none)"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::int_param("fr_timer", &state().params.fr_timer, "final response timeout (ms)"),
    sdk::int_param("fr_inv_timer", &state().params.fr_inv_timer,
                   "INVITE final response timeout after a provisional (ms)"),
    sdk::int_param("wt_timer", &state().params.wt_timer, "how long a finished transaction stays (ms)"),
    sdk::int_param("retr_timer1", &state().params.retr_timer1, "T1, the first retransmission interval (ms)"),
    sdk::int_param("retr_timer2", &state().params.retr_timer2,
                   "T2, the longest retransmission interval (ms)"),
    sdk::int_param("max_inv_lifetime", &state().params.max_inv_lifetime,
                   "the longest an INVITE transaction lives (ms)"),
    sdk::int_param("max_noninv_lifetime", &state().params.max_noninv_lifetime,
                   "the longest a non-INVITE transaction lives (ms)"),
    sdk::int_param("auto_inv_100", &state().params.auto_inv_100,
                   "answer a new INVITE with 100 at once (0/1)"),
    sdk::string_param("auto_inv_100_reason", &state().params.auto_inv_100_reason,
                      "the reason phrase of that 100"),
    sdk::int_param("restart_fr_on_each_reply", &state().params.restart_fr_on_each_reply,
                   "restart fr_inv_timer on every provisional reply (0/1)"),
    sdk::int_param("failure_reply_mode", &state().params.failure_reply_mode,
                   "which replies of earlier serial legs compete once failure_route forks again: 0 all, 1 "
                   "and 3 none, 2 all but the previous leg's (3)"),
    sdk::end_of_params(),
};

const siphost_event events[] = {
    sdk::event("tm:branch-failure", SIPHOST_ROUTE_BRANCH_FAILURE, SIPHOST_EVENT_NAMED,
               "event_route[tm:branch-failure:name]: a branch armed by t_on_branch_failure(name) failed"),
    sdk::event("tm:local-request", SIPHOST_ROUTE_EVENT, 0,
               "a request of a module's own (t_uac), before it is sent; changes made here are sent"),
    sdk::end_of_events(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("tm.stats", rpc_stats, "transaction statistics"),
    sdk::rpc("tm.list", rpc_list, "the transactions in the table"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .events = events,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::tm

SIPHOST_MODULE(siphost::modules::tm::descriptor)
