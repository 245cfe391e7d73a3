// sl.so in the real host, over the wire: replies, To-tags, absorbed ACKs, counters (siphost's shutdown
// line), send_reply with and without tm, redirects, the config errors its fixups give, and the "sl" API as
// the probe test module calls it. sl.stats is read in process (sl_rpc_test.cpp).
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {
/// Request options with extra header lines (each ending in CRLF).
kit::request_options with_headers(std::string lines) {
    kit::request_options options;
    options.extra_headers = std::move(lines);
    return options;
}
} // namespace

namespace {

/// sl and xlog with one worker (so that a datagram is handled after the ones sent before it), then routes.
std::string config(std::string_view routes, std::string_view more_modules = "") {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\n" + std::string(more_modules) +
           std::string(routes);
}

std::string to_tag_of(const kit::message& reply) {
    std::string to = reply.header("To").value_or("");
    size_t at = to.find(";tag=");
    return at == std::string::npos ? "" : to.substr(at + 5);
}

/// The ACK a UAC sends for a negative reply to invite (RFC 3261 17.1.1.3): same branch unless given.
std::string ack_for(const kit::message& invite, std::string_view to_tag, std::string_view branch = "") {
    std::string via = invite.header("Via").value_or("");
    if (!branch.empty())
        via = via.substr(0, via.find(";branch=")) + ";branch=" + std::string(branch);
    return "ACK " + invite.request_uri() + " SIP/2.0\r\nVia: " + via +
           "\r\nMax-Forwards: 70\r\nFrom: " + invite.header("From").value_or("") +
           "\r\nTo: " + invite.header("To").value_or("") + ";tag=" + std::string(to_tag) +
           "\r\nCall-ID: " + invite.header("Call-ID").value_or("") +
           "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
}

/// Sends text and returns the reply, failing the test with the host's log when none comes.
kit::message exchange(kit::peer& uac, const kit::host& proxy, const std::string& text) {
    uac.send(text, proxy.port());
    auto reply = uac.receive();
    EXPECT_TRUE(reply) << "no reply to:\n" << text << "\nlog:\n" << proxy.log();
    return reply.value_or(kit::message{});
}

TEST(modules_sl, negative_reply_gets_a_to_tag_and_is_counted) {
    kit::host proxy(
        config(R"(request_route { sl_send_reply("404", "Not Here"); xlog("L_INFO", "rc=$rc\n"); })"));
    kit::peer uac;
    auto reply = exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    EXPECT_EQ(reply.first_line(), "SIP/2.0 404 Not Here");
    EXPECT_EQ(to_tag_of(reply).size(), 33u) << reply.text();
    EXPECT_TRUE(proxy.wait_for_log("rc=1"));
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("sl.404_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.4xx_replies"), 0);
    EXPECT_EQ(proxy.counter("sl.sent_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.sent_err_replies"), 0) << "Kamailio 5.6.3 never counts it";
}

TEST(modules_sl, class_counter_takes_codes_without_their_own) {
    kit::host proxy(config(R"(request_route {
    if ($rU == "busy") sl_reply("486", "Busy Here"); else sl_reply("200", "OK");
})"));
    kit::peer uac;
    EXPECT_EQ(exchange(uac, proxy, kit::request("INVITE", "sip:busy@127.0.0.1", uac)).status(), 486);
    EXPECT_EQ(exchange(uac, proxy, kit::request("INVITE", "sip:ok@127.0.0.1", uac)).status(), 200);
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("sl.4xx_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.200_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.2xx_replies"), 0);
    EXPECT_EQ(proxy.counter("sl.sent_replies"), 2);
    EXPECT_EQ(proxy.counter("sl.sent_err_replies"), 0) << "Kamailio 5.6.3 never counts it";
}

TEST(modules_sl, provisional_below_180_has_no_tag) {
    kit::host proxy(
        config(R"(request_route { sl_send_reply("100", "Trying"); sl_send_reply("180", "Ringing"); })"));
    kit::peer uac;
    auto trying = exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    auto ringing = uac.receive();
    ASSERT_TRUE(ringing) << proxy.log();
    EXPECT_EQ(trying.status(), 100);
    EXPECT_EQ(to_tag_of(trying), "");
    EXPECT_EQ(ringing->status(), 180);
    EXPECT_NE(to_tag_of(*ringing), "");
}

TEST(modules_sl, request_with_to_tag_keeps_it) {
    kit::host proxy(config(R"(request_route { sl_send_reply("481", "No Dialog"); })"));
    kit::peer uac;
    auto invite = kit::message(kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    std::string bye = ack_for(invite, "theirs");
    bye.replace(0, 3, "BYE");
    bye.replace(bye.find("CSeq: 1 ACK"), 11, "CSeq: 2 BYE");
    auto reply = exchange(uac, proxy, bye);
    EXPECT_EQ(reply.status(), 481);
    EXPECT_EQ(to_tag_of(reply), "theirs") << reply.text();
}

TEST(modules_sl, tag_is_the_same_for_the_same_request_and_differs_by_branch) {
    kit::host proxy(config(R"(request_route { sl_send_reply("403", "Forbidden"); })"));
    kit::peer uac;
    std::string invite = kit::request("INVITE", "sip:bob@127.0.0.1", uac);
    std::string other = invite;
    other.replace(other.find("branch=z9hG4bK"), 14, "branch=z9hG4bK-other");
    std::string first = to_tag_of(exchange(uac, proxy, invite));
    std::string again = to_tag_of(exchange(uac, proxy, invite));
    std::string third = to_tag_of(exchange(uac, proxy, other));
    ASSERT_EQ(first.size(), 33u);
    EXPECT_EQ(first, again);
    EXPECT_NE(first, third);
    // The fixed prefix marks every sl tag.
    EXPECT_EQ(first.substr(0, 17), third.substr(0, 17));
}

/// Absorbed ACKs never reach the script; the script logs the ones it sees and answers OPTIONS, which serve
/// as a barrier (one worker: the OPTIONS is handled after the ACKs sent before it).
constexpr const char* ack_routes = R"(request_route {
    if (is_method("ACK")) { xlog("L_INFO", "script saw ACK to-tag $tt\n"); exit; }
    if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
    sl_send_reply("486", "Busy Here");
})";

TEST(modules_sl, ack_to_own_negative_reply_is_absorbed) {
    kit::host proxy(config(ack_routes, "loadmodule \"textops\"\n"));
    kit::peer uac;
    auto invite = kit::message(kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    auto reply = exchange(uac, proxy, invite.text());
    ASSERT_EQ(reply.status(), 486);
    uac.send(ack_for(invite, to_tag_of(reply)), proxy.port());
    EXPECT_EQ(exchange(uac, proxy, kit::request("OPTIONS", "sip:bob@127.0.0.1", uac)).status(), 200)
        << "the ACK got no answer";
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.log().find("script saw ACK"), std::string::npos) << proxy.log();
    EXPECT_EQ(proxy.counter("sl.received_ACKs"), 1);
}

TEST(modules_sl, other_acks_and_requests_go_on_to_the_script) {
    kit::host proxy(config(ack_routes, "loadmodule \"textops\"\n"));
    kit::peer uac;
    auto invite = kit::message(kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    auto reply = exchange(uac, proxy, invite.text());
    ASSERT_EQ(reply.status(), 486) << "the INVITE went on to the script";
    std::string tag = to_tag_of(reply);
    uac.send(ack_for(invite, "a-tag-of-the-uas"), proxy.port());
    // Same tag, other transaction (an ACK for a 2xx has a new branch): not ours to absorb.
    uac.send(ack_for(invite, tag, "z9hG4bK-ack-2xx"), proxy.port());
    EXPECT_EQ(exchange(uac, proxy, kit::request("OPTIONS", "sip:bob@127.0.0.1", uac)).status(), 200);
    EXPECT_TRUE(proxy.wait_for_log("script saw ACK to-tag a-tag-of-the-uas"));
    EXPECT_TRUE(proxy.wait_for_log("script saw ACK to-tag " + tag));
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("sl.received_ACKs"), 0);
}

TEST(modules_sl, never_replies_to_an_ack) {
    kit::host proxy(config(R"(request_route {
    if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
    sl_send_reply("500", "Oops");
    xlog("L_INFO", "$rm rc=$rc\n");
})",
                           "loadmodule \"textops\"\n"));
    kit::peer uac;
    auto invite = kit::message(kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    uac.send(ack_for(invite, "x"), proxy.port());
    EXPECT_EQ(exchange(uac, proxy, kit::request("OPTIONS", "sip:bob@127.0.0.1", uac)).status(), 200)
        << "nothing answered the ACK before";
    EXPECT_TRUE(proxy.wait_for_log("ACK rc=-1")) << proxy.log();
}

TEST(modules_sl, never_replies_to_a_reply) {
    // A reply reaches onreply_route, where the host refuses sl's reply functions when it reads the config.
    auto in_reply_route = kit::host::check(config(R"(request_route { drop; }
onreply_route { sl_send_reply("500", "Oops"); })"));
    EXPECT_EQ(in_reply_route.exit_status, 1) << in_reply_route.output;
    EXPECT_NE(in_reply_route.output.find("sl_send_reply"), std::string::npos) << in_reply_route.output;
}

TEST(modules_sl, reply_code_is_checked_when_the_config_is_read) {
    for (const char* call : {R"(sl_send_reply("99", "x"))", R"(sl_send_reply(99, "x"))",
                             R"(sl_send_reply("700", "x"))", R"(sl_reply("abc", "x"))"}) {
        auto result = kit::host::check(config("request_route { " + std::string(call) + "; }\n"));
        EXPECT_EQ(result.exit_status, 1) << call << ": " << result.output;
    }
    auto good = kit::host::check(config(R"(request_route { sl_reply("404", "x"); })"));
    EXPECT_EQ(good.exit_status, 0) << good.output;
}

TEST(modules_sl, reply_code_from_a_variable_is_checked_at_run_time) {
    kit::host proxy(config(R"~(request_route {
    sl_send_reply($hdr(X-Code), "Decline");
    xlog("L_INFO", "code $hdr(X-Code) rc=$rc\n");
})~"));
    kit::peer uac;
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, with_headers("X-Code: 1000\r\n")),
             proxy.port());
    EXPECT_TRUE(proxy.wait_for_log("code 1000 rc=-1")) << proxy.log();
    auto reply = exchange(uac, proxy,
                          kit::request("INVITE", "sip:bob@127.0.0.1", uac, with_headers("X-Code: 603\r\n")));
    EXPECT_EQ(reply.status(), 603) << "and nothing was sent for 1000";
}

TEST(modules_sl, send_failure_is_false_and_counted) {
    // A redirect whose Contact lists a 9 kB target eight times is larger than a UDP datagram can be: the
    // send fails (EMSGSIZE), as a real send does.
    kit::host proxy(config(R"~(request_route {
    $ru = $hdr(X-Target);
    $var(i) = 0;
    while ($var(i) < 7) { append_branch("$hdr(X-Target)"); $var(i) = $var(i) + 1; }
    sl_send_reply("302", "Moved");
    xlog("L_INFO", "rc=$rc\n");
})~"));
    kit::peer uac;
    std::string target = "sip:" + std::string(9000, 'a') + "@127.0.0.1";
    uac.send(kit::request("INVITE", "sip:bob@127.0.0.1", uac, with_headers("X-Target: " + target + "\r\n")),
             proxy.port());
    EXPECT_TRUE(proxy.wait_for_log("rc=-1")) << proxy.log().substr(0, 2000);
    EXPECT_FALSE(uac.receive(200ms));
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("sl.failures"), 1);
    EXPECT_EQ(proxy.counter("sl.sent_replies"), 0);
}

TEST(modules_sl, redirect_carries_the_changed_request_uri) {
    kit::host proxy(
        config(R"(request_route { $ru = "sip:bob@192.0.2.99"; sl_send_reply("302", "Moved"); })"));
    kit::peer uac;
    auto reply = exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    EXPECT_EQ(reply.status(), 302);
    EXPECT_EQ(reply.headers("Contact"), std::vector<std::string>{"<sip:bob@192.0.2.99>"}) << reply.text();
}

TEST(modules_sl, redirect_carries_the_destination_set_with_q_values) {
    kit::host proxy(config(R"(request_route {
    $ru = "sip:bob@192.0.2.99";
    probe_append_branch("sip:bob@192.0.2.100", 500);
    append_branch("sip:bob@192.0.2.101");
    sl_send_reply("300", "Multiple Choices");
})",
                           "loadmodule \"" SIPHOST_PROBE_MODULE "\"\n"));
    kit::peer uac;
    auto reply = exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    EXPECT_EQ(reply.status(), 300);
    EXPECT_NE(reply.text().find("\r\nContact: <sip:bob@192.0.2.99>, <sip:bob@192.0.2.100>;q=0.5, "
                                "<sip:bob@192.0.2.101>\r\n"),
              std::string::npos)
        << reply.text();
}

TEST(modules_sl, redirect_without_a_new_target_has_no_contact) {
    kit::host proxy(config(R"(request_route { sl_send_reply("302", "Moved"); })"));
    kit::peer uac;
    auto reply = exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    EXPECT_EQ(reply.status(), 302);
    EXPECT_EQ(reply.header("Contact"), std::nullopt) << reply.text();
}

TEST(modules_sl, counters_are_metrics_of_the_module) {
    kit::host proxy(config(R"(request_route { drop; })"));
    EXPECT_EQ(proxy.stop(), 0);
    // Registered at init, so the shutdown line shows them at 0.
    EXPECT_EQ(proxy.counter("sl.sent_replies"), 0) << proxy.log();
    EXPECT_EQ(proxy.counter("sl.1xx_replies"), 0);
    EXPECT_EQ(proxy.counter("sl.received_ACKs"), 0);
}

TEST(modules_sl, each_code_goes_to_its_counter) {
    // What sl.stats reports (sl_rpc_test.cpp checks its shape from the same counters).
    kit::host proxy(config(R"(request_route { sl_send_reply($rU, "x"); })"));
    kit::peer uac;
    for (int code : {100, 180, 200, 200, 404, 486, 500, 503, 603})
        EXPECT_EQ(
            exchange(uac, proxy, kit::request("INVITE", "sip:" + std::to_string(code) + "@127.0.0.1", uac))
                .status(),
            code);
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("sl.1xx_replies"), 0) << "Kamailio 5.6.3 counts 1xx in xxx_replies";
    EXPECT_EQ(proxy.counter("sl.xxx_replies"), 2);
    EXPECT_EQ(proxy.counter("sl.200_replies"), 2);
    EXPECT_EQ(proxy.counter("sl.404_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.4xx_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.500_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.5xx_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.6xx_replies"), 1);
    EXPECT_EQ(proxy.counter("sl.sent_replies"), 9);
}

TEST(modules_sl, reply_error_sends_500) {
    kit::host proxy(config(R"(request_route { sl_reply_error(); })"));
    kit::peer uac;
    EXPECT_EQ(exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac)).status(), 500);
}

TEST(modules_sl, reply_error_sends_the_last_internal_error) {
    kit::host proxy(config(R"(request_route {
    if ($rU == "bad") probe_set_error(400, "Bad Header");
    if ($rU == "cleared") { probe_set_error(400, "Bad Header"); probe_set_error(0, ""); }
    sl_reply_error();
})",
                           "loadmodule \"" SIPHOST_PROBE_MODULE "\"\n"));
    kit::peer uac;
    EXPECT_EQ(exchange(uac, proxy, kit::request("INVITE", "sip:bad@127.0.0.1", uac)).first_line(),
              "SIP/2.0 400 Bad Header");
    EXPECT_EQ(exchange(uac, proxy, kit::request("INVITE", "sip:cleared@127.0.0.1", uac)).status(), 500);
}

TEST(modules_sl, empty_reason_gets_the_standard_phrase) {
    // sl keeps no table of phrases: the host writes the standard one (module.h, build_reply).
    kit::host proxy(config(R"(request_route { sl_send_reply("483", ""); })"));
    kit::peer uac;
    EXPECT_EQ(exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac)).first_line(),
              "SIP/2.0 483 Too Many Hops");
}

TEST(modules_sl, send_reply_is_stateless_without_tm) {
    kit::host proxy(config(R"(request_route { send_reply("200", "OK"); })"));
    kit::peer uac;
    auto reply = exchange(uac, proxy, kit::request("INVITE", "sip:bob@127.0.0.1", uac));
    EXPECT_EQ(reply.status(), 200);
    EXPECT_FALSE(uac.receive(300ms)) << "one reply";
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("sl.sent_replies"), 1);
}

TEST(modules_sl, send_reply_asks_tm_first) {
    // tm loaded after sl: with a transaction, tm sends the reply (and sl does not count it); without, sl
    // does.
    kit::host proxy(config(R"(request_route {
    if ($rU == "stateful") t_newtran();
    send_reply("200", "OK");
})",
                           "loadmodule \"tm\"\n"));
    kit::peer uac;
    auto stateful = exchange(uac, proxy, kit::request("MESSAGE", "sip:stateful@127.0.0.1", uac));
    EXPECT_EQ(stateful.status(), 200);
    auto stateless = exchange(uac, proxy, kit::request("MESSAGE", "sip:stateless@127.0.0.1", uac));
    EXPECT_EQ(stateless.status(), 200);
    EXPECT_EQ(proxy.stop(), 0);
    EXPECT_EQ(proxy.counter("sl.sent_replies"), 1) << "tm sent the first";
    EXPECT_EQ(proxy.counter("tm.local_replies"), 1) << proxy.log();
}

TEST(modules_sl, exports_its_api_for_other_modules) {
    // The probe test module calls sl's "sl" API (major 1) as tm and other modules do.
    kit::host proxy(config(R"(request_route {
    if ($rU == "api") { probe_sl_reply(486, "Busy Here"); probe_sl_totag(); exit; }
    probe_sl_reply_with(200, "OK", "X-Extra: 1\r\n", "hello");
})",
                           "loadmodule \"" SIPHOST_PROBE_MODULE "\"\n"));
    kit::peer uac;
    auto busy = exchange(uac, proxy, kit::request("INVITE", "sip:api@127.0.0.1", uac));
    EXPECT_EQ(busy.first_line(), "SIP/2.0 486 Busy Here");
    std::string tag = to_tag_of(busy);
    ASSERT_FALSE(tag.empty()) << busy.text();
    EXPECT_TRUE(proxy.wait_for_log("probe: totag " + tag + " rc 0, small buffer rc -1")) << proxy.log();

    auto with = exchange(uac, proxy, kit::request("MESSAGE", "sip:with@127.0.0.1", uac));
    const std::string& sent = with.text();
    EXPECT_EQ(sent.rfind("SIP/2.0 200 OK\r\n", 0), 0u) << sent;
    EXPECT_NE(sent.find("\r\nX-Extra: 1\r\n"), std::string::npos) << sent;
    EXPECT_NE(sent.find("Content-Length: 5\r\n\r\nhello"), std::string::npos) << sent;
    EXPECT_EQ(to_tag_of(with).size(), 33u) << sent;
}

} // namespace
