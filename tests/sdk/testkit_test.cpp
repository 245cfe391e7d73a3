// The test kit itself: the real siphost as a child, loopback peers, what it says about configs.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

namespace kit = siphost::testkit;

namespace {

TEST(testkit, a_request_is_answered_by_the_real_host) {
    kit::host proxy(R"(
debug=2
loadmodule "sl"
loadmodule "xlog"
request_route {
    xlog("L_INFO", "kit saw $rm from $si:$sp\n");
    sl_send_reply("404", "Not Here");
}
)");
    kit::peer uac;
    uac.send(kit::request("OPTIONS", "sip:nobody@127.0.0.1", uac), proxy.port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->first_line(), "SIP/2.0 404 Not Here");
    EXPECT_EQ(reply->status(), 404);
    EXPECT_EQ(reply->method(), "OPTIONS");
    EXPECT_NE(reply->header("To").value_or("").find(";tag="), std::string::npos) << "sl tags its replies";
    EXPECT_EQ(reply->from_port(), proxy.port());
    EXPECT_TRUE(proxy.wait_for_log("kit saw OPTIONS from 127.0.0.1:" + std::to_string(uac.port())));
    EXPECT_EQ(proxy.stop(), 0) << proxy.log();
}

TEST(testkit, a_relayed_request_reaches_a_peer_and_its_reply_comes_back) {
    kit::peer uas;
    kit::host proxy("loadmodule \"tm\"\nrequest_route { t_relay_to_udp(\"127.0.0.1\", \"" +
                    std::to_string(uas.port()) + "\"); }\n");
    kit::peer uac;
    uac.send(
        kit::request("MESSAGE", "sip:bob@127.0.0.1", uac, {.extra_headers = "X-Kit: 1\r\n", .body = "hi"}),
        proxy.port());
    auto relayed = uas.receive();
    ASSERT_TRUE(relayed) << proxy.log();
    EXPECT_EQ(relayed->method(), "MESSAGE");
    EXPECT_EQ(relayed->request_uri(), "sip:bob@127.0.0.1");
    EXPECT_EQ(relayed->headers("Via").size(), 2u);
    EXPECT_EQ(relayed->header("X-Kit"), "1");
    EXPECT_EQ(relayed->header("Max-Forwards"), "69");
    EXPECT_EQ(relayed->body(), "hi");
    uas.reply(*relayed, 202, "Accepted");
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->status(), 202);
    EXPECT_EQ(reply->headers("Via").size(), 1u);
}

TEST(testkit, a_config_siphost_refuses_is_a_start_error_with_the_log) {
    try {
        kit::host proxy("request_route { no_such_function(); }\n");
        FAIL() << "siphost started on a bad config";
    } catch (const kit::start_error& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_function"), std::string::npos) << e.what();
    }
}

TEST(testkit, check_runs_siphost_minus_c) {
    auto good = kit::host::check("loadmodule \"sl\"\nrequest_route { sl_send_reply(\"200\", \"OK\"); }\n");
    EXPECT_EQ(good.exit_status, 0) << good.output;
    auto bad = kit::host::check("request_route { if ( }\n");
    EXPECT_EQ(bad.exit_status, 1) << bad.output;
    EXPECT_NE(bad.output.find("siphost.cfg:2:"), std::string::npos)
        << "the line after the added listen= line: " << bad.output;
}

TEST(testkit, messages_are_read_with_compact_names_and_lists) {
    kit::message m("SIP/2.0 200 OK\r\n"
                   "v: SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2\r\n"
                   "Via: SIP/2.0/UDP c;branch=3\r\n"
                   "m: \"x, y\" <sip:a@b;p=1,2>;q=0.5, <sip:c@d>\r\n"
                   "Subject: folded\r\n continued\r\n"
                   "CSeq: 7 REGISTER\r\n"
                   "Content-Length: 2\r\n\r\nok");
    EXPECT_FALSE(m.is_request());
    EXPECT_EQ(m.method(), "REGISTER");
    EXPECT_EQ(m.headers("via"), (std::vector<std::string>{"SIP/2.0/UDP a;branch=1", "SIP/2.0/UDP b;branch=2",
                                                          "SIP/2.0/UDP c;branch=3"}));
    EXPECT_EQ(m.headers("Contact"),
              (std::vector<std::string>{"\"x, y\" <sip:a@b;p=1,2>;q=0.5", "<sip:c@d>"}));
    EXPECT_EQ(m.header("s"), "folded continued");
    EXPECT_EQ(m.header("Route"), std::nullopt);
    EXPECT_EQ(m.body(), "ok");
}

} // namespace
