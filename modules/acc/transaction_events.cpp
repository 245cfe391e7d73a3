// Accounting through tm's callbacks, as Kamailio's acc does:
//   - REQUEST_IN: a transaction is followed when its request had log_flag, db_flag, a missed-call flag or
//     acc_prepare_flag set by then (t_relay, t_newtran), or with acc_prepare_always; a CANCEL only with
//     report_cancels. Flags are read again at each event, on tm's copy of the request (failure_route sets
//     them there).
//   - ON_FAILURE of an INVITE (every branch failed, before failure_route): a missed call when
//     log_missed_flag / db_missed_flag is set; the flags are then reset, so that failure_route sets them
//     again to report the next attempt of a serial fork.
//   - RESPONSE_OUT of a final reply: a missed call as above when the flags are still set (a reply tm made:
//     t_reply, a timeout), then "transaction answered" for a 2xx with log_flag / db_flag, for a negative
//     reply also with failed_transaction_flag (unless failed_filter lists the code), and for a provisional
//     reply with a body when early_media is on.
#include "acc.hpp"

#include <unordered_map>

namespace siphost::modules::acc {
namespace {

/// What acc keeps about a followed transaction: a missed call after a timeout waits here for the To-tag of
/// the reply tm makes next (as Kamailio reports it), or is written as it is at the transaction's next event.
struct transaction_state {
    std::optional<acc_record> pending;
};

std::mutex states_mutex;
std::unordered_map<transaction_state*, std::unique_ptr<transaction_state>> states;

transaction_state* new_state() {
    auto state = std::make_unique<transaction_state>();
    transaction_state* raw = state.get();
    std::lock_guard guard(states_mutex);
    states.emplace(raw, std::move(state));
    return raw;
}

void free_state(transaction_state* state) {
    std::unique_ptr<transaction_state> owned;
    std::lock_guard guard(states_mutex);
    auto found = states.find(state);
    if (found != states.end()) {
        owned = std::move(found->second);
        states.erase(found);
    }
}

bool is_invite(siphost_msg* request) {
    return sdk::view(ctx().host->msg_method(request)) == "INVITE";
}

bool accounting_on(uint64_t flags) {
    const settings& p = ctx().params;
    return flag_set(flags, p.log_flag) || (ctx().db != nullptr && flag_set(flags, p.db_flag));
}

bool missed_on(uint64_t flags) {
    const settings& p = ctx().params;
    return flag_set(flags, p.log_missed_flag) || (ctx().db != nullptr && flag_set(flags, p.db_missed_flag));
}

/// The To-tag of a reply tm made, read back from the bytes it sent.
std::string to_tag_of(siphost_str bytes) {
    const siphost_host_api* h = ctx().host;
    if (bytes.len == 0)
        return {};
    siphost_msg* parsed = h->msg_parse(bytes, nullptr);
    if (parsed == nullptr)
        return {};
    std::string tag(sdk::view(h->msg_to_tag(parsed)));
    h->msg_free(parsed);
    return tag;
}

/// The standard phrase of a code, which Kamailio's acc reports for replies tm made (not the reason given to
/// t_reply): the host's own, from a reply it builds for the request.
std::string standard_reason(siphost_msg* request, int code) {
    const siphost_host_api* h = ctx().host;
    thread_local std::string buffer(8192, '\0');
    size_t len = 0;
    siphost_str none{nullptr, 0};
    if (h->build_reply(request, code, none, none, none, none, buffer.data(), buffer.size(), &len) != 0) {
        if (len <= buffer.size())
            return {};
        buffer.resize(len);
        if (h->build_reply(request, code, none, none, none, none, buffer.data(), buffer.size(), &len) != 0)
            return {};
    }
    std::string_view first(buffer.data(), len);
    first = first.substr(0, first.find("\r\n"));
    size_t code_start = first.find(' ');
    size_t reason_start = code_start == std::string_view::npos ? code_start : first.find(' ', code_start + 1);
    return reason_start == std::string_view::npos ? std::string()
                                                  : std::string(first.substr(reason_start + 1));
}

/// The reply's code and reason into the record: the received reply's reason phrase (or its first Reason
/// header with reason_from_hf), the standard phrase for a reply tm made.
void set_status(acc_record& r, siphost_msg* request, siphost_msg* reply, int code) {
    const siphost_host_api* h = ctx().host;
    r.code = std::to_string(code);
    if (reply != nullptr && ctx().params.reason_from_hf != 0) {
        bool found = false;
        std::string_view value = sdk::header(h, reply, "Reason", 0, &found);
        if (found) {
            r.reason = value;
            return;
        }
    }
    r.reason =
        reply != nullptr ? std::string(sdk::view(h->msg_reason(reply))) : standard_reason(request, code);
}

void write_pending(transaction_state* state) {
    if (state == nullptr || !state->pending)
        return;
    emit(*state->pending);
    state->pending.reset();
}

/// A missed call: the record into the log and missed_calls as the flags say; then the flags are reset.
void account_missed(const siphost_tm_callback_params* p, transaction_state* state) {
    const context& c = ctx();
    const siphost_host_api* h = c.host;
    uint64_t flags = h->msg_flags(p->request);
    bool to_log = flag_set(flags, c.params.log_missed_flag);
    bool to_db = c.db != nullptr && flag_set(flags, c.params.db_missed_flag);
    if (!to_log && !to_db)
        return;
    acc_record r = make_record(text_missed, p->request, to_log, to_db);
    if (r.to_db)
        r.table = c.table_missed.evaluate(h, p->request);
    set_status(r, p->request, p->reply, p->code);
    bool waits_for_tag = false;
    if (p->reply != nullptr)
        r.to_tag = sdk::view(h->msg_to_tag(p->reply));
    else if (p->bytes.len > 0)
        r.to_tag = to_tag_of(p->bytes);
    else
        waits_for_tag = state != nullptr; // a timeout: tm's reply with its To-tag comes next
    if (waits_for_tag)
        state->pending = std::move(r);
    else
        emit(r);
    uint64_t reset = 0;
    if (to_log)
        reset |= uint64_t{1} << c.params.log_missed_flag;
    if (to_db)
        reset |= uint64_t{1} << c.params.db_missed_flag;
    h->msg_set_flags(p->request, flags & ~reset);
}

bool in_failed_filter(int code) {
    for (int filtered : ctx().failed_filter)
        if (filtered == code)
            return true;
    return false;
}

/// Whether a reply going upstream is accounted as "transaction answered".
bool should_account_reply(const siphost_tm_callback_params* p, uint64_t flags) {
    const settings& s = ctx().params;
    if (p->code >= 300)
        return flag_set(flags, s.failed_transaction_flag) && !in_failed_filter(p->code);
    if (!accounting_on(flags))
        return false;
    if (p->code < 200)
        return s.early_media != 0 && p->reply != nullptr && ctx().host->msg_body(p->reply).len > 0;
    return true;
}

void account_reply(const siphost_tm_callback_params* p) {
    const context& c = ctx();
    const siphost_host_api* h = c.host;
    uint64_t flags = h->msg_flags(p->request);
    if (!should_account_reply(p, flags))
        return;
    bool to_log = flag_set(flags, c.params.log_flag);
    bool to_db = c.db != nullptr && flag_set(flags, c.params.db_flag);
    if (!to_log && !to_db)
        return;
    acc_record r = make_record(text_answered, p->request, to_log, to_db);
    if (r.to_db)
        r.table = c.table_acc.evaluate(h, p->request);
    set_status(r, p->request, p->reply, p->code);
    r.to_tag = p->reply != nullptr ? std::string(sdk::view(h->msg_to_tag(p->reply))) : to_tag_of(p->bytes);
    emit(r);
}

void on_event(const siphost_tm_callback_params* p) noexcept {
    sdk::guard(0, [p] {
        auto* state = static_cast<transaction_state*>(p->param);
        siphost_msg* request = p->request;
        switch (p->type) {
        case SIPHOST_TM_CB_DESTROY:
            write_pending(state);
            free_state(state);
            return 0;
        case SIPHOST_TM_CB_ON_FAILURE:
            write_pending(state); // a failure_route tried again and that failed too
            if (request != nullptr && p->code >= 300 && missed_on(ctx().host->msg_flags(request)))
                account_missed(p, state);
            return 0;
        case SIPHOST_TM_CB_RESPONSE_OUT:
            if (request == nullptr)
                return 0;
            if (state != nullptr && state->pending && p->code >= 200) {
                if (p->reply == nullptr)
                    state->pending->to_tag = to_tag_of(p->bytes);
                write_pending(state);
            }
            if (p->code >= 300 && is_invite(request) && missed_on(ctx().host->msg_flags(request)))
                account_missed(p, state);
            account_reply(p);
            return 0;
        default:
            return 0;
        }
    });
}

} // namespace

void on_request_in(const siphost_tm_callback_params* p) {
    sdk::guard(0, [p] {
        const context& c = ctx();
        siphost_msg* request = p->request;
        std::string unresolved;
        if (request == nullptr || p->t == nullptr || !resolve_pseudo_variables(unresolved))
            return 0; // pseudo-variables the host refused were reported when the threads started
        std::string_view method = sdk::view(c.host->msg_method(request));
        if (method == "CANCEL" && c.params.report_cancels == 0)
            return 0;
        uint64_t flags = c.host->msg_flags(request);
        if (!accounting_on(flags) && !missed_on(flags) && !flag_set(flags, c.params.acc_prepare_flag) &&
            c.params.acc_prepare_always == 0)
            return 0;
        uint32_t types = SIPHOST_TM_CB_RESPONSE_OUT | SIPHOST_TM_CB_DESTROY;
        if (method == "INVITE")
            types |= SIPHOST_TM_CB_ON_FAILURE;
        transaction_state* state = new_state();
        if (c.tm->register_callback(p->t, types, on_event, state) != 0) {
            free_state(state);
            log(SIPHOST_LOG_ERR, "cannot follow a transaction: tm refused the callbacks");
        }
        return 0;
    });
}

void release_transactions() {
    std::lock_guard guard(states_mutex);
    states.clear();
}

} // namespace siphost::modules::acc
