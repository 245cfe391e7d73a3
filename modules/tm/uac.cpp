// Requests of a module's own (t_uac): a local client transaction, without an upstream, that reports its
// replies and its end through the callbacks given with the request.
#include "tm.hpp"
#include "uac_request.hpp"

#include <siphost/module.hpp>

#include <atomic>
#include <string>

namespace siphost::modules::tm {
namespace {

constexpr uint32_t local_callback_types = SIPHOST_TM_CB_REQUEST_OUT | SIPHOST_TM_CB_RESPONSE_IN |
                                          SIPHOST_TM_CB_ON_FAILURE | SIPHOST_TM_CB_COMPLETED |
                                          SIPHOST_TM_CB_DESTROY;

/// Numbers the Call-IDs and From-tags of this process.
std::atomic<uint64_t> uac_sequence{0};

/// event_route[tm:local-request], when the script has one, runs on the request before it goes out; what the
/// script changes there is sent: the request is built again from the parsed copy, with the Via written anew
/// from the same socket and branch, and Max-Forwards kept at 70. False when that fails.
bool run_local_request_route(const siphost_dest& to, std::string_view branch, std::string& bytes) {
    const siphost_host_api* h = host();
    int route = h->events->lookup(state().self, sdk::str("tm:local-request"));
    if (route < 0)
        return true;
    owned_msg msg(h->msg_parse(sdk::str(bytes), nullptr));
    if (!msg)
        return false;
    h->events->run(route, msg.get());
    h->msg_remove_header(msg.get(), sdk::str("Via"), -1);
    h->msg_set_max_forwards(msg.get(), 70);
    return build_with_branch(msg.get(), to.socket, branch, bytes);
}

} // namespace

int start_uac(const siphost_tm_uac_request& r, uint32_t* index, uint32_t* label) {
    const siphost_host_api* h = host();
    tm_state& s = state();
    // Every field is of minor 0; one added later is read only when r.struct_size covers it.
    if (r.struct_size < sizeof(siphost_tm_uac_request))
        return -1;
    std::string_view method = sdk::view(r.method);
    if (!is_token(method) || method == "ACK" || method == "CANCEL") {
        log(SIPHOST_LOG_ERR, "t_uac: the method must be a token other than ACK and CANCEL");
        return -1;
    }
    if ((r.callback_types & ~local_callback_types) != 0 || (r.callback_types != 0 && r.callback == nullptr)) {
        log(SIPHOST_LOG_ERR, "t_uac: callback types other than REQUEST_OUT, RESPONSE_IN, ON_FAILURE, "
                             "COMPLETED and DESTROY, or types without a callback");
        return -1;
    }
    std::string_view ruri = sdk::view(r.ruri);
    std::string_view hop = r.next_hop.len != 0 ? sdk::view(r.next_hop) : ruri;
    siphost_dest to = sdk::sized<siphost_dest>();
    if (hop.empty() || h->resolve(sdk::str(hop), 0, &to) != 0 || to.socket == nullptr) {
        log(SIPHOST_LOG_ERR, "t_uac: no destination for " + std::string(hop));
        return -1;
    }
    siphost_socket_info socket;
    if (!sdk::socket_info(h, to.socket, socket)) {
        log(SIPHOST_LOG_ERR, "t_uac: the host does not describe the socket to send from");
        return -1;
    }

    uint64_t sequence = ++uac_sequence;
    std::string call_id = r.call_id.len != 0 ? std::string(sdk::view(r.call_id))
                                             : make_call_id(tag_prefix(), sequence, sdk::view(socket.host));
    std::string generated_tag = tag_prefix() + "-u" + std::to_string(sequence);
    std::string from_name_addr = as_name_addr(sdk::view(r.from));
    std::string_view given_tag = header_tag(from_name_addr);
    std::string from_tag(given_tag.empty() ? std::string_view(generated_tag) : given_tag);
    uint32_t cseq = r.cseq != 0 ? r.cseq : 1;

    auto t = s.transactions.create(table::slot_of(call_id, cseq), [&](transaction& fresh) {
        fresh.mutex.lock(); // nobody finds it before it is set up: replies match it by its branch only
        fresh.local = true;
        fresh.method.assign(method);
        fresh.invite = method == "INVITE";
        fresh.call_id = call_id;
        fresh.cseq = cseq;
        fresh.from_tag = from_tag;
        fresh.ruri.assign(ruri);
        fresh.created_ms = h->now_ms();
    });
    std::unique_lock lock(t->mutex, std::adopt_lock);
    auto abandon = [&](std::string_view why) {
        log(SIPHOST_LOG_ERR, std::string("t_uac: ") + std::string(why));
        t->callbacks.clear(); // a failed t_uac calls no callback, DESTROY included
        t->callback_types = 0;
        s.transactions.remove(*t);
        return -1;
    };

    char branch_text[max_branch_length];
    std::string_view branch_view(branch_text, encode_branch(branch_id{t->slot, t->label, 0}, branch_text));
    uac_message m;
    m.method = method;
    m.ruri = ruri;
    m.to = sdk::view(r.to);
    m.from = sdk::view(r.from);
    m.from_tag = generated_tag;
    m.call_id = call_id;
    m.cseq = cseq;
    m.headers = sdk::view(r.headers);
    m.body = sdk::view(r.body);
    m.via_host = sdk::view(socket.host);
    m.via_port = socket.port;
    m.via_proto = socket.proto;
    m.branch = branch_view;
    branch b;
    b.request = build_uac_request(m);
    if (b.request.empty())
        return abandon("the request cannot be built: a field is missing or holds a line break");
    if (!run_local_request_route(to, branch_view, b.request))
        return abandon("the request cannot be built again after event_route[tm:local-request]");
    t->request.reset(h->msg_parse(sdk::str(b.request), nullptr));
    if (!t->request)
        return abandon("the request built is not valid SIP");
    if (r.callback != nullptr && r.callback_types != 0) {
        t->callbacks.push_back(callback_entry{r.callback_types, r.callback, r.callback_param});
        t->callback_types |= r.callback_types;
    }
    b.destination = to;
    if (!send_to(b.destination, b.request))
        return abandon("sending failed");

    count(s.metrics.created);
    count(s.metrics.active);
    count(s.metrics.local_created);
    schedule(*t, timer_kind::lifetime,
             static_cast<uint32_t>(t->invite ? s.params.max_inv_lifetime : s.params.max_noninv_lifetime));
    b.retransmit_interval = static_cast<uint32_t>(s.params.retr_timer1);
    t->branches.push_back(std::move(b));
    callback_event sent;
    sent.branch = 0;
    sent.bytes = t->branches.back().request;
    sent.dest = &t->branches.back().destination;
    run_callbacks(*t, SIPHOST_TM_CB_REQUEST_OUT, sent);
    schedule(*t, timer_kind::retransmit, static_cast<uint32_t>(s.params.retr_timer1), 0, 0);
    schedule(*t, timer_kind::final_response, fr_timer_of(*t), 0, 0);
    if (index != nullptr)
        *index = t->slot;
    if (label != nullptr)
        *label = t->label;
    return 1;
}

} // namespace siphost::modules::tm
