#include "plugin/host_services.hpp"

namespace siphost::plugin {
namespace {

thread_local int current_worker = -1;

} // namespace

host_services& host_services::instance() {
    static host_services services;
    return services;
}

void host_services::set_worker_index(int index) { current_worker = index; }
int host_services::worker_index() { return current_worker; }

bool host_services::export_api(std::string_view module, std::string_view name, uint32_t major, const void* api) {
    std::lock_guard lock(mutex_);
    for (const auto& published : apis_)
        if (published.name == name && published.major == major)
            return false;
    apis_.push_back({std::string(module), std::string(name), major, api});
    return true;
}

const void* host_services::find_api(std::string_view name, uint32_t major) const {
    std::lock_guard lock(mutex_);
    for (const auto& published : apis_)
        if (published.name == name && published.major == major)
            return published.table;
    return nullptr;
}

void host_services::add_timer(periodic_timer timer) {
    std::lock_guard lock(mutex_);
    timers_.push_back(timer);
}

std::vector<periodic_timer> host_services::timers() const {
    std::lock_guard lock(mutex_);
    return timers_;
}

void host_services::set_timers_idle(const siphost_module_handle* owner, bool idle) {
    std::lock_guard lock(mutex_);
    if (idle_listener_)
        idle_listener_(owner, idle);
}

void host_services::set_idle_listener(idle_listener listener) {
    std::lock_guard lock(mutex_);
    idle_listener_ = std::move(listener);
}

void host_services::reset() {
    std::lock_guard lock(mutex_);
    apis_.clear();
    timers_.clear();
    idle_listener_ = nullptr;
}

} // namespace siphost::plugin
