#pragma once
// The slow timer thread: one io_context for what may take its time without delaying a worker or tm's tick
// (the fast timer thread): one-shot timers modules start, slow periodic timers, and descriptors modules
// watch. Handles the ABI gives out (siphost_timer, siphost_fd_watch) are objects of this loop.

#include <siphost/module.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <functional>
#include <memory>
#include <thread>

namespace siphost::net {

class async_loop {
public:
    static async_loop& instance();

    async_loop();
    ~async_loop();
    async_loop(const async_loop&) = delete;
    async_loop& operator=(const async_loop&) = delete;

    /// Starts the thread; on_start runs on it first (modules' thread_init). Timers started before this count
    /// from when they were started.
    void start(std::function<void()> on_start);
    /// Stops after the handler running now, and joins; pending timers and watches are dropped.
    void stop();

    /// Calls fn(now_ms, data) once after delay_ms. nullptr when stopping.
    siphost_timer* start_timer(uint32_t delay_ms, siphost_timer_fn fn, void* data);
    /// 1 when the timer will not fire, 0 when it fired or is firing.
    static int cancel_timer(siphost_timer* timer);
    /// Calls fn every interval_ms until stop().
    void every(uint32_t interval_ms, siphost_timer_fn fn, void* data);
    /// Calls fn whenever fd is ready for events (siphost_fd_events) until unwatch. nullptr on error.
    siphost_fd_watch* watch(int fd, uint32_t events, siphost_fd_fn fn, void* data);
    /// Stops a watch; when it returns, fn is not running (unless unwatch was called from fn itself).
    void unwatch(siphost_fd_watch* watch);

    /// True on the loop's own thread.
    bool on_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

} // namespace siphost::net
