// counters: Kamailio's counters module, over the host's metrics.
//
//   modparam script_counter "[group.]name[( |:)description]"   declares a counter (as often as needed)
//   modparam script_cnt_grp_name "script"                        the group of counters declared without one
//   cnt_inc(name), cnt_add(name, number), cnt_reset(name)        name: "group.name" or "name"
//   RPC: cnt.get, cnt.reset, cnt.grps_list (cnt.list_groups), cnt.var_list (cnt.list_vars),
//        cnt.grp_get_all (cnt.get_vars), cnt.help
//
// Each script counter is a counter metric of this module, named "group.name" (so stats.get_statistics shows
// "counters:script.foo"; the host names a metric's group after its module). The cnt.* RPCs show every
// statistic the host has, as Kamailio's show every counter: read with the host's metric_walk, where this
// module's metrics appear under their own group ("script", "test", ...). A counter only goes up, so
// cnt_add refuses a negative number; cnt_reset and cnt.reset set it back to 0.
#include "counter_table.hpp"

#include <siphost/module.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace siphost::modules::counters {
namespace {

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;
counter_table table_;
const char* default_group_ = "script"; ///< modparam script_cnt_grp_name
std::string module_group_;             ///< the group the host shows this module's metrics in

void log(int level, std::string_view text) {
    sdk::log(host_, self_, level, text);
}

int set_script_counter(const char*, const siphost_value* value, char* err, size_t err_size) {
    std::string error;
    if (!table_.declare(sdk::arg_view(*value), error)) {
        sdk::write_error(err, err_size, error);
        return -1;
    }
    return 0;
}

// ---- script functions ----

std::string undeclared(std::string_view name) {
    return "no script counter '" + std::string(name) + "' (declare it with modparam(\"counters\", " +
           "\"script_counter\", \"" + std::string(name) + "\"))";
}

/// The counter named by a constant argument, found once; a variable name is looked up per call.
int fix_counter(const siphost_value* args, const int* constant, void** call_data, char* err,
                size_t err_size) {
    if (!constant[0])
        return 0;
    const script_counter* counter = table_.find(sdk::arg_view(args[0]));
    if (counter == nullptr) {
        sdk::write_error(err, err_size, undeclared(sdk::arg_view(args[0])));
        return -1;
    }
    *call_data = const_cast<script_counter*>(counter);
    return 0;
}

int fix_counter_add(const siphost_value* args, const int* constant, void** call_data, char* err,
                    size_t err_size) {
    int64_t number = 0;
    if (constant[1] && (!sdk::arg_int(args[1], number) || number < 0)) {
        sdk::write_error(err, err_size,
                         "the number to add must be a non-negative integer, not '" +
                             std::string(sdk::arg_view(args[1])) + "'");
        return -1;
    }
    return fix_counter(args, constant, call_data, err, err_size);
}

const script_counter* counter_of(const siphost_value* args, void* call_data) {
    if (call_data != nullptr)
        return static_cast<const script_counter*>(call_data);
    const script_counter* counter = table_.find(sdk::arg_view(args[0]));
    if (counter == nullptr)
        log(SIPHOST_LOG_ERR, undeclared(sdk::arg_view(args[0])));
    return counter;
}

void reset(const script_counter& counter) {
    // Subtracting what was read keeps an increment that lands in between.
    host_->metrics->metric_add(counter.metric, -host_->metrics->metric_value(counter.metric));
}

int cmd_cnt_inc(siphost_msg*, const siphost_value* args, void* call_data) {
    const script_counter* counter = counter_of(args, call_data);
    if (counter == nullptr)
        return -1;
    host_->metrics->metric_add(counter->metric, 1);
    return 1;
}

int cmd_cnt_add(siphost_msg*, const siphost_value* args, void* call_data) {
    const script_counter* counter = counter_of(args, call_data);
    int64_t number = 0;
    if (counter == nullptr)
        return -1;
    if (!sdk::arg_int(args[1], number) || number < 0) {
        log(SIPHOST_LOG_ERR,
            "cnt_add: '" + std::string(sdk::arg_view(args[1])) + "' is not a non-negative integer");
        return -1;
    }
    host_->metrics->metric_add(counter->metric, number);
    return 1;
}

int cmd_cnt_reset(siphost_msg*, const siphost_value* args, void* call_data) {
    const script_counter* counter = counter_of(args, call_data);
    if (counter == nullptr)
        return -1;
    reset(*counter);
    return 1;
}

// ---- RPC ----

/// One statistic as the cnt.* commands show it.
struct statistic {
    std::string group;
    std::string name;
    int64_t value = 0;
    const script_counter* own = nullptr; ///< this module's counter, or nullptr for another's statistic
};

/// A series' name as stats.get_statistics shows it: labelled ones with their labels ("name{l=v}").
std::string series_name(const siphost_metric_info& info) {
    std::string name(sdk::view(info.name));
    if (info.label_count == 0)
        return name;
    name += '{';
    for (uint32_t i = 0; i < info.label_count; ++i) {
        if (i > 0)
            name += ',';
        name +=
            std::string(sdk::view(info.label_names[i])) + "=" + std::string(sdk::view(info.label_values[i]));
    }
    return name + '}';
}

int collect(const siphost_metric_info* info, void* data) {
    auto& out = *static_cast<std::vector<statistic>*>(data);
    statistic s;
    s.group.assign(sdk::view(info->group));
    s.name = series_name(*info);
    s.value = info->value;
    if (s.group == module_group_) {
        s.own = table_.find_metric(s.name);
        if (s.own == nullptr)
            return 0;
        s.group = s.own->group;
        s.name = s.own->name;
    }
    out.push_back(std::move(s));
    return 0;
}

/// Every statistic of the host, read with metric_walk (ABI 1.3), with this module's metrics under their
/// script groups. False with the reason when the host cannot list them.
bool read_statistics(std::vector<statistic>& out, std::string& error) {
    if (!SIPHOST_HAS(siphost_host_api, host_, metric_walk)) {
        error = "this host cannot list its metrics (it needs ABI 1.3)";
        return false;
    }
    host_->metric_walk(collect, &out);
    return true;
}

void fault(siphost_rpc_call* call, int code, std::string_view text) {
    host_->rpc->fault(call, code, sdk::str(text));
}

/// The first `count` parameters as strings; false (after a fault naming them) when one is missing.
bool string_params(siphost_rpc_call* call, size_t count, const char* expected,
                   std::vector<std::string>& out) {
    if (host_->rpc->param_count(call) < count) {
        fault(call, 400, expected);
        return false;
    }
    for (size_t i = 0; i < count; ++i) {
        siphost_value v = sdk::null_value();
        host_->rpc->param(call, i, &v);
        out.push_back(v.kind == SIPHOST_VALUE_INT ? std::to_string(v.num) : std::string(sdk::arg_view(v)));
    }
    return true;
}

/// Every statistic; false after a fault.
bool statistics(siphost_rpc_call* call, std::vector<statistic>& all) {
    std::string error;
    if (!read_statistics(all, error)) {
        fault(call, 500, error);
        return false;
    }
    return true;
}

/// The statistic group.name among all, or nullptr after a fault.
const statistic* find_one(siphost_rpc_call* call, const std::vector<statistic>& all, const std::string& group,
                          const std::string& name) {
    for (const auto& s : all)
        if (s.group == group && s.name == name)
            return &s;
    fault(call, 400, "non-existent counter " + group + "." + name);
    return nullptr;
}

void rpc_get(siphost_rpc_call* call) {
    std::vector<std::string> p;
    std::vector<statistic> all;
    if (!string_params(call, 2, "group and counter name expected", p) || !statistics(call, all))
        return;
    const statistic* s = find_one(call, all, p[0], p[1]);
    if (s == nullptr)
        return;
    int64_t value = s->own != nullptr ? host_->metrics->metric_value(s->own->metric) : s->value;
    host_->rpc->add_int(host_->rpc->result(call), nullptr, value);
}

void rpc_reset(siphost_rpc_call* call) {
    std::vector<std::string> p;
    std::vector<statistic> all;
    if (!string_params(call, 2, "group and counter name expected", p) || !statistics(call, all))
        return;
    const statistic* s = find_one(call, all, p[0], p[1]);
    if (s == nullptr)
        return;
    if (s->own != nullptr)
        return reset(*s->own);
    // Another module's counter: the host resets it as stats.reset_statistics does.
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_call* reset_call = rpc->call_new(sdk::str("stats.reset_statistics"));
    if (reset_call == nullptr)
        return fault(call, 500, "out of memory");
    std::string selector = s->group + ":" + s->name;
    rpc->call_add_str(reset_call, sdk::str(selector));
    if (rpc->call_run(reset_call) != 0) {
        siphost_str reason{nullptr, 0};
        int code = rpc->call_fault(reset_call, &reason);
        fault(call, code, "stats.reset_statistics failed: " + std::string(sdk::view(reason)));
    }
    rpc->call_free(reset_call);
}

void rpc_groups(siphost_rpc_call* call) {
    std::vector<statistic> all;
    if (!statistics(call, all))
        return;
    std::vector<std::string> groups;
    for (const auto& s : all)
        groups.push_back(s.group);
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    for (const auto& g : groups)
        host_->rpc->add_str(host_->rpc->result(call), nullptr, sdk::str(g));
}

/// The statistics of the group named by the first parameter (none for an unknown group); false after a fault.
bool group_members(siphost_rpc_call* call, std::vector<const statistic*>& members,
                   std::vector<statistic>& all) {
    std::vector<std::string> p;
    if (!string_params(call, 1, "group name expected", p) || !statistics(call, all))
        return false;
    // An unknown group has no members: Kamailio answers it with an empty reply, not a fault.
    for (const auto& s : all)
        if (s.group == p[0])
            members.push_back(&s);
    return true;
}

void rpc_vars(siphost_rpc_call* call) {
    std::vector<statistic> all;
    std::vector<const statistic*> members;
    if (!group_members(call, members, all))
        return;
    for (const auto* s : members)
        host_->rpc->add_str(host_->rpc->result(call), nullptr, sdk::str(s->name));
}

void rpc_group_values(siphost_rpc_call* call) {
    std::vector<statistic> all;
    std::vector<const statistic*> members;
    if (!group_members(call, members, all))
        return;
    siphost_rpc_node* values = host_->rpc->add_struct(host_->rpc->result(call), nullptr);
    if (values == nullptr)
        return fault(call, 500, "out of memory");
    for (const auto* s : members)
        host_->rpc->add_int(values, s->name.c_str(), s->value);
}

void rpc_help(siphost_rpc_call* call) {
    std::vector<std::string> p;
    std::vector<statistic> all;
    if (!string_params(call, 2, "group and counter name expected", p) || !statistics(call, all))
        return;
    const statistic* s = find_one(call, all, p[0], p[1]);
    if (s == nullptr)
        return;
    if (s->own == nullptr)
        return fault(call, 400,
                     "no description of " + p[0] + "." + p[1] + " here: only script counters carry theirs");
    host_->rpc->add_str(host_->rpc->result(call), nullptr, sdk::str(s->own->description));
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    self_ = self;
    module_group_ = "counters";
    std::string error;
    if (!table_.finish(default_group_ != nullptr ? default_group_ : "", host, self, error)) {
        sdk::write_error(err, err_size, error);
        return -1;
    }
    return 0;
}

void destroy() {
    table_.clear();
    default_group_ = "script";
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
constexpr auto S = SIPHOST_ARG_STRING;
using sdk::command;
using sdk::guarded;

const siphost_command commands[] = {
    command("cnt_inc", any, guarded<&cmd_cnt_inc>, {S}, fix_counter, nullptr, "adds 1 to a script counter"),
    command("cnt_add", any, guarded<&cmd_cnt_add>, {S, S}, fix_counter_add, nullptr,
            "adds a number to a script counter"),
    command("cnt_reset", any, guarded<&cmd_cnt_reset>, {S}, fix_counter, nullptr,
            "sets a script counter back to 0"),
    sdk::end_of_commands(),
};

const siphost_param params[] = {
    sdk::setter_param("script_counter", SIPHOST_PARAM_STRING, set_script_counter,
                      "declares a counter: [group.]name[( |:)description]"),
    sdk::string_param("script_cnt_grp_name", &default_group_, "the group of counters declared without one"),
    sdk::end_of_params(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("cnt.get", rpc_get, "Get the value of a counter: group and name.", "ss"),
    sdk::rpc("cnt.reset", rpc_reset, "Reset a counter: group and name.", "ss"),
    sdk::rpc("cnt.grps_list", rpc_groups, "List the counter groups.", ""),
    sdk::rpc("cnt.list_groups", rpc_groups, "List the counter groups.", ""),
    sdk::rpc("cnt.var_list", rpc_vars, "List the counters of a group.", "s"),
    sdk::rpc("cnt.list_vars", rpc_vars, "List the counters of a group.", "s"),
    sdk::rpc("cnt.grp_get_all", rpc_group_values, "The counters of a group with their values.", "s"),
    sdk::rpc("cnt.get_vars", rpc_group_values, "The counters of a group with their values.", "s"),
    sdk::rpc("cnt.help", rpc_help, "The description of a counter: group and name.", "ss"),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = "counters",
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::counters

SIPHOST_MODULE(siphost::modules::counters::descriptor)
