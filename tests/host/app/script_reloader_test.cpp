// The hot reload's plumbing: a request from a control thread is served by the main thread after SIGHUP and
// answered; requests queued before a read share it; close() answers waiting requests and refuses later ones;
// siphost.reload turns an answer into kamcmd's reply or fault.

#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <thread>

#include "app/core_rpc.hpp"
#include "app/script_reloader.hpp"
#include "core/rpc.hpp"

namespace siphost::app {
namespace {

/// Blocks SIGHUP on this thread (and the threads it starts), as run_server does, so that the test waits for
/// it.
sigset_t block_sighup() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    timespec none{0, 0};
    while (sigtimedwait(&set, nullptr, &none) == SIGHUP) {
        // a SIGHUP left pending by an earlier test would wake the next wait before its request is queued
    }
    return set;
}

/// Waits (at most 10 s) for the SIGHUP a request sends to this thread.
bool wait_sighup(const sigset_t& set) {
    timespec ten{10, 0};
    return sigtimedwait(&set, nullptr, &ten) == SIGHUP;
}

TEST(reload_requests, a_request_from_another_thread_is_served_by_the_main_thread) {
    sigset_t set = block_sighup();
    reload_requests requests;
    auto asked = std::async(std::launch::async, [&] { return requests.ask(); });
    ASSERT_TRUE(wait_sighup(set));
    std::thread::id served_on;
    bool was_requested = false;
    requests.serve([&](bool requested) {
        served_on = std::this_thread::get_id();
        was_requested = requested;
        return reload_answer{true, "config OK"};
    });
    reload_answer answer = asked.get();
    EXPECT_TRUE(answer.ok);
    EXPECT_EQ(answer.text, "config OK");
    EXPECT_EQ(served_on, std::this_thread::get_id());
    EXPECT_TRUE(was_requested);
}

TEST(reload_requests, a_sighup_from_outside_is_served_with_nobody_to_answer) {
    block_sighup();
    reload_requests requests;
    bool was_requested = true;
    requests.serve([&](bool requested) {
        was_requested = requested;
        return reload_answer{false, "refused"};
    });
    EXPECT_FALSE(was_requested);
}

TEST(reload_requests, no_request_is_missed_when_two_ask_at_once) {
    sigset_t set = block_sighup();
    reload_requests requests;
    auto first = std::async(std::launch::async, [&] { return requests.ask(); });
    auto second = std::async(std::launch::async, [&] { return requests.ask(); });
    ASSERT_TRUE(wait_sighup(set));
    // Both are queued once both signals were sent; signals of one kind merge, so wait a bounded while for the
    // second one's, then serve them with one read.
    timespec short_wait{0, 200 * 1000 * 1000};
    sigtimedwait(&set, nullptr, &short_wait);
    int reads = 0;
    requests.serve([&](bool) {
        ++reads;
        return reload_answer{false, "a.cfg:3:1: error: x"};
    });
    // A request queued after the first signal but before serve() took the queue is in this read; one queued
    // later waits for the next SIGHUP, which is pending then.
    if (second.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready ||
        first.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        ASSERT_TRUE(wait_sighup(set));
        requests.serve([&](bool) {
            ++reads;
            return reload_answer{false, "a.cfg:3:1: error: x"};
        });
    }
    EXPECT_EQ(first.get().text, "a.cfg:3:1: error: x");
    EXPECT_EQ(second.get().text, "a.cfg:3:1: error: x");
    EXPECT_LE(reads, 2);
}

TEST(reload_requests, close_answers_waiting_requests_and_refuses_later_ones) {
    sigset_t set = block_sighup();
    reload_requests requests;
    auto asked = std::async(std::launch::async, [&] { return requests.ask(); });
    ASSERT_TRUE(wait_sighup(set));
    requests.close();
    reload_answer answer = asked.get();
    EXPECT_FALSE(answer.ok);
    EXPECT_NE(answer.text.find("siphost is stopping"), std::string::npos);
    auto later = std::async(std::launch::async, [&] { return requests.ask(); });
    EXPECT_FALSE(later.get().ok);
}

TEST(reload_requests, the_main_thread_cannot_wait_for_itself) {
    reload_requests requests;
    reload_answer answer = requests.ask();
    EXPECT_FALSE(answer.ok);
}

TEST(reload_reply, long_diagnostics_are_cut_at_a_line) {
    std::string text;
    for (int i = 0; i < 1000; ++i)
        text += "a.cfg:" + std::to_string(i) + ":1: error: something is wrong here\n";
    std::string cut = reply_text(text, 4000);
    EXPECT_LE(cut.size(), 4000u);
    EXPECT_NE(cut.find("(cut here; the log has every line)"), std::string::npos);
    EXPECT_EQ(cut.find("a.cfg:999:"), std::string::npos);
    EXPECT_EQ(reply_text("short", 4000), "short");
}

TEST(reload_rpc, siphost_reload_answers_ok_or_a_fault_with_the_diagnostics) {
    install_core_rpcs();
    auto call = [] { return core::to_text(*core::rpc_registry::instance().call("siphost.reload", {})); };
    set_reload_handler({});
    EXPECT_EQ(call(), "fault 500: no running script to reload");
    set_reload_handler([] { return reload_answer{true, "config OK: 1 routes"}; });
    EXPECT_EQ(call(), R"(["Ok. Script reloaded. config OK: 1 routes"])");
    set_reload_handler([] {
        return reload_answer{false, "a.cfg:2:1: error: bad\na.cfg: 1 error(s), 0 warning(s)"};
    });
    EXPECT_EQ(
        call(),
        "fault 500: reload refused, the running script stays:\na.cfg:2:1: error: bad\na.cfg: 1 error(s), "
        "0 warning(s)");
    set_reload_handler({});
}

} // namespace
} // namespace siphost::app
