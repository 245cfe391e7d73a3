// tm's pure parts: the branch that finds a transaction, which final reply goes upstream, the timer wheel,
// and the requests t_uac writes.
#include "branch.hpp"
#include "reply_rank.hpp"
#include "timer_wheel.hpp"
#include "uac_request.hpp"

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

TEST(TmTimerWheel, AnEmptyWheelRestsItsDriverUntilATimerIsAdded) {
    timer_wheel<int> wheel(10, 16, 0);
    std::vector<bool> calls;
    wheel.on_rest([&](bool resting) { calls.push_back(resting); });
    auto ignore = [](int&&) {};
    wheel.advance(10, ignore);
    EXPECT_EQ(calls, std::vector<bool>{true}) << "nothing to do: the driver may rest";
    wheel.add(500, 1);
    EXPECT_EQ(calls, (std::vector<bool>{true, false})) << "a timer wakes it";
    wheel.add(600, 2);
    EXPECT_EQ(calls.size(), 2u) << "only the first add after a rest wakes";
    wheel.advance(500, ignore);
    EXPECT_EQ(calls.size(), 2u) << "a timer is left: no rest";
    int fired = 0;
    wheel.advance(5000, [&](int&& v) { fired = v; });
    EXPECT_EQ(fired, 2) << "a late advance after a long gap still fires what is due";
    EXPECT_EQ(calls, (std::vector<bool>{true, false, true}));
    wheel.advance(5000, ignore);
    EXPECT_EQ(calls, (std::vector<bool>{true, false, true, true})) << "a driver still ticking is asked again";
}

/// What a module asks t_uac for in the tests below, sent from 192.0.2.10:5060 over UDP.
uac_message options_request() {
    uac_message m;
    m.method = "OPTIONS";
    m.ruri = "sip:bob@example.com";
    m.to = "<sip:bob@example.com>";
    m.from = "\"Monitor\" <sip:monitor@example.org>";
    m.from_tag = "ftag-1";
    m.call_id = "abc-1@192.0.2.10";
    m.cseq = 1;
    m.via_host = "192.0.2.10";
    m.via_port = 5060;
    m.via_proto = 1;
    m.branch = "z9hG4bKtm1a.2.0";
    return m;
}

TEST(TmUacRequest, WritesEveryMandatoryHeaderInOrder) {
    EXPECT_EQ(build_uac_request(options_request()),
              "OPTIONS sip:bob@example.com SIP/2.0\r\n"
              "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKtm1a.2.0\r\n"
              "Max-Forwards: 70\r\n"
              "From: \"Monitor\" <sip:monitor@example.org>;tag=ftag-1\r\n"
              "To: <sip:bob@example.com>\r\n"
              "Call-ID: abc-1@192.0.2.10\r\n"
              "CSeq: 1 OPTIONS\r\n"
              "Content-Length: 0\r\n"
              "\r\n");
}

TEST(TmUacRequest, CarriesExtraHeadersAndABodyWithItsLength) {
    uac_message m = options_request();
    m.method = "MESSAGE";
    m.cseq = 42;
    m.headers = "Content-Type: text/plain\r\nX-Extra: 1"; // the last line's CRLF is added
    m.body = "hello";
    std::string text = build_uac_request(m);
    EXPECT_NE(text.find("CSeq: 42 MESSAGE\r\n"), std::string::npos);
    EXPECT_NE(text.find("\r\nContent-Type: text/plain\r\nX-Extra: 1\r\nContent-Length: 5\r\n\r\nhello"),
              std::string::npos);
    EXPECT_TRUE(text.ends_with("\r\n\r\nhello"));
}

TEST(TmUacRequest, KeepsTagsItIsGivenAndAddsNoSecond) {
    uac_message m = options_request();
    m.from = "<sip:monitor@example.org>;tag=given";
    m.to = "Bob <sip:bob@example.com>;tag=theirs";
    std::string text = build_uac_request(m);
    EXPECT_NE(text.find("From: <sip:monitor@example.org>;tag=given\r\n"), std::string::npos);
    EXPECT_NE(text.find("To: Bob <sip:bob@example.com>;tag=theirs\r\n"), std::string::npos);
    EXPECT_EQ(text.find("ftag-1"), std::string::npos);
}

TEST(TmUacRequest, PutsBareUrisInAngleBrackets) {
    uac_message m = options_request();
    m.from = "sip:monitor@example.org";
    m.to = "sip:bob@example.com;tag=x"; // RFC 3261 20.10: without < >, ";tag" is a header parameter
    std::string text = build_uac_request(m);
    EXPECT_NE(text.find("From: <sip:monitor@example.org>;tag=ftag-1\r\n"), std::string::npos);
    EXPECT_NE(text.find("To: <sip:bob@example.com>;tag=x\r\n"), std::string::npos);
}

TEST(TmUacRequest, WritesTheSocketsTransportAndBracketsIpv6) {
    uac_message m = options_request();
    m.via_host = "2001:db8::1";
    m.via_port = 5061;
    m.via_proto = 3;
    EXPECT_NE(build_uac_request(m).find("Via: SIP/2.0/TLS [2001:db8::1]:5061;branch="), std::string::npos);
    m.via_port = 0;
    m.via_proto = 2;
    EXPECT_NE(build_uac_request(m).find("Via: SIP/2.0/TCP [2001:db8::1];branch="), std::string::npos);
}

TEST(TmUacRequest, RefusesWhatWouldBreakTheMessage) {
    auto refused = [](auto change) {
        uac_message m = options_request();
        change(m);
        return build_uac_request(m).empty();
    };
    EXPECT_FALSE(refused([](uac_message&) {}));
    EXPECT_TRUE(refused([](uac_message& m) { m.method = ""; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.method = "OPT IONS"; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.ruri = ""; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.ruri = "sip:a@b SIP/2.0"; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.to = " "; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.from = "<sip:a@b>\r\nX-Injected: 1"; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.to = "Bob sip:bob@example.com"; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.call_id = ""; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.via_proto = 9; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.from_tag = ""; })); // a From without a tag needs one
    EXPECT_TRUE(refused([](uac_message& m) { m.headers = "X-A: 1\r\n\r\nINVITE sip:x SIP/2.0\r\n"; }));
    EXPECT_TRUE(refused([](uac_message& m) { m.headers = "\r\nX-A: 1\r\n"; }));
}

TEST(TmUacRequest, NameAddrHelpers) {
    EXPECT_EQ(as_name_addr("  sip:a@b  "), "<sip:a@b>");
    EXPECT_EQ(as_name_addr("\"x <y>\" <sip:a@b>"), "\"x <y>\" <sip:a@b>");
    EXPECT_EQ(as_name_addr("\"semi;colon\" sip:a@b"), ""); // a display name needs < >
    EXPECT_EQ(as_name_addr("Bob sip:a@b"), "");
    EXPECT_EQ(as_name_addr(""), "");
    EXPECT_EQ(header_tag("<sip:a@b;tag=uri-param>"), "");
    EXPECT_EQ(header_tag("<sip:a@b>;x=1;TAG=abc;y"), "abc");
    EXPECT_EQ(header_tag("\"a;tag=no\" <sip:a@b>"), "");
    EXPECT_EQ(header_tag("sip:a@b;tag=x"), ""); // not a name-addr yet: as_name_addr first
    EXPECT_TRUE(is_token("NOTIFY"));
    EXPECT_TRUE(is_token("X-Custom.1"));
    EXPECT_FALSE(is_token("A:B"));
    EXPECT_EQ(via_transport(5), "WS");
    EXPECT_EQ(via_transport(0), "");
}

TEST(TmUacRequest, CallIdsAreNumberedAfterThePrefix) {
    EXPECT_EQ(make_call_id("0123456789abcdef", 0x2a, "192.0.2.10"), "0123456789abcdef-2a@192.0.2.10");
    EXPECT_EQ(make_call_id("p", 0, ""), "p-0");
    EXPECT_NE(make_call_id("p", 1, "h"), make_call_id("p", 2, "h"));
}

} // namespace
} // namespace siphost::modules::tm
