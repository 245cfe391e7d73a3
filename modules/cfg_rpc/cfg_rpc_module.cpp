// cfg_rpc: Kamailio's RPC commands over the run-time configuration (kamcmd cfg.get core debug).
//
//   cfg.list [group]                  "group: variable" for each variable
//   cfg.get group [variable]          a value, or the whole group as a struct
//   cfg.help group variable           the variable's doc and type
//   cfg.seti / cfg.set_now_int        group variable int: set now
//   cfg.sets / cfg.set_now_string     group variable string: set now (a number in a string sets a number)
//   cfg.set group variable value      either type
//   cfg.set_delayed_int / _string / cfg.set_delayed, cfg.commit, cfg.rollback, cfg.diff: changes held until
//                                     commit
//   cfg.reset group                   every variable of the group back to its value at start-up
//
// The variables are the host's (host->core_setting_*, ABI 1.2): group "core". Modules' groups (tm's timers,
// registrar's expires) and group instances (cfg.add_group_inst) are not there yet: asking for them is the
// same 400 Kamailio answers for an unknown group.
#include <siphost/module.hpp>

#include <charconv>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::cfg_rpc {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;

constexpr std::string_view core_group = "core";

/// A change held by set_delayed_* until commit.
struct pending_change {
    std::string variable;
    siphost_value value{};
    std::string text; ///< the value's string, when it is one
};
std::mutex pending_mutex_;
std::vector<pending_change> pending_;
/// Each writable variable's value before the first change through this module, for cfg.reset. Read at the
/// first command: at init, the core has not applied the config's values yet.
std::vector<std::pair<std::string, int64_t>> initial_;
std::once_flag initial_read_;

const siphost_rpc_api& rpc() { return *host_->rpc; }

struct variable_info {
    std::string_view name;
    std::string_view doc;
    bool writable = false;
};

std::vector<variable_info> variables() {
    std::vector<variable_info> out;
    siphost_str name{}, doc{};
    int writable = 0;
    for (uint32_t i = 0; host_->core_setting_at(i, &name, &doc, &writable) == 0; ++i)
        out.push_back({sdk::view(name), sdk::view(doc), writable != 0});
    return out;
}

void remember_start_values() {
    std::call_once(initial_read_, [] {
        for (const variable_info& info : variables()) {
            siphost_value v{};
            if (info.writable && host_->core_setting_get(sdk::str(info.name), &v) == 0 &&
                v.kind == SIPHOST_VALUE_INT)
                initial_.emplace_back(std::string(info.name), v.num);
        }
    });
}

void fault(siphost_rpc_call* call, int code, std::string_view message) {
    rpc().fault(call, code, sdk::str(message));
}

/// The call's index-th parameter as text (a number is written out), or false when it is missing.
bool param_text(siphost_rpc_call* call, size_t index, std::string& out) {
    siphost_value v{};
    if (rpc().param(call, index, &v) != 0)
        return false;
    out = v.kind == SIPHOST_VALUE_INT ? std::to_string(v.num) : std::string(sdk::view(v.str));
    return true;
}

bool known_group(std::string_view group) { return group == core_group; }

void add_value(siphost_rpc_node* node, const char* key, const siphost_value& v) {
    if (v.kind == SIPHOST_VALUE_INT)
        rpc().add_int(node, key, v.num);
    else
        rpc().add_str(node, key, v.str);
}

/// Reads (group, variable) and checks the group: false after a fault.
bool group_and_variable(siphost_rpc_call* call, std::string& group, std::string& variable, const char* what) {
    if (!param_text(call, 0, group) || !param_text(call, 1, variable)) {
        fault(call, 400, "Invalid parameters: group and variable names expected");
        return false;
    }
    if (!known_group(group)) {
        fault(call, 400, what);
        return false;
    }
    return true;
}

/// Sets a variable now; false (and a fault) when the host refuses.
bool set_now(siphost_rpc_call* call, std::string_view variable, const siphost_value& value) {
    remember_start_values();
    char err[256] = "";
    if (host_->core_setting_set(sdk::str(variable), &value, err, sizeof err) != 0) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "cannot set core." + std::string(variable) + ": " + err);
        if (call != nullptr)
            fault(call, 400, "Failed to set the variable");
        return false;
    }
    std::string shown = value.kind == SIPHOST_VALUE_INT ? std::to_string(value.num)
                                                         : std::string(sdk::view(value.str));
    sdk::log(host_, self_, SIPHOST_LOG_INFO, "core." + std::string(variable) + " has been changed to " + shown);
    return true;
}

/// The value of parameter 2 as the variable wants it: Int keeps a number, Str keeps text, and a string that
/// is a whole number becomes one (the core's variables are numbers).
enum class given { number, text, any };
bool value_param(siphost_rpc_call* call, given kind, siphost_value& out, std::string& text) {
    siphost_value v{};
    if (rpc().param(call, 2, &v) != 0)
        return false;
    if (v.kind == SIPHOST_VALUE_INT) {
        if (kind == given::text)
            text = std::to_string(v.num);
        out = v;
        return true;
    }
    text.assign(sdk::view(v.str));
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
        out = siphost_value{};
        out.kind = SIPHOST_VALUE_INT;
        out.num = n;
        return true;
    }
    if (kind == given::number)
        return false;
    out = siphost_value{};
    out.kind = SIPHOST_VALUE_STR;
    out.str = sdk::str(text);
    return true;
}

void rpc_list(siphost_rpc_call* call) {
    std::string group;
    bool filtered = param_text(call, 0, group);
    if (filtered && !known_group(group))
        return; // nothing to list, as Kamailio
    siphost_rpc_node* result = rpc().result(call);
    for (const variable_info& v : variables())
        rpc().add_str(result, nullptr, sdk::str(std::string(core_group) + ": " + std::string(v.name)));
}

void rpc_get(siphost_rpc_call* call) {
    std::string group, variable;
    if (!param_text(call, 0, group)) {
        fault(call, 400, "Invalid parameters: a group name expected");
        return;
    }
    if (!known_group(group)) {
        fault(call, 400, "Failed to get the variable");
        return;
    }
    siphost_rpc_node* result = rpc().result(call);
    siphost_value v{};
    if (param_text(call, 1, variable)) {
        if (host_->core_setting_get(sdk::str(variable), &v) != 0) {
            fault(call, 400, "Failed to get the variable");
            return;
        }
        add_value(result, nullptr, v);
        return;
    }
    siphost_rpc_node* all = rpc().add_struct(result, nullptr);
    for (const variable_info& info : variables()) {
        std::string key(info.name);
        if (host_->core_setting_get(sdk::str(info.name), &v) == 0)
            add_value(all, key.c_str(), v);
    }
}

void rpc_help(siphost_rpc_call* call) {
    std::string group, variable;
    if (!group_and_variable(call, group, variable, "Failed to get the variable"))
        return;
    for (const variable_info& info : variables()) {
        if (info.name != variable)
            continue;
        siphost_value v{};
        host_->core_setting_get(sdk::str(info.name), &v);
        std::string text(info.doc);
        text += v.kind == SIPHOST_VALUE_INT ? "\n(parameter type is integer)" : "\n(parameter type is string)";
        if (!info.writable)
            text += "\n(read-only while running)";
        rpc().add_str(rpc().result(call), nullptr, sdk::str(text));
        return;
    }
    fault(call, 400, "Failed to get the variable");
}

template <given Kind> void rpc_set_now(siphost_rpc_call* call) {
    std::string group, variable, text;
    if (!group_and_variable(call, group, variable, "Failed to set the variable"))
        return;
    siphost_value value{};
    if (!value_param(call, Kind, value, text)) {
        fault(call, 400, "Failed to set the variable");
        return;
    }
    set_now(call, variable, value);
}

template <given Kind> void rpc_set_delayed(siphost_rpc_call* call) {
    std::string group, variable, text;
    if (!group_and_variable(call, group, variable, "Failed to set the variable"))
        return;
    pending_change change;
    if (!value_param(call, Kind, change.value, change.text)) {
        fault(call, 400, "Failed to set the variable");
        return;
    }
    siphost_value current{};
    if (host_->core_setting_get(sdk::str(variable), &current) != 0) {
        fault(call, 400, "Failed to set the variable");
        return;
    }
    change.variable = variable;
    std::lock_guard lock(pending_mutex_);
    pending_.push_back(std::move(change));
}

void rpc_commit(siphost_rpc_call* call) {
    std::vector<pending_change> changes;
    {
        std::lock_guard lock(pending_mutex_);
        changes.swap(pending_);
    }
    bool ok = true;
    for (pending_change& c : changes) {
        if (c.value.kind == SIPHOST_VALUE_STR)
            c.value.str = sdk::str(c.text);
        ok = set_now(nullptr, c.variable, c.value) && ok;
    }
    if (!ok)
        fault(call, 400, "Failed to commit the changes");
}

void rpc_rollback(siphost_rpc_call*) {
    std::lock_guard lock(pending_mutex_);
    pending_.clear();
}

void rpc_diff(siphost_rpc_call* call) {
    std::lock_guard lock(pending_mutex_);
    siphost_rpc_node* result = rpc().result(call);
    for (pending_change& c : pending_) {
        siphost_rpc_node* entry = rpc().add_struct(result, nullptr);
        rpc().add_str(entry, "group name", sdk::str(core_group));
        rpc().add_str(entry, "variable name", sdk::str(c.variable));
        siphost_value old{};
        if (host_->core_setting_get(sdk::str(c.variable), &old) == 0)
            add_value(entry, "old value", old);
        if (c.value.kind == SIPHOST_VALUE_STR)
            c.value.str = sdk::str(c.text);
        add_value(entry, "new value", c.value);
    }
}

void rpc_reset(siphost_rpc_call* call) {
    remember_start_values();
    std::string group;
    if (!param_text(call, 0, group) || !known_group(group)) {
        fault(call, 400, "Invalid parameters: a known group name expected");
        return;
    }
    bool ok = true;
    for (const auto& [variable, start_value] : initial_) {
        siphost_value now{};
        if (host_->core_setting_get(sdk::str(variable), &now) != 0 || now.num == start_value)
            continue;
        siphost_value value{};
        value.kind = SIPHOST_VALUE_INT;
        value.num = start_value;
        ok = set_now(nullptr, variable, value) && ok;
    }
    if (!ok)
        fault(call, 500, "Reset failed");
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    if (!SIPHOST_HAS(siphost_host_api, host, core_setting_set)) {
        sdk::write_error(err, err_size, "cfg_rpc needs a host with run-time settings (ABI 1.2)");
        return -1;
    }
    host_ = host;
    self_ = self;
    return 0;
}

void destroy() {
    std::lock_guard lock(pending_mutex_);
    pending_.clear();
}

const siphost_rpc_command rpcs[] = {
    sdk::rpc("cfg.list", rpc_list, "Lists the configuration variables: cfg.list [group]", "s"),
    sdk::rpc("cfg.get", rpc_get, "Gets a configuration variable, or a whole group: cfg.get group [variable]", "ss"),
    sdk::rpc("cfg.help", rpc_help, "Describes a configuration variable: cfg.help group variable", "ss"),
    sdk::rpc("cfg.seti", rpc_set_now<given::number>, "Sets a variable now: cfg.seti group variable int", "ssd"),
    sdk::rpc("cfg.set_now_int", rpc_set_now<given::number>, "Sets a variable now: group variable int", "ssd"),
    sdk::rpc("cfg.sets", rpc_set_now<given::text>, "Sets a variable now: cfg.sets group variable string", "sss"),
    sdk::rpc("cfg.set_now_string", rpc_set_now<given::text>, "Sets a variable now: group variable string", "sss"),
    sdk::rpc("cfg.set", rpc_set_now<given::any>, "Sets a variable now: cfg.set group variable value", "ss."),
    sdk::rpc("cfg.set_delayed_int", rpc_set_delayed<given::number>, "Prepares a change for cfg.commit", "ssd"),
    sdk::rpc("cfg.set_delayed_string", rpc_set_delayed<given::text>, "Prepares a change for cfg.commit", "sss"),
    sdk::rpc("cfg.set_delayed", rpc_set_delayed<given::any>, "Prepares a change for cfg.commit", "ss."),
    sdk::rpc("cfg.commit", rpc_commit, "Applies the prepared changes"),
    sdk::rpc("cfg.rollback", rpc_rollback, "Drops the prepared changes"),
    sdk::rpc("cfg.diff", rpc_diff, "Lists the prepared changes with the old and new values"),
    sdk::rpc("cfg.reset", rpc_reset, "Sets a group's variables back to their values at start-up: cfg.reset group", "s"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor =
    sdk::module({.name = "cfg_rpc", .version = "1.0", .rpcs = rpcs, .init = init, .destroy = destroy});

} // namespace
} // namespace siphost::modules::cfg_rpc

SIPHOST_MODULE(siphost::modules::cfg_rpc::descriptor)
