#include "plugin/host_services.hpp"

#include "core/log.hpp"

#include <atomic>
#include <chrono>

namespace siphost::plugin {
namespace {

thread_local int current_worker = -1;

void log_from_module(int level, const char* module, siphost_str text) {
    if (!core::log_enabled(level))
        return;
    std::string_view component = module != nullptr ? std::string_view(module) : std::string_view();
    core::log_host(level, component, std::string_view(text.s == nullptr ? "" : text.s, text.len));
}

int log_enabled(int level) { return core::log_enabled(level) ? 1 : 0; }

uint64_t now_ms() {
    auto since = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(since).count());
}

void add_to_counter(int64_t* counter, int64_t delta) {
    if (counter != nullptr)
        std::atomic_ref<int64_t>(*counter).fetch_add(delta, std::memory_order_relaxed);
}

} // namespace

host_services& host_services::instance() {
    static host_services services;
    return services;
}

void host_services::set_worker_index(int index) { current_worker = index; }

void host_services::fill(siphost_host_api& api) {
    api.struct_size = sizeof(siphost_host_api);
    api.abi_major = SIPHOST_ABI_MAJOR;
    api.abi_minor = SIPHOST_ABI_MINOR;
    api.log = log_from_module;
    api.log_enabled = log_enabled;
    api.api_export = export_api;
    api.api_lookup = lookup_api;
    api.counter_register = register_counter;
    api.counter_add = add_to_counter;
    api.timer_every = register_timer;
    api.now_ms = now_ms;
    api.worker_count = [] { return instance().worker_count_; };
    api.worker_index = [] { return current_worker; };
}

int host_services::export_api(const char* name, uint32_t major, const void* api) {
    if (name == nullptr || api == nullptr)
        return -1;
    auto& self = instance();
    std::lock_guard lock(self.mutex_);
    for (const auto& published : self.apis_)
        if (published.name == name && published.major == major)
            return -1;
    self.apis_.push_back({name, major, api});
    return 0;
}

const void* host_services::lookup_api(const char* name, uint32_t major) {
    if (name == nullptr)
        return nullptr;
    return instance().find_api(name, major);
}

const void* host_services::find_api(std::string_view name, uint32_t major) const {
    std::lock_guard lock(mutex_);
    for (const auto& published : apis_)
        if (published.name == name && published.major == major)
            return published.table;
    return nullptr;
}

int64_t* host_services::register_counter(const char* module, const char* name) {
    if (module == nullptr || name == nullptr)
        return nullptr;
    auto& self = instance();
    std::lock_guard lock(self.mutex_);
    std::string full = std::string(module) + "." + name;
    for (auto& c : self.counters_)
        if (c.name == full)
            return &c.value;
    return &self.counters_.emplace_back(counter{std::move(full), 0}).value;
}

int host_services::register_timer(uint32_t interval_ms, siphost_timer_fn fn, void* data) {
    if (fn == nullptr || interval_ms == 0)
        return -1;
    auto& self = instance();
    std::lock_guard lock(self.mutex_);
    self.timers_.push_back({interval_ms, fn, data});
    return 0;
}

std::vector<periodic_timer> host_services::timers() const {
    std::lock_guard lock(mutex_);
    return timers_;
}

std::vector<std::pair<std::string, int64_t>> host_services::counter_values() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, int64_t>> values;
    for (const auto& c : counters_)
        values.emplace_back(c.name, std::atomic_ref<int64_t>(const_cast<int64_t&>(c.value)).load(std::memory_order_relaxed));
    return values;
}

void host_services::reset() {
    std::lock_guard lock(mutex_);
    apis_.clear();
    counters_.clear();
    timers_.clear();
}

} // namespace siphost::plugin
