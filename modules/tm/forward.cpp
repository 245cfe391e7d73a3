// Creating transactions and sending requests downstream: branches, the stateless ACK relay and the
// hop-by-hop requests tm makes itself (CANCEL, ACK to a negative reply).
#include "tm.hpp"

#include <siphost/module.hpp>

#include <cstdio>
#include <random>

namespace siphost::modules::tm {

const std::string& tag_prefix() {
    static const std::string prefix = [] {
        std::random_device device;
        uint64_t value = (static_cast<uint64_t>(device()) << 32) ^ device();
        char text[17];
        static constexpr char hex[] = "0123456789abcdef";
        for (int i = 0; i < 16; ++i)
            text[i] = hex[(value >> (60 - 4 * i)) & 0xf];
        return std::string(text, 16);
    }();
    return prefix;
}

bool send_to(const siphost_dest& destination, std::string_view bytes) {
    return host()->send(&destination, sdk::str(bytes)) == 0;
}

bool build_with_branch(const siphost_msg* msg, const siphost_socket* from, std::string_view branch,
                       std::string& out) {
    const siphost_host_api* h = host();
    thread_local std::string buffer(65536, '\0');
    size_t len = 0;
    if (h->build_request(msg, from, sdk::str(branch), buffer.data(), buffer.size(), &len) != 0) {
        if (len <= buffer.size())
            return false;
        buffer.resize(len);
        if (h->build_request(msg, from, sdk::str(branch), buffer.data(), buffer.size(), &len) != 0)
            return false;
    }
    out.assign(buffer.data(), len);
    return true;
}

namespace {

/// Where a request goes: host:port when given, else its next hop; with the socket its Via is made from.
bool destination_of(const siphost_msg* msg, std::string_view host_name, uint16_t port, siphost_dest& to,
                    uint8_t proto) {
    const siphost_host_api* h = host();
    to = sdk::sized<siphost_dest>();
    to.proto = proto;
    // force_send_socket(): resolve keeps the script's socket when its protocol is the destination's.
    to.socket = h->msg_send_socket(msg);
    bool resolved;
    if (host_name.empty()) {
        siphost_str hop{nullptr, 0};
        if (h->msg_next_hop(msg, &hop) != 0) {
            log(SIPHOST_LOG_ERR, "the request has no next hop");
            return false;
        }
        resolved = h->resolve(hop, 0, &to) == 0 && to.socket != nullptr;
    } else {
        resolved = h->resolve(sdk::str(host_name), port, &to) == 0 && to.socket != nullptr;
    }
    // set_forward_no_connect()/set_forward_close(), from the request route or this branch's branch_route:
    // every message of the branch (the request, its CANCEL) goes with them, as in Kamailio.
    to.flags |= h->msgctx->send_flags(msg, 0);
    return resolved;
}

} // namespace

std::shared_ptr<transaction> new_transaction(siphost_msg* msg, const request_key& key) {
    const siphost_host_api* h = host();
    tm_state& s = state();
    auto t = s.transactions.create(key.slot, [&](transaction& fresh) {
        // Locked before anybody can find it: the caller finishes setting it up and unlocks.
        fresh.mutex.lock();
        fresh.method.assign(key.method);
        fresh.invite = key.method == "INVITE";
        fresh.via_branch.assign(key.via_branch);
        fresh.via_host.assign(key.via_host);
        fresh.via_port = key.via_port;
        fresh.call_id.assign(key.call_id);
        fresh.cseq = key.cseq;
        fresh.from_tag.assign(key.from_tag);
        fresh.ruri.assign(key.ruri);
        char label[24];
        int n = std::snprintf(label, sizeof label, "-%x%x", fresh.slot, fresh.label);
        fresh.to_tag = tag_prefix();
        fresh.to_tag.append(label, n > 0 ? static_cast<size_t>(n) : 0);
        fresh.created_ms = h->now_ms();
    });
    std::unique_lock lock(t->mutex, std::adopt_lock);
    t->request.reset(h->msg_clone(msg));
    if (!t->request) {
        s.transactions.remove(*t);
        return nullptr;
    }
    // Kamailio's copy of the request keeps the Request-URI branch's path vector but not its ruid (measured on
    // 5.6.3: in failure_route $ruid is null, and a new relay there still carries the Path as Route).
    siphost_branch own = sdk::sized<siphost_branch>();
    if (h->msgctx->ruri_branch(t->request.get(), &own) == 0 && own.ruid.len > 0) {
        // Copies: the views point into the very strings set_ruri_branch replaces.
        std::string path(sdk::view(own.path)), instance(sdk::view(own.instance));
        own.path = sdk::str(path);
        own.instance = sdk::str(instance);
        own.ruid = sdk::str("");
        own.socket = nullptr;
        h->msgctx->set_ruri_branch(t->request.get(), &own);
    }
    // The AVPs set so far belong to the transaction from now on (onreply and failure routes see them).
    t->avps.reset(h->msg_swap_avps(msg, h->avp_list_new()));
    t->upstream = sdk::sized<siphost_dest>();
    if (h->reply_destination(msg, &t->upstream) != 0)
        log(SIPHOST_LOG_ERR, "no destination for the replies of a new transaction");
    count(s.metrics.created);
    count(s.metrics.active);
    schedule(*t, timer_kind::lifetime,
             static_cast<uint32_t>(t->invite ? s.params.max_inv_lifetime : s.params.max_noninv_lifetime));
    // Other modules attach here (dialog, acc), before anything is sent for the transaction.
    run_request_in(*t, msg);
    lock.release(); // handed over locked
    return t;
}

int relay_branch(transaction& t, siphost_msg* source, siphost_msg* script_msg, std::string_view host_name,
                 uint16_t port, uint8_t proto) {
    const siphost_host_api* h = host();
    tm_state& s = state();
    if (t.final_sent) {
        log(SIPHOST_LOG_ERR, "cannot relay: the transaction already has a final reply");
        return -1;
    }
    if (t.branches.size() >= s.max_branches) {
        log(SIPHOST_LOG_ERR, "cannot relay: too many branches");
        return -1;
    }
    auto index = static_cast<uint32_t>(t.branches.size());

    // branch_route runs on a copy per branch, as the request may fork.
    owned_msg branch_copy;
    const siphost_msg* build_from = source;
    if (t.on_branch >= 0) {
        branch_copy.reset(h->msg_clone(source));
        if (!branch_copy)
            return -1;
        int rc = run_transaction_route(t, t.on_branch, SIPHOST_ROUTE_BRANCH, branch_copy.get(),
                                       static_cast<int>(index), nullptr, 0);
        if (rc == SIPHOST_ROUTE_DROPPED)
            return -1;
        build_from = branch_copy.get();
    }

    branch b;
    if (!destination_of(build_from, host_name, port, b.destination, proto)) {
        log(SIPHOST_LOG_ERR, "cannot relay: no destination");
        return -1;
    }
    char branch_text[max_branch_length];
    size_t branch_len = encode_branch(branch_id{t.slot, t.label, index}, branch_text);
    if (!build_with_branch(build_from, b.destination.socket, std::string_view(branch_text, branch_len),
                           b.request)) {
        log(SIPHOST_LOG_ERR, "cannot relay: the request cannot be built");
        return -1;
    }
    // The first copy of each branch passes the script's onsend_route (its retransmissions do not), which
    // sees the request the script relays, as in Kamailio ($ru the relayed request's, not a target's).
    int send_result = h->send_request(script_msg, &b.destination, sdk::str(b.request));
    if (send_result == SIPHOST_SEND_DROPPED) {
        log(SIPHOST_LOG_DBG, "onsend_route dropped a branch");
        return -1;
    }
    if (send_result != 0) {
        log(SIPHOST_LOG_ERR, "cannot relay: sending failed");
        return -1;
    }
    b.retransmit_interval = static_cast<uint32_t>(s.params.retr_timer1);
    h->msgctx->branch_flags(build_from, 0, &b.flags);
    if (siphost_branch own = sdk::sized<siphost_branch>(); h->msgctx->ruri_branch(build_from, &own) == 0)
        b.ruid.assign(sdk::view(own.ruid));
    t.branches.push_back(std::move(b));
    callback_event sent;
    sent.branch = static_cast<int>(index);
    sent.bytes = t.branches.back().request;
    sent.dest = &t.branches.back().destination;
    run_callbacks(t, SIPHOST_TM_CB_REQUEST_OUT, sent);
    auto idx16 = static_cast<uint16_t>(index);
    // RFC 3261 17.1.1.2 and 17.1.2.2: timers A and E only on an unreliable transport.
    if (t.branches.back().destination.proto == SIPHOST_PROTO_UDP)
        schedule(t, timer_kind::retransmit, static_cast<uint32_t>(s.params.retr_timer1), idx16, 0);
    // fr_timer until a provisional reply; an INVITE then waits fr_inv_timer (reply.cpp).
    schedule(t, timer_kind::final_response, fr_timer_of(t), idx16, 0);
    return 1;
}

int relay_to_targets(transaction& t, siphost_msg* msg, std::string_view host_name, uint16_t port,
                     bool request_uri_consumed, uint8_t proto) {
    const siphost_host_api* h = host();
    // The destination set is read and emptied first: a branch_route or a later failure_route starts afresh.
    struct target_copy {
        std::string uri, dst_uri, path, instance, ruid;
        siphost_branch attrs; ///< q, info, flags, socket, reg-id; views re-pointed at the copies
    };
    std::vector<target_copy> targets;
    uint32_t target_count = h->msgctx->branch_count(msg);
    for (uint32_t i = 0; i < target_count; ++i) {
        siphost_branch target = sdk::sized<siphost_branch>();
        if (h->msgctx->branch_at(msg, i, &target) == 0)
            targets.push_back({std::string(sdk::view(target.uri)), std::string(sdk::view(target.dst_uri)),
                               std::string(sdk::view(target.path)), std::string(sdk::view(target.instance)),
                               std::string(sdk::view(target.ruid)), target});
    }
    if (target_count > 0)
        h->msgctx->clear_branches(msg);
    int relayed = 0;
    if (!request_uri_consumed || targets.empty())
        relayed += relay_branch(t, msg, msg, host_name, port, proto) > 0 ? 1 : 0;
    for (target_copy& target : targets) {
        // Each target is the request with its own Request-URI and $du, as the script would have set them,
        // and as its Request-URI branch its own Path (a contact registered through proxies, RFC 3327: written
        // as the first Route when sent), ruid ($ruid in branch_route), instance, reg-id and socket ($fs), as
        // in Kamailio. A target without a socket of its own (appended before force_send_socket()) leaves from
        // the socket its destination picks, not from the one forced on the message.
        owned_msg copy(h->msg_clone(msg));
        siphost_branch& attrs = target.attrs;
        attrs.uri = sdk::str(target.uri);
        attrs.dst_uri = sdk::str(target.dst_uri);
        attrs.path = sdk::str(target.path);
        attrs.instance = sdk::str(target.instance);
        attrs.ruid = sdk::str(target.ruid);
        if (!copy || h->msg_set_send_socket(copy.get(), attrs.socket) != 0 ||
            h->msgctx->set_branch_flags(copy.get(), 0, attrs.flags) != 0 ||
            h->msg_set_ruri(copy.get(), sdk::str(target.uri)) != 0 ||
            h->msg_set_dst_uri(copy.get(), sdk::str(target.dst_uri)) != 0 ||
            h->msgctx->set_ruri_branch(copy.get(), &attrs) != 0) {
            log(SIPHOST_LOG_ERR, "cannot relay to a branch of the destination set");
            continue;
        }
        relayed += relay_branch(t, copy.get(), msg, host_name, port, proto) > 0 ? 1 : 0;
    }
    // As in Kamailio 5.6.3 (measured): branch_route runs for the branches of the one relay it was armed for;
    // a later t_relay() (another in the same route, or failure_route's) runs it only when armed again.
    t.on_branch = -1;
    return relayed > 0 ? 1 : -1;
}

int forward_stateless(siphost_msg* msg, std::string_view host_name, uint16_t port, uint8_t proto) {
    const siphost_host_api* h = host();
    siphost_dest to{};
    if (!destination_of(msg, host_name, port, to, proto))
        return -1;
    // The same request always gets the same branch, so a retransmitted ACK is recognisable downstream.
    uint64_t hash = 14695981039346656037ull;
    for (std::string_view part : {sdk::view(h->msg_via_branch(msg, 0)), sdk::view(h->msg_call_id(msg)),
                                  sdk::view(h->msg_method(msg))}) {
        for (unsigned char c : part) {
            hash ^= c;
            hash *= 1099511628211ull;
        }
    }
    char branch_text[40];
    int n = std::snprintf(branch_text, sizeof branch_text, "z9hG4bKtms%016llx",
                          static_cast<unsigned long long>(hash));
    std::string bytes;
    if (n <= 0 ||
        !build_with_branch(msg, to.socket, std::string_view(branch_text, static_cast<size_t>(n)), bytes))
        return -1;
    // As Kamailio's core forwarding, which tm hands a stateless relay to: onsend_route runs first.
    int sent = host()->send_request(msg, &to, sdk::str(bytes));
    return sent == 0 ? 1 : -1;
}

std::string build_hop_request(std::string_view method, const branch& b, std::string_view to) {
    const siphost_host_api* h = host();
    owned_msg sent(h->msg_parse(sdk::str(b.request), nullptr));
    if (!sent)
        return {};
    uint32_t cseq = 0;
    siphost_str cseq_method{nullptr, 0};
    std::string_view via = sdk::header(h, sent.get(), "Via", 0);
    std::string_view from = sdk::header(h, sent.get(), "From", 0);
    std::string_view ruri = sdk::view(h->msg_ruri(sent.get()));
    if (to.empty())
        to = sdk::header(h, sent.get(), "To", 0);
    if (via.empty() || from.empty() || to.empty() || ruri.empty() ||
        h->msg_cseq(sent.get(), &cseq, &cseq_method) != 0)
        return {};
    std::string out;
    out.reserve(512);
    out.append(method).append(" ").append(ruri).append(" SIP/2.0\r\n");
    out.append("Via: ").append(via).append("\r\n");
    bool found = true;
    for (uint32_t i = 0; found; ++i) {
        std::string_view route = sdk::header(h, sent.get(), "Route", i, &found);
        if (found)
            out.append("Route: ").append(route).append("\r\n");
    }
    out.append("From: ").append(from).append("\r\n");
    out.append("To: ").append(to).append("\r\n");
    out.append("Call-ID: ").append(sdk::view(h->msg_call_id(sent.get()))).append("\r\n");
    out.append("CSeq: ").append(std::to_string(cseq)).append(" ").append(method).append("\r\n");
    out.append("Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
    return out;
}

void send_cancel(transaction& t, size_t index, bool timed_out) {
    branch& b = t.branches[index];
    if (b.cancel_sent || (b.final && !(timed_out && b.local)))
        return;
    b.cancel_sent = true;
    b.cancel = build_hop_request("CANCEL", b, {});
    if (b.cancel.empty() || !send_to(b.destination, b.cancel)) {
        log(SIPHOST_LOG_ERR, "cannot send a CANCEL downstream");
        return;
    }
    // The CANCEL is a non-INVITE client transaction of its own: resent on timer E until answered.
    b.cancel_interval = static_cast<uint32_t>(state().params.retr_timer1);
    b.cancel_deadline_ms = host()->now_ms() + 64ull * static_cast<uint64_t>(state().params.retr_timer1);
    schedule(t, timer_kind::cancel_retransmit, b.cancel_interval, static_cast<uint16_t>(index), 0);
}

} // namespace siphost::modules::tm
