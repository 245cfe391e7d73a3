// The RPC commands, with Kamailio's names, parameters and reply shapes (dlg.list as Kamailio 5.6 prints it).
#include "module_state.hpp"

#include <siphost/module.hpp>

#include <ctime>
#include <optional>

namespace siphost::modules::dialog {
namespace sdk = siphost::sdk;

namespace {

const siphost_rpc_api& rpc() {
    return *state().host->rpc;
}

void fault(siphost_rpc_call* call, int code, std::string_view message) {
    rpc().fault(call, code, sdk::str(message));
}

std::optional<std::string> str_param(siphost_rpc_call* call, size_t i) {
    siphost_value v = sdk::null_value();
    if (rpc().param(call, i, &v) != 0)
        return std::nullopt;
    if (v.kind == SIPHOST_VALUE_INT)
        return std::to_string(v.num);
    if (v.kind == SIPHOST_VALUE_STR)
        return std::string(sdk::view(v.str));
    return std::nullopt;
}

std::optional<int64_t> int_param(siphost_rpc_call* call, size_t i) {
    siphost_value v = sdk::null_value();
    int64_t n = 0;
    if (rpc().param(call, i, &v) != 0 || !sdk::arg_int(v, n))
        return std::nullopt;
    return n;
}

void add_str(siphost_rpc_node* node, const char* key, std::string_view value) {
    rpc().add_str(node, key, sdk::str(value));
}

void add_leg(siphost_rpc_node* parent, const char* key, const dialog_leg& leg) {
    siphost_rpc_node* node = rpc().add_struct(parent, key);
    if (node == nullptr)
        return;
    add_str(node, "tag", leg.tag);
    add_str(node, "contact", leg.contact);
    rpc().add_int(node, "cseq", leg.cseq);
    std::string routes;
    for (const std::string& r : leg.route_set)
        routes += (routes.empty() ? "" : ",") + r;
    add_str(node, "route_set", routes);
    add_str(node, "socket", leg.socket);
}

/// One dialog as dlg.list shows it (lock held).
void add_dialog(siphost_rpc_node* top, const std::shared_ptr<dialog>& ptr) {
    const dialog& d = *ptr;
    const siphost_rpc_api& r = rpc();
    siphost_rpc_node* node = r.add_struct(top, nullptr);
    if (node == nullptr)
        return;
    r.add_int(node, "h_entry", d.h_entry);
    r.add_int(node, "h_id", d.h_id);
    r.add_int(node, "ref", ptr.use_count() - 1);
    add_str(node, "call-id", d.call_id);
    add_str(node, "from_uri", d.from_uri);
    add_str(node, "to_uri", d.to_uri);
    r.add_int(node, "state", static_cast<int>(d.state));
    r.add_int(node, "start_ts", d.start_ts);
    r.add_int(node, "init_ts", d.init_ts);
    r.add_int(node, "end_ts", d.end_ts);
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    r.add_int(node, "duration", d.start_ts != 0 ? (d.end_ts != 0 ? d.end_ts : now) - d.start_ts : 0);
    int64_t timeout = 0;
    if (d.expires_ms != 0) {
        uint64_t mono = state().host->now_ms();
        timeout = now + (d.expires_ms > mono ? static_cast<int64_t>((d.expires_ms - mono) / 1000) : 0);
    }
    r.add_int(node, "timeout", timeout);
    r.add_int(node, "lifetime", d.lifetime);
    r.add_int(node, "dflags", d.dflags);
    r.add_int(node, "sflags", d.sflags);
    r.add_int(node, "iflags", 0); // Kamailio's internal flags (DB and DMQ bookkeeping): none here
    add_leg(node, "caller", d.caller);
    add_leg(node, "callee", d.callee);
    // Kamailio puts unnamed values in these structs (a profile name, {profile: value}, {name: value}); a
    // struct of the ABI names each member, and kamcmd cannot read an array inside a struct, so each member
    // is named here: the profile (its value, empty without one) and the variable.
    if (siphost_rpc_node* profiles = r.add_struct(node, "profiles"))
        for (const auto& [name, value] : d.profiles)
            add_str(profiles, name.c_str(), value);
    if (siphost_rpc_node* variables = r.add_struct(node, "variables"))
        for (const auto& [name, value] : d.variables)
            add_str(variables, name.c_str(), value);
}

void rpc_list(siphost_rpc_call* call) {
    module_state& s = state();
    siphost_rpc_node* top = rpc().result(call);
    std::lock_guard lock(s.table->mutex());
    for (const auto& d : s.table->all())
        add_dialog(top, d);
}

void rpc_dlg_list(siphost_rpc_call* call) {
    module_state& s = state();
    auto call_id = str_param(call, 0);
    if (!call_id) {
        fault(call, 500, "Invalid parameters");
        return;
    }
    auto from_tag = rpc().param_count(call) > 1 ? str_param(call, 1) : std::nullopt;
    siphost_rpc_node* top = rpc().result(call);
    std::lock_guard lock(s.table->mutex());
    for (const auto& d : s.table->all())
        if (d->call_id == *call_id && (!from_tag || d->caller.tag == *from_tag))
            add_dialog(top, d);
}

void end_found(siphost_rpc_call* call, const std::shared_ptr<dialog>& d, std::string_view extra) {
    if (!d) {
        fault(call, 404, "Dialog not found");
        return;
    }
    if (send_byes(d, bye_both, extra) < 0)
        fault(call, 500, "Dialog is not confirmed");
}

void rpc_end_dlg(siphost_rpc_call* call) {
    module_state& s = state();
    auto h_entry = int_param(call, 0);
    auto h_id = int_param(call, 1);
    if (!h_entry || !h_id || *h_entry < 0 || *h_id < 0) {
        fault(call, 500, "Invalid parameters");
        return;
    }
    std::string extra = rpc().param_count(call) > 2 ? str_param(call, 2).value_or("") : "";
    std::shared_ptr<dialog> d;
    {
        std::lock_guard lock(s.table->mutex());
        d = s.table->find(static_cast<uint32_t>(*h_entry), static_cast<uint32_t>(*h_id));
    }
    end_found(call, d, extra);
}

void rpc_terminate_dlg(siphost_rpc_call* call) {
    module_state& s = state();
    auto call_id = str_param(call, 0);
    auto from_tag = str_param(call, 1);
    auto to_tag = str_param(call, 2);
    if (!call_id || !from_tag || !to_tag) {
        fault(call, 500, "Invalid parameters");
        return;
    }
    std::shared_ptr<dialog> d;
    {
        std::lock_guard lock(s.table->mutex());
        d = s.table->match(*call_id, *from_tag, *to_tag, false);
    }
    end_found(call, d, "");
}

void rpc_stats_active(siphost_rpc_call* call) {
    module_state& s = state();
    int64_t by_state[6] = {};
    {
        std::lock_guard lock(s.table->mutex());
        for (const auto& d : s.table->all())
            ++by_state[static_cast<int>(d->state)];
    }
    siphost_rpc_node* node = rpc().add_struct(rpc().result(call), nullptr);
    if (node == nullptr)
        return;
    rpc().add_int(node, "starting", by_state[1]);
    rpc().add_int(node, "connecting", by_state[2]);
    rpc().add_int(node, "answering", by_state[3]);
    rpc().add_int(node, "ongoing", by_state[4]);
    rpc().add_int(node, "all", by_state[1] + by_state[2] + by_state[3] + by_state[4]);
}

/// The profile and optional value of dlg.profile_*; false after a fault.
bool profile_params(siphost_rpc_call* call, std::string& profile, std::optional<std::string>& value) {
    auto name = str_param(call, 0);
    if (!name) {
        fault(call, 500, "Invalid parameters");
        return false;
    }
    if (state().profiles.has_value(*name) < 0) {
        fault(call, 404, "Profile not found: " + *name);
        return false;
    }
    profile = *name;
    value = rpc().param_count(call) > 1 ? str_param(call, 1) : std::nullopt;
    return true;
}

void rpc_profile_get_size(siphost_rpc_call* call) {
    std::string profile;
    std::optional<std::string> value;
    if (!profile_params(call, profile, value))
        return;
    std::string text = value.value_or("");
    std::string_view v = text;
    std::lock_guard lock(state().table->mutex());
    size_t size = profile_members(profile, value ? &v : nullptr).size();
    rpc().add_int(rpc().result(call), nullptr, static_cast<int64_t>(size));
}

void rpc_profile_list(siphost_rpc_call* call) {
    std::string profile;
    std::optional<std::string> value;
    if (!profile_params(call, profile, value))
        return;
    std::string text = value.value_or("");
    std::string_view v = text;
    siphost_rpc_node* top = rpc().result(call);
    std::lock_guard lock(state().table->mutex());
    for (const auto& d : profile_members(profile, value ? &v : nullptr))
        add_dialog(top, d);
}

} // namespace

const siphost_rpc_command rpcs[] = {
    sdk::rpc("dlg.list", rpc_list, "Print all dialogs", nullptr),
    sdk::rpc("dlg.list_ctx", rpc_list, "Print all dialogs with their context (none from other modules here)",
             nullptr),
    sdk::rpc("dlg.dlg_list", rpc_dlg_list, "Print a dialog by Call-ID and optional From tag", "ss"),
    sdk::rpc("dlg.dlg_list_ctx", rpc_dlg_list,
             "Print a dialog by Call-ID and optional From tag, with context", "ss"),
    sdk::rpc("dlg.end_dlg", rpc_end_dlg, "End a dialog (BYE both ways) by h_entry and h_id", "dds"),
    sdk::rpc("dlg.terminate_dlg", rpc_terminate_dlg, "End a dialog (BYE both ways) by Call-ID and tags",
             "sss"),
    sdk::rpc("dlg.stats_active", rpc_stats_active, "Count the dialogs by state", nullptr),
    sdk::rpc("dlg.profile_get_size", rpc_profile_get_size, "The number of dialogs in a profile", "ss"),
    sdk::rpc("dlg.profile_list", rpc_profile_list, "Print the dialogs of a profile", "ss"),
    sdk::end_of_rpcs(),
};

} // namespace siphost::modules::dialog
