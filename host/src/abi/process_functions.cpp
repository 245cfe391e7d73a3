// Logging, APIs between modules, the workers, limits and the clock.
#include "abi/host_table.hpp"

#include "core/log.hpp"
#include "plugin/host_services.hpp"
#include "plugin/loaded_module.hpp"

#include <chrono>

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
}

} // namespace siphost::abi
