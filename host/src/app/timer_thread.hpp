#pragma once
// Runs the fast periodic timers modules registered (async->every) on one thread of their own, so that a
// retransmission is never late because a worker is busy. A module may rest its timers while they have nothing
// to do (async->every_idle): the thread then sleeps until the next timer that does not rest, or until woken.

#include "plugin/host_services.hpp"
#include "script/interpreter.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace siphost::app {

class timer_thread {
public:
    /// on_start runs first on the thread (modules' thread_init); no thread starts without timers. With an
    /// interpreter, each round of ticks runs on one script (a timer's failure_route, like a message, is not
    /// split by a reload).
    timer_thread(std::vector<plugin::periodic_timer> timers, std::function<void()> on_start,
                 const script::interpreter* interpreter = nullptr);
    ~timer_thread();
    timer_thread(const timer_thread&) = delete;
    timer_thread& operator=(const timer_thread&) = delete;

    /// Stops after the timer running now, and joins.
    void stop();

    /// Rests (idle) or wakes owner's timers; any thread, the timers' own calls included. A woken timer runs
    /// next at the first instant of its old grid (start + n * interval) not yet past.
    void set_idle(const siphost_module_handle* owner, bool idle);

private:
    void run();

    std::vector<plugin::periodic_timer> timers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<char> resting_; ///< per timer, under mutex_
    uint64_t wakes_ = 0;        ///< under mutex_: counts the wakes, so that the thread sees each one
    bool stopping_ = false;
    std::function<void()> on_start_;
    const script::interpreter* interpreter_ = nullptr;
    std::thread thread_;
};

} // namespace siphost::app
