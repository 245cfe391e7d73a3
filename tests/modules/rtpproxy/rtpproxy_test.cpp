// rtpproxy.so in the real host, over the wire, against a scripted rtpproxy peer: the version check at
// start, offer (U) and answer (L) with the SDP rewritten as the next hop receives it, destroy (D) on BYE,
// sets and weights, a proxy that never answers (-1, the message untouched), and config errors.
#include "fake_rtpproxy.hpp"

#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

using siphost::tests::fake_rtpproxy;

constexpr uint16_t uas_port = 5099;
constexpr uint16_t rtpproxy_port = 7722;
constexpr uint16_t silent_port = 7799; // nothing listens here

std::string config(std::string_view sock, std::string_view extra = "", std::string_view set_call = "") {
    return R"~(
debug=3
children=1
loadmodule "sl"
loadmodule "pv"
loadmodule "xlog"
loadmodule "rtpproxy"
modparam("rtpproxy", "rtpproxy_sock", ")~" +
           std::string(sock) + "\")\n" + std::string(extra) + R"~(
modparam("rtpproxy", "rtpproxy_tout", 1)
modparam("rtpproxy", "rtpproxy_retr", 1)
request_route {
    if ($hdr(X-Case) == "offer") {
        rtpproxy_offer("aoz20"); $var(r) = $rc;
    } else if ($hdr(X-Case) == "trust") {
        rtpproxy_offer("r"); $var(r) = $rc;
    } else if ($hdr(X-Case) == "set2") {
        )~" +
           std::string(set_call) + R"~(
        rtpproxy_offer(); $var(r) = $rc;
    } else {
        rtpproxy_manage(); $var(r) = $rc;
    }
    xlog("L_INFO", "case $hdr(X-Case) rtpproxy rc=$var(r)\n");
    if ($rm == "BYE" || $hdr(X-Case) == "answer-reply") {
        forward("127.0.0.1", 5099);
        exit;
    }
    forward("127.0.0.1", 5099);
}
onreply_route {
    rtpproxy_manage();
    xlog("L_INFO", "reply rtpproxy rc=$rc\n");
}
)~";
}

const std::string sdp = "v=0\r\n"
                        "o=alice 1 1 IN IP4 10.0.0.5\r\n"
                        "s=-\r\n"
                        "c=IN IP4 10.0.0.5\r\n"
                        "t=0 0\r\n"
                        "m=audio 49170 RTP/AVP 0 8\r\n"
                        "a=rtpmap:0 PCMU/8000\r\n";

std::string invite(kit::peer& uac, std::string_view test_case, std::string body = sdp,
                   std::string_view method = "INVITE", std::string extra = "") {
    kit::request_options options;
    options.extra_headers =
        "X-Case: " + std::string(test_case) + "\r\nContent-Type: application/sdp\r\n" + extra;
    options.body = std::move(body);
    return kit::request(method, "sip:bob@127.0.0.1:" + std::to_string(uas_port), uac, options);
}

std::string content_length(const kit::message& m) {
    return m.header("Content-Length").value_or("?");
}

TEST(modules_rtpproxy, the_offer_goes_through_the_proxy_and_the_sdp_names_it) {
    fake_rtpproxy rtpp(rtpproxy_port);
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("udp:127.0.0.1:7722")};
    ASSERT_EQ(rtpp.command("V"), "V") << proxy.log(); // the version check at start

    uac.send(invite(uac, "offer"), proxy.port());
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy.log();
    std::string body = got->body();
    EXPECT_NE(body.find("c=IN IP4 192.0.2.50\r\n"), std::string::npos) << body;
    EXPECT_NE(body.find("m=audio 35002 RTP/AVP 0 8\r\n"), std::string::npos) << body;
    EXPECT_NE(body.find("a=nortpproxy:yes\r\n"), std::string::npos) << body;
    EXPECT_EQ(body.find("49170"), std::string::npos) << body;
    EXPECT_EQ(content_length(*got), std::to_string(body.size())) << got->text();
    EXPECT_TRUE(proxy.wait_for_log("case offer rtpproxy rc=1")) << proxy.log();

    // U with the modifiers the proxy understands (a: asymmetric, z20: repacketize), the Call-ID, the media
    // address and port, and the From-tag numbered by stream. o: the o= line names the proxy too.
    EXPECT_NE(body.find("o=alice 1 1 IN IP4 192.0.2.50\r\n"), std::string::npos) << body;
    std::string u = rtpp.command("U");
    auto call_id = got->header("Call-ID");
    ASSERT_TRUE(call_id);
    // a implies r: the SDP's address goes to the proxy.
    EXPECT_TRUE(u.starts_with("UAZ20 " + *call_id + " 10.0.0.5 49170 ")) << u;
    EXPECT_TRUE(u.ends_with(";1")) << u;

    // An SDP marked as relayed already is left alone (-1).
    uac.send(invite(uac, "offer", sdp + "a=nortpproxy:yes\r\n"), proxy.port());
    got = uas.receive();
    ASSERT_TRUE(got);
    EXPECT_NE(got->body().find("m=audio 49170 "), std::string::npos) << got->body();
    EXPECT_TRUE(proxy.wait_for_log("case offer rtpproxy rc=-1")) << proxy.log();
}

TEST(modules_rtpproxy, without_flag_r_the_source_address_goes_to_the_proxy) {
    fake_rtpproxy rtpp(rtpproxy_port);
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("udp:127.0.0.1:7722")};
    uac.send(invite(uac, "manage"), proxy.port());
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_TRUE(rtpp.command("U").starts_with("U ")) << rtpp.command("U");
    EXPECT_NE(rtpp.command("U").find(" 127.0.0.1 49170 "), std::string::npos) << rtpp.command("U");
    // Without o, the origin keeps its address.
    EXPECT_NE(got->body().find("o=alice 1 1 IN IP4 10.0.0.5\r\n"), std::string::npos) << got->body();
}

TEST(modules_rtpproxy, a_proxy_that_comes_up_later_is_used_after_rtpproxy_disable_tout) {
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("udp:127.0.0.1:7722", "modparam(\"rtpproxy\", \"rtpproxy_disable_tout\", 1)\n")};
    ASSERT_TRUE(proxy.wait_for_log("did not answer the version check")) << proxy.log();
    fake_rtpproxy rtpp(rtpproxy_port);
    // Still disabled: not asked, the message goes on untouched.
    uac.send(invite(uac, "manage"), proxy.port());
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_EQ(got->body(), sdp);
    EXPECT_TRUE(rtpp.commands().empty());
    std::this_thread::sleep_for(1200ms);
    // Past the timeout: the version is checked again and the offer goes through.
    uac.send(invite(uac, "manage"), proxy.port());
    got = uas.receive();
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_NE(got->body().find("m=audio 35002 "), std::string::npos) << got->body();
    ASSERT_GE(rtpp.commands().size(), 2u);
    EXPECT_EQ(rtpp.commands()[0], "V");
    EXPECT_TRUE(rtpp.commands()[1].starts_with("U ")) << rtpp.commands()[1];
}

TEST(modules_rtpproxy, a_proxy_on_a_unix_socket) {
    std::string path = "/tmp/siphost-rtpproxy-test-" + std::to_string(::getpid()) + ".sock";
    fake_rtpproxy rtpp(path);
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("unix:" + path)};
    uac.send(invite(uac, "manage"), proxy.port());
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_NE(got->body().find("c=IN IP4 192.0.2.60\r\n"), std::string::npos) << got->body();
    EXPECT_NE(got->body().find("m=audio 35002 "), std::string::npos) << got->body();
    ASSERT_EQ(rtpp.commands().size(), 2u) << proxy.log();
    EXPECT_EQ(rtpp.commands()[0], "V");
}

TEST(modules_rtpproxy, flag_r_trusts_the_sdp_address) {
    fake_rtpproxy rtpp(rtpproxy_port);
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("udp:127.0.0.1:7722")};
    uac.send(invite(uac, "trust"), proxy.port());
    ASSERT_TRUE(uas.receive()) << proxy.log();
    EXPECT_NE(rtpp.command("U").find(" 10.0.0.5 49170 "), std::string::npos) << rtpp.command("U");

    // An IPv6 media address goes to the proxy as it is; the c= line then names the IPv4 proxy as IP4.
    std::string v6 = "v=0\r\no=alice 1 1 IN IP6 2001:db8::5\r\ns=-\r\nc=IN IP6 2001:db8::5\r\nt=0 0\r\n"
                     "m=audio 40000 RTP/AVP 0\r\n";
    uac.send(invite(uac, "trust", v6), proxy.port());
    auto got = uas.receive();
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_NE(got->body().find("c=IN IP4 192.0.2.50\r\n"), std::string::npos) << got->body();
    EXPECT_NE(got->body().find("o=alice 1 1 IN IP6 2001:db8::5\r\n"), std::string::npos) << got->body();
    bool seen = false;
    for (const std::string& c : rtpp.commands())
        seen = seen || c.find(" 2001:db8::5 40000 ") != std::string::npos;
    EXPECT_TRUE(seen);
}

TEST(modules_rtpproxy, manage_offers_answers_the_reply_and_destroys_on_bye) {
    fake_rtpproxy rtpp(rtpproxy_port);
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("udp:127.0.0.1:7722")};
    uac.send(invite(uac, "manage"), proxy.port());
    auto request = uas.receive();
    ASSERT_TRUE(request) << proxy.log();
    EXPECT_NE(request->body().find("m=audio 35002 "), std::string::npos) << request->body();

    // The 200 OK carries the callee's SDP: rtpproxy_manage in onreply_route answers (L, To-tag first).
    std::string answer_sdp = "v=0\r\no=bob 2 2 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
                             "m=audio 6000 RTP/AVP 0\r\n";
    std::string reply = "SIP/2.0 200 OK\r\n";
    for (const std::string& via : request->headers("Via"))
        reply += "Via: " + via + "\r\n";
    reply += "From: " + request->header("From").value_or("") + "\r\n";
    reply += "To: " + request->header("To").value_or("") + ";tag=callee1\r\n";
    reply += "Call-ID: " + request->header("Call-ID").value_or("") + "\r\n";
    reply += "CSeq: " + request->header("CSeq").value_or("") + "\r\n";
    reply += "Contact: <sip:bob@127.0.0.1:5099>\r\nContent-Type: application/sdp\r\n";
    reply += "Content-Length: " + std::to_string(answer_sdp.size()) + "\r\n\r\n" + answer_sdp;
    uas.send(reply, proxy.port());
    auto relayed = uac.receive();
    ASSERT_TRUE(relayed) << proxy.log();
    EXPECT_NE(relayed->body().find("c=IN IP4 192.0.2.50\r\n"), std::string::npos) << relayed->body();
    EXPECT_NE(relayed->body().find("m=audio 35004 RTP/AVP 0\r\n"), std::string::npos) << relayed->body();
    EXPECT_EQ(content_length(*relayed), std::to_string(relayed->body().size()));
    std::string l = rtpp.command("L");
    EXPECT_NE(l.find(" 6000 callee1;1 "), std::string::npos) << l;

    // BYE: D with the Call-ID and both tags.
    uac.send(invite(uac, "bye", "", "BYE", ""), proxy.port());
    auto bye = uas.receive();
    ASSERT_TRUE(bye) << proxy.log();
    EXPECT_EQ(rtpp.command("D "), "D " + bye->header("Call-ID").value_or("") + " " +
                                      kit::message(bye->header("From").value_or(""))
                                          .text()
                                          .substr(bye->header("From").value_or("").find("tag=") + 4));
}

TEST(modules_rtpproxy, no_proxy_answers_minus_one_and_the_message_untouched) {
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("udp:127.0.0.1:7799")};
    EXPECT_TRUE(proxy.wait_for_log("did not answer the version check")) << proxy.log();
    uac.send(invite(uac, "offer"), proxy.port());
    auto got = uas.receive(5000ms);
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_EQ(got->body(), sdp);
    EXPECT_TRUE(proxy.wait_for_log("case offer rtpproxy rc=-1")) << proxy.log();
    EXPECT_NE(proxy.log().find("no rtpproxy answered"), std::string::npos) << proxy.log();
}

TEST(modules_rtpproxy, sets_and_a_dead_proxy_in_a_set_with_a_live_one) {
    fake_rtpproxy rtpp(rtpproxy_port);
    kit::peer uas{uas_port};
    kit::peer uac;
    kit::host proxy{config("1 == udp:127.0.0.1:7799",
                           "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"2 == udp:127.0.0.1:7799=1 "
                           "udp:127.0.0.1:7722=3\")\n",
                           "set_rtp_proxy_set(\"2\");")};
    uac.send(invite(uac, "set2", sdp, "INVITE", "X-Set: 2\r\n"), proxy.port());
    auto got = uas.receive(5000ms);
    ASSERT_TRUE(got) << proxy.log();
    EXPECT_NE(got->body().find("m=audio 35002 "), std::string::npos) << got->body() << proxy.log();
    // The default set (the first one) has only the dead proxy.
    uac.send(invite(uac, "offer"), proxy.port());
    got = uas.receive(5000ms);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->body(), sdp);
}

TEST(modules_rtpproxy, config_errors) {
    auto check = [](std::string_view cfg) { return kit::host::check(cfg); };
    std::string base = "loadmodule \"rtpproxy\"\nmodparam(\"rtpproxy\", \"rtpproxy_retr\", 0)\n";
    auto r = check(base + "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"tcp:127.0.0.1:7722\")\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("not udp:ADDRESS:PORT"), std::string::npos) << r.output;
    r = check(base + "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:99999\")\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("port from 1 to 65535"), std::string::npos) << r.output;
    r = check(base + "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:7722=x\")\n");
    EXPECT_NE(r.output.find("weight"), std::string::npos) << r.output;
    EXPECT_NE(r.exit_status, 0);
    r = check(base + "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:7799\")\n"
                     "request_route { rtpproxy_offer(\"cq\"); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("unknown flag 'q'"), std::string::npos) << r.output;
    r = check(base + "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:7799\")\n"
                     "request_route { set_rtp_proxy_set(\"5\"); }\n");
    EXPECT_NE(r.exit_status, 0);
    EXPECT_NE(r.output.find("no rtpproxy set '5'"), std::string::npos) << r.output;
    r = check(base + "modparam(\"rtpproxy\", \"rtpproxy_sock\", \"udp:127.0.0.1:7799\")\n"
                     "modparam(\"rtpproxy\", \"timeout_socket\", \"http://127.0.0.1:8000\")\n"
                     "request_route { rtpproxy_manage(\"co\", \"192.0.2.1\"); }\n");
    EXPECT_EQ(r.exit_status, 0) << r.output;
}

} // namespace
