#include "app/timer_thread.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

namespace siphost::app {

timer_thread::timer_thread(std::vector<plugin::periodic_timer> timers, std::function<void()> on_start,
                           const script::interpreter* interpreter)
    : timers_(std::move(timers)), resting_(timers_.size(), false), on_start_(std::move(on_start)),
      interpreter_(interpreter) {
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

void timer_thread::set_idle(const siphost_module_handle* owner, bool idle) {
    bool woke = false;
    {
        std::lock_guard lock(mutex_);
        for (size_t i = 0; i < timers_.size(); ++i) {
            if (timers_[i].owner != owner || resting_[i] == idle)
                continue;
            resting_[i] = idle;
            woke = woke || !idle;
        }
        if (woke)
            ++wakes_;
    }
    // A rest needs no wake-up: the thread skips a resting timer when it comes to it, and then sleeps longer.
    if (woke)
        wake_.notify_all();
}

void timer_thread::run() {
    using clock = std::chrono::steady_clock;
    core::set_thread_rank(0);
    if (on_start_)
        on_start_();
    std::vector<clock::time_point> due(timers_.size(), clock::now());
    for (size_t i = 0; i < timers_.size(); ++i)
        due[i] += std::chrono::milliseconds(timers_[i].interval_ms);
    std::vector<char> resting(timers_.size(), false); // as this thread last saw resting_
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto now = clock::now();
        std::optional<clock::time_point> next;
        for (size_t i = 0; i < timers_.size(); ++i) {
            if (resting[i] && !resting_[i] && due[i] < now) {
                // Woken: its next instant on the grid it kept before it rested, as if it had never rested.
                auto interval = std::chrono::milliseconds(timers_[i].interval_ms);
                due[i] += (now - due[i] + interval - clock::duration(1)) / interval * interval;
            }
            resting[i] = resting_[i];
            if (!resting[i])
                next = next ? std::min(*next, due[i]) : due[i];
        }
        uint64_t seen = wakes_;
        auto stop_or_wake = [this, seen] { return stopping_ || wakes_ != seen; };
        if (!next) {
            wake_.wait(lock, stop_or_wake); // every timer rests: no wake-up at all until one is woken
            continue;
        }
        if (wake_.wait_until(lock, *next, stop_or_wake))
            continue;
        // Only rests can have come during the wait (a wake ends it): a timer rested meanwhile is not called.
        resting.assign(resting_.begin(), resting_.end());
        lock.unlock();
        std::optional<script::interpreter::message_scope> pin;
        if (interpreter_ != nullptr)
            pin.emplace(*interpreter_, true);
        now = clock::now();
        auto now_ms = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
        for (size_t i = 0; i < timers_.size(); ++i) {
            if (resting[i] || due[i] > now)
                continue;
            timers_[i].fn(now_ms, timers_[i].data);
            // Keep the period: a late tick is not followed by a burst of catch-up ticks.
            due[i] = std::max(due[i] + std::chrono::milliseconds(timers_[i].interval_ms), now);
        }
        lock.lock();
    }
}

} // namespace siphost::app
