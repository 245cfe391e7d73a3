// $dlg(attr), $dlg_var(name), $DLG_count, $DLG_status, $DLG_lifetime.
#include "module_state.hpp"

#include <siphost/module.hpp>

#include <ctime>

namespace siphost::modules::dialog {
namespace sdk = siphost::sdk;

namespace {

enum class attr {
    h_id,
    h_entry,
    ref,
    state,
    callid,
    from_uri,
    from_tag,
    to_uri,
    to_tag,
    from_contact,
    to_contact,
    from_cseq,
    to_cseq,
    from_rs,
    to_rs,
    from_bindaddr,
    to_bindaddr,
    dflags,
    sflags,
    start_ts,
    init_ts,
    end_ts,
    lifetime,
    timeout
};

struct attr_name {
    const char* name;
    attr which;
};

constexpr attr_name attr_names[] = {
    {"h_id", attr::h_id},
    {"h_entry", attr::h_entry},
    {"ref", attr::ref},
    {"state", attr::state},
    {"callid", attr::callid},
    {"from_uri", attr::from_uri},
    {"from_tag", attr::from_tag},
    {"to_uri", attr::to_uri},
    {"to_tag", attr::to_tag},
    {"from_contact", attr::from_contact},
    {"to_contact", attr::to_contact},
    {"from_cseq", attr::from_cseq},
    {"to_cseq", attr::to_cseq},
    {"from_rs", attr::from_rs},
    {"to_rs", attr::to_rs},
    {"from_bindaddr", attr::from_bindaddr},
    {"to_bindaddr", attr::to_bindaddr},
    {"dflags", attr::dflags},
    {"sflags", attr::sflags},
    {"start_ts", attr::start_ts},
    {"init_ts", attr::init_ts},
    {"end_ts", attr::end_ts},
    {"lifetime", attr::lifetime},
    {"timeout", attr::timeout},
};

thread_local std::string text_buffer;

siphost_value text(std::string value) {
    text_buffer = std::move(value);
    return sdk::str_value(text_buffer);
}

std::string joined(const std::vector<std::string>& routes) {
    std::string out;
    for (const std::string& r : routes)
        out += (out.empty() ? "" : ",") + r;
    return out;
}

int parse_attr(siphost_str inner, void** pv_data, char* err, size_t err_size) {
    for (const attr_name& a : attr_names)
        if (sdk::view(inner) == a.name) {
            *pv_data = reinterpret_cast<void*>(static_cast<uintptr_t>(a.which) + 1);
            return 0;
        }
    sdk::write_error(err, err_size, "$dlg has no attribute '" + std::string(sdk::view(inner)) + "'");
    return -1;
}

int64_t timeout_ts(const dialog& d) {
    if (d.expires_ms == 0)
        return 0;
    uint64_t now = state().host->now_ms();
    int64_t left = d.expires_ms > now ? static_cast<int64_t>((d.expires_ms - now) / 1000) : 0;
    return static_cast<int64_t>(std::time(nullptr)) + left;
}

int get_attr(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        *out = sdk::null_value();
        auto d = current(msg);
        if (!d)
            return 0;
        auto which = static_cast<attr>(reinterpret_cast<uintptr_t>(pv_data) - 1);
        std::lock_guard lock(state().table->mutex());
        switch (which) {
        case attr::h_id:
            *out = sdk::int_value(d->h_id);
            break;
        case attr::h_entry:
            *out = sdk::int_value(d->h_entry);
            break;
        case attr::ref:
            *out = sdk::int_value(d.use_count() - 1);
            break;
        case attr::state:
            *out = sdk::int_value(static_cast<int>(d->state));
            break;
        case attr::callid:
            *out = text(d->call_id);
            break;
        case attr::from_uri:
            *out = text(d->from_uri);
            break;
        case attr::from_tag:
            *out = text(d->caller.tag);
            break;
        case attr::to_uri:
            *out = text(d->to_uri);
            break;
        case attr::to_tag:
            *out = text(d->callee.tag);
            break;
        case attr::from_contact:
            *out = text(d->caller.contact);
            break;
        case attr::to_contact:
            *out = text(d->callee.contact);
            break;
        case attr::from_cseq:
            *out = text(std::to_string(d->caller.cseq));
            break;
        case attr::to_cseq:
            *out = text(std::to_string(d->callee.cseq));
            break;
        case attr::from_rs:
            *out = text(joined(d->caller.route_set));
            break;
        case attr::to_rs:
            *out = text(joined(d->callee.route_set));
            break;
        case attr::from_bindaddr:
            *out = text(d->caller.socket);
            break;
        case attr::to_bindaddr:
            *out = text(d->callee.socket);
            break;
        case attr::dflags:
            *out = sdk::int_value(d->dflags);
            break;
        case attr::sflags:
            *out = sdk::int_value(d->sflags);
            break;
        case attr::start_ts:
            *out = sdk::int_value(d->start_ts);
            break;
        case attr::init_ts:
            *out = sdk::int_value(d->init_ts);
            break;
        case attr::end_ts:
            *out = sdk::int_value(d->end_ts);
            break;
        case attr::lifetime:
            *out = sdk::int_value(d->lifetime);
            break;
        case attr::timeout:
            *out = sdk::int_value(timeout_ts(*d));
            break;
        }
        return 0;
    });
}

int parse_var(siphost_str inner, void** pv_data, char* err, size_t err_size) {
    if (inner.len == 0) {
        sdk::write_error(err, err_size, "$dlg_var needs a name");
        return -1;
    }
    auto name = std::make_unique<std::string>(sdk::view(inner));
    *pv_data = name.release();
    return 0;
}

void free_var(void* pv_data) {
    std::unique_ptr<std::string> owned(static_cast<std::string*>(pv_data));
}

int get_var(siphost_msg* msg, void* pv_data, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        *out = sdk::null_value();
        auto d = current(msg);
        if (!d)
            return 0;
        const std::string& name = *static_cast<const std::string*>(pv_data);
        std::lock_guard lock(state().table->mutex());
        for (const auto& [key, value] : d->variables)
            if (key == name) {
                *out = text(value);
                break;
            }
        return 0;
    });
}

int set_var(siphost_msg* msg, void* pv_data, int32_t, const siphost_value* value) {
    return sdk::guard(-1, [&] {
        auto d = current(msg);
        if (!d) {
            log(SIPHOST_LOG_ERR, "$dlg_var: the message has no dialog (call dlg_manage() first)");
            return -1;
        }
        const std::string& name = *static_cast<const std::string*>(pv_data);
        std::string text_value;
        if (value->kind == SIPHOST_VALUE_INT)
            text_value = std::to_string(value->num);
        else if (value->kind == SIPHOST_VALUE_STR)
            text_value = std::string(sdk::view(value->str));
        std::lock_guard lock(state().table->mutex());
        auto& vars = d->variables;
        for (auto it = vars.begin(); it != vars.end(); ++it)
            if (it->first == name) {
                if (value->kind == SIPHOST_VALUE_NULL)
                    vars.erase(it);
                else
                    it->second = std::move(text_value);
                return 0;
            }
        if (value->kind != SIPHOST_VALUE_NULL)
            vars.emplace_back(name, std::move(text_value));
        return 0;
    });
}

int get_count(siphost_msg*, void*, int32_t, siphost_value* out) {
    std::lock_guard lock(state().table->mutex());
    *out = sdk::int_value(static_cast<int64_t>(state().table->size()));
    return 0;
}

int get_status(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        *out = sdk::null_value();
        if (auto d = current(msg)) {
            std::lock_guard lock(state().table->mutex());
            *out = sdk::int_value(static_cast<int>(d->state));
        }
        return 0;
    });
}

int get_lifetime(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        *out = sdk::null_value();
        if (auto d = current(msg)) {
            std::lock_guard lock(state().table->mutex());
            int64_t end = d->end_ts != 0 ? d->end_ts : static_cast<int64_t>(std::time(nullptr));
            *out = sdk::int_value(d->start_ts != 0 ? end - d->start_ts : 0);
        }
        return 0;
    });
}

} // namespace

const siphost_pv pvs[] = {
    sdk::pseudo_variable("dlg", SIPHOST_PV_NAME_REQUIRED, get_attr, nullptr, parse_attr, nullptr,
                         "an attribute of the message's dialog: $dlg(h_id), $dlg(state), $dlg(callid), ..."),
    sdk::pseudo_variable("dlg_var", SIPHOST_PV_NAME_REQUIRED, get_var, set_var, parse_var, free_var,
                         "a variable kept with the message's dialog"),
    sdk::pseudo_variable("DLG_count", SIPHOST_PV_NAME_NONE, get_count, nullptr, nullptr, nullptr,
                         "the number of dialogs tracked"),
    sdk::pseudo_variable("DLG_status", SIPHOST_PV_NAME_NONE, get_status, nullptr, nullptr, nullptr,
                         "the state of the message's dialog"),
    sdk::pseudo_variable("DLG_lifetime", SIPHOST_PV_NAME_NONE, get_lifetime, nullptr, nullptr, nullptr,
                         "seconds since the message's dialog was confirmed"),
    sdk::end_of_pvs(),
};

} // namespace siphost::modules::dialog
