// What the dialog module tells: event_route[dialog:start|end|failed] and the callbacks of the "dialog" API
// (<siphost/api/dialog.h>). An event runs at once when its message is on the thread that handles it (the 2xx
// as tm receives it, a BYE before the script); otherwise (tm's timer, the dialog timer, the RPC thread, a BYE
// seen inside loose_route() while the script runs on it) it is handed to a worker with a copy of its message.
#include "module_state.hpp"

#include <siphost/module.hpp>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

struct siphost_dialog {
    std::shared_ptr<siphost::modules::dialog::dialog> d;
    // info()'s copies: the dialog's strings change under the table's lock, the caller reads them without.
    std::string call_id, from_uri, to_uri, from_tag, to_tag;
};

namespace siphost::modules::dialog {
namespace sdk = siphost::sdk;

namespace {

struct api_callback {
    uint32_t types;
    siphost_dialog_callback_fn fn;
    void* param;
};

/// Registered at init only (before any worker runs), read afterwards without a lock.
std::vector<api_callback>& callbacks() {
    static std::vector<api_callback> list;
    return list;
}

const char* route_name(dialog_event e) {
    switch (e) {
    case dialog_event::confirmed:
        return "dialog:start";
    case dialog_event::terminated:
    case dialog_event::expired:
        return "dialog:end";
    case dialog_event::failed:
        return "dialog:failed";
    case dialog_event::created:
        break;
    }
    return nullptr;
}

uint32_t callback_type(dialog_event e) {
    switch (e) {
    case dialog_event::created:
        return SIPHOST_DIALOG_CB_CREATED;
    case dialog_event::confirmed:
        return SIPHOST_DIALOG_CB_CONFIRMED;
    case dialog_event::terminated:
        return SIPHOST_DIALOG_CB_TERMINATED;
    case dialog_event::failed:
        return SIPHOST_DIALOG_CB_FAILED;
    case dialog_event::expired:
        return SIPHOST_DIALOG_CB_EXPIRED;
    }
    return 0;
}

/// A request standing for the dialog when no SIP message is the event's: $ci, $ft, $tt show the dialog.
siphost_msg* local_request(const dialog& d) {
    const siphost_host_api* h = state().host;
    std::string text = "OPTIONS sip:localhost SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKdlg\r\n"
                       "From: <" +
                       d.from_uri + ">;tag=" + d.caller.tag + "\r\nTo: <" + d.to_uri + ">" +
                       (d.callee.tag.empty() ? "" : ";tag=" + d.callee.tag) + "\r\nCall-ID: " + d.call_id +
                       "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    return h->msg_parse(sdk::str(text), nullptr);
}

struct posted_event {
    dialog_event event;
    std::shared_ptr<dialog> d;
    siphost_msg* msg = nullptr; ///< owned

    ~posted_event() {
        if (msg != nullptr)
            state().host->msg_free(msg);
    }
};

/// Events handed to a worker and not run yet: a task still queued when the workers stop never runs, so the
/// module keeps what it posted and destroy() frees what is left (drop_pending_events).
std::mutex posted_mutex;
std::vector<std::unique_ptr<posted_event>> posted;

std::unique_ptr<posted_event> take_posted(void* data) {
    std::lock_guard lock(posted_mutex);
    auto found = std::find_if(posted.begin(), posted.end(), [data](const auto& p) { return p.get() == data; });
    if (found == posted.end())
        return nullptr;
    std::unique_ptr<posted_event> e = std::move(*found);
    posted.erase(found);
    return e;
}

void run_posted(void* data) {
    std::unique_ptr<posted_event> e = take_posted(data);
    if (!e)
        return;
    sdk::guard(0, [&] {
        notify_now(e->event, e->d, e->msg);
        return 0;
    });
}

} // namespace

void notify_now(dialog_event e, const std::shared_ptr<dialog>& d, siphost_msg* msg) {
    module_state& s = state();
    if (!d || msg == nullptr)
        return;
    set_current(msg, d);
    uint32_t type = callback_type(e);
    if (!callbacks().empty()) {
        siphost_dialog handle{d, {}, {}, {}, {}, {}};
        siphost_dialog_callback_params params{};
        params.struct_size = sizeof params;
        params.type = type;
        params.dialog = &handle;
        params.msg = msg;
        for (const api_callback& cb : callbacks())
            if ((cb.types & type) != 0) {
                params.param = cb.param;
                cb.fn(&params);
            }
    }
    const char* name = route_name(e);
    if (name == nullptr || s.host->events == nullptr)
        return;
    int route = s.host->events->lookup(s.self, sdk::str(name));
    if (route >= 0)
        s.host->events->run(route, msg);
}

void notify_later(dialog_event e, std::shared_ptr<dialog> d, siphost_msg* copy) {
    module_state& s = state();
    auto pending = std::make_unique<posted_event>();
    pending->event = e;
    pending->msg = copy;
    pending->d = std::move(d);
    bool wanted = !callbacks().empty();
    if (const char* name = route_name(e); name != nullptr && s.host->events != nullptr)
        wanted = wanted || s.host->events->lookup(s.self, sdk::str(name)) >= 0;
    if (!wanted)
        return;
    if (pending->msg == nullptr) {
        std::lock_guard lock(s.table->mutex());
        pending->msg = local_request(*pending->d);
    }
    if (pending->msg == nullptr) {
        log(SIPHOST_LOG_ERR, "cannot make the message of a dialog event for " + pending->d->call_id);
        return;
    }
    std::string call_id = pending->d->call_id;
    void* task = pending.get();
    {
        std::lock_guard lock(posted_mutex);
        posted.push_back(std::move(pending));
    }
    if (s.host->async->post(s.self, -1, run_posted, task) != 0) {
        take_posted(task);
        log(SIPHOST_LOG_ERR, "cannot hand a dialog event to a worker for " + call_id);
    }
}

void drop_pending_events() {
    std::lock_guard lock(posted_mutex);
    posted.clear();
}

// ---- the API ----

namespace {

int api_register_callback(uint32_t types, siphost_dialog_callback_fn fn, void* param) {
    constexpr uint32_t all = SIPHOST_DIALOG_CB_CREATED | SIPHOST_DIALOG_CB_CONFIRMED |
                             SIPHOST_DIALOG_CB_TERMINATED | SIPHOST_DIALOG_CB_FAILED |
                             SIPHOST_DIALOG_CB_EXPIRED;
    if (fn == nullptr || (types & all) == 0)
        return -1;
    callbacks().push_back(api_callback{types & all, fn, param});
    return 0;
}

siphost_dialog* api_current(siphost_msg* msg) {
    if (msg == nullptr)
        return nullptr;
    try {
        auto d = current(msg);
        if (!d)
            return nullptr;
        return std::make_unique<siphost_dialog>(siphost_dialog{std::move(d), {}, {}, {}, {}, {}}).release();
    } catch (...) {
        return nullptr; // no memory: no handle
    }
}

siphost_dialog* api_ref(siphost_dialog* handle) {
    if (handle == nullptr)
        return nullptr;
    try {
        return std::make_unique<siphost_dialog>(siphost_dialog{handle->d, {}, {}, {}, {}, {}}).release();
    } catch (...) {
        return nullptr; // no memory: no handle
    }
}

void api_unref(siphost_dialog* handle) {
    std::unique_ptr<siphost_dialog> owned(handle);
}

int api_info(siphost_dialog* handle, siphost_dialog_info* out) {
    if (handle == nullptr || out == nullptr || out->struct_size < sizeof(siphost_dialog_info))
        return -1;
    const dialog& d = *handle->d;
    {
        std::lock_guard lock(state().table->mutex());
        handle->call_id = d.call_id;
        handle->from_uri = d.from_uri;
        handle->to_uri = d.to_uri;
        handle->from_tag = d.caller.tag;
        handle->to_tag = d.callee.tag;
        out->h_entry = d.h_entry;
        out->h_id = d.h_id;
        out->state = static_cast<int32_t>(d.state);
        out->lifetime = d.lifetime;
        out->init_ts = d.init_ts;
        out->start_ts = d.start_ts;
        out->end_ts = d.end_ts;
    }
    out->call_id = sdk::str(handle->call_id);
    out->from_uri = sdk::str(handle->from_uri);
    out->to_uri = sdk::str(handle->to_uri);
    out->from_tag = sdk::str(handle->from_tag);
    out->to_tag = sdk::str(handle->to_tag);
    return 0;
}

int api_get_var(siphost_dialog* handle, siphost_str name, char* buf, size_t size) {
    if (handle == nullptr || buf == nullptr)
        return -1;
    std::string_view key = sdk::view(name);
    std::lock_guard lock(state().table->mutex());
    for (const auto& [n, value] : handle->d->variables)
        if (n == key) {
            if (value.size() + 1 > size)
                return -2;
            std::memcpy(buf, value.data(), value.size());
            buf[value.size()] = '\0';
            return static_cast<int>(std::min<size_t>(value.size(), INT32_MAX));
        }
    return -1;
}

int api_set_var(siphost_dialog* handle, siphost_str name, siphost_str value) {
    if (handle == nullptr || name.len == 0)
        return -1;
    std::string key(sdk::view(name));
    std::lock_guard lock(state().table->mutex());
    auto& vars = handle->d->variables;
    auto it = std::find_if(vars.begin(), vars.end(), [&](const auto& v) { return v.first == key; });
    if (value.s == nullptr) {
        if (it != vars.end())
            vars.erase(it);
        return 0;
    }
    if (it != vars.end())
        it->second = std::string(sdk::view(value));
    else
        vars.emplace_back(std::move(key), std::string(sdk::view(value)));
    return 0;
}

const siphost_dialog_api_v1 api_table = {
    sizeof(siphost_dialog_api_v1),
    api_register_callback,
    api_current,
    api_ref,
    api_unref,
    api_info,
    api_get_var,
    api_set_var,
};

} // namespace

const siphost_dialog_api_v1* api() {
    return &api_table;
}

} // namespace siphost::modules::dialog
