// Matching a request to its transaction: RFC 3261 17.2.3 when the top Via branch has the cookie, else the
// RFC 2543 fields. The identifying fields of a transaction never change after it is inserted, so they are
// read with only the slot locked.
#include "tm.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::tm {

bool read_request_key(const siphost_msg* msg, request_key& key) {
    const siphost_host_api* h = host();
    key = request_key{};
    key.method = sdk::view(h->msg_method(msg));
    key.via_branch = sdk::view(h->msg_via_branch(msg, 0));
    siphost_str via_host{nullptr, 0};
    if (h->msg_via_sent_by(msg, 0, &via_host, &key.via_port) != 0)
        return false;
    key.via_host = sdk::view(via_host);
    key.call_id = sdk::view(h->msg_call_id(msg));
    siphost_str cseq_method{nullptr, 0};
    if (key.method.empty() || key.call_id.empty() || h->msg_cseq(msg, &key.cseq, &cseq_method) != 0)
        return false;
    key.from_tag = sdk::view(h->msg_from_tag(msg));
    key.to_tag = sdk::view(h->msg_to_tag(msg));
    key.ruri = sdk::view(h->msg_original_ruri(msg));
    key.slot = table::slot_of(key.call_id, key.cseq);
    return true;
}

std::shared_ptr<transaction> match_request(const request_key& key, match_mode mode) {
    bool cookie = key.via_branch.starts_with(branch_cookie);
    bool is_ack = key.method == "ACK";
    auto method_matches = [&](const transaction& t) {
        if (mode == match_mode::cancel_target)
            return key.method == "CANCEL" && t.method != "CANCEL" && t.method != "ACK";
        if (is_ack)
            return t.invite;
        return t.method == key.method;
    };
    return state().transactions.find_if(key.slot, [&](const transaction& t) {
        // A request of tm's own (t_uac) that comes back here is a new request, not a retransmission.
        if (t.local || !method_matches(t))
            return false;
        if (cookie)
            return t.via_branch == key.via_branch && t.via_port == key.via_port &&
                   sdk::iequals(t.via_host, key.via_host);
        // RFC 2543: the same request by Call-ID, CSeq, From tag, Request-URI and top Via; an ACK's
        // Request-URI may differ (it follows the reply's Contact only for a 2xx, never matched here).
        if (t.call_id != key.call_id || t.cseq != key.cseq || t.from_tag != key.from_tag)
            return false;
        if (!is_ack && t.ruri != key.ruri)
            return false;
        return t.via_branch == key.via_branch && t.via_port == key.via_port &&
               sdk::iequals(t.via_host, key.via_host);
    });
}

std::shared_ptr<transaction> match_ack_to_local_reply(const request_key& key) {
    if (key.method != "ACK" || key.to_tag.empty())
        return nullptr;
    // The ACK to a 2xx has a branch of its own (RFC 3261 17.1.1.3); the To-tag tells that the 2xx was ours.
    return state().transactions.find_if(key.slot, [&](const transaction& t) {
        return !t.local && t.invite && t.cseq == key.cseq && t.to_tag == key.to_tag &&
               t.call_id == key.call_id && t.from_tag == key.from_tag;
    });
}

} // namespace siphost::modules::tm
