// textopsx.so in the real host, over the wire: each function as the relayed request or reply shows it,
// msg_apply_changes as later reads in the script see it, and the config errors their fixups give.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

constexpr const char* sdp = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n";

constexpr const char* modules = "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\n"
                                "loadmodule \"textops\"\nloadmodule \"textopsx\"\n";

/// An INVITE to bob with list headers, a two-line X-Foo, an Authorization and an SDP body.
std::string invite(const kit::peer& uac, std::string extra = "") {
    kit::request_options options;
    options.call_id = "textopsx-1";
    options.extra_headers =
        "Supported: path, 100rel\r\n"
        "X-Foo: a;x=1, b\r\n"
        "Subject: hello\r\n"
        "X-Foo: c\r\n"
        "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n1\"\r\n"
        "Content-Type: application/sdp\r\n" +
        extra;
    options.body = sdp;
    return kit::request("INVITE", "sip:bob@example.com", uac, options);
}

/// body runs in request_route, then the request goes to the peer on uas_port and the UAC gets a 200.
std::string config(std::string_view body, uint16_t uas_port) {
    return std::string(modules) + "request_route {\n" + std::string(body) + "\n    forward(\"127.0.0.1\", " +
           std::to_string(uas_port) + ");\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

/// What `siphost -c` says about one call in request_route ("" when the config is good).
std::string config_error(std::string_view call) {
    auto result =
        kit::host::check(std::string(modules) + "request_route {\n    " + std::string(call) + ";\n}\n");
    return result.exit_status == 0 ? "" : result.output;
}

size_t count(const std::string& text, std::string_view what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

/// The header section of a message (without the empty line).
std::string headers_of(const std::string& text) {
    return text.substr(0, text.find("\r\n\r\n") + 2);
}

class modules_textopsx : public ::testing::Test {
protected:
    /// Starts the host on body, sends text (the INVITE by default) and returns the request as relayed.
    kit::message relay(std::string_view body, std::string text = "") {
        proxy.emplace(config(body, uas.port()));
        uac.send(text.empty() ? invite(uac) : text, proxy->port());
        auto reply = uac.receive();
        EXPECT_TRUE(reply) << proxy->log();
        auto got = uas.receive();
        EXPECT_TRUE(got) << proxy->log();
        return got.value_or(kit::message{});
    }

    /// Starts the host with request_route forwarding to the UAS and the given reply route, sends the INVITE,
    /// answers it from the UAS with code and reason and returns what reaches the UAC.
    kit::message reply_through(std::string_view reply_route, int code, std::string_view reason) {
        proxy.emplace(std::string(modules) + "request_route {\n    forward(\"127.0.0.1\", " +
                      std::to_string(uas.port()) + ");\n}\n" + std::string(reply_route) + "\n");
        uac.send(invite(uac), proxy->port());
        auto request = uas.receive();
        EXPECT_TRUE(request) << proxy->log();
        if (!request)
            return {};
        uas.reply(*request, code, reason);
        auto got = uac.receive();
        EXPECT_TRUE(got) << proxy->log();
        return got.value_or(kit::message{});
    }

    bool logged(std::string_view text) { return proxy->wait_for_log(text); }

    kit::peer uas;
    kit::peer uac;
    std::optional<kit::host> proxy;
};

// ---- msg_apply_changes ----

TEST_F(modules_textopsx, apply_changes_makes_an_added_header_readable) {
    auto got = relay(R"(
    append_hf("X-New: one\r\n");
    is_present_hf("X-New"); $var(before) = $rc;
    msg_apply_changes(); $var(applied) = $rc;
    is_present_hf("X-New"); $var(after) = $rc;
    xlog("L_INFO", "apply $var(before) $var(applied) $var(after) [$hdr(X-New)]\n");)");
    EXPECT_TRUE(logged("apply -1 1 1 [one]")) << proxy->log();
    EXPECT_EQ(count(got.text(), "X-New: one\r\n"), 1u) << "applied once, not again when relayed\n"
                                                       << got.text();
}

TEST_F(modules_textopsx, apply_changes_then_edits_of_the_new_bytes) {
    auto got = relay(R"(
    remove_hf("Subject");
    subst("/^X-Foo: c/X-Foo: changed/");
    msg_apply_changes();
    is_present_hf("Subject"); $var(a) = $rc;
    search("^X-Foo: changed"); $var(b) = $rc;
    subst("/^X-Foo: changed/X-Foo: twice/"); $var(c) = $rc;
    xlog("L_INFO", "after apply $var(a) $var(b) $var(c)\n");)");
    EXPECT_TRUE(logged("after apply -1 1 1")) << proxy->log();
    EXPECT_EQ(got.text().find("Subject"), std::string::npos) << got.text();
    EXPECT_NE(got.text().find("\r\nX-Foo: twice\r\n"), std::string::npos) << got.text();
    EXPECT_EQ(got.body(), sdp);
}

TEST_F(modules_textopsx, apply_changes_in_the_reply_route) {
    auto got = reply_through(R"(onreply_route {
    append_hf("X-Reply: r1\r\n");
    msg_apply_changes();
    xlog("L_INFO", "reply header [$hdr(X-Reply)]\n");
})",
                             180, "Ringing");
    EXPECT_EQ(got.status(), 180) << got.text();
    EXPECT_TRUE(logged("reply header [r1]")) << proxy->log();
    EXPECT_EQ(count(got.text(), "X-Reply: r1\r\n"), 1u) << got.text();
}

TEST_F(modules_textopsx, apply_changes_that_do_not_parse_leave_the_message_as_it_was) {
    proxy.emplace(std::string(modules) + R"(request_route {
    subst("/^CSeq: 1 INVITE/CSeq: one INVITE/");
    msg_apply_changes(); $var(a) = $rc;
    xlog("L_INFO", "bad apply $var(a) [$hdr(CSeq)]\n");
    sl_send_reply("200", "OK");
}
)");
    uac.send(invite(uac), proxy->port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy->log();
    EXPECT_EQ(reply->status(), 200);
    EXPECT_TRUE(logged("bad apply -1 [1 INVITE]")) << proxy->log();
    EXPECT_TRUE(logged("msg_apply_changes: the changed message was not applied: ")) << proxy->log();
}

// ---- reply status ----

TEST_F(modules_textopsx, change_reply_status_in_the_core_reply_route) {
    auto got = reply_through(R"(onreply_route {
    if ($rs == 603) {
        change_reply_status(404, "Not Found");
        xlog("L_INFO", "status now $rs\n");
    }
})",
                             603, "Decline");
    EXPECT_EQ(got.first_line(), "SIP/2.0 404 Not Found") << got.text();
    EXPECT_TRUE(logged("status now 404")) << proxy->log();
}

TEST_F(modules_textopsx, change_reply_status_code_keeps_the_reason) {
    auto got = reply_through(R"(onreply_route { change_reply_status_code("604"); })", 603, "Decline");
    EXPECT_EQ(got.first_line(), "SIP/2.0 604 Decline") << got.text();
}

TEST_F(modules_textopsx, change_reply_status_refuses_a_change_of_class) {
    auto got = reply_through(R"~(onreply_route {
    change_reply_status(200, "OK"); $var(a) = $rc;
    $var(code) = 799;
    change_reply_status($var(code), "Nope"); $var(b) = $rc;
    xlog("L_INFO", "refused $var(a) $var(b)\n");
})~",
                             603, "Decline");
    EXPECT_EQ(got.first_line(), "SIP/2.0 603 Decline") << got.text();
    EXPECT_TRUE(logged("refused -1 -1")) << proxy->log();
    EXPECT_TRUE(logged("the class of provisional or positive final replies cannot be changed"))
        << proxy->log();
    EXPECT_TRUE(logged("wrong status code: 799")) << proxy->log();
}

TEST_F(modules_textopsx, change_reply_status_in_tm_onreply_route) {
    proxy.emplace(std::string(modules) +
                  "loadmodule \"tm\"\nrequest_route {\n    t_on_reply(\"R\");\n"
                  "    $du = \"sip:127.0.0.1:" +
                  std::to_string(uas.port()) +
                  "\";\n    t_relay();\n}\nonreply_route[R] {\n    if ($rs == 603) change_reply_status(404, "
                  "\"Not Found\");\n}\n");
    uac.send(invite(uac), proxy->port());
    auto request = uas.receive();
    ASSERT_TRUE(request) << proxy->log();
    uas.reply(*request, 603, "Decline");
    std::optional<kit::message> final_reply;
    for (auto got = uac.receive(); got && !final_reply; got = uac.receive())
        if (got->status() >= 200)
            final_reply = got;
    ASSERT_TRUE(final_reply) << proxy->log();
    EXPECT_EQ(final_reply->first_line(), "SIP/2.0 404 Not Found") << final_reply->text();
}

TEST_F(modules_textopsx, reply_status_calls_are_checked_when_the_config_is_read) {
    EXPECT_NE(config_error(R"(change_reply_status(404, "Not Found"))"), "") << "not in request_route";
    auto bad =
        kit::host::check(std::string(modules) + "onreply_route { change_reply_status(99, \"Low\"); }\n");
    EXPECT_NE(bad.output.find("100 .. 699"), std::string::npos) << bad.output;
    bad = kit::host::check(std::string(modules) + "onreply_route { change_reply_status_code(700); }\n");
    EXPECT_NE(bad.output.find("100 .. 699"), std::string::npos) << bad.output;
    EXPECT_EQ(config_error("msg_apply_changes()"), "") << "this host applies changes (ABI 1.2)";
}

// ---- body ----

TEST_F(modules_textopsx, remove_body_sets_content_length_to_zero) {
    auto got = relay(R"(    remove_body(); xlog("L_INFO", "remove_body $rc\n");)");
    EXPECT_TRUE(logged("remove_body 1")) << proxy->log();
    EXPECT_EQ(got.body(), "") << got.text();
    EXPECT_EQ(got.header("Content-Length"), "0") << got.text();
}

TEST_F(modules_textopsx, remove_body_without_a_body_is_false) {
    relay(R"(    remove_body(); xlog("L_INFO", "remove_body $rc\n");)",
          kit::request("BYE", "sip:bob@127.0.0.1", uac));
    EXPECT_TRUE(logged("remove_body -1")) << proxy->log();
}

// ---- keep_hf ----

TEST_F(modules_textopsx, keep_hf_keeps_matching_and_routing_headers) {
    auto got = relay(R"(    keep_hf("^(X-Foo|Authorization)$");)");
    std::string head = headers_of(got.text());
    for (const char* gone : {"Subject:", "Supported:"})
        EXPECT_EQ(head.find(gone), std::string::npos) << gone << "\n" << head;
    for (const char* kept :
         {"\r\nX-Foo: a;x=1, b\r\n", "\r\nX-Foo: c\r\n", "\r\nAuthorization: ", "\r\nFrom: ", "\r\nTo: ",
          "\r\nCall-ID: ", "\r\nCSeq: ", "\r\nContent-Type: ", "\r\nMax-Forwards: ", "\r\nContent-Length: "})
        EXPECT_NE(head.find(kept), std::string::npos) << kept << "\n" << head;
    EXPECT_EQ(got.body(), sdp);
}

TEST_F(modules_textopsx, keep_hf_without_a_regexp_keeps_the_routing_headers_only) {
    auto got = relay("    keep_hf();");
    std::string head = headers_of(got.text());
    EXPECT_EQ(head.find("X-Foo"), std::string::npos) << head;
    EXPECT_EQ(head.find("Authorization"), std::string::npos) << head;
    EXPECT_EQ(count(head, "Via: "), 2u) << head;
    EXPECT_NE(head.find("Content-Type: application/sdp"), std::string::npos) << head;
}

TEST_F(modules_textopsx, bad_regexp_is_a_config_error) {
    std::string error = config_error(R"(keep_hf("X-(Foo"))");
    EXPECT_NE(error.find("bad regular expression \"X-(Foo\""), std::string::npos) << error;
    error = config_error(R"~(keep_hf("$var(x)"))~");
    EXPECT_NE(error.find("constant"), std::string::npos) << error;
}

// ---- fnmatch ----

TEST_F(modules_textopsx, fnmatch_shell_patterns) {
    relay(R"(
    fnmatch("$rU", "bo*"); $var(a) = $rc;
    fnmatch("$rU", "BO?"); $var(b) = $rc;
    fnmatch("$rU", "BO?", "i"); $var(c) = $rc;
    fnmatch("$rU", "[a-c]ob"); $var(d) = $rc;
    xlog("L_INFO", "fnmatch $var(a) $var(b) $var(c) $var(d)\n");)");
    EXPECT_TRUE(logged("fnmatch 1 -1 1 1")) << proxy->log();
    EXPECT_NE(config_error(R"(fnmatch("a", "b", "x"))").find("unknown flags"), std::string::npos);
}

// ---- header values ----

TEST_F(modules_textopsx, append_hf_value) {
    auto got = relay(R"(
    append_hf_value("X-Foo[1]", "a2");
    append_hf_value("Supported[-1]", "gruu");
    append_hf_value("X-Bar", "new;stamp=1");
    append_hf_value("X-None[1]", "fresh");)");
    const std::string& out = got.text();
    EXPECT_NE(out.find("\r\nX-Foo: a;x=1,a2, b\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\nSupported: path, 100rel,gruu\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\nX-Bar: new;stamp=1\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\nX-None: fresh\r\n\r\n"), std::string::npos)
        << "no such value: a new header below\n"
        << out;
}

TEST_F(modules_textopsx, insert_hf_value) {
    auto got = relay(R"(
    insert_hf_value("X-Foo[-1]", "c0");
    insert_hf_value("X-Foo[2]", "b0");
    insert_hf_value("Subject", "first");
    insert_hf_value("X-Top", "new");)");
    const std::string& out = got.text();
    EXPECT_NE(out.find("\r\nX-Foo: c0,c\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\nX-Foo: a;x=1, b0,b\r\nSubject: first\r\nSubject: hello\r\n"), std::string::npos)
        << "a new line above the first of its name\n"
        << out;
    EXPECT_NE(out.find("\r\nX-Top: new\r\n\r\n"), std::string::npos)
        << "none yet: at the bottom (as Kamailio)\n"
        << out;
}

TEST_F(modules_textopsx, remove_hf_value_values_and_lines) {
    auto got = relay(R"(
    remove_hf_value("X-Foo[2]"); $var(a) = $rc;
    remove_hf_value("X-Foo[-1]"); $var(b) = $rc;
    remove_hf_value("Supported"); $var(c) = $rc;
    remove_hf_value("X-None"); $var(d) = $rc;
    xlog("L_INFO", "remove $var(a) $var(b) $var(c) $var(d)\n");)");
    EXPECT_TRUE(logged("remove 1 1 1 -1")) << proxy->log();
    const std::string& out = got.text();
    EXPECT_NE(out.find("\r\nX-Foo: a;x=1\r\nSubject: hello\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("X-Foo: c"), std::string::npos) << "the last value went with its line\n" << out;
    EXPECT_NE(out.find("\r\nSupported: 100rel\r\n"), std::string::npos) << out;
}

TEST_F(modules_textopsx, remove_hf_value_every_value_and_parameters) {
    auto got = relay(R"(
    remove_hf_value("X-Foo[*].x"); $var(a) = $rc;
    remove_hf_value("Supported[*]"); $var(b) = $rc;
    is_present_hf("Supported"); $var(c) = $rc;
    xlog("L_INFO", "remove all $var(a) $var(b) $var(c)\n");)");
    // is_present_hf() reads the message as received, as in Kamailio; what is sent has no Supported.
    EXPECT_TRUE(logged("remove all 1 1 1")) << proxy->log();
    EXPECT_NE(got.text().find("\r\nX-Foo: a, b\r\n"), std::string::npos) << got.text();
    EXPECT_EQ(got.text().find("Supported"), std::string::npos) << got.text();
}

TEST_F(modules_textopsx, assign_hf_value) {
    auto got = relay(R"(
    assign_hf_value("X-Foo[1].x", "9");
    assign_hf_value("X-Foo[2].lr", "");
    assign_hf_value("X-Foo[3]", "z");
    assign_hf_value("X-None", "q"); $var(a) = $rc;
    xlog("L_INFO", "assign missing $var(a)\n");)");
    EXPECT_TRUE(logged("assign missing -1")) << proxy->log();
    EXPECT_NE(got.text().find("\r\nX-Foo: a;x=9, b;lr\r\n"), std::string::npos) << got.text();
    EXPECT_NE(got.text().find("\r\nX-Foo: z\r\n"), std::string::npos) << got.text();
}

TEST_F(modules_textopsx, value2_functions_take_authorization_parameters) {
    auto got = relay(R"(
    assign_hf_value2("Authorization.realm", "\"other.org\"");
    remove_hf_value2("Authorization.nonce");
    assign_hf_value2("Authorization.integrity-protected", "\"yes\"");
    remove_hf_value2("X-Foo[1]");)");
    const std::string& out = got.text();
    EXPECT_NE(out.find("\r\nAuthorization: Digest username=\"alice\", realm=\"other.org\","
                       "integrity-protected=\"yes\"\r\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("X-Foo: a"), std::string::npos) << "the whole first line\n" << out;
    EXPECT_NE(out.find("\r\nX-Foo: c\r\n"), std::string::npos) << out;
}

TEST_F(modules_textopsx, include_exclude_and_exists) {
    auto got = relay(R"(
    hf_value_exists("Supported", "100rel"); $var(a) = $rc;
    hf_value_exists("Supported", "timer"); $var(b) = $rc;
    hf_value_exists("x_foo", "c"); $var(c) = $rc;
    include_hf_value("Supported", "path"); $var(d) = $rc;
    include_hf_value("Supported", "gruu"); $var(e) = $rc;
    exclude_hf_value("Supported", "PATH"); $var(f) = $rc;
    exclude_hf_value("Supported", "timer"); $var(g) = $rc;
    include_hf_value("Require", "100rel"); $var(h) = $rc;
    xlog("L_INFO", "sets $var(a) $var(b) $var(c) $var(d) $var(e) $var(f) $var(g) $var(h)\n");)");
    EXPECT_TRUE(logged("sets 1 -1 1 1 1 1 1 1")) << proxy->log();
    EXPECT_NE(got.text().find("\r\nSupported: 100rel,gruu\r\n"), std::string::npos) << got.text();
    EXPECT_NE(got.text().find("\r\nRequire: 100rel\r\n"), std::string::npos) << got.text();
}

TEST_F(modules_textopsx, header_arguments_are_checked_when_the_config_is_read) {
    EXPECT_NE(config_error(R"(append_hf_value("X-Foo[*]", "x"))").find("does not take the index *"),
              std::string::npos);
    EXPECT_NE(config_error(R"(remove_hf_value("X-Foo[0]"))").find("the index must be"), std::string::npos);
    EXPECT_NE(config_error(R"(remove_hf_value("X-Foo[1"))").find("no ']'"), std::string::npos);
    EXPECT_NE(config_error(R"(insert_hf_value("X-Foo.p", "x"))").find("does not take a parameter"),
              std::string::npos);
    EXPECT_NE(config_error(R"(include_hf_value("Supported[1]", "x"))").find("without an index"),
              std::string::npos);
    EXPECT_NE(config_error(R"(assign_hf_value("X-Foo[1].", "x"))").find("parameter name"), std::string::npos);
    EXPECT_NE(config_error(R"~(remove_hf_value("$var(h)"))~").find("constant"), std::string::npos);
    EXPECT_EQ(config_error(R"(remove_hf_value("Route[-1].lr"))"), "");
}

// ---- iterators ----

TEST_F(modules_textopsx, hf_iterator_walks_removes_and_adds) {
    auto got = relay(R"(
    hf_iterator_start("i1");
    $var(names) = "";
    while (hf_iterator_next("i1")) {
        $var(names) = $var(names) + $hfitname(i1) + ",";
        if ($hfitname(i1) == "Subject") {
            xlog("L_INFO", "subject body [$hfitbody(i1)]\n");
            hf_iterator_insert("i1", "X-Before: 1\r\n");
            hf_iterator_append("i1", "X-After: 2");
            hf_iterator_rm("i1");
        }
    }
    hf_iterator_next("i1"); $var(past) = $rc;
    hf_iterator_end("i1");
    xlog("L_INFO", "names $var(names) past $var(past)\n");)");
    EXPECT_TRUE(logged("subject body [hello]")) << proxy->log();
    EXPECT_TRUE(
        logged("names Via,Max-Forwards,From,To,Call-ID,CSeq,Supported,X-Foo,Subject,X-Foo,Authorization,"
               "Content-Type,Content-Length, past -1"))
        << proxy->log();
    EXPECT_NE(got.text().find("\r\nX-Foo: a;x=1, b\r\nX-Before: 1\r\nX-After: 2\r\nX-Foo: c\r\n"),
              std::string::npos)
        << got.text();
}

TEST_F(modules_textopsx, hf_iterator_prev_and_limits) {
    relay(R"(
    hf_iterator_start("a");
    hf_iterator_next("a"); hf_iterator_next("a"); hf_iterator_prev("a"); $var(p) = $rc;
    $var(first) = $hfitname(a);
    hf_iterator_prev("a"); $var(q) = $rc;
    hf_iterator_start("b"); hf_iterator_start("c"); hf_iterator_start("d");
    hf_iterator_start("e"); $var(fifth) = $rc;
    hf_iterator_end("d");
    hf_iterator_start("e"); $var(again) = $rc;
    hf_iterator_next("nope"); $var(unknown) = $rc;
    xlog("L_INFO", "prev $var(p) [$var(first)] $var(q) fifth $var(fifth) again $var(again)\n");
    xlog("L_INFO", "unknown $var(unknown)\n");)");
    EXPECT_TRUE(logged("prev 1 [Via] -1 fifth -1 again 1")) << proxy->log();
    EXPECT_TRUE(logged("unknown -1")) << proxy->log();
    EXPECT_TRUE(logged("no free iterator for [e]")) << proxy->log();
}

TEST_F(modules_textopsx, iterator_started_before_apply_changes_must_start_again) {
    relay(R"(
    hf_iterator_start("i");
    append_hf("X-New: 1\r\n");
    msg_apply_changes();
    hf_iterator_next("i"); $var(a) = $rc;
    hf_iterator_start("i");
    hf_iterator_next("i"); $var(b) = $rc;
    xlog("L_INFO", "restart $var(a) $var(b)\n");)");
    EXPECT_TRUE(logged("restart -1 1")) << proxy->log();
    EXPECT_TRUE(logged("start it again")) << proxy->log();
}

TEST_F(modules_textopsx, bl_iterator_walks_and_edits_the_body) {
    auto got = relay(R"(
    bl_iterator_start("b");
    $var(n) = 0;
    while (bl_iterator_next("b")) {
        $var(n) = $var(n) + 1;
        if ($blitval(b) =~ "^o=") bl_iterator_rm("b");
        if ($blitval(b) =~ "^s=") bl_iterator_append("b", "a=info:x\r\n");
        if ($blitval(b) =~ "^v=") {
            bl_iterator_insert("b", "x=first\r\n");
            xlog("L_INFO", "first line [$blitval(b)]\n");
        }
    }
    bl_iterator_end("b");
    xlog("L_INFO", "body lines $var(n)\n");)");
    EXPECT_TRUE(logged("body lines 4")) << proxy->log();
    EXPECT_TRUE(logged("first line [v=0\r\n]")) << proxy->log();
    std::string expected = "x=first\r\nv=0\r\ns=-\r\na=info:x\r\nc=IN IP4 127.0.0.1\r\n";
    EXPECT_EQ(got.body(), expected) << got.text();
    EXPECT_EQ(got.header("Content-Length"), std::to_string(expected.size())) << got.text();
}

TEST_F(modules_textopsx, iterator_variables_need_a_name) {
    EXPECT_NE(config_error(R"(xlog("L_INFO", "$hfitname()\n"))"), "");
}

} // namespace
