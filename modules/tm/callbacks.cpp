// Other modules' hold on transactions (the "tm" API): callbacks on transaction events, references that keep
// a transaction alive, and what a transaction is.
#include "tm.hpp"

#include <siphost/module.hpp>

namespace siphost::modules::tm {
namespace {

constexpr uint32_t every_callback_type =
    SIPHOST_TM_CB_REQUEST_IN | SIPHOST_TM_CB_REQUEST_OUT | SIPHOST_TM_CB_RESPONSE_IN |
    SIPHOST_TM_CB_RESPONSE_OUT | SIPHOST_TM_CB_ON_FAILURE | SIPHOST_TM_CB_COMPLETED | SIPHOST_TM_CB_DESTROY;

siphost_tm_callback_params params_for(transaction& t, uint32_t type, const callback_event& event) {
    siphost_tm_callback_params p{};
    p.struct_size = sizeof p;
    p.type = type;
    p.code = event.code;
    p.branch = event.branch;
    p.t = reinterpret_cast<siphost_tm_transaction*>(&t);
    p.request = t.request.get();
    p.reply = event.reply;
    p.received = event.received;
    p.bytes = sdk::str(event.bytes);
    p.dest = event.dest;
    return p;
}

} // namespace

transaction::~transaction() {
    // At shutdown the modules that registered may be gone already (they are destroyed before tm).
    if ((callback_types & SIPHOST_TM_CB_DESTROY) == 0 || state().shutting_down.load())
        return;
    std::lock_guard lock(mutex);
    run_callbacks(*this, SIPHOST_TM_CB_DESTROY, callback_event{});
}

void run_callbacks(transaction& t, uint32_t type, const callback_event& event) {
    if ((t.callback_types & type) == 0)
        return;
    siphost_tm_callback_params p = params_for(t, type, event);
    // The transaction's AVPs are the request's current ones while callbacks read it (acc's $avp extras), as
    // in a route of the transaction; inside such a route they are current already.
    siphost_msg* request = t.request.get();
    bool swapped = request != nullptr && t.avps != nullptr;
    siphost_avp_list* previous = swapped ? host()->msg_swap_avps(request, t.avps.release()) : nullptr;
    // A callback may register more (the vector may grow under us): those take part from the next event.
    size_t count = t.callbacks.size();
    for (size_t i = 0; i < count; ++i) {
        callback_entry entry = t.callbacks[i];
        if ((entry.types & type) == 0)
            continue;
        p.param = entry.param;
        entry.fn(&p);
    }
    if (swapped)
        t.avps.reset(host()->msg_swap_avps(request, previous));
}

void run_request_in(transaction& t, siphost_msg* received) {
    tm_state& s = state();
    size_t count = s.request_in_count.load(std::memory_order_acquire);
    if (count == 0)
        return;
    callback_event event;
    event.received = received;
    siphost_tm_callback_params p = params_for(t, SIPHOST_TM_CB_REQUEST_IN, event);
    for (size_t i = 0; i < count; ++i) {
        const callback_entry& entry = s.request_in[i];
        p.param = entry.param;
        entry.fn(&p);
    }
}

int register_callback(transaction* t, uint32_t types, siphost_tm_callback_fn fn, void* param) {
    if (fn == nullptr || types == 0 || (types & ~every_callback_type) != 0)
        return -1;
    tm_state& s = state();
    if (t == nullptr) {
        // Every transaction created from now on: REQUEST_IN only.
        if (types != SIPHOST_TM_CB_REQUEST_IN) {
            log(SIPHOST_LOG_ERR, "register_callback: without a transaction, only REQUEST_IN");
            return -1;
        }
        std::lock_guard lock(s.request_in_mutex);
        size_t count = s.request_in_count.load(std::memory_order_relaxed);
        if (count == tm_state::max_request_in) {
            log(SIPHOST_LOG_ERR, "register_callback: too many REQUEST_IN callbacks");
            return -1;
        }
        s.request_in[count] = callback_entry{types, fn, param};
        s.request_in_count.store(count + 1, std::memory_order_release);
        return 0;
    }
    if ((types & SIPHOST_TM_CB_REQUEST_IN) != 0)
        return -1; // it has happened for t
    std::lock_guard lock(t->mutex);
    t->callbacks.push_back(callback_entry{types, fn, param});
    t->callback_types |= types;
    return 0;
}

void pin(transaction& t) {
    std::lock_guard lock(t.mutex);
    if (t.pins++ == 0)
        t.pinned = t.self.lock();
}

void unpin(transaction& t) {
    std::shared_ptr<transaction> released; // dropped after the lock: it may be the last reference
    std::lock_guard lock(t.mutex);
    if (t.pins == 0)
        return;
    if (--t.pins == 0)
        released = std::move(t.pinned);
}

int describe(transaction& t, siphost_tm_transaction_info& out) {
    // Every field here is of minor 0; one added later is written only when out.struct_size covers it.
    if (out.struct_size < sizeof(siphost_tm_transaction_info))
        return -1;
    std::lock_guard lock(t.mutex);
    out.index = t.slot;
    out.label = t.label;
    out.status = t.status;
    uint32_t flags = 0;
    if (t.local)
        flags |= SIPHOST_TM_LOCAL;
    if (t.final_sent)
        flags |= SIPHOST_TM_FINAL;
    if (t.canceled)
        flags |= SIPHOST_TM_CANCELED;
    if (t.wait_scheduled)
        flags |= SIPHOST_TM_WAITING;
    out.flags = flags;
    out.branch_count = static_cast<uint32_t>(t.branches.size());
    out.cseq = t.cseq;
    out.method = sdk::str(t.method);
    out.call_id = sdk::str(t.call_id);
    out.from_tag = sdk::str(t.from_tag);
    out.ruri = sdk::str(t.ruri);
    out.created_ms = t.created_ms;
    return 0;
}

} // namespace siphost::modules::tm
