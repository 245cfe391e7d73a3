#include "app/timer_thread.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

namespace siphost::app {

timer_thread::timer_thread(std::vector<plugin::periodic_timer> timers, std::function<void()> on_start,
                           const script::interpreter* interpreter)
    : timers_(std::move(timers)), on_start_(std::move(on_start)), interpreter_(interpreter) {
    if (!timers_.empty())
        thread_ = std::thread([this] { run(); });
}

timer_thread::~timer_thread() { stop(); }

void timer_thread::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void timer_thread::run() {
    using clock = std::chrono::steady_clock;
    core::set_thread_rank(0);
    if (on_start_)
        on_start_();
    std::vector<clock::time_point> due(timers_.size(), clock::now());
    for (size_t i = 0; i < timers_.size(); ++i)
        due[i] += std::chrono::milliseconds(timers_[i].interval_ms);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto next = *std::min_element(due.begin(), due.end());
        if (wake_.wait_until(lock, next, [this] { return stopping_; }))
            break;
        lock.unlock();
        std::optional<script::interpreter::message_scope> pin;
        if (interpreter_ != nullptr)
            pin.emplace(*interpreter_, true);
        auto now = clock::now();
        auto now_ms = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
        for (size_t i = 0; i < timers_.size(); ++i) {
            if (due[i] > now)
                continue;
            timers_[i].fn(now_ms, timers_[i].data);
            // Keep the period: a late tick is not followed by a burst of catch-up ticks.
            due[i] = std::max(due[i] + std::chrono::milliseconds(timers_[i].interval_ms), now);
        }
        lock.lock();
    }
}

} // namespace siphost::app
