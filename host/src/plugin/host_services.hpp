#pragma once
// What modules register with the host outside the script: APIs published for other modules (api_export) and
// fast periodic timers (async->every). One instance per process, since the ABI's C functions carry no object;
// abi/ holds the C adapters over it.

#include <siphost/module.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::plugin {

struct periodic_timer {
    uint32_t interval_ms;
    siphost_timer_fn fn;
    void* data;
    const siphost_module_handle* owner = nullptr; ///< the module that registered it (async->every_idle)
};

class host_services {
public:
    static host_services& instance();

    /// Publishes a table under name and major; false when they are taken.
    bool export_api(std::string_view module, std::string_view name, uint32_t major, const void* api);
    /// The table published under name and major, or nullptr.
    const void* find_api(std::string_view name, uint32_t major) const;

    /// A fast periodic timer (the timer thread runs it); registered during init.
    void add_timer(periodic_timer timer);
    std::vector<periodic_timer> timers() const;
    /// Rests or wakes owner's fast timers (async->every_idle): tells the listener, the running timer thread.
    /// Without one (no timer thread yet, or stopped) there is nothing to rest: the request is dropped.
    void set_timers_idle(const siphost_module_handle* owner, bool idle);
    using idle_listener = std::function<void(const siphost_module_handle* owner, bool idle)>;
    void set_idle_listener(idle_listener listener);

    /// Every worker thread: the UDP workers (children) and after them the TCP readers.
    void set_worker_count(int count) { worker_count_ = count; }
    int worker_count() const { return worker_count_; }
    void set_children(int count) { children_ = count; }
    int children() const { return children_; }
    static void set_worker_index(int index);
    static int worker_index();

    /// Forgets everything registered (between tests, and after modules are destroyed).
    void reset();

private:
    struct published_api {
        std::string module;
        std::string name;
        uint32_t major;
        const void* table;
    };

    mutable std::mutex mutex_; ///< registration happens at init; lookups may come from any thread
    std::vector<published_api> apis_;
    std::vector<periodic_timer> timers_;
    idle_listener idle_listener_; ///< called under mutex_, so that clearing it waits for a call in progress
    int worker_count_ = 0;
    int children_ = 0;
};

} // namespace siphost::plugin
