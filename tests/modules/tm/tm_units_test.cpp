// tm's pure parts: the branch that finds a transaction, which final reply goes upstream, the timer wheel.
#include "branch.hpp"
#include "reply_rank.hpp"
#include "timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace siphost::modules::tm {
namespace {

std::string encode(const branch_id& id) {
    char buffer[max_branch_length];
    size_t n = encode_branch(id, buffer);
    EXPECT_LE(n, max_branch_length);
    return std::string(buffer, n);
}

TEST(TmBranch, EncodesSlotLabelAndIndexAfterTheCookie) {
    EXPECT_EQ(encode({0x1ab, 0x2f, 3}), "z9hG4bKtm1ab.2f.3");
    EXPECT_EQ(encode({0, 0, 0}), "z9hG4bKtm0.0.0");
}

TEST(TmBranch, RoundTripsExtremes) {
    for (branch_id id : {branch_id{0, 0, 0}, branch_id{4095, 0xffffffffu, 11}, branch_id{UINT32_MAX, 1, UINT32_MAX}}) {
        branch_id decoded;
        ASSERT_TRUE(decode_branch(encode(id), decoded)) << encode(id);
        EXPECT_EQ(decoded, id);
    }
}

TEST(TmBranch, RefusesOtherBranches) {
    branch_id id;
    for (std::string_view text :
         {"", "z9hG4bK", "z9hG4bKtm", "z9hG4bKtm1.2", "z9hG4bKtm1.2.", "z9hG4bKtm1..3", "z9hG4bKtmx.2.3",
          "z9hG4bKtm1.2.3x", "z9hG4bKtm1.2.3.4", "z9hG4bK-1234-1-0", "z9hG4bKsph0123456789abcdef",
          "tm1.2.3", "z9hG4bKtm123456789.1.1", "z9hG4bKtm1.2.99999999999", "z9hG4bKtmA.2.3"}) {
        EXPECT_FALSE(decode_branch(text, id)) << text;
    }
}

TEST(TmReplyRank, OrdersClassesAsKamailio) {
    auto better = [](int a, int b) { return reply_rank(a, false) < reply_rank(b, false); };
    EXPECT_TRUE(better(200, 603));
    EXPECT_TRUE(better(603, 302));
    EXPECT_TRUE(better(302, 486));
    EXPECT_TRUE(better(401, 404));
    EXPECT_TRUE(better(407, 480));
    EXPECT_TRUE(better(486, 500));
    EXPECT_TRUE(better(500, 503));
    EXPECT_TRUE(better(699, 100));
}

TEST(TmReplyRank, LocalTimeoutLosesToAReceivedReply) {
    EXPECT_LT(reply_rank(503, false), reply_rank(408, true));
    EXPECT_LT(reply_rank(408, false), reply_rank(408, true));
}

TEST(TmReplyRank, PicksTheBestFinalOutcome) {
    std::vector<branch_outcome> outcomes = {{408, true}, {486, false}, {0, false}, {500, false}};
    EXPECT_EQ(pick_best_reply(outcomes), 1);
    outcomes.push_back({600, false});
    EXPECT_EQ(pick_best_reply(outcomes), 4);
    outcomes.push_back({200, false});
    EXPECT_EQ(pick_best_reply(outcomes), 5);
    std::vector<branch_outcome> none = {{0, false}, {180, false}};
    EXPECT_EQ(pick_best_reply(none), -1);
    EXPECT_EQ(pick_best_reply({}), -1);
}

TEST(TmTimerWheel, FiresWhenDueAndNotBefore) {
    timer_wheel<int> wheel(10, 8, 1000);
    std::vector<int> fired;
    auto collect = [&](int&& v) { fired.push_back(v); };
    wheel.add(1050, 1);
    wheel.add(1020, 2);
    wheel.add(1000 + 10 * 8 * 3 + 5, 3); // three turns later: must wait for its turn
    EXPECT_EQ(wheel.size(), 3u);
    wheel.advance(1019, collect);
    EXPECT_TRUE(fired.empty());
    wheel.advance(1020, collect);
    EXPECT_EQ(fired, std::vector<int>{2});
    wheel.advance(1090, collect);
    EXPECT_EQ(fired, (std::vector<int>{2, 1}));
    wheel.advance(1200, collect);
    EXPECT_EQ(fired.size(), 2u);
    wheel.advance(1249, collect); // 10 ms ticks: due at 1245 fires with the tick at 1250, never early
    EXPECT_EQ(fired.size(), 2u);
    wheel.advance(1250, collect);
    EXPECT_EQ(fired, (std::vector<int>{2, 1, 3}));
    EXPECT_EQ(wheel.size(), 0u);
}

TEST(TmTimerWheel, PastDueFiresAtTheNextAdvanceAndLongGapsLoseNothing) {
    timer_wheel<int> wheel(10, 4, 0);
    std::vector<int> fired;
    auto collect = [&](int&& v) { fired.push_back(v); };
    wheel.add(0, 7); // already due
    for (int i = 0; i < 20; ++i)
        wheel.add(static_cast<uint64_t>(15 + i * 37), 100 + i);
    wheel.advance(10, collect);
    EXPECT_EQ(fired, std::vector<int>{7});
    wheel.advance(100000, collect); // far more than a turn later: everything fires once
    EXPECT_EQ(fired.size(), 21u);
    std::sort(fired.begin(), fired.end());
    EXPECT_EQ(std::adjacent_find(fired.begin(), fired.end()), fired.end());
}

TEST(TmTimerWheel, FireMayAddTimers) {
    timer_wheel<int> wheel(10, 16, 0);
    int count = 0;
    wheel.add(10, 0);
    for (uint64_t now = 10; now <= 100; now += 10)
        wheel.advance(now, [&](int&& v) {
            ++count;
            if (v < 5)
                wheel.add(now + 10, v + 1); // re-arms from inside the callback, without deadlock
        });
    EXPECT_EQ(count, 6);
}

TEST(TmTimerWheel, AddsFromManyThreads) {
    timer_wheel<int> wheel(1, 64, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&wheel, t] {
            for (int i = 0; i < 1000; ++i)
                wheel.add(static_cast<uint64_t>(1 + (i * 7 + t) % 500), t * 1000 + i);
        });
    for (auto& thread : threads)
        thread.join();
    size_t fired = 0;
    wheel.advance(1000, [&](int&&) { ++fired; });
    EXPECT_EQ(fired, 4000u);
}

} // namespace
} // namespace siphost::modules::tm
