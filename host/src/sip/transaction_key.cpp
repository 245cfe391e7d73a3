#include "sip/transaction_key.hpp"

#include <functional>

#include "sip/chars.hpp"

namespace siphost::sip {

bool is_rfc3261_branch(std::string_view branch) {
    return branch.size() > magic_cookie.size() && branch.starts_with(magic_cookie);
}

std::optional<rfc3261_key> make_rfc3261_key(const message& msg) {
    if (!msg.status().ok())
        return std::nullopt;
    const via* top = msg.via_at(0);
    if (!top || !is_rfc3261_branch(top->branch))
        return std::nullopt;
    rfc3261_key key;
    key.branch = top->branch;
    key.sent_by_host = top->host;
    key.sent_by_port = top->port;
    key.method = msg.method();
    return key;
}

rfc2543_key make_rfc2543_key(const message& msg) {
    rfc2543_key key;
    if (!msg.status().ok())
        return key;
    key.call_id = msg.call_id();
    key.cseq_number = msg.cseq().number;
    key.cseq_method = msg.cseq().method;
    key.from_tag = msg.from_tag();
    key.to_tag = msg.to_tag();
    key.request_uri = msg.request_uri();
    if (const via* top = msg.via_at(0))
        key.top_via = top->value;
    return key;
}

bool same_transaction(const rfc3261_key& stored, const rfc3261_key& incoming) {
    if (stored.branch != incoming.branch || !chars::iequals(stored.sent_by_host, incoming.sent_by_host) ||
        stored.sent_by_port != incoming.sent_by_port)
        return false;
    if (stored.method == incoming.method)
        return true;
    return stored.method == "INVITE" && incoming.method == "ACK";
}

bool same_transaction(const rfc2543_key& stored, const rfc2543_key& incoming, bool incoming_is_ack) {
    uri a, b;
    bool uris_equal = stored.request_uri == incoming.request_uri ||
                      (a.parse(stored.request_uri) && b.parse(incoming.request_uri) && uri_equal(a, b));
    if (!uris_equal || stored.from_tag != incoming.from_tag || stored.call_id != incoming.call_id ||
        stored.cseq_number != incoming.cseq_number || stored.top_via != incoming.top_via)
        return false;
    if (incoming_is_ack)
        return stored.cseq_method == "INVITE";
    return stored.to_tag == incoming.to_tag && stored.cseq_method == incoming.cseq_method;
}

std::size_t transaction_hash(const message& msg) {
    std::hash<std::string_view> h;
    if (auto key = make_rfc3261_key(msg))
        return h(key->branch);
    return h(msg.call_id()) ^ (std::size_t{msg.cseq().number} * 0x9e3779b97f4a7c15ull);
}

} // namespace siphost::sip
