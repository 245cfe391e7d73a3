// kex's RPC commands. The statistics are every metric the host and the modules registered, read with the
// host's metric_walk (ABI 1.3; on an older host, through its stats.get_statistics), so that stats.fetch shows
// exactly what stats.get_statistics shows.
#define SIPHOST_REQUIRE_MINOR 1
#include "kex_rpc.hpp"

#include <siphost/module.hpp>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace siphost::modules::kex {
namespace {

std::atomic<const siphost_host_api*> host_{nullptr};

void fault(const siphost_host_api* host, siphost_rpc_call* call, int code, std::string_view text) {
    host->rpc->fault(call, code, sdk::str(text));
}

/// The i-th parameter as text (an integer as its digits).
std::string param_text(const siphost_host_api* host, siphost_rpc_call* call, size_t i) {
    siphost_value v = sdk::null_value();
    if (host->rpc->param(call, i, &v) != 0)
        return {};
    return v.kind == SIPHOST_VALUE_INT ? std::to_string(v.num) : std::string(sdk::arg_view(v));
}

// ---- core.* ----

void rpc_echo(siphost_rpc_call* call) {
    const siphost_host_api* host = host_.load();
    if (host == nullptr)
        return;
    siphost_rpc_node* top = host->rpc->result(call);
    for (size_t i = 0; i < host->rpc->param_count(call); ++i) {
        siphost_value v = sdk::null_value();
        if (host->rpc->param(call, i, &v) != 0)
            break;
        if (v.kind == SIPHOST_VALUE_INT)
            host->rpc->add_int(top, nullptr, v.num);
        else
            host->rpc->add_str(top, nullptr, v.str);
    }
}

void rpc_prints(siphost_rpc_call* call) {
    const siphost_host_api* host = host_.load();
    if (host == nullptr)
        return;
    siphost_rpc_node* top = host->rpc->result(call);
    for (size_t i = 0; i < host->rpc->param_count(call); ++i) {
        std::string text = param_text(host, call, i);
        host->rpc->add_str(top, nullptr, sdk::str(text));
    }
}

void rpc_printi(siphost_rpc_call* call) {
    const siphost_host_api* host = host_.load();
    if (host == nullptr)
        return;
    siphost_rpc_node* top = host->rpc->result(call);
    for (size_t i = 0; i < host->rpc->param_count(call); ++i) {
        siphost_value v = sdk::null_value();
        int64_t number = 0;
        if (host->rpc->param(call, i, &v) != 0 || !sdk::arg_int(v, number))
            return fault(host, call, 400,
                         "parameter " + std::to_string(i + 1) + " is not an integer: '" +
                             param_text(host, call, i) + "'");
        host->rpc->add_int(top, nullptr, number);
    }
}

void rpc_pwd(siphost_rpc_call* call) {
    const siphost_host_api* host = host_.load();
    if (host == nullptr)
        return;
    std::vector<char> buffer(4096);
    while (::getcwd(buffer.data(), buffer.size()) == nullptr) {
        if (errno != ERANGE || buffer.size() >= (1u << 20))
            return fault(host, call, 500, std::string("getcwd failed: ") + std::strerror(errno));
        buffer.resize(buffer.size() * 2);
    }
    host->rpc->add_str(host->rpc->result(call), nullptr, sdk::str(buffer.data()));
}

void rpc_arg(siphost_rpc_call* call) {
    const siphost_host_api* host = host_.load();
    if (host == nullptr)
        return;
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    if (!in)
        return fault(host, call, 500, "cannot read /proc/self/cmdline");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    siphost_rpc_node* top = host->rpc->result(call);
    size_t start = 0;
    while (start < all.size()) {
        size_t end = all.find('\0', start);
        if (end == std::string::npos)
            end = all.size();
        host->rpc->add_str(top, nullptr, sdk::str(std::string_view(all).substr(start, end - start)));
        start = end + 1;
    }
}

// ---- stats.fetch, stats.fetchn ----

struct statistic {
    std::string group;
    std::string name; ///< a labelled series keeps its labels: "name{l=v}"
    int64_t value = 0;
};

int collect(const siphost_metric_info* info, void* data) {
    statistic s;
    s.group.assign(sdk::view(info->group));
    s.name.assign(sdk::view(info->name));
    if (info->label_count > 0) {
        s.name += '{';
        for (uint32_t i = 0; i < info->label_count; ++i) {
            if (i > 0)
                s.name += ',';
            s.name += std::string(sdk::view(info->label_names[i])) + "=" +
                      std::string(sdk::view(info->label_values[i]));
        }
        s.name += '}';
    }
    s.value = info->value;
    static_cast<std::vector<statistic>*>(data)->push_back(std::move(s));
    return 0;
}

/// Every statistic: through metric_walk on a host of ABI 1.3 or later, else as the host's
/// stats.get_statistics lists them ("group:name = value"); false with the host's reason when that call fails.
bool read_statistics(const siphost_host_api* host, std::vector<statistic>& out, std::string& error) {
    if (SIPHOST_HAS(siphost_host_api, host, metric_walk)) {
        host->metric_walk(collect, &out);
        return true;
    }
    const siphost_rpc_api* rpc = host->rpc;
    siphost_rpc_call* listing = rpc->call_new(sdk::str("stats.get_statistics"));
    if (listing == nullptr) {
        error = "out of memory";
        return false;
    }
    rpc->call_add_str(listing, sdk::str("all"));
    bool ok = rpc->call_run(listing) == 0;
    if (!ok) {
        siphost_str reason{nullptr, 0};
        rpc->call_fault(listing, &reason);
        error = "stats.get_statistics failed: " + std::string(sdk::view(reason));
    } else {
        const siphost_rpc_node* top = rpc->call_reply(listing);
        for (size_t i = 0; i < rpc->node_size(top); ++i) {
            siphost_rpc_member member = sdk::sized<siphost_rpc_member>();
            if (rpc->node_member(top, i, &member) != 0 || member.kind != SIPHOST_RPC_MEMBER_STR)
                continue;
            std::string_view line = sdk::view(member.str);
            size_t colon = line.find(':');
            size_t equals = line.rfind(" = ");
            if (colon == std::string_view::npos || equals == std::string_view::npos || equals < colon)
                continue;
            statistic s;
            s.group.assign(line.substr(0, colon));
            s.name.assign(line.substr(colon + 1, equals - colon - 1));
            s.value = std::strtoll(std::string(line.substr(equals + 3)).c_str(), nullptr, 10);
            out.push_back(std::move(s));
        }
    }
    rpc->call_free(listing);
    return ok;
}

/// Kamailio's statistics selectors: "all", "group:", "group:name", "group.name" or a name.
bool selects(std::string_view selector, const statistic& s) {
    if (selector == "all")
        return true;
    if (!selector.empty() && selector.back() == ':')
        return s.group == selector.substr(0, selector.size() - 1);
    if (size_t colon = selector.find(':'); colon != std::string_view::npos)
        return s.group == selector.substr(0, colon) && s.name == selector.substr(colon + 1);
    if (s.name == selector)
        return true;
    size_t dot = selector.find('.');
    return dot != std::string_view::npos && s.group == selector.substr(0, dot) &&
           s.name == selector.substr(dot + 1);
}

void fetch(siphost_rpc_call* call, bool as_numbers) {
    const siphost_host_api* host = host_.load();
    if (host == nullptr)
        return;
    size_t count = host->rpc->param_count(call);
    if (count == 0)
        return fault(host, call, 400, "Please provide which stats to retrieve");
    std::vector<statistic> all;
    std::string error;
    if (!read_statistics(host, all, error))
        return fault(host, call, 500, error);
    std::vector<std::string> selectors;
    for (size_t i = 0; i < count; ++i)
        selectors.push_back(param_text(host, call, i));
    siphost_rpc_node* result = host->rpc->add_struct(host->rpc->result(call), nullptr);
    if (result == nullptr)
        return fault(host, call, 500, "out of memory");
    for (const auto& s : all) {
        bool wanted = false;
        for (const auto& selector : selectors)
            wanted = wanted || selects(selector, s);
        if (!wanted)
            continue;
        std::string key = s.group + "." + s.name;
        if (as_numbers)
            host->rpc->add_int(result, key.c_str(), s.value);
        else
            host->rpc->add_str(result, key.c_str(), sdk::str(std::to_string(s.value)));
    }
}

void rpc_fetch(siphost_rpc_call* call) {
    fetch(call, false);
}

void rpc_fetchn(siphost_rpc_call* call) {
    fetch(call, true);
}

const siphost_rpc_command commands[] = {
    sdk::rpc("core.echo", rpc_echo, "Returns back its parameters.", "."),
    sdk::rpc("core.prints", rpc_prints, "Returns the strings given as parameters.", "."),
    sdk::rpc("core.printi", rpc_printi, "Returns the integers given as parameters.", "."),
    sdk::rpc("core.pwd", rpc_pwd, "Returns the working directory of the server.", ""),
    sdk::rpc("core.arg", rpc_arg, "Returns the server's command line arguments.", ""),
    sdk::rpc("stats.fetch", rpc_fetch,
             "Statistics as a struct of \"group.name\": \"value\": all, group:, group.name or names.", "s"),
    sdk::rpc("stats.fetchn", rpc_fetchn,
             "Statistics as a struct of \"group.name\": value: all, group:, group.name or names.", "s"),
    sdk::end_of_rpcs(),
};

} // namespace

const siphost_rpc_command* rpc_commands() {
    return commands;
}

void set_rpc_host(const siphost_host_api* host) {
    host_.store(host);
}

} // namespace siphost::modules::kex
