// siputils.so in the real host: has_totag, is_request/is_reply, is_first_hop, is_uri_host_local (against the
// listen address and an alias) and uri_param, on requests and replies that arrive over the wire.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

/// Every check on the request logs "request rc..." and is answered; a reply logs "reply rc...".
constexpr const char* config = R"~(
debug=2
children=1
alias="proxy.example.com"
loadmodule "sl"
loadmodule "xlog"
loadmodule "siputils"
request_route {
    has_totag(); $var(totag) = $rc;
    is_request(); $var(req) = $rc;
    is_reply(); $var(rpl) = $rc;
    is_first_hop(); $var(first) = $rc;
    is_uri_host_local(); $var(local) = $rc;
    uri_param("transport"); $var(p1) = $rc;
    uri_param("lr"); $var(p2) = $rc;
    uri_param("maddr"); $var(p3) = $rc;
    uri_param("transport", "tcp"); $var(p4) = $rc;
    uri_param("transport", "udp"); $var(p5) = $rc;
    sl_send_reply("200", "totag $var(totag) request $var(req) reply $var(rpl) first $var(first) local $var(local) params $var(p1) $var(p2) $var(p3) $var(p4) $var(p5)");
}
onreply_route {
    is_request(); $var(req) = $rc;
    is_reply(); $var(rpl) = $rc;
    is_first_hop(); $var(first) = $rc;
    xlog("L_INFO", "reply: request $var(req) reply $var(rpl) first $var(first)\n");
    drop;
}
)~";

class modules_siputils : public ::testing::Test {
protected:
    /// The 200's reason: what each check returned for a request to ruri with the given To-tag and Vias.
    std::string run(std::string_view ruri, std::string_view to_tag = "", int vias = 1) {
        kit::request_options options;
        options.to_uri = "sip:c@127.0.0.1";
        std::string text = kit::request("INVITE", ruri, uac, options);
        if (!to_tag.empty())
            text.replace(text.find("To: <sip:c@127.0.0.1>"), 21,
                         "To: <sip:c@127.0.0.1>;tag=" + std::string(to_tag));
        for (int i = 1; i < vias; ++i)
            text.insert(text.find("Max-Forwards:"), "Via: SIP/2.0/UDP 203.0.113." + std::to_string(i) +
                                                        ";branch=z9hG4bK" + std::to_string(i) + "\r\n");
        uac.send(text, proxy.port());
        auto reply = uac.receive();
        EXPECT_TRUE(reply) << proxy.log();
        return reply ? reply->first_line().substr(std::string("SIP/2.0 200 ").size()) : "";
    }

    static std::string field(const std::string& reason, std::string_view name) {
        std::string key = std::string(name) + " ";
        size_t at = reason.find(key);
        return at == std::string::npos
                   ? "?"
                   : reason.substr(at + key.size(), reason.find(' ', at + key.size()) - at - key.size());
    }

    kit::host proxy{config, [] {
                        kit::host_options options;
                        options.port = 5060; // its own network namespace: is_uri_host_local names it
                        return options;
                    }()};
    kit::peer uac;
};

TEST_F(modules_siputils, has_totag) {
    EXPECT_EQ(field(run("sip:b@127.0.0.1", "t"), "totag"), "1");
    EXPECT_EQ(field(run("sip:b@127.0.0.1"), "totag"), "-1");
}

TEST_F(modules_siputils, is_request_and_is_reply_on_a_request) {
    std::string reason = run("sip:b@127.0.0.1");
    EXPECT_EQ(field(reason, "request"), "1") << reason;
    EXPECT_EQ(field(reason, "reply"), "-1") << reason;
}

TEST_F(modules_siputils, on_a_reply_is_reply_and_the_first_hop) {
    // A reply to a request this proxy relayed: its own Via on top, the UAC's below.
    uac.send("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKp\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:" +
                 std::to_string(uac.port()) +
                 ";branch=z9hG4bKu\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: c\r\n"
                 "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
             proxy.port());
    EXPECT_TRUE(proxy.wait_for_log("reply: request -1 reply 1 first 1")) << proxy.log();
}

TEST_F(modules_siputils, is_first_hop) {
    EXPECT_EQ(field(run("sip:b@127.0.0.1", "", 1), "first"), "1");
    EXPECT_EQ(field(run("sip:b@127.0.0.1", "", 2), "first"), "-1");
}

TEST_F(modules_siputils, is_uri_host_local) {
    EXPECT_EQ(field(run("sip:bob@127.0.0.1:5060"), "local"), "1");
    EXPECT_EQ(field(run("sip:bob@PROXY.example.com"), "local"), "1");
    EXPECT_EQ(field(run("sip:bob@203.0.113.9"), "local"), "-1");
    EXPECT_EQ(field(run("tel:+15551234"), "local"), "-1");
}

TEST_F(modules_siputils, uri_param) {
    std::string reason = run("sip:bob@127.0.0.1;transport=tcp;lr");
    EXPECT_NE(reason.find("params 1 1 -1 1 -1"), std::string::npos) << reason;
}

TEST(modules_siputils_config, uri_param_needs_a_name) {
    auto result = kit::host::check("loadmodule \"siputils\"\nrequest_route { uri_param(\"\"); }\n");
    EXPECT_EQ(result.exit_status, 1) << result.output;
}

} // namespace
