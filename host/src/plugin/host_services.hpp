#pragma once
// The parts of the host API that do not touch a message: logging, APIs between modules, counters, periodic
// timers, the clock and the worker identity. The runtime adds the message, sending and script functions
// (flow/) to the same table. One instance per process, since C function pointers carry no object.

#include <siphost/module.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace siphost::plugin {

struct periodic_timer {
    uint32_t interval_ms;
    siphost_timer_fn fn;
    void* data;
};

class host_services {
public:
    static host_services& instance();

    /// Writes struct_size, the ABI numbers and every function of this part into the table.
    void fill(siphost_host_api& api);

    /// Registered by modules during init; the runtime's timer thread calls them.
    std::vector<periodic_timer> timers() const;
    /// "module.name" and value of every counter, in registration order.
    std::vector<std::pair<std::string, int64_t>> counter_values() const;
    /// The table published under name and major, or nullptr.
    const void* find_api(std::string_view name, uint32_t major) const;

    void set_worker_count(int count) { worker_count_ = count; }
    static void set_worker_index(int index);

    /// Forgets everything registered (between tests, and after modules are destroyed).
    void reset();

private:
    struct published_api {
        std::string name;
        uint32_t major;
        const void* table;
    };
    struct counter {
        std::string name;
        int64_t value;
    };

    static int export_api(const char* name, uint32_t major, const void* api);
    static const void* lookup_api(const char* name, uint32_t major);
    static int64_t* register_counter(const char* module, const char* name);
    static int register_timer(uint32_t interval_ms, siphost_timer_fn fn, void* data);

    mutable std::mutex mutex_;            ///< registration happens at init; lookups may come from any thread
    std::vector<published_api> apis_;
    std::deque<counter> counters_;        ///< deque: addresses handed to modules stay valid
    std::vector<periodic_timer> timers_;
    int worker_count_ = 0;
};

} // namespace siphost::plugin
