#pragma once
// A hashed timer wheel: timers are (due time, payload) entries in buckets of one tick each; advance() fires
// the due ones. One wheel serves every transaction, driven by one periodic host timer; a timer is never
// removed, its owner ignores a stale one when it fires (see transaction generations). An empty wheel tells
// its driver it may rest (on_rest), so that no transaction costs no tick.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace siphost::modules::tm {

template <class Payload> class timer_wheel {
public:
    /// tick_ms: resolution; buckets: how many ticks one turn has; start_ms: the clock now.
    timer_wheel(uint32_t tick_ms, size_t buckets, uint64_t start_ms)
        : tick_ms_(tick_ms == 0 ? 1 : tick_ms), buckets_(buckets == 0 ? 1 : buckets),
          current_tick_(start_ms / tick_ms_) {}

    /// Schedules payload for due_ms (a time already past fires at the next advance). Any thread.
    void add(uint64_t due_ms, Payload payload) {
        std::lock_guard lock(mutex_);
        uint64_t tick = (due_ms + tick_ms_ - 1) / tick_ms_; // rounded up: never fires early
        if (tick <= current_tick_)
            tick = current_tick_ + 1;
        buckets_[tick % buckets_.size()].push_back(entry{tick, std::move(payload)});
        ++size_;
        if (resting_) {
            resting_ = false;
            rest_(false);
        }
    }

    /// rest(true) runs when an advance leaves the wheel empty, rest(false) when the next add gives it a
    /// timer; both under the wheel's lock, so a rest and the wake that ends it come in that order and no wake
    /// is lost. The driver need not call advance between the two (a late advance still fires everything due).
    void on_rest(std::function<void(bool resting)> rest) {
        std::lock_guard lock(mutex_);
        rest_ = std::move(rest);
        resting_ = false;
    }

    /// Fires, through fire(Payload&&), every timer due at or before now_ms. fire runs without the wheel's
    /// lock, so it may add timers.
    template <class Fire> void advance(uint64_t now_ms, Fire&& fire) {
        std::vector<Payload> due;
        {
            std::lock_guard lock(mutex_);
            uint64_t target = now_ms / tick_ms_;
            if (target <= current_tick_) {
                rest_if_empty();
                return;
            }
            // More than a turn behind: one pass over every bucket sees everything.
            uint64_t steps = target - current_tick_;
            if (steps > buckets_.size())
                steps = buckets_.size();
            for (uint64_t step = 1; step <= steps; ++step) {
                auto& bucket = buckets_[(current_tick_ + step) % buckets_.size()];
                for (size_t i = 0; i < bucket.size();) {
                    if (bucket[i].tick <= target) {
                        due.push_back(std::move(bucket[i].payload));
                        bucket[i] = std::move(bucket.back());
                        bucket.pop_back();
                        --size_;
                    } else {
                        ++i;
                    }
                }
            }
            current_tick_ = target;
            rest_if_empty();
        }
        for (auto& payload : due)
            fire(std::move(payload));
    }

    /// The number of timers waiting.
    size_t size() const {
        std::lock_guard lock(mutex_);
        return size_;
    }

    /// Drops every timer (at shutdown).
    void clear() {
        std::lock_guard lock(mutex_);
        for (auto& bucket : buckets_)
            bucket.clear();
        size_ = 0;
    }

private:
    // Under mutex_. Again at each advance that finds the wheel empty: a driver that kept going is asked
    // again.
    void rest_if_empty() {
        if (size_ == 0 && rest_) {
            resting_ = true;
            rest_(true);
        }
    }

    struct entry {
        uint64_t tick;
        Payload payload;
    };

    uint32_t tick_ms_;
    std::vector<std::vector<entry>> buckets_;
    uint64_t current_tick_;
    size_t size_ = 0;
    std::function<void(bool)> rest_;
    bool resting_ = false; ///< rest_(true) was the last call
    mutable std::mutex mutex_;
};

} // namespace siphost::modules::tm
