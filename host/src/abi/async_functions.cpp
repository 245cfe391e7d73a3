// The async sub-table: periodic timers on the fast timer thread, one-shot and slow timers and watched
// descriptors on the slow timer thread (net::async_loop), tasks posted to workers.
#include "abi/host_table.hpp"
#include "flow/runtime.hpp"
#include "net/async_loop.hpp"
#include "plugin/host_services.hpp"

namespace siphost::abi {
namespace {

int every(siphost_module_handle* self, uint32_t interval_ms, uint32_t flags, siphost_timer_fn fn,
          void* data) {
    if (self == nullptr || fn == nullptr || interval_ms == 0 ||
        (flags & ~static_cast<uint32_t>(SIPHOST_TIMER_SLOW)))
        return -1;
    if (flags & SIPHOST_TIMER_SLOW)
        net::async_loop::instance().every(interval_ms, fn, data);
    else
        plugin::host_services::instance().add_timer({interval_ms, fn, data, self});
    return 0;
}

siphost_timer* timer_start(siphost_module_handle* self, uint32_t delay_ms, siphost_timer_fn fn, void* data) {
    if (self == nullptr)
        return nullptr;
    return net::async_loop::instance().start_timer(delay_ms, fn, data);
}

int timer_cancel(siphost_timer* timer) {
    return net::async_loop::cancel_timer(timer);
}

int post(siphost_module_handle* self, int worker, siphost_task_fn fn, void* data) {
    auto* runtime = parts().runtime;
    if (self == nullptr || fn == nullptr || runtime == nullptr || runtime->transport() == nullptr)
        return -1;
    return runtime->transport()->post(worker, [fn, data] { fn(data); }) ? 0 : -1;
}

siphost_fd_watch* fd_watch(siphost_module_handle* self, int fd, uint32_t events, siphost_fd_fn fn,
                           void* data) {
    if (self == nullptr)
        return nullptr;
    return net::async_loop::instance().watch(fd, events, fn, data);
}

void fd_unwatch(siphost_fd_watch* watch) {
    net::async_loop::instance().unwatch(watch);
}

void every_idle(siphost_module_handle* self, int idle) {
    if (self != nullptr)
        plugin::host_services::instance().set_timers_idle(self, idle != 0);
}

} // namespace

const siphost_async_api* async_table() {
    static const siphost_async_api table = [] {
        siphost_async_api t{};
        t.struct_size = sizeof t;
        t.every = every;
        t.timer_start = timer_start;
        t.timer_cancel = timer_cancel;
        t.post = post;
        t.fd_watch = fd_watch;
        t.fd_unwatch = fd_unwatch;
        t.every_idle = every_idle;
        return t;
    }();
    return &table;
}

} // namespace siphost::abi
