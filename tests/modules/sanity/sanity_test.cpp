// sanity.so in the real host, over the wire: each check bit answered with Kamailio's code and reason (the
// ones whose bad requests the host's parser lets through to the script; request_checker_test.cpp covers the
// rest), the stock kamailio.cfg calls, autodrop, noreply with sanity_reply(), and siphost -c's diagnostics.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

std::string config(std::string_view params, std::string_view routes) {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"sanity\"\n" +
           std::string(params) + std::string(routes);
}

/// sanity_check() with the bits of the request's own X-Checks and X-Uris headers; 200 when it passes.
const std::string checks_from_headers = config(R"(modparam("sanity", "autodrop", 0)
modparam("sanity", "proxy_require", "foo, bar")
)",
                                               R"cfg(request_route {
    if (!sanity_check("$hdr(X-Checks)", "$hdr(X-Uris)")) {
        xlog("L_INFO", "sanity failed for $ci\n");
        exit;
    }
    sl_send_reply("200", "Passed");
}
)cfg");

std::atomic<int> call_counter{0};

/// A request from uac with the usual headers; `replace` swaps a header line by its name (an empty value
/// drops it), `extra` adds lines (each ending in CRLF). Content-Length is the body's unless replaced.
struct crafted {
    std::string method = "OPTIONS";
    std::string ruri = "sip:bob@127.0.0.1";
    std::map<std::string, std::string> replace;
    std::string extra;
    std::string body;
    std::string call_id = "sanity-" + std::to_string(++call_counter);

    std::string text(const kit::peer& uac, int checks, int uris = 7) const {
        std::vector<std::pair<std::string, std::string>> lines = {
            {"Via", "SIP/2.0/UDP 127.0.0.1:" + std::to_string(uac.port()) + ";branch=z9hG4bK-" + call_id},
            {"From", "<sip:alice@127.0.0.1>;tag=a1"},
            {"To", "<sip:bob@127.0.0.1>"},
            {"Call-ID", call_id},
            {"CSeq", "1 " + method},
            {"Max-Forwards", "70"},
            {"X-Checks", std::to_string(checks)},
            {"X-Uris", std::to_string(uris)},
        };
        std::string out = method + " " + ruri + " SIP/2.0\r\n";
        for (auto& [name, value] : lines) {
            auto changed = replace.find(name);
            std::string v = changed == replace.end() ? value : changed->second;
            if (!v.empty())
                out += name + ": " + v + "\r\n";
        }
        out += extra;
        auto length = replace.find("Content-Length");
        out += "Content-Length: " + (length == replace.end() ? std::to_string(body.size()) : length->second) +
               "\r\n\r\n" + body;
        return out;
    }
};

struct wire_case {
    const char* name;
    int checks;
    int uris;
    crafted request;
    int code;
    const char* reason;
    const char* check; ///< the check's name in the log line
    const char* unsupported = nullptr;
};

crafted with_ruri(std::string ruri) {
    crafted c;
    c.ruri = std::move(ruri);
    return c;
}
crafted with_header(std::string name, std::string value) {
    crafted c;
    c.replace[std::move(name)] = std::move(value);
    return c;
}
crafted with_extra(std::string lines) {
    crafted c;
    c.extra = std::move(lines);
    return c;
}
crafted with_short_length() {
    crafted c;
    c.body = "hello";
    c.replace["Content-Length"] = "3";
    return c;
}

/// Names the case in test output (gtest would print its bytes).
void PrintTo(const wire_case& c, std::ostream* os) {
    *os << c.name;
}

class sanity_on_the_wire : public testing::TestWithParam<wire_case> {};

TEST_P(sanity_on_the_wire, bad_request_gets_kamailios_reply_and_a_good_one_passes) {
    const wire_case& c = GetParam();
    kit::host proxy(checks_from_headers);
    kit::peer uac;
    uac.send(crafted{}.text(uac, c.checks, c.uris), proxy.port());
    auto good = uac.receive();
    ASSERT_TRUE(good) << proxy.log();
    EXPECT_EQ(good->first_line(), "SIP/2.0 200 Passed");

    uac.send(c.request.text(uac, c.checks, c.uris), proxy.port());
    auto bad = uac.receive();
    ASSERT_TRUE(bad) << c.request.text(uac, c.checks, c.uris) << "\n" << proxy.log();
    EXPECT_EQ(bad->first_line(), "SIP/2.0 " + std::to_string(c.code) + " " + c.reason) << proxy.log();
    if (c.unsupported != nullptr) {
        EXPECT_EQ(bad->header("Unsupported"), c.unsupported);
    } else {
        EXPECT_FALSE(bad->header("Unsupported"));
    }
    EXPECT_TRUE(proxy.wait_for_log("sanity failed for " + c.request.call_id)) << proxy.log();
    EXPECT_TRUE(proxy.wait_for_log(std::string("check \"") + c.check + "\" failed")) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

const char* const digest_empty_user =
    R"(Authorization: Digest username="", realm="r", nonce="n", uri="sip:x", response="0123")"
    "\r\n";

INSTANTIATE_TEST_SUITE_P(
    sanity, sanity_on_the_wire,
    testing::Values(
        wire_case{"ruri_scheme_http", 2, 7, with_ruri("http://example.com/"), 416,
                  "Unsupported URI Scheme in Request URI", "ruri scheme"},
        wire_case{"content_length_short", 128, 7, with_short_length(), 400, "Content-Length mis-match",
                  "content length"},
        wire_case{"expires_letters", 256, 7, with_extra("Expires: soon\r\n"), 400, "Expires value is illegal",
                  "expires value"},
        wire_case{"expires_over_32_bits", 256, 7, with_extra("Expires: 99999999999\r\n"), 400,
                  "Expires value is illegal", "expires value"},
        wire_case{"proxy_require_unknown", 512, 7, with_extra("Proxy-Require: foo, qux\r\n"), 420,
                  "Bad Proxy Require Extension", "proxy require", "qux"},
        wire_case{"uri_ruri_scheme", 1024, 1, with_ruri("http://example.com/"), 400, "Bad Request URI",
                  "parse uris"},
        wire_case{"uri_from_scheme", 1024, 2, with_header("From", "<http://example.com/>;tag=a1"), 400,
                  "Invalid From Header", "parse uris"},
        wire_case{"uri_to_scheme", 1024, 4, with_header("To", "<mailto:bob@example.com>"), 400,
                  "Invalid To Header", "parse uris"},
        wire_case{"uri_contact", 1024, 8,
                  with_extra("Contact: <sip:a@example.com>, <http://example.com/>\r\n"), 400,
                  "Bad Contact URI", "parse uris"},
        wire_case{"uri_contact_header", 1024, 8, with_extra("Contact: <<<\r\n"), 400, "Bad Contact Header",
                  "parse uris"},
        wire_case{"digest_empty_user", 2048, 7, with_extra(digest_empty_user), 400, "Auth Empty User",
                  "digest credentials"},
        wire_case{"digest_missing_nonce", 2048, 7,
                  with_extra("Proxy-Authorization: Digest username=\"a\", realm=\"r\", uri=\"sip:x\", "
                             "response=\"0123\"\r\n"),
                  400, "Bad Auth Credentials", "digest credentials"},
        wire_case{"duplicated_from_tag", 4096, 7, with_header("From", "<sip:alice@127.0.0.1>;tag=a1;tag=a2"),
                  400, "Many From Tag Params", "duplicated tags"},
        wire_case{"duplicated_to_tag", 4096, 7, with_header("To", "<sip:bob@127.0.0.1>;tag=b1;tag=b2"), 400,
                  "Many To Tag Params", "duplicated tags"},
        wire_case{"authorization_empty_user", 8192, 7, with_extra(digest_empty_user), 400, "Auth Empty User",
                  "authorization header"}),
    [](const testing::TestParamInfo<wire_case>& info) { return std::string(info.param.name); });

/// Sends text and returns the reply, or nothing after the timeout.
std::optional<kit::message> exchange(kit::peer& uac, const kit::host& proxy, const std::string& text,
                                     std::chrono::milliseconds timeout = 2000ms) {
    uac.send(text, proxy.port());
    return uac.receive(timeout);
}

/// The first line of the reply to text, or "no reply".
std::string reply_line(kit::peer& uac, const kit::host& proxy, const std::string& text) {
    auto reply = exchange(uac, proxy, text);
    return reply ? reply->first_line() : "no reply";
}

TEST(modules_sanity, stock_kamailio_cfg_calls_pass_good_requests_and_answer_bad_ones) {
    // Debian's kamailio.cfg: route[REQINIT] and the WITH_... paths.
    kit::host proxy(config(R"(modparam("sanity", "autodrop", 0)
)",
                           R"(request_route {
    if ($rU == "reqinit") { if (!sanity_check("17895", "7")) { xlog("L_INFO", "malformed $ci\n"); exit; } }
    else { if (!sanity_check("17604", "6")) { xlog("L_INFO", "malformed $ci\n"); exit; } }
    sl_send_reply("200", "Passed");
}
)"));
    kit::peer uac;
    crafted good = with_ruri("sip:reqinit@127.0.0.1");
    good.extra = "Contact: <sip:alice@127.0.0.1:5070>\r\nExpires: 60\r\n";
    EXPECT_EQ(reply_line(uac, proxy, good.text(uac, 0)), "SIP/2.0 200 Passed") << proxy.log();
    crafted other = with_ruri("sip:other@127.0.0.1");
    EXPECT_EQ(reply_line(uac, proxy, other.text(uac, 0)), "SIP/2.0 200 Passed") << proxy.log();

    crafted bad_expires = with_ruri("sip:reqinit@127.0.0.1");
    bad_expires.extra = "Expires: never\r\n";
    EXPECT_EQ(reply_line(uac, proxy, bad_expires.text(uac, 0)).substr(0, 11), "SIP/2.0 400");
    crafted bad_to = with_header("To", "<sip:bob@>");
    bad_to.ruri = "sip:other@127.0.0.1";
    auto reply = exchange(uac, proxy, bad_to.text(uac, 0));
    ASSERT_TRUE(reply) << proxy.log();
    EXPECT_EQ(reply->first_line(), "SIP/2.0 400 Invalid To Header");
    // "6" leaves the Request-URI out of the parse-uris check.
    crafted bad_ruri = with_ruri("http://example.com/");
    EXPECT_EQ(reply_line(uac, proxy, bad_ruri.text(uac, 0)), "SIP/2.0 200 Passed");
    EXPECT_TRUE(proxy.wait_for_log("malformed " + bad_to.call_id));
    EXPECT_EQ(proxy.stop(), 0);
}

/// A reply as a UAS would send it back through the proxy (two Vias: the proxy's, then the UAC's).
std::string reply_text(const kit::peer& uas, std::string_view call_id, std::string_view to) {
    return "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-proxy-" + std::string(call_id) +
           "\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(uas.port()) + ";branch=z9hG4bK-uac-" +
           std::string(call_id) + "\r\nFrom: <sip:alice@127.0.0.1>;tag=a1\r\nTo: " + std::string(to) +
           "\r\nCall-ID: " + std::string(call_id) + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

TEST(modules_sanity, stock_reply_route_checks_replies) {
    // Debian's kamailio.cfg checks every reply in reply_route; a reply is never answered.
    kit::host proxy(config(R"(modparam("sanity", "autodrop", 0)
)",
                           R"(request_route { drop; }
reply_route {
    if (!sanity_check("17604", "6")) { xlog("L_INFO", "malformed reply $ci\n"); drop; }
    xlog("L_INFO", "good reply $ci\n");
    drop;
}
)"));
    kit::peer uas;
    uas.send(reply_text(uas, "reply-good", "<sip:bob@127.0.0.1>;tag=b1"), proxy.port());
    EXPECT_TRUE(proxy.wait_for_log("good reply reply-good")) << proxy.log();
    uas.send(reply_text(uas, "reply-bad-to", "<mailto:bob@example.com>;tag=b1"), proxy.port());
    EXPECT_TRUE(proxy.wait_for_log("malformed reply reply-bad-to")) << proxy.log();
    uas.send(reply_text(uas, "reply-two-tags", "<sip:bob@127.0.0.1>;tag=b1;tag=b2"), proxy.port());
    EXPECT_TRUE(proxy.wait_for_log("good reply reply-two-tags")) << "4096 is not in 17604";
    EXPECT_FALSE(uas.receive(300ms)) << "a reply is never answered";
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_sanity, without_arguments_runs_default_checks) {
    kit::host proxy(config(R"(modparam("sanity", "autodrop", 0)
modparam("sanity", "default_checks", 256)
)",
                           R"(request_route {
    if (!sanity_check()) exit;
    sl_send_reply("200", "Passed");
}
)"));
    kit::peer uac;
    // 256 (expires) is checked, 4096 (duplicated tags) is not.
    EXPECT_EQ(reply_line(uac, proxy, with_extra("Expires: x\r\n").text(uac, 0)),
              "SIP/2.0 400 Expires value is illegal");
    EXPECT_EQ(reply_line(uac, proxy, with_header("From", "<sip:a@b>;tag=1;tag=2").text(uac, 0)),
              "SIP/2.0 200 Passed");
}

TEST(modules_sanity, autodrop_ends_the_script_after_the_reply) {
    kit::host proxy(config("", R"(request_route {
    if (!sanity_check("256")) { xlog("L_INFO", "returned false for $ci\n"); }
    xlog("L_INFO", "script went on for $ci\n");
    sl_send_reply("200", "Passed");
}
)"));
    kit::peer uac;
    crafted bad = with_extra("Expires: x\r\n");
    EXPECT_EQ(reply_line(uac, proxy, bad.text(uac, 0)).substr(0, 11), "SIP/2.0 400");
    // One worker: once the next request is answered, the first one's script has finished.
    crafted good;
    EXPECT_EQ(reply_line(uac, proxy, good.text(uac, 0)).substr(0, 11), "SIP/2.0 200");
    EXPECT_TRUE(proxy.wait_for_log("script went on for " + good.call_id));
    EXPECT_EQ(proxy.log().find("for " + bad.call_id), std::string::npos) << proxy.log();
    EXPECT_EQ(proxy.stop(), 0);
}

TEST(modules_sanity, noreply_holds_the_reply_for_sanity_reply) {
    kit::host proxy(config(R"(modparam("sanity", "autodrop", 0)
modparam("sanity", "noreply", 1)
)",
                           R"(request_route {
    if (!sanity_check("512")) {
        if ($hdr(X-Reply) == "yes") sanity_reply();
        exit;
    }
    if ($hdr(X-Reply) == "yes") { sanity_reply(); exit; }
    sl_send_reply("200", "Passed");
}
)"));
    kit::peer uac;
    EXPECT_FALSE(exchange(uac, proxy, with_extra("Proxy-Require: x\r\n").text(uac, 0), 500ms))
        << "noreply: no reply unless the script asks";
    auto held = exchange(uac, proxy, with_extra("Proxy-Require: x\r\nX-Reply: yes\r\n").text(uac, 0));
    ASSERT_TRUE(held) << proxy.log();
    EXPECT_EQ(held->first_line(), "SIP/2.0 420 Bad Proxy Require Extension");
    EXPECT_EQ(held->header("Unsupported"), "x");
    // Nothing failed: sanity_reply() has nothing held and answers 500.
    EXPECT_EQ(reply_line(uac, proxy, with_extra("X-Reply: yes\r\n").text(uac, 0)),
              "SIP/2.0 500 Server Sanity Failure");
}

TEST(modules_sanity, a_failed_ack_gets_no_reply) {
    kit::host proxy(config(R"(modparam("sanity", "autodrop", 0)
)",
                           R"(request_route {
    if (!sanity_check("256")) { xlog("L_INFO", "ack refused $ci\n"); exit; }
    sl_send_reply("200", "Passed");
}
)"));
    kit::peer uac;
    crafted ack = with_extra("Expires: x\r\n");
    ack.method = "ACK";
    EXPECT_FALSE(exchange(uac, proxy, ack.text(uac, 0), 500ms));
    EXPECT_TRUE(proxy.wait_for_log("ack refused " + ack.call_id)) << proxy.log();
    EXPECT_EQ(proxy.log().find("failed to send"), std::string::npos) << proxy.log();
}

TEST(modules_sanity, config_check_reports_bad_arguments_and_parameters) {
    struct bad_config {
        std::string params;
        std::string call;
        std::string expected;
    };
    const bad_config cases[] = {
        {"", R"(sanity_check("abc"))", "sanity_check"},
        {"", R"(sanity_check("0"))", "msg_checks must be a sum of check bits from 1 to 32767"},
        {"", R"(sanity_check("32768"))", "msg_checks must be a sum of check bits from 1 to 32767"},
        {"", R"(sanity_check("1024", "16"))", "uri_checks must be a sum of URI bits from 1 to 15"},
        {"", R"(sanity_check("1", "2", "3"))", "sanity_check"},
        {R"(modparam("sanity", "default_checks", 40000))", "sanity_check()", "default_checks must be"},
        {R"(modparam("sanity", "uri_checks", 0))", "sanity_check()", "uri_checks must be"},
        {R"(modparam("sanity", "autodrop", 2))", "sanity_check()", "autodrop must be 0 or 1"},
        {R"(modparam("sanity", "noreply", -1))", "sanity_check()", "noreply must be 0 or 1"},
        {R"(modparam("sanity", "no_such", 1))", "sanity_check()", "no_such"},
    };
    for (const bad_config& c : cases) {
        auto result = kit::host::check(config(c.params + "\n", "request_route { " + c.call + "; }\n"));
        EXPECT_EQ(result.exit_status, 1) << c.call << " " << c.params << ": " << result.output;
        EXPECT_NE(result.output.find(c.expected), std::string::npos) << c.expected << " in:\n"
                                                                     << result.output;
    }
    auto no_sl = kit::host::check("loadmodule \"sanity\"\nrequest_route { sanity_check(); }\n");
    EXPECT_EQ(no_sl.exit_status, 1) << no_sl.output;
    EXPECT_NE(no_sl.output.find("needs module 'sl'"), std::string::npos) << no_sl.output;
    auto good =
        kit::host::check(config(R"(modparam("sanity", "autodrop", 0)
modparam("sanity", "proxy_require", "foo")
)",
                                R"cfg(request_route { sanity_check("17895", "7"); sanity_check("17604", "6");
    sanity_check("$var(x)"); sanity_check(); sanity_reply(); }
)cfg"));
    EXPECT_EQ(good.exit_status, 0) << good.output;
}

} // namespace
