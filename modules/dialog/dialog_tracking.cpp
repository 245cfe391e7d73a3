// Following dialogs: the INVITE through tm's callbacks, the in-dialog requests through rr's loose_route()
// callback (a pre-script hook without rr), the timeouts through a one-second tick.
#include "module_state.hpp"

#include <siphost/module.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace siphost::modules::dialog {
namespace sdk = siphost::sdk;

namespace {

static_assert(sizeof(void*) >= sizeof(uint64_t), "the callback parameter carries the dialog's key");

void* key_param(const dialog& d) {
    return reinterpret_cast<void*>(static_cast<uintptr_t>((uint64_t{d.h_entry} << 32) | d.h_id));
}

int64_t unix_now() {
    return static_cast<int64_t>(std::time(nullptr));
}

std::string socket_name(const siphost_msg* msg) {
    const module_state& s = state();
    siphost_socket_info info;
    if (!sdk::socket_info(s.host, s.host->msg_socket(msg), info))
        return {};
    return std::string(sdk::view(info.name));
}

std::string contact_uri(const siphost_msg* msg) {
    return std::string(sdk::uri_of(state().host, sdk::header(state().host, msg, "Contact")));
}

std::vector<std::string> record_routes(const siphost_msg* msg) {
    std::vector<std::string> routes;
    const siphost_host_api* h = state().host;
    siphost_str value{nullptr, 0};
    for (uint32_t i = 0; h->msg_header(msg, sdk::str("Record-Route"), i, &value) == 1; ++i)
        routes.emplace_back(sdk::view(value));
    return routes;
}

/// The Record-Route values of a reply that lie downstream of this proxy's own entry, nearest first.
std::vector<std::string> callee_routes(const siphost_msg* reply) {
    const siphost_host_api* h = state().host;
    std::vector<std::string> all = record_routes(reply);
    for (size_t i = 0; i < all.size(); ++i) {
        siphost_uri uri;
        if (sdk::parse_uri(h, sdk::uri_of(h, all[i]), uri) && h->is_myself(uri.host, uri.port) != 0) {
            std::vector<std::string> below(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(i));
            std::reverse(below.begin(), below.end());
            return below;
        }
    }
    return {};
}

void destroy_slot(void* value) {
    std::unique_ptr<std::shared_ptr<dialog>> held(static_cast<std::shared_ptr<dialog>*>(value));
    if (!held || !*held)
        return;
    module_state& s = state();
    if (!s.table)
        return; // a message released after the module's destroy
    dialog& d = **held;
    std::lock_guard lock(s.table->mutex());
    // dlg_manage() made it but the script never created the INVITE's transaction: nothing would end it.
    if (!d.has_transaction && d.state == dialog_state::unconfirmed && s.table->find(d.h_entry, d.h_id)) {
        log(SIPHOST_LOG_DBG, "dialog " + d.call_id + " dropped: its INVITE got no transaction");
        d.state = dialog_state::deleted;
        s.table->remove(d);
    }
}

uint32_t lifetime_for(siphost_msg* msg) {
    module_state& s = state();
    if (s.timeout_avp != nullptr) {
        siphost_value v = sdk::null_value();
        int64_t seconds = 0;
        if (s.host->pv_get(s.timeout_avp, msg, &v) == 0 && sdk::arg_int(v, seconds) && seconds > 0)
            return static_cast<uint32_t>(std::min<int64_t>(seconds, UINT32_MAX));
    }
    return static_cast<uint32_t>(s.params.default_timeout);
}

void on_reply(const siphost_tm_callback_params* p);

/// Follows the INVITE's transaction (from REQUEST_IN, or from the script once t exists). Called without the
/// table's lock: tm takes the transaction's lock in register_callback, and its callbacks take the table's
/// lock inside the transaction's, so the table's lock is never held while waiting for a transaction.
void attach(const std::shared_ptr<dialog>& d, siphost_tm_transaction* t) {
    module_state& s = state();
    {
        std::lock_guard lock(s.table->mutex());
        if (d->has_transaction || d->state != dialog_state::unconfirmed)
            return;
        d->has_transaction = true;
    }
    if (s.tm->register_callback(t, SIPHOST_TM_CB_RESPONSE_IN | SIPHOST_TM_CB_RESPONSE_OUT, on_reply,
                                key_param(*d)) == 0)
        return;
    log(SIPHOST_LOG_ERR, "tm refused to follow the INVITE of dialog " + d->call_id);
    std::lock_guard lock(s.table->mutex());
    d->has_transaction = false;
}

/// A dialog for the initial INVITE msg, or the one it spirals into (lock not held).
std::shared_ptr<dialog> create_for(siphost_msg* msg, bool* spiral) {
    module_state& s = state();
    const siphost_host_api* h = s.host;
    std::string_view call_id = sdk::view(h->msg_call_id(msg));
    std::string_view from_tag = sdk::view(h->msg_from_tag(msg));
    uint32_t cseq = 0;
    siphost_str cseq_method{nullptr, 0};
    h->msg_cseq(msg, &cseq, &cseq_method);
    uint32_t lifetime = lifetime_for(msg);
    std::string contact = contact_uri(msg);
    std::vector<std::string> routes = record_routes(msg);
    std::string socket = socket_name(msg);
    std::lock_guard lock(s.table->mutex());
    *spiral = false;
    if (s.params.detect_spirals != 0) {
        auto existing = s.table->match(call_id, from_tag, "", true);
        if (existing &&
            (existing->state == dialog_state::unconfirmed || existing->state == dialog_state::early)) {
            existing->dflags |= dflag_spiraled;
            *spiral = true;
            return existing;
        }
    }
    auto d = s.table->create(call_id);
    d->from_uri = std::string(sdk::view(h->msg_from_uri(msg)));
    d->to_uri = std::string(sdk::view(h->msg_to_uri(msg)));
    d->caller.tag = std::string(from_tag);
    d->caller.contact = std::move(contact);
    d->caller.cseq = cseq;
    d->caller.route_set = std::move(routes);
    d->caller.socket = std::move(socket);
    d->init_ts = unix_now();
    d->created_ms = h->now_ms();
    d->lifetime = lifetime;
    count(s.metrics.processed, 1);
    return d;
}

bool is_initial_invite(siphost_msg* msg) {
    const siphost_host_api* h = state().host;
    return h->msg_is_request(msg) && sdk::view(h->msg_method(msg)) == "INVITE" && h->msg_to_tag(msg).len == 0;
}

/// What a reply's To tag is, also for a reply tm made itself (only its bytes are known).
std::string reply_to_tag(const siphost_tm_callback_params* p) {
    const siphost_host_api* h = state().host;
    if (p->reply != nullptr)
        return std::string(sdk::view(h->msg_to_tag(p->reply)));
    if (p->bytes.len == 0)
        return {};
    siphost_msg* parsed = h->msg_parse(p->bytes, nullptr);
    if (parsed == nullptr)
        return {};
    std::string tag(sdk::view(h->msg_to_tag(parsed)));
    h->msg_free(parsed);
    return tag;
}

void on_reply(const siphost_tm_callback_params* p) {
    sdk::guard(0, [p] {
        module_state& s = state();
        const siphost_host_api* h = s.host;
        if (p->code <= 100)
            return 0;
        // Provisional and 2xx replies are taken when they come (RESPONSE_IN), before tm relays them: the
        // ACK may come back before RESPONSE_OUT ran. Replies tm made itself (a 408, a 487, t_reply) and
        // negative finals only count once they went upstream (RESPONSE_OUT): a forked call's 486 on one
        // branch is not the call's answer.
        bool received_1xx_2xx = p->code < 300 && p->reply != nullptr;
        if (received_1xx_2xx != (p->type == SIPHOST_TM_CB_RESPONSE_IN))
            return 0;
        auto key = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p->param));
        std::string tag = reply_to_tag(p);
        std::string contact = p->reply != nullptr ? contact_uri(p->reply) : std::string();
        std::vector<std::string> routes =
            p->reply != nullptr ? callee_routes(p->reply) : std::vector<std::string>();
        std::string socket = p->reply != nullptr ? socket_name(p->reply) : std::string();
        std::shared_ptr<dialog> d;
        {
            std::lock_guard lock(s.table->mutex());
            d = s.table->find(static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key));
            if (!d || (d->state != dialog_state::unconfirmed && d->state != dialog_state::early))
                return 0; // ended already, or a second 2xx of a fork
            if (p->code < 200) {
                if (d->state == dialog_state::unconfirmed) {
                    d->state = dialog_state::early;
                    count(s.metrics.early, 1);
                }
                if (d->callee.tag.empty())
                    d->callee.tag = tag;
                return 0;
            }
            if (p->code >= 300) {
                log(SIPHOST_LOG_DBG, "dialog " + d->call_id + " failed with " + std::to_string(p->code));
                count(s.metrics.failed, 1);
                end_dialog(*d, false);
            } else {
                if (d->state == dialog_state::early)
                    count(s.metrics.early, -1);
                d->state = dialog_state::confirmed_na;
                count(s.metrics.active, 1);
                d->start_ts = unix_now();
                d->confirmed_ms = h->now_ms();
                d->expires_ms = d->confirmed_ms + uint64_t{d->lifetime} * 1000;
                d->callee.tag = tag;
                d->callee.contact = contact;
                d->callee.route_set = std::move(routes);
                d->callee.socket = socket.empty() ? d->caller.socket : socket;
            }
        }
        if (p->code < 300) {
            // The 2xx as tm received it, on its worker, before onreply_route: as Kamailio runs dialog:start.
            notify_now(dialog_event::confirmed, d, p->reply);
            return 0;
        }
        // A negative final goes upstream on the reply's worker or on tm's timer (a 408): a worker runs it,
        // on a copy of the reply as it went upstream.
        siphost_msg* copy = p->reply != nullptr ? h->msg_clone(p->reply)
                            : p->bytes.len > 0  ? h->msg_parse(p->bytes, nullptr)
                                                : nullptr;
        notify_later(dialog_event::failed, std::move(d), copy);
        return 0;
    });
}

} // namespace

std::shared_ptr<dialog> current(siphost_msg* msg) {
    module_state& s = state();
    const siphost_host_api* h = s.host;
    if (auto* held = static_cast<std::shared_ptr<dialog>*>(s.host->msgctx->slot_get(msg, s.slot)))
        return *held;
    std::string_view call_id = sdk::view(h->msg_call_id(msg));
    std::string_view from_tag = sdk::view(h->msg_from_tag(msg));
    std::string_view to_tag = sdk::view(h->msg_to_tag(msg));
    if (call_id.empty() || from_tag.empty())
        return nullptr;
    std::lock_guard lock(s.table->mutex());
    return s.table->match(call_id, from_tag, to_tag, true);
}

void set_current(siphost_msg* msg, std::shared_ptr<dialog> d) {
    module_state& s = state();
    auto* held = static_cast<std::shared_ptr<dialog>*>(s.host->msgctx->slot_get(msg, s.slot));
    if (held != nullptr && *held == d)
        return;
    auto fresh = std::make_unique<std::shared_ptr<dialog>>(std::move(d));
    if (s.host->msgctx->slot_set(msg, s.slot, fresh.get()) == 0)
        fresh.release(); // the message owns it now (destroy_slot)
}

void on_request_in(const siphost_tm_callback_params* p) {
    sdk::guard(0, [p] {
        module_state& s = state();
        siphost_msg* msg = p->received;
        if (msg == nullptr || p->t == nullptr || !is_initial_invite(msg))
            return 0;
        auto* held = static_cast<std::shared_ptr<dialog>*>(s.host->msgctx->slot_get(msg, s.slot));
        std::shared_ptr<dialog> d = held != nullptr ? *held : nullptr;
        bool spiral = false;
        if (!d) {
            int flag = s.params.dlg_flag;
            if (flag < 0 || (s.host->msg_flags(msg) & (uint64_t{1} << flag)) == 0)
                return 0;
            d = create_for(msg, &spiral);
            set_current(msg, d);
            if (spiral)
                return 0;
            notify_now(dialog_event::created, d, msg);
        }
        attach(d, p->t);
        return 0;
    });
}

void end_dialog(dialog& d, bool expired) {
    module_state& s = state();
    if (d.state == dialog_state::deleted)
        return;
    if (d.state == dialog_state::early)
        count(s.metrics.early, -1);
    if (d.state == dialog_state::confirmed || d.state == dialog_state::confirmed_na)
        count(s.metrics.active, -1);
    if (expired)
        count(s.metrics.expired, 1);
    d.state = dialog_state::deleted;
    d.end_ts = unix_now();
    d.expires_ms = 0;
    s.table->remove(d);
}

void set_lifetime(dialog& d, uint32_t seconds) {
    d.lifetime = seconds;
    if (d.state == dialog_state::confirmed || d.state == dialog_state::confirmed_na)
        d.expires_ms = state().host->now_ms() + uint64_t{seconds} * 1000;
}

namespace {

/// How an in-dialog request finds its dialog (Kamailio's dlg_match_mode).
enum class matching { did_only, did_fallback, tags };

/// Parses "did=<h_entry hex>.<h_id hex>" out of a Route's parameters.
bool parse_did(std::string_view route_params, uint32_t& h_entry, uint32_t& h_id) {
    std::string_view did;
    if (!sdk::param(state().host, route_params, "did", &did))
        return false;
    size_t dot = did.find('.');
    if (dot == std::string_view::npos)
        return false;
    auto hex = [](std::string_view text, uint32_t& out) {
        if (text.empty() || text.size() > 8)
            return false;
        uint32_t value = 0;
        for (char c : text) {
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0)
                return false;
            value = value * 16 + static_cast<uint32_t>(digit);
        }
        out = value;
        return true;
    };
    return hex(did.substr(0, dot), h_entry) && hex(did.substr(dot + 1), h_id);
}

/// The in-dialog request's dialog (lock held): by the did cookie of route_params when the mode and the
/// request allow, else by Call-ID and tags. Dialogs without a cookie (dlg_flag) match by tags in every mode.
std::shared_ptr<dialog> match_in_dialog(siphost_msg* msg, const std::string_view* route_params, matching mode,
                                        bool& downstream) {
    module_state& s = state();
    const siphost_host_api* h = s.host;
    std::string_view call_id = sdk::view(h->msg_call_id(msg));
    std::string_view from_tag = sdk::view(h->msg_from_tag(msg));
    std::string_view to_tag = sdk::view(h->msg_to_tag(msg));
    uint32_t h_entry = 0, h_id = 0;
    if (mode != matching::tags && route_params != nullptr && parse_did(*route_params, h_entry, h_id)) {
        auto d = s.table->find(h_entry, h_id);
        // The cookie only finds the dialog: Call-ID and tags must still be its own.
        if (!d || d->call_id != call_id)
            return nullptr;
        if (d->caller.tag == from_tag && d->callee.tag == to_tag)
            downstream = true;
        else if (d->caller.tag == to_tag && d->callee.tag == from_tag)
            downstream = false;
        else
            return nullptr;
        return d;
    }
    auto d = s.table->match(call_id, from_tag, to_tag, false, &downstream);
    if (d && mode == matching::did_only && d->has_did)
        return nullptr; // its requests must carry the cookie
    return d;
}

/// Applies an in-dialog request to its dialog: the ACK confirms, a BYE ends, any other pushes the timeout
/// back; its CSeq is recorded. Makes the dialog the message's.
/// in_route: the script runs on msg (loose_route(), dlg_manage()), so dialog:end runs on a worker, on a copy.
void process_in_dialog(siphost_msg* msg, const std::string_view* route_params, bool in_route) {
    module_state& s = state();
    const siphost_host_api* h = s.host;
    if (h->msg_to_tag(msg).len == 0)
        return;
    std::string_view method = sdk::view(h->msg_method(msg));
    uint32_t cseq = 0;
    siphost_str cseq_method{nullptr, 0};
    h->msg_cseq(msg, &cseq, &cseq_method);
    matching mode = s.params.dlg_match_mode == 2   ? matching::tags
                    : s.params.dlg_match_mode == 1 ? matching::did_fallback
                                                   : matching::did_only;
    if (s.rr == nullptr)
        mode = matching::tags; // no cookie without rr
    std::shared_ptr<dialog> d;
    bool ended = false;
    {
        std::lock_guard lock(s.table->mutex());
        if (s.table->size() == 0)
            return;
        bool downstream = true;
        d = match_in_dialog(msg, route_params, mode, downstream);
        if (!d)
            return;
        if (method == "ACK") {
            if (d->state == dialog_state::confirmed_na)
                d->state = dialog_state::confirmed;
        } else {
            dialog_leg& from = downstream ? d->caller : d->callee;
            from.cseq = std::max(from.cseq, cseq);
        }
        if (method == "BYE") {
            log(SIPHOST_LOG_DBG, "dialog " + d->call_id + " ended by a BYE");
            ended = d->state == dialog_state::confirmed || d->state == dialog_state::confirmed_na;
            end_dialog(*d, false);
        } else if (!d->timeout_noreset && d->expires_ms != 0) {
            d->expires_ms = h->now_ms() + uint64_t{d->lifetime} * 1000;
        }
    }
    set_current(msg, d);
    if (!ended)
        return;
    if (!in_route)
        notify_now(dialog_event::terminated, d, msg);
    else if (siphost_msg* copy = h->msg_clone(msg))
        notify_later(dialog_event::terminated, std::move(d), copy);
}

} // namespace

int on_request(siphost_msg* msg, void*) {
    return sdk::guard(SIPHOST_HOOK_CONTINUE, [msg] {
        process_in_dialog(msg, nullptr, false);
        return SIPHOST_HOOK_CONTINUE;
    });
}

void on_loose_route(siphost_msg* msg, siphost_str route_params, void*) {
    sdk::guard(0, [&] {
        std::string_view params = sdk::view(route_params);
        process_in_dialog(msg, &params, true);
        return 0;
    });
}

void on_tick(uint64_t, void*) {
    sdk::guard(0, [] {
        module_state& s = state();
        uint64_t now = s.host->now_ms();
        std::vector<std::shared_ptr<dialog>> to_bye;
        std::vector<std::pair<dialog_event, std::shared_ptr<dialog>>> ended;
        {
            std::lock_guard lock(s.table->mutex());
            for (const auto& d : s.table->all()) {
                bool confirmed =
                    d->state == dialog_state::confirmed || d->state == dialog_state::confirmed_na;
                if (d->state == dialog_state::confirmed_na && s.params.noack_timeout > 0 &&
                    now >= d->confirmed_ms + uint64_t(s.params.noack_timeout) * 1000)
                    d->expires_ms = std::min(d->expires_ms, now + 10000); // no ACK: ten more seconds
                if (confirmed && d->expires_ms != 0 && now >= d->expires_ms) {
                    log(SIPHOST_LOG_INFO, "dialog " + d->call_id + " timed out");
                    if (s.params.send_bye != 0) {
                        count(s.metrics.expired, 1);
                        to_bye.push_back(d);
                    } else {
                        end_dialog(*d, true);
                        ended.emplace_back(dialog_event::expired, d);
                    }
                } else if (!confirmed && s.params.early_timeout > 0 &&
                           now >= d->created_ms + uint64_t(s.params.early_timeout) * 1000) {
                    log(SIPHOST_LOG_INFO, "dialog " + d->call_id + " was not answered in early_timeout");
                    end_dialog(*d, true);
                    ended.emplace_back(dialog_event::failed, d);
                }
            }
        }
        for (const auto& d : to_bye)
            send_byes(d, bye_both, "", dialog_event::expired);
        for (auto& [event, d] : ended)
            notify_later(event, std::move(d), nullptr);
        return 0;
    });
}

// ---- script commands ----

int cmd_dlg_manage(siphost_msg* msg, const siphost_value*, void*) {
    module_state& s = state();
    if (s.host->msg_to_tag(msg).len != 0) {
        // In-dialog: loose_route() (or, without rr, the pre-script hook) may have matched it already.
        if (s.rr != nullptr && s.host->msgctx->slot_get(msg, s.slot) == nullptr)
            process_in_dialog(msg, nullptr, true);
        return 1;
    }
    if (!is_initial_invite(msg))
        return -1;
    if (auto* held = static_cast<std::shared_ptr<dialog>*>(s.host->msgctx->slot_get(msg, s.slot));
        held && *held)
        return 1;
    bool spiral = false;
    auto d = create_for(msg, &spiral);
    set_current(msg, d);
    // A spiral's Record-Route needs the cookie too: loose_route() may take either of this proxy's Routes.
    if (s.rr != nullptr && s.params.dlg_match_mode != 2) {
        char did[32];
        std::snprintf(did, sizeof did, ";did=%x.%x", d->h_entry, d->h_id);
        if (s.rr->add_rr_param(msg, sdk::str(did)) == 1) {
            std::lock_guard lock(s.table->mutex());
            d->has_did = true;
        } else {
            log(SIPHOST_LOG_WARN, "dialog " + d->call_id + ": rr refused the did cookie; matched on tags");
        }
    }
    if (spiral)
        return 1;
    notify_now(dialog_event::created, d, msg);
    if (siphost_tm_transaction* t = s.tm->transaction(msg))
        attach(d, t);
    return 1;
}

int cmd_is_known_dlg(siphost_msg* msg, const siphost_value*, void*) {
    return current(msg) ? 1 : -1;
}

namespace {

/// The flag index of a dlg_*flag() call, or -1 after logging why it is not one.
int flag_index(const siphost_value& arg) {
    int64_t flag = -1;
    if (!sdk::arg_int(arg, flag) || flag < 0 || flag > 31) {
        log(SIPHOST_LOG_ERR, "a dialog flag is a number from 0 to 31");
        return -1;
    }
    return static_cast<int>(flag);
}

template <class F> int with_flags(siphost_msg* msg, const siphost_value& arg, F f) {
    int flag = flag_index(arg);
    if (flag < 0)
        return -1;
    auto d = current(msg);
    if (!d)
        return -1;
    std::lock_guard lock(state().table->mutex());
    return f(d->sflags, uint32_t{1} << flag);
}

} // namespace

int cmd_dlg_isflagset(siphost_msg* msg, const siphost_value* args, void*) {
    return with_flags(msg, args[0],
                      [](uint32_t& flags, uint32_t bit) { return (flags & bit) != 0 ? 1 : -1; });
}

int cmd_dlg_setflag(siphost_msg* msg, const siphost_value* args, void*) {
    return with_flags(msg, args[0], [](uint32_t& flags, uint32_t bit) {
        flags |= bit;
        return 1;
    });
}

int cmd_dlg_resetflag(siphost_msg* msg, const siphost_value* args, void*) {
    return with_flags(msg, args[0], [](uint32_t& flags, uint32_t bit) {
        flags &= ~bit;
        return 1;
    });
}

namespace {

/// Sets the lifetime of d, found by the caller; false when there is no dialog.
int apply_timeout(const siphost_value& arg, const std::shared_ptr<dialog>& d) {
    int64_t seconds = 0;
    if (!sdk::arg_int(arg, seconds) || seconds <= 0 || seconds > UINT32_MAX) {
        log(SIPHOST_LOG_ERR, "dlg_set_timeout: the timeout is a positive number of seconds");
        return -1;
    }
    if (!d)
        return -1;
    std::lock_guard lock(state().table->mutex());
    set_lifetime(*d, static_cast<uint32_t>(seconds));
    return 1;
}

} // namespace

int cmd_dlg_set_timeout(siphost_msg* msg, const siphost_value* args, void*) {
    return apply_timeout(args[0], current(msg));
}

int cmd_dlg_set_timeout_id(siphost_msg*, const siphost_value* args, void*) {
    module_state& s = state();
    int64_t h_entry = 0, h_id = 0;
    if (!sdk::arg_int(args[1], h_entry) || !sdk::arg_int(args[2], h_id) || h_entry < 0 || h_id < 0)
        return -1;
    std::shared_ptr<dialog> d;
    {
        std::lock_guard lock(s.table->mutex());
        d = s.table->find(static_cast<uint32_t>(h_entry), static_cast<uint32_t>(h_id));
    }
    return apply_timeout(args[0], d);
}

int set_property(siphost_msg* msg, const siphost_value& arg, bool on) {
    std::string_view name = sdk::arg_view(arg);
    if (name != "timeout-noreset") {
        log(SIPHOST_LOG_ERR, "dialog property '" + std::string(name) +
                                 "' is not supported (only timeout-noreset: siphost sends no keep-alives)");
        return -1;
    }
    auto d = current(msg);
    if (!d)
        return -1;
    std::lock_guard lock(state().table->mutex());
    d->timeout_noreset = on;
    return 1;
}

int cmd_dlg_set_property(siphost_msg* msg, const siphost_value* args, void*) {
    return set_property(msg, args[0], true);
}

int cmd_dlg_reset_property(siphost_msg* msg, const siphost_value* args, void*) {
    return set_property(msg, args[0], false);
}

int cmd_dlg_get(siphost_msg* msg, const siphost_value* args, void*) {
    module_state& s = state();
    std::string_view to_tag = sdk::arg_view(args[2]);
    std::shared_ptr<dialog> d;
    {
        std::lock_guard lock(s.table->mutex());
        d = s.table->match(sdk::arg_view(args[0]), sdk::arg_view(args[1]), to_tag, to_tag.empty());
    }
    if (!d)
        return -1;
    set_current(msg, std::move(d));
    return 1;
}

int register_slot() {
    module_state& s = state();
    return s.host->msgctx->slot_register(s.self, destroy_slot);
}

} // namespace siphost::modules::dialog
