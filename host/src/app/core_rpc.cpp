#include "app/core_rpc.hpp"

#include "app/script_reloader.hpp"
#include "core/metrics.hpp"
#include "core/rpc.hpp"
#include "plugin/host_services.hpp"

#include <malloc.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace siphost::app {
namespace {

using core::rpc_value;
using node_kind = siphost_rpc_node::kind;

/// What the commands share: the start time, the thread names and the server's figures.
struct core_state {
    std::mutex mutex;
    std::time_t started = 0;
    std::map<long, std::string> thread_names; ///< by kernel thread id
    core_rpc_sources sources;
    std::function<reload_answer()> reload;
};

core_state& state() {
    static core_state s;
    return s;
}

void add(siphost_rpc_node& node, std::string key, rpc_value value) {
    node.members.emplace_back(std::move(key), std::move(value));
}

siphost_rpc_node& add_node(siphost_rpc_node& node, std::string key, node_kind kind) {
    auto child = std::make_unique<siphost_rpc_node>();
    child->type = kind;
    siphost_rpc_node& raw = *child;
    add(node, std::move(key), rpc_value{std::move(child)});
    return raw;
}

void fault(siphost_rpc_call* call, int code, std::string message) {
    call->fault_code = code;
    call->fault_message = std::move(message);
}

/// The i-th parameter as text (an integer as its digits), or nothing past the end.
bool param_text(const siphost_rpc_call* call, size_t index, std::string& out) {
    if (index >= call->params.size())
        return false;
    const siphost_value& v = call->params[index];
    if (v.kind == SIPHOST_VALUE_INT)
        out = std::to_string(v.num);
    else if (v.kind == SIPHOST_VALUE_STR)
        out.assign(v.str.s == nullptr ? "" : v.str.s, v.str.len);
    else
        out.clear();
    return true;
}

/// ctime's text without its newline, as Kamailio prints times.
std::string time_text(std::time_t when) {
    char buffer[64];
    struct tm parts {};
    localtime_r(&when, &parts);
    if (std::strftime(buffer, sizeof buffer, "%a %b %e %H:%M:%S %Y", &parts) == 0)
        return {};
    return buffer;
}

std::string machine() {
    struct utsname name {};
    if (uname(&name) != 0)
        return "unknown/linux";
    return std::string(name.machine) + "/linux";
}

// ---- system.* ----

void list_methods(siphost_rpc_call* call) {
    for (const auto& name : core::rpc_registry::instance().names())
        add(call->result, {}, rpc_value{name});
}

void method_help(siphost_rpc_call* call) {
    std::string name;
    if (!param_text(call, 0, name))
        return fault(call, 400, "Method Name Expected");
    const auto* found = core::rpc_registry::instance().find(name);
    if (found == nullptr)
        return fault(call, 400, "command not found");
    add(call->result, {},
        rpc_value{std::string(found->declared->doc == nullptr ? "" : found->declared->doc)});
}

void method_signature(siphost_rpc_call* call) {
    std::string name;
    if (!param_text(call, 0, name))
        return fault(call, 400, "Method Name Expected");
    const auto* found = core::rpc_registry::instance().find(name);
    if (found == nullptr)
        return fault(call, 400, "command not found");
    // Kamailio answers 500 "Not Implemented Yet"; siphost knows the declared parameter letters.
    const char* signature = found->declared->signature;
    add(call->result, {}, rpc_value{std::string(signature == nullptr ? "" : signature)});
}

// ---- core.* ----

void version(siphost_rpc_call* call) {
    add(call->result, {}, rpc_value{std::string("siphost " SIPHOST_VERSION " (") + machine() + ")"});
}

void uptime(siphost_rpc_call* call) {
    std::time_t now = std::time(nullptr);
    std::time_t started;
    {
        std::lock_guard lock(state().mutex);
        started = state().started;
    }
    auto& s = add_node(call->result, {}, node_kind::structure);
    add(s, "now", rpc_value{time_text(now)});
    add(s, "up_since", rpc_value{time_text(started)});
    add(s, "uptime", rpc_value{int64_t{now - started}});
}

/// Every thread of the process with its name: the main thread first, then by thread id.
std::vector<std::pair<long, std::string>> threads() {
    std::vector<std::pair<long, std::string>> out;
    long main_id = static_cast<long>(getpid());
    std::map<long, std::string> names;
    {
        std::lock_guard lock(state().mutex);
        names = state().thread_names;
    }
    std::error_code error;
    std::vector<long> ids;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", error)) {
        const std::string id = entry.path().filename().string();
        char* end = nullptr;
        long value = std::strtol(id.c_str(), &end, 10);
        if (end != nullptr && *end == '\0')
            ids.push_back(value);
    }
    std::sort(ids.begin(), ids.end());
    for (long id : ids) {
        std::string name;
        if (id == main_id) {
            name = "main process - attendant";
        } else if (auto it = names.find(id); it != names.end()) {
            name = it->second;
        } else {
            std::ifstream comm("/proc/self/task/" + std::to_string(id) + "/comm");
            std::getline(comm, name);
            name = "thread " + name;
        }
        if (id == main_id)
            out.insert(out.begin(), {id, name});
        else
            out.emplace_back(id, name);
    }
    return out;
}

void ps(siphost_rpc_call* call) {
    for (const auto& [id, name] : threads()) {
        add(call->result, {}, rpc_value{int64_t{id}});
        add(call->result, {}, rpc_value{name});
    }
}

void psx(siphost_rpc_call* call) {
    int64_t index = 0;
    for (const auto& [id, name] : threads()) {
        auto& s = add_node(call->result, {}, node_kind::structure);
        add(s, "IDX", rpc_value{index++});
        add(s, "PID", rpc_value{int64_t{id}});
        add(s, "DSC", rpc_value{name});
    }
}

void info(siphost_rpc_call* call) {
    auto& s = add_node(call->result, {}, node_kind::structure);
    add(s, "version", rpc_value{std::string("siphost " SIPHOST_VERSION)});
    add(s, "id", rpc_value{std::string("unknown")});
#if defined(__clang__)
    add(s, "compiler", rpc_value{std::string("clang " __clang_version__)});
#elif defined(__GNUC__)
    add(s, "compiler",
        rpc_value{std::string("gcc ") + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) +
                  "." + std::to_string(__GNUC_PATCHLEVEL__)});
#else
    add(s, "compiler", rpc_value{std::string("unknown")});
#endif
    add(s, "compiled", rpc_value{std::string()});
    add(s, "flags",
        rpc_value{std::string("USE_TCP, THREADS, MODULE_ABI ") + std::to_string(SIPHOST_ABI_MAJOR) + "." +
                  std::to_string(SIPHOST_ABI_MINOR)});
}

/// A "Key:   123 kB" line of /proc/self/status, in bytes; 0 when absent.
int64_t status_bytes(std::string_view key) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(key, 0) == 0 && line.size() > key.size() && line[key.size()] == ':')
            return std::strtoll(line.c_str() + key.size() + 1, nullptr, 10) * 1024;
    return 0;
}

void shmmem(siphost_rpc_call* call) {
    // siphost has no shared memory pool: its figures are the process heap's (malloc) and its resident size.
    struct mallinfo2 heap = mallinfo2();
    int64_t total = static_cast<int64_t>(heap.arena + heap.hblkhd);
    int64_t used = static_cast<int64_t>(heap.uordblks + heap.hblkhd);
    auto& s = add_node(call->result, {}, node_kind::structure);
    add(s, "total", rpc_value{total});
    add(s, "free", rpc_value{static_cast<int64_t>(heap.fordblks)});
    add(s, "used", rpc_value{used});
    add(s, "real_used", rpc_value{status_bytes("VmRSS")});
    add(s, "max_used", rpc_value{status_bytes("VmHWM")});
    add(s, "fragments", rpc_value{static_cast<int64_t>(heap.ordblks)});
}

void tcp_info(siphost_rpc_call* call) {
    core_rpc_sources sources;
    {
        std::lock_guard lock(state().mutex);
        sources = state().sources;
    }
    auto& s = add_node(call->result, {}, node_kind::structure);
    add(s, "readers", rpc_value{int64_t{sources.tcp_readers}});
    add(s, "max_connections", rpc_value{int64_t{sources.tcp_max_connections}});
    add(s, "max_tls_connections", rpc_value{int64_t{0}}); // no TLS
    add(s, "opened_connections",
        rpc_value{static_cast<int64_t>(sources.tcp_connections ? sources.tcp_connections() : 0)});
    add(s, "opened_tls_connections", rpc_value{int64_t{0}});
    add(s, "write_queued_bytes", rpc_value{int64_t{0}}); // writes are not queued: sends complete in place
}

// ---- stats.* (Kamailio's kex) ----

/// A series' statistic name: "group:name", labelled ones with their labels ("group:name{l=v}").
std::string statistic_name(const core::metric_sample& sample) {
    std::string name = sample.family->full_name();
    if (!sample.label_values.empty()) {
        name += '{';
        for (size_t i = 0; i < sample.label_values.size(); ++i) {
            if (i > 0)
                name += ',';
            name += (i < sample.family->labels.size() ? sample.family->labels[i] : std::string("label")) +
                    "=" + sample.label_values[i];
        }
        name += '}';
    }
    return name;
}

/// Does the argument ("all", "group:", "group:name" or a bare name) select the sample?
bool selects(std::string_view argument, const core::metric_sample& sample) {
    if (argument == "all")
        return true;
    if (!argument.empty() && argument.back() == ':')
        return sample.family->group == argument.substr(0, argument.size() - 1);
    if (argument.find(':') != std::string_view::npos)
        return sample.family->full_name() == argument;
    return sample.family->name == argument;
}

/// Each argument's statistics, in registration order, each listed once.
std::vector<core::metric_sample> selected(const siphost_rpc_call* call) {
    auto all = core::metric_registry::instance().snapshot();
    std::vector<core::metric_sample> out;
    std::vector<bool> taken(all.size(), false);
    std::string argument;
    for (size_t i = 0; param_text(call, i, argument); ++i)
        for (size_t j = 0; j < all.size(); ++j)
            if (!taken[j] && selects(argument, all[j])) {
                taken[j] = true;
                out.push_back(all[j]);
            }
    return out;
}

/// Sorted by name, as Kamailio lists its statistics.
void list_statistics(siphost_rpc_call* call, const std::vector<core::metric_sample>& samples) {
    std::vector<std::string> lines;
    for (const auto& sample : samples)
        lines.push_back(statistic_name(sample) + " = " + std::to_string(sample.value));
    std::sort(lines.begin(), lines.end());
    for (auto& line : lines)
        add(call->result, {}, rpc_value{std::move(line)});
}

/// Kamailio resets counters only: gauges (and what a callback reads) say what is, not what happened.
void reset(const std::vector<core::metric_sample>& samples) {
    auto& registry = core::metric_registry::instance();
    for (const auto& sample : samples) {
        auto* family = const_cast<core::metric_family*>(sample.family);
        if (family->kind != core::metric_kind::counter || family->read != nullptr)
            continue;
        if (sample.label_values.empty()) {
            family->root.value.store(0, std::memory_order_relaxed);
            continue;
        }
        std::vector<std::string_view> values(sample.label_values.begin(), sample.label_values.end());
        if (auto* series = registry.series(*family, values))
            series->value.store(0, std::memory_order_relaxed);
    }
}

void get_statistics(siphost_rpc_call* call) {
    if (call->params.empty())
        return fault(call, 400, "Please provide which stats to retrieve");
    list_statistics(call, selected(call));
}

void reset_statistics(siphost_rpc_call* call) {
    if (call->params.empty())
        return fault(call, 400, "Please provide stats name");
    reset(selected(call));
}

void clear_statistics(siphost_rpc_call* call) {
    if (call->params.empty())
        return fault(call, 400, "Please provide which stats to clear");
    auto samples = selected(call);
    list_statistics(call, samples);
    reset(samples);
}

// A refusal is a fault, so that kamcmd prints "error: 500 - ..."; its message holds every
// diagnostic, within what a binrpc reply carries (ctl's default body limit is 32 KB).
void reload(siphost_rpc_call* call) {
    std::function<reload_answer()> handler;
    {
        std::lock_guard lock(state().mutex);
        handler = state().reload;
    }
    if (!handler)
        return fault(call, 500, "no running script to reload");
    reload_answer answer = handler();
    if (!answer.ok)
        return fault(call, 500,
                     reply_text("reload refused, the running script stays:\n" + answer.text, 24000));
    add(call->result, {}, rpc_value{reply_text("Ok. Script reloaded. " + answer.text, 24000)});
}

constexpr siphost_rpc_command command(const char* name, siphost_rpc_fn handler, const char* doc,
                                      const char* signature) {
    return {sizeof(siphost_rpc_command), name, handler, doc, signature, 0, 0, {nullptr, nullptr}};
}

const siphost_rpc_command core_commands[] = {
    command("system.listMethods", list_methods, "Lists all RPC methods supported by the server.", ""),
    command("system.methodHelp", method_help, "Print the help string for given method.", "s"),
    command("system.methodSignature", method_signature, "Returns signature of given method.", "s"),
    command("core.version", version, "Returns the version string of the server.", ""),
    command("core.uptime", uptime, "Returns uptime of SIP server.", ""),
    command("core.ps", ps, "Returns the description of running processes.", ""),
    command("core.psx", psx, "Returns the detailed description of running processes.", ""),
    command("core.info", info,
            "Verbose info, including version number, compile flags, compiler,repository hash etc.", ""),
    command("core.shmmem", shmmem, "Returns shared memory info.", ""),
    command("core.tcp_info", tcp_info, "Returns tcp related info.", ""),
    command("stats.get_statistics", get_statistics,
            "Print the values of the statistics: all, group: or names.", "s"),
    command("stats.reset_statistics", reset_statistics, "Reset the counters: all, group: or names.", "s"),
    command("stats.clear_statistics", clear_statistics,
            "Print the values of the statistics, then reset them.", "s"),
    command(
        "siphost.reload", reload,
        "Reads the config file again and, when it is valid and changes only the routing script, runs every "
        "new message on the new script.",
        ""),
};

} // namespace

void install_core_rpcs() {
    {
        std::lock_guard lock(state().mutex);
        state().started = std::time(nullptr);
    }
    auto& registry = core::rpc_registry::instance();
    for (const auto& c : core_commands) {
        // Installed before the modules load, so the names are free; a second start in one process (tests)
        // finds its own.
        std::string ignored;
        registry.add("core", &c, ignored);
    }
}

void set_reload_handler(std::function<reload_answer()> handler) {
    std::lock_guard lock(state().mutex);
    state().reload = std::move(handler);
}

void set_core_rpc_sources(core_rpc_sources sources) {
    std::lock_guard lock(state().mutex);
    state().sources = std::move(sources);
}

void note_thread(int kind, int index) {
    std::string name;
    switch (kind) {
    case SIPHOST_THREAD_WORKER:
        name = "udp receiver child=" + std::to_string(index);
        break;
    case SIPHOST_THREAD_TIMER:
        name = "timer";
        break;
    case SIPHOST_THREAD_ASYNC:
        name = "slow timer";
        break;
    case SIPHOST_THREAD_CONTROL:
        name = "ctl handler";
        break;
    default:
        name = "thread";
    }
    long id = static_cast<long>(syscall(SYS_gettid));
    std::lock_guard lock(state().mutex);
    state().thread_names[id] = std::move(name);
}

} // namespace siphost::app
