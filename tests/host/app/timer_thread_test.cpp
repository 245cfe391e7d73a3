// The fast timer thread: periodic timers run at their interval; a module may rest its timers
// (async->every_idle), and then they are not called and the thread does not wake for them; a woken timer runs
// again on the grid it had before, and other modules' timers keep running meanwhile.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <sys/syscall.h>
#include <unistd.h>

#include "app/timer_thread.hpp"

namespace siphost::app {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct counter {
    std::atomic<int> calls{0};
    std::atomic<int64_t> last_ns{0}; ///< steady clock of the latest call
};

void count_call(uint64_t, void* data) {
    auto* c = static_cast<counter*>(data);
    c->last_ns = clock_type::now().time_since_epoch().count();
    ++c->calls;
}

bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 400; ++i) {
        if (condition())
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return condition();
}

/// The voluntary context switches of a thread of this process: each sleep the thread wakes from is one.
long voluntary_switches(pid_t tid) {
    std::ifstream status("/proc/self/task/" + std::to_string(tid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == "voluntary_ctxt_switches:") {
            long n = -1;
            status >> n;
            return n;
        }
    }
    return -1;
}

const auto* const module_a = reinterpret_cast<const siphost_module_handle*>(0x1000);
const auto* const module_b = reinterpret_cast<const siphost_module_handle*>(0x2000);

TEST(TimerThread, ARestingTimerIsNotCalledAndTheThreadSleepsUntilItIsWoken) {
    counter ticks;
    std::atomic<pid_t> tid{0};
    timer_thread timers({{10, count_call, &ticks, module_a}},
                        [&] { tid = static_cast<pid_t>(::syscall(SYS_gettid)); });
    ASSERT_TRUE(eventually([&] { return ticks.calls.load() >= 3; })) << "it ticks every 10 ms";
    timers.set_idle(module_b, true);
    int before = ticks.calls.load();
    std::this_thread::sleep_for(50ms);
    EXPECT_GE(ticks.calls.load(), before + 2) << "another module's rest does not stop it";

    timers.set_idle(module_a, true);
    std::this_thread::sleep_for(30ms); // a round that had started may finish
    int resting_calls = ticks.calls.load();
    long switches = voluntary_switches(tid.load());
    ASSERT_GE(switches, 0);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(ticks.calls.load(), resting_calls) << "a resting timer is not called";
    EXPECT_EQ(voluntary_switches(tid.load()), switches) << "nothing due: the thread did not wake at all";

    timers.set_idle(module_a, false);
    EXPECT_TRUE(eventually([&] { return ticks.calls.load() >= resting_calls + 3; }))
        << "woken, it ticks again";
    timers.set_idle(module_a, true);
    std::this_thread::sleep_for(30ms);
    timers.stop(); // stops while every timer rests
}

TEST(TimerThread, AWokenTimerKeepsItsGridAndOthersRunWhileItRests) {
    struct resting_after_first {
        counter c;
        timer_thread* timers = nullptr;
    } slow;
    counter fast;
    auto first_rests = [](uint64_t now, void* data) {
        auto* self = static_cast<resting_after_first*>(data);
        count_call(now, &self->c);
        if (self->c.calls.load() == 1)
            self->timers->set_idle(module_a, true); // from its own call, as tm does
    };
    std::atomic<bool> ready{false};
    timer_thread timers({{200, first_rests, &slow, module_a}, {10, count_call, &fast, module_b}},
                        [&] { ready.wait(false); });
    slow.timers = &timers;
    ready = true;
    ready.notify_all();
    ASSERT_TRUE(eventually([&] { return slow.c.calls.load() == 1; }));
    auto first = clock_type::time_point(clock_type::duration(slow.c.last_ns.load()));
    std::this_thread::sleep_until(first + 250ms); // longer than its interval: it missed the instant at 200 ms
    int fast_calls = fast.calls.load();
    auto woken = clock_type::now();
    timers.set_idle(module_a, false);
    ASSERT_TRUE(eventually([&] { return slow.c.calls.load() == 2; }));
    auto second = clock_type::time_point(clock_type::duration(slow.c.last_ns.load()));
    // Never rested, it would have run 200 and 400 ms after its first call (the first late at most by what the
    // machine adds): woken at 250 ms, it waits for 400 instead of running at once.
    EXPECT_GE(second - woken, 75ms) << "woken at once instead of on its grid";
    EXPECT_LT(second - woken, 1000ms);
    EXPECT_GT(fast.calls.load(), fast_calls) << "the other module's timer ran meanwhile";
}

} // namespace
} // namespace siphost::app
