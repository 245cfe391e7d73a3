#pragma once
// Runs the periodic timers modules registered (timer_every) on one thread of their own, so that a
// retransmission is never late because a worker is busy.

#include "plugin/host_services.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace siphost::app {

class timer_thread {
public:
    explicit timer_thread(std::vector<plugin::periodic_timer> timers);
    ~timer_thread();
    timer_thread(const timer_thread&) = delete;
    timer_thread& operator=(const timer_thread&) = delete;

    /// Stops after the timer running now, and joins.
    void stop();

private:
    void run();

    std::vector<plugin::periodic_timer> timers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace siphost::app
