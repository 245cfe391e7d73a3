// Logging, APIs between modules, the workers, limits and the clock.
#include "abi/host_table.hpp"

#include "core/log.hpp"
#include "plugin/host_services.hpp"
#include "plugin/loaded_module.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>

namespace siphost::abi {
namespace {

void log(siphost_module_handle* self, int level, siphost_str text) {
    if (!core::log_enabled(level))
        return;
    std::string_view component = self != nullptr ? std::string_view(self->name) : std::string_view();
    core::log_host(level, component, std::string_view(text.s == nullptr ? "" : text.s, text.len));
}

int log_enabled(int level) {
    return core::log_enabled(level) ? 1 : 0;
}

int api_export(siphost_module_handle* self, const char* name, uint32_t major, const void* api) {
    if (name == nullptr || api == nullptr)
        return -1;
    return plugin::host_services::instance().export_api(self != nullptr ? self->name : "", name, major, api)
               ? 0
               : -1;
}

const void* api_lookup(const char* name, uint32_t major) {
    return name == nullptr ? nullptr : plugin::host_services::instance().find_api(name, major);
}

constexpr int64_t max_message_size = 65535;

int64_t limit(uint32_t which) {
    switch (which) {
    case SIPHOST_LIMIT_BRANCHES:
        return max_branches;
    case SIPHOST_LIMIT_MESSAGE_SIZE:
        return max_message_size;
    default:
        return -1;
    }
}

uint64_t now_ms() {
    auto since = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(since).count());
}

/// The core's run-time settings: what cfg_rpc shows (cfg.get core NAME, cfg.list) and may change.
struct core_setting {
    std::string_view name;
    std::string_view doc;
    bool writable;
};
constexpr core_setting core_settings[] = {
    {"debug", "the log level: lines above it are dropped (-5 alert .. 3 debug)", true},
    {"log_stderror", "1 when the log goes to stderr, 0 for syslog", false},
    {"children", "the number of SIP worker threads", false},
};

int core_setting_at(uint32_t index, siphost_str* name, siphost_str* doc, int* writable) {
    if (index >= std::size(core_settings))
        return -1;
    const core_setting& s = core_settings[index];
    if (name != nullptr)
        *name = siphost_str{s.name.data(), s.name.size()};
    if (doc != nullptr)
        *doc = siphost_str{s.doc.data(), s.doc.size()};
    if (writable != nullptr)
        *writable = s.writable ? 1 : 0;
    return 0;
}

int core_setting_get(siphost_str name, siphost_value* out) {
    std::string_view wanted(name.s == nullptr ? "" : name.s, name.len);
    if (out == nullptr)
        return -1;
    *out = siphost_value{};
    out->kind = SIPHOST_VALUE_INT;
    if (wanted == "debug")
        out->num = core::log_threshold();
    else if (wanted == "log_stderror")
        out->num = core::logging_to_stderr() ? 1 : 0;
    else if (wanted == "children")
        out->num = plugin::host_services::instance().children();
    else
        return -1;
    return 0;
}

void write_error(char* err, size_t err_size, std::string_view text) {
    if (err == nullptr || err_size == 0)
        return;
    size_t n = std::min(text.size(), err_size - 1);
    std::memcpy(err, text.data(), n);
    err[n] = '\0';
}

int core_setting_set(siphost_str name, const siphost_value* value, char* err, size_t err_size) {
    std::string_view wanted(name.s == nullptr ? "" : name.s, name.len);
    const core_setting* found = nullptr;
    for (const core_setting& s : core_settings)
        if (s.name == wanted)
            found = &s;
    if (found == nullptr) {
        write_error(err, err_size, "the core has no setting '" + std::string(wanted) + "'");
        return -1;
    }
    if (!found->writable) {
        write_error(err, err_size, "'" + std::string(wanted) + "' is read-only while running");
        return -1;
    }
    if (value == nullptr || value->kind != SIPHOST_VALUE_INT) {
        write_error(err, err_size, "'" + std::string(wanted) + "' takes a number");
        return -1;
    }
    if (value->num < SIPHOST_LOG_ALERT || value->num > SIPHOST_LOG_DBG) {
        write_error(err, err_size, "debug must be from -5 (alert) to 3 (debug)");
        return -1;
    }
    core::set_log_threshold(static_cast<int>(value->num));
    return 0;
}

} // namespace

void fill_process_functions(siphost_host_api& api) {
    api.log = log;
    api.log_enabled = log_enabled;
    api.api_export = api_export;
    api.api_lookup = api_lookup;
    api.worker_count = [] { return plugin::host_services::instance().worker_count(); };
    api.worker_index = [] { return plugin::host_services::worker_index(); };
    api.limit = limit;
    api.now_ms = now_ms;
    api.core_setting_at = core_setting_at;
    api.core_setting_get = core_setting_get;
    api.core_setting_set = core_setting_set;
}

} // namespace siphost::abi
