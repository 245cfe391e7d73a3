// textops.so in the real host, over the wire: is_method, header adds and removals, regex search,
// search_append, subst and has_body as the relayed request shows them, and the config errors their fixups
// give.
#include <siphost/testkit.hpp>

#include <gtest/gtest.h>

#include <algorithm>

#include <string>

namespace kit = siphost::testkit;
using namespace std::chrono_literals;

namespace {

constexpr const char* sdp = "v=0\r\no=a\r\n";

/// An INVITE to bob@example.com from "Alice" <sip:alice@example.com> with a Subject and an SDP body.
std::string invite(const kit::peer& uac) {
    kit::request_options options;
    options.from_uri = "sip:alice@example.com";
    options.call_id = "text-1";
    options.extra_headers = "Subject: hello\r\nContent-Type: application/sdp\r\n";
    options.body = sdp;
    std::string text = kit::request("INVITE", "sip:bob@example.com", uac, options);
    text.replace(text.find("From: <"), 7, "From: \"Alice\" <");
    return text;
}

/// textops, sl and xlog; body runs, then the request goes to the peer on uas_port and the UAC gets a 200.
std::string config(std::string_view body, uint16_t uas_port) {
    return "debug=2\nchildren=1\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"textops\"\n"
           "request_route {\n" +
           std::string(body) + "\n    forward(\"127.0.0.1\", " + std::to_string(uas_port) +
           ");\n    sl_send_reply(\"200\", \"OK\");\n}\n";
}

/// What a config check says about one call in request_route ("" when the config is good).
std::string fixup_error(std::string_view call) {
    auto result = kit::host::check("loadmodule \"textops\"\nrequest_route { " + std::string(call) + "; }\n");
    return result.exit_status == 0 ? "" : result.output;
}

size_t count(const std::string& text, std::string_view what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

class modules_textops : public ::testing::Test {
protected:
    /// Starts the host on body, sends text and returns the request as relayed.
    kit::message relay(std::string_view body, std::string text = "") {
        proxy.emplace(config(body, uas.port()));
        uac.send(text.empty() ? invite(uac) : text, proxy->port());
        auto reply = uac.receive();
        EXPECT_TRUE(reply) << proxy->log();
        auto got = uas.receive();
        EXPECT_TRUE(got) << proxy->log();
        return got.value_or(kit::message{});
    }

    bool logged(std::string_view text) { return proxy->wait_for_log(text); }

    kit::peer uas;
    kit::peer uac;
    std::optional<kit::host> proxy;
};

TEST_F(modules_textops, is_method_matches_any_listed_method) {
    relay(R"(
    is_method("INVITE|BYE"); $var(a) = $rc;
    is_method("REGISTER"); $var(b) = $rc;
    is_method("ack | invite"); $var(c) = $rc;
    xlog("L_INFO", "is_method $var(a) $var(b) $var(c)\n");)");
    EXPECT_TRUE(logged("is_method 1 -1 1")) << proxy->log();
}

TEST_F(modules_textops, is_method_on_a_reply_uses_the_cseq_method) {
    proxy.emplace("debug=2\nloadmodule \"textops\"\nloadmodule \"xlog\"\nrequest_route { drop; }\n"
                  "onreply_route { if (is_method(\"INVITE\")) xlog(\"L_INFO\", \"reply to INVITE\\n\"); }\n");
    uac.send("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(proxy->port()) +
                 ";branch=z9hG4bKx\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(uac.port()) +
                 ";branch=z9hG4bKy\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: c\r\n"
                 "CSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n",
             proxy->port());
    EXPECT_TRUE(logged("reply to INVITE")) << proxy->log();
}

TEST_F(modules_textops, is_method_list_from_a_variable_is_split_at_run_time) {
    relay(R"~(
    $var(m) = "BYE|INVITE"; is_method("$var(m)"); $var(a) = $rc;
    $var(m) = "BYE|CANCEL"; is_method("$var(m)"); $var(b) = $rc;
    xlog("L_INFO", "from a variable $var(a) $var(b)\n");)~");
    EXPECT_TRUE(logged("from a variable 1 -1")) << proxy->log();
}

TEST_F(modules_textops, is_method_refuses_an_empty_name) {
    EXPECT_NE(fixup_error(R"(is_method("INVITE||BYE"))").find("empty method name"), std::string::npos);
}

TEST_F(modules_textops, append_and_insert_place_header_lines) {
    auto got = relay(R"(
    append_hf("X-Proxied: You betcha\r\n");
    append_hf("X-After: 1\r\n", "Call-ID");
    insert_hf("X-Top: 1\r\n");
    insert_hf("X-Before: 1\r\n", "CSeq");)");
    const std::string& out = got.text();
    std::string uac_via = "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(uac.port());
    ASSERT_NE(out.find("X-Top: 1\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("X-Top: 1\r\n" + uac_via), std::string::npos) << "on top of the received headers\n"
                                                                     << out;
    EXPECT_NE(out.find("Call-ID: text-1\r\nX-After: 1\r\nX-Before: 1\r\nCSeq: 1 INVITE"), std::string::npos)
        << out;
    EXPECT_NE(out.find("Content-Length: 10\r\nX-Proxied: You betcha\r\n\r\nv=0"), std::string::npos) << out;
}

TEST_F(modules_textops, empty_header_text_is_false) {
    auto got = relay(R"(    append_hf(""); xlog("L_INFO", "append_hf gave $rc\n");)");
    EXPECT_TRUE(logged("append_hf gave -1")) << proxy->log();
    auto header_lines = [](const std::string& text) {
        return count(text.substr(0, text.find("\r\n\r\n")), "\r\n");
    };
    EXPECT_EQ(header_lines(got.text()), header_lines(invite(uac)) + 1) << "only the proxy's Via was added\n"
                                                                       << got.text();
    EXPECT_EQ(got.body(), sdp);
}

TEST_F(modules_textops, remove_hf_and_is_present_hf) {
    auto got = relay(R"(
    is_present_hf("Subject"); $var(a) = $rc;
    is_present_hf("s"); $var(b) = $rc;
    remove_hf("Subject"); $var(c) = $rc;
    is_present_hf("Subject"); $var(d) = $rc;
    remove_hf("Subject"); $var(e) = $rc;
    remove_hf("X-Missing"); $var(f) = $rc;
    xlog("L_INFO", "rcs $var(a) $var(b) $var(c) $var(d) $var(e) $var(f)\n");)");
    // As in Kamailio (measured): the removal shows in what is sent, not to is_present_hf, and a second
    // remove_hf() finds the header again.
    EXPECT_TRUE(logged("rcs 1 1 1 1 1 -1")) << proxy->log();
    EXPECT_EQ(got.text().find("Subject"), std::string::npos) << got.text();
}

TEST_F(modules_textops, header_names_are_checked_when_the_config_is_read) {
    EXPECT_NE(fixup_error(R"(remove_hf("Subject:"))").find("not a header name"), std::string::npos);
    EXPECT_NE(fixup_error(R"(is_present_hf(" "))").find("empty"), std::string::npos);
    EXPECT_NE(fixup_error(R"(append_hf("X: 1", "To: x"))").find("not a header name"), std::string::npos);
}

TEST_F(modules_textops, search_is_case_insensitive_and_line_oriented) {
    relay(R"(
    search("^cseq: *1 invite"); $var(a) = $rc;
    search("REGISTER"); $var(b) = $rc;
    xlog("L_INFO", "search $var(a) $var(b)\n");)");
    EXPECT_TRUE(logged("search 1 -1")) << proxy->log();
}

TEST_F(modules_textops, bad_regex_is_a_config_error_with_a_reason) {
    std::string error = fixup_error(R"(search("a(b"))");
    EXPECT_NE(error.find("bad regular expression \"a(b\""), std::string::npos) << error;
    error = fixup_error(R"~(search("$var(x)"))~");
    EXPECT_NE(error.find("constant"), std::string::npos) << error;
}

TEST_F(modules_textops, search_append_inserts_after_the_match) {
    auto got = relay(R"(
    search_append("^Subject: [a-z]+", " world"); $var(a) = $rc;
    search_append("^X-None", "x"); $var(b) = $rc;
    xlog("L_INFO", "search_append $var(a) $var(b)\n");)");
    EXPECT_TRUE(logged("search_append 1 -1")) << proxy->log();
    EXPECT_NE(got.text().find("\r\nSubject: hello world\r\n"), std::string::npos) << got.text();
}

TEST_F(modules_textops, subst_replaces_with_groups) {
    auto got = relay(R"(    subst("/^(From: )\"Alice\"/\1\"Carol\"/");)");
    EXPECT_NE(got.text().find("\r\nFrom: \"Carol\" <sip:alice@example.com>;tag="), std::string::npos)
        << got.text();
}

TEST_F(modules_textops, subst_first_match_only) {
    auto got = relay(R"(    subst("/example\.com/example.org/");)");
    EXPECT_EQ(count(got.text(), "example.org"), 1u) << got.text();
    EXPECT_GE(count(got.text(), "example.com"), 2u) << got.text();
}

TEST_F(modules_textops, subst_global_replaces_every_match) {
    auto got = relay(R"(    subst("#example\.com#example.org#g");)");
    EXPECT_EQ(got.text().find("example.com"), std::string::npos) << got.text();
    EXPECT_NE(got.text().find("From: \"Alice\" <sip:alice@example.org>"), std::string::npos) << got.text();
}

TEST_F(modules_textops, subst_flags_and_escapes) {
    auto got = relay(R"(
    subst("/SUBJECT: HELLO/Subject: a\/b/i"); $var(a) = $rc;
    subst("/SUBJECT: HELLO/x/"); $var(b) = $rc;
    xlog("L_INFO", "subst $var(a) $var(b)\n");)");
    EXPECT_TRUE(logged("subst 1 -1")) << proxy->log();
    EXPECT_NE(got.text().find("\r\nSubject: a/b\r\n"), std::string::npos) << got.text();
}

TEST_F(modules_textops, overlapping_edit_is_refused) {
    relay(R"(
    subst("/Subject: hello/Subject: bye/"); $var(a) = $rc;
    subst("/hello/ciao/"); $var(b) = $rc;
    xlog("L_INFO", "overlap $var(a) $var(b)\n");)");
    EXPECT_TRUE(logged("overlap 1 -1")) << proxy->log();
}

TEST_F(modules_textops, malformed_subst_expressions) {
    EXPECT_NE(fixup_error(R"(subst("/a/b"))").find("no end to its replacement"), std::string::npos);
    EXPECT_NE(fixup_error(R"(subst("/abc"))").find("no end to its regex"), std::string::npos);
    EXPECT_NE(fixup_error(R"(subst("/a/b/x"))").find("unknown flag 'x'"), std::string::npos);
    EXPECT_NE(fixup_error(R"(subst("/a/\2/"))").find("refers to group 2"), std::string::npos);
    EXPECT_NE(fixup_error(R"(subst("//b/"))").find("empty regex"), std::string::npos);
    EXPECT_NE(fixup_error(R"(subst("/a(/b/"))").find("bad regular expression"), std::string::npos);
}

constexpr const char* has_body_checks = R"(
    has_body(); $var(a) = $rc;
    has_body("application/sdp"); $var(b) = $rc;
    has_body("text/plain"); $var(c) = $rc;
    xlog("L_INFO", "has_body $rm $var(a) $var(b) $var(c)\n");)";

TEST_F(modules_textops, has_body_and_its_type) {
    relay(has_body_checks);
    EXPECT_TRUE(logged("has_body INVITE 1 1 -1")) << proxy->log();
    EXPECT_NE(fixup_error(R"(has_body("sdp"))").find("type/subtype"), std::string::npos);
}

TEST_F(modules_textops, has_body_without_a_body) {
    relay(has_body_checks, kit::request("BYE", "sip:bob@127.0.0.1", uac));
    EXPECT_TRUE(logged("has_body BYE -1 -1 -1")) << proxy->log();
}

TEST_F(modules_textops, has_body_finds_a_part_of_a_multipart_body) {
    kit::request_options options;
    options.extra_headers = "Content-Type: multipart/mixed;boundary=xx\r\n";
    options.body = "--xx\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--xx\r\n"
                   "Content-Type: application/isup\r\n\r\nabc\r\n--xx--\r\n";
    relay(R"(
    has_body("application/sdp"); $var(a) = $rc;
    has_body("application/isup"); $var(b) = $rc;
    has_body("application/pidf+xml"); $var(c) = $rc;
    xlog("L_INFO", "multipart $var(a) $var(b) $var(c)\n");)",
          kit::request("INVITE", "sip:bob@127.0.0.1", uac, options));
    EXPECT_TRUE(logged("multipart 1 1 -1")) << proxy->log();
}

TEST_F(modules_textops, string_tests_take_pseudo_variables) {
    relay(R"~(
    $var(list) = "bob,alice"; $var(re) = "^sip:[a-z]+@"; $var(bad) = "a(";
    cmp_str("$rm", "INVITE"); $var(a) = $rc;
    cmp_istr("$fU", "ALICE"); $var(b) = $rc;
    starts_with("$ru", "sip:$rU"); $var(c) = $rc;
    ends_with("$rd", ".com"); $var(d) = $rc;
    str_find("$fu", "@"); $var(e) = $rc;
    str_ifind("$hdr(Subject)", "LL"); $var(f) = $rc;
    in_list("$fU", "$var(list)", ","); $var(g) = $rc;
    in_list_prefix("$rU", "x,bo", ","); $var(h) = $rc;
    search_str("$ru", "$var(re)"); $var(i) = $rc;
    search_str("$ru", "$var(bad)"); $var(j) = $rc;
    xlog("L_INFO", "strings $var(a) $var(b) $var(c) $var(d) $var(e) $var(f) $var(g) $var(h) $var(i) $var(j)\n");)~");
    EXPECT_TRUE(logged("strings 1 1 1 1 10 3 1 1 1 -2")) << proxy->log();
    EXPECT_TRUE(logged("search_str: bad regular expression \"a(\"")) << proxy->log();
}

TEST_F(modules_textops, in_list_refuses_an_empty_subject_with_an_error) {
    relay(R"~(
    $var(e) = ""; in_list("$var(e)", "a,b", ","); $var(a) = $rc;
    in_list_prefix("", "a,b", ","); $var(b) = $rc;
    xlog("L_INFO", "empty subject $var(a) $var(b)\n");)~");
    EXPECT_TRUE(logged("empty subject -1 -1")) << proxy->log();
    EXPECT_TRUE(logged("in_list: the subject is an empty string")) << proxy->log();
}

TEST_F(modules_textops, search_str_edge_codes) {
    relay(R"~(
    $var(empty) = "";
    search_str("abc", "B"); $var(a) = $rc;
    search_str("abc", "x"); $var(b) = $rc;
    search_str("abc", "$var(empty)"); $var(c) = $rc;
    search_str("$var(empty)", "x"); $var(d) = $rc;
    search_str("abc", "a("); $var(e) = $rc;
    xlog("L_INFO", "search_str $var(a) $var(b) $var(c) $var(d) $var(e)\n");)~");
    EXPECT_TRUE(logged("search_str 1 -1 2 -2 -2")) << proxy->log();
}

TEST_F(modules_textops, in_list_separator_is_one_constant_character) {
    EXPECT_NE(fixup_error(R"(in_list("a", "a,b", ",;"))").find("one constant character"), std::string::npos);
    EXPECT_NE(fixup_error(R"~(in_list_prefix("a", "a,b", "$var(s)"))~").find("one constant character"),
              std::string::npos);
    EXPECT_EQ(fixup_error(R"~(in_list("$rU", "$var(l)", ";"))~"), "");
}

TEST_F(modules_textops, string_tests_run_in_every_route_type) {
    EXPECT_EQ(kit::host::check("loadmodule \"textops\"\nrequest_route { drop; }\n"
                               "onsend_route { if (cmp_str(\"$rm\", \"INVITE\")) { drop; } }\n"
                               "branch_route[B] { starts_with(\"$ru\", \"sip:\"); }\n"
                               "onreply_route { search_str(\"$rs\", \"^2\"); }\n")
                  .exit_status,
              0);
}

/// The INVITE with more headers to match names against: X-Case, two X-Text lines, x-lower.
std::string invite_with_x_headers(const kit::peer& uac) {
    std::string text = invite(uac);
    text.insert(text.find("Subject:"),
                "X-Case: first\r\nX-Num: 42\r\nX-Text: Hello World\r\nX-Text: second line\r\nx-lower: 1\r\n");
    return text;
}

TEST_F(modules_textops, is_present_hf_re_matches_names_in_any_case) {
    relay(R"~(
    is_present_hf_re("^X-"); $var(a) = $rc;
    is_present_hf_re("^Y-"); $var(b) = $rc;
    is_present_hf_re("^x-case$"); $var(c) = $rc;
    is_present_hf_re("first"); $var(d) = $rc;
    xlog("L_INFO", "is_present_hf_re $var(a) $var(b) $var(c) $var(d)\n");)~",
          invite_with_x_headers(uac));
    // Measured on Kamailio 5.6.3: the name only, case-insensitive.
    EXPECT_TRUE(logged("is_present_hf_re 1 -1 1 -1")) << proxy->log();
}

TEST_F(modules_textops, remove_hf_re_and_remove_hf_exp) {
    auto got = relay(R"~(
    remove_hf_exp("^X-", "^X-Num"); $var(a) = $rc;
    remove_hf_exp("^X-Num", "^X-"); $var(b) = $rc;
    remove_hf_re("^sub"); $var(c) = $rc;
    remove_hf_re("^Nope"); $var(d) = $rc;
    remove_hf_re("^X-Case"); $var(e) = $rc;
    xlog("L_INFO", "removed $var(a) $var(b) $var(c) $var(d) $var(e)\n");)~",
                     invite_with_x_headers(uac));
    // As Kamailio: a removed header is found and "removed" again (e is 1).
    EXPECT_TRUE(logged("removed 1 -1 1 -1 1")) << proxy->log();
    const std::string& out = got.text();
    EXPECT_NE(out.find("\r\nX-Num: 42\r\n"), std::string::npos) << out;
    for (const char* gone : {"X-Case", "X-Text", "x-lower", "Subject"})
        EXPECT_EQ(out.find(gone), std::string::npos) << gone << "\n" << out;
}

TEST_F(modules_textops, remove_hf_re_counts_compact_and_full_names_as_one_header) {
    std::string text = invite(uac);
    text.insert(text.find("Subject:"), "s: compact\r\n");
    auto got = relay(R"(    remove_hf_re("^s$");)", text);
    EXPECT_EQ(got.text().find("s: compact"), std::string::npos) << got.text();
    EXPECT_NE(got.text().find("Subject: hello"), std::string::npos) << "only the line named s\n"
                                                                    << got.text();
}

TEST_F(modules_textops, search_hf_on_every_first_or_last_line) {
    relay(R"~(
    search_hf("X-Text", "world", "a"); $var(a) = $rc;
    search_hf("X-Text", "second", "f"); $var(b) = $rc;
    search_hf("X-Text", "second", "l"); $var(c) = $rc;
    search_hf("X-Text", "^Hello", "f"); $var(d) = $rc;
    search_hf("X-Text", "X-Text", "a"); $var(e) = $rc;
    search_hf("X-None", ".", "a"); $var(f) = $rc;
    search_hf("x-text", "World$", "a"); $var(g) = $rc;
    search_hf("X-Text", "Hello", "l"); $var(h) = $rc;
    xlog("L_INFO", "search_hf $var(a) $var(b) $var(c) $var(d) $var(e) $var(f) $var(g) $var(h)\n");)~",
          invite_with_x_headers(uac));
    EXPECT_TRUE(logged("search_hf 1 -1 1 1 -1 -1 1 -1")) << proxy->log();
}

TEST_F(modules_textops, header_regex_arguments_are_checked_when_the_config_is_read) {
    EXPECT_NE(fixup_error(R"(remove_hf_re("a("))").find("bad regular expression"), std::string::npos);
    EXPECT_NE(fixup_error(R"~(is_present_hf_re("^$var(x)"))~").find("constant"), std::string::npos);
    EXPECT_NE(fixup_error(R"(remove_hf_exp("^X-", "b("))").find("bad regular expression"), std::string::npos);
    EXPECT_NE(fixup_error(R"(search_hf("From", "a", "x"))").find("flags"), std::string::npos);
    EXPECT_NE(fixup_error(R"~(search_hf("$var(h)", "a", "a"))~").find("constant"), std::string::npos);
    EXPECT_NE(fixup_error(R"(search_hf("From:", "a", "a"))").find("not a header name"), std::string::npos);
}

TEST_F(modules_textops, append_urihf_adds_the_received_request_uri) {
    auto got = relay(R"(
    append_urihf("X-Uri: <", ">\r\n");
    $ru = "sip:carol@example.net";
    append_urihf("CC-Diversion: ", "\r\n");)");
    EXPECT_NE(got.text().find("\r\nX-Uri: <sip:bob@example.com>\r\nCC-Diversion: sip:bob@example.com\r\n"),
              std::string::npos)
        << got.text();
    EXPECT_NE(fixup_error(R"~(append_urihf("X-U: $rm", "\r\n"))~").find("as written"), std::string::npos);
}

TEST_F(modules_textops, append_to_reply_and_append_time_go_into_the_reply) {
    proxy.emplace("debug=2\nloadmodule \"sl\"\nloadmodule \"xlog\"\nloadmodule \"textops\"\nrequest_route {\n"
                  "    append_to_reply(\"X-Reply: $rm\\r\\n\"); $var(a) = $rc;\n"
                  "    append_to_reply(\"X-Two: 2\"); $var(b) = $rc;\n"
                  "    $var(e) = \"\"; append_to_reply(\"$var(e)\"); $var(c) = $rc;\n"
                  "    append_time(); $var(d) = $rc;\n"
                  "    xlog(\"L_INFO\", \"reply lines $var(a) $var(b) $var(c) $var(d)\\n\");\n"
                  "    sl_send_reply(\"200\", \"OK\");\n}\n");
    uac.send(invite(uac), proxy->port());
    auto reply = uac.receive();
    ASSERT_TRUE(reply) << proxy->log();
    EXPECT_TRUE(logged("reply lines 1 1 -1 1")) << proxy->log();
    const std::string& text = reply->text();
    size_t at = text.find("\r\nX-Reply: INVITE\r\nX-Two: 2\r\nDate: ");
    ASSERT_NE(at, std::string::npos) << text;
    // "Date: Wed, 02 Dec 2026 12:36:12 GMT" (RFC 3261's SIP-date, English names, GMT).
    std::string date = text.substr(at + 35, text.find("\r\n", at + 35) - at - 35);
    EXPECT_EQ(date.size(), 29u) << date;
    EXPECT_EQ(date.substr(3, 2), ", ") << date;
    EXPECT_EQ(date.substr(date.size() - 4), " GMT") << date;
    EXPECT_NE(fixup_error(R"(append_to_reply(""))").find("empty"), std::string::npos);
}

TEST_F(modules_textops, reply_lines_are_refused_in_reply_routes) {
    auto result = kit::host::check("loadmodule \"textops\"\nrequest_route { drop; }\n"
                                   "onreply_route { append_time(); }\n");
    EXPECT_NE(result.exit_status, 0);
    EXPECT_NE(result.output.find("cannot be used in"), std::string::npos) << result.output;
}

/// An INVITE with a longer SDP body, to edit.
std::string invite_with_sdp(const kit::peer& uac) {
    kit::request_options options;
    options.call_id = "text-sdp";
    options.extra_headers = "Subject: hi\r\nContent-Type: application/sdp\r\n";
    options.body =
        "v=0\r\no=alice 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n";
    return kit::request("INVITE", "sip:bob@example.com;x=1", uac, options);
}

TEST_F(modules_textops, body_search_and_replace) {
    // The same script and message as measured on Kamailio 5.6.3, with the same codes and the same body out.
    auto got = relay(R"~(
    search_body("^c=IN IP4"); $var(a) = $rc;
    search_body("Subject"); $var(b) = $rc;
    search_body("ALICE"); $var(c) = $rc;
    replace("10\.0\.0\.1", "192.0.2.1"); $var(d) = $rc;
    replace_all("IN IP4", "IN  IP4"); $var(e) = $rc;
    replace("nomatch", "x"); $var(f) = $rc;
    replace_body("RTP/AVP", "RTP/SAVP"); $var(g) = $rc;
    replace_body_all("nomatch", "x"); $var(h) = $rc;
    subst_body("/^s=(.*)$/s=session\1/"); $var(i) = $rc;
    xlog("L_INFO", "body $var(a) $var(b) $var(c) $var(d) $var(e) $var(f) $var(g) $var(h) $var(i)\n");)~",
                     invite_with_sdp(uac));
    EXPECT_TRUE(logged("body 1 -1 1 1 1 -1 1 -1 1")) << proxy->log();
    EXPECT_EQ(got.body(), "v=0\r\no=alice 1 1 IN  IP4 192.0.2.1\r\ns=session-\r\nc=IN  IP4 10.0.0.1\r\n"
                          "m=audio 4000 RTP/SAVP 0\r\n")
        << got.text();
    EXPECT_NE(got.text().find("Content-Length: 93\r\n"), std::string::npos) << got.text();
}

TEST_F(modules_textops, replace_in_the_headers_only_when_the_body_has_no_match) {
    auto got = relay(R"~(
    replace_body("^Subject", "x"); $var(a) = $rc;
    replace_all("^Subject: hi", "Subject: bye"); $var(b) = $rc;
    xlog("L_INFO", "replace $var(a) $var(b)\n");)~",
                     invite_with_sdp(uac));
    EXPECT_TRUE(logged("replace -1 1")) << proxy->log();
    EXPECT_NE(got.text().find("\r\nSubject: bye\r\n"), std::string::npos) << got.text();
}

TEST_F(modules_textops, body_functions_without_a_body) {
    relay(R"~(
    search_body("."); $var(a) = $rc;
    replace_body(".", "x"); $var(b) = $rc;
    subst_body("/./x/"); $var(c) = $rc;
    xlog("L_INFO", "no body $var(a) $var(b) $var(c)\n");)~",
          kit::request("BYE", "sip:bob@127.0.0.1", uac));
    EXPECT_TRUE(logged("no body -1 -1 -1")) << proxy->log();
}

TEST_F(modules_textops, replace_text_is_taken_as_written) {
    EXPECT_NE(fixup_error(R"~(replace("^Subject: hi", "Subject: $rm"))~").find("as written"),
              std::string::npos);
    EXPECT_NE(fixup_error(R"(replace_body_all("a(", "b"))").find("bad regular expression"),
              std::string::npos);
    EXPECT_NE(fixup_error(R"(subst_uri("/a/b"))").find("no end to its replacement"), std::string::npos);
}

TEST_F(modules_textops, subst_uri_and_subst_user_change_the_request_uri) {
    auto got = relay(R"~(
    subst_uri("/^sip:bob@example\.com(.*)$/sip:carol@example.net\1/"); $var(a) = $rc;
    xlog("L_INFO", "ru $ru\n");
    subst_user("/carol/dave/"); $var(b) = $rc;
    subst_uri("/nomatch/x/"); $var(c) = $rc;
    subst_user("/nomatch/x/"); $var(d) = $rc;
    subst_user("/^(.*)$/+49\1/i"); $var(e) = $rc;
    xlog("L_INFO", "subst_uri $var(a) $var(b) $var(c) $var(d) $var(e) $ru $rU\n");)~",
                     invite_with_sdp(uac));
    EXPECT_TRUE(logged("ru sip:carol@example.net;x=1")) << proxy->log();
    EXPECT_TRUE(logged("subst_uri 1 1 -1 -1 1 sip:+49dave@example.net;x=1 +49dave")) << proxy->log();
    EXPECT_EQ(got.text().rfind("INVITE sip:+49dave@example.net;x=1 SIP/2.0\r\n", 0), 0u) << got.text();
}

TEST_F(modules_textops, subst_user_keeps_a_password_and_refuses_an_empty_match) {
    relay(R"~(
    $ru = "sip:example.com;x=1"; subst_user("/^$/alice/"); xlog("L_INFO", "no user $rc $ru\n");
    $ru = "sip:bob:secret@example.com"; subst_user("/bob/carol/"); xlog("L_INFO", "password $rc $ru\n");
    $ru = "sip:bob@example.com"; subst_user("/bob//"); xlog("L_INFO", "emptied $rc $ru\n");)~");
    // As Kamailio 5.6.3: an empty match is refused, with an error line.
    EXPECT_TRUE(logged("no user -1 sip:example.com;x=1")) << proxy->log();
    EXPECT_TRUE(logged("matched an empty string")) << proxy->log();
    EXPECT_TRUE(logged("password 1 sip:carol:secret@example.com")) << proxy->log();
    EXPECT_TRUE(logged("emptied 1 sip:example.com")) << proxy->log();
}

TEST_F(modules_textops, subst_uri_is_refused_in_onsend_route) {
    auto result = kit::host::check("loadmodule \"textops\"\nrequest_route { drop; }\n"
                                   "onsend_route { subst_uri(\"/a/b/\"); }\n");
    EXPECT_NE(result.exit_status, 0);
    EXPECT_NE(result.output.find("cannot be used in"), std::string::npos) << result.output;
}

TEST_F(modules_textops, set_body_replaces_the_body_and_its_type) {
    auto got = relay(R"~(
    set_body("hello $rm", "text/plain"); $var(a) = $rc;
    set_body("again", "text/x"); $var(b) = $rc;
    $var(e) = ""; set_body("$var(e)", "text/plain"); $var(c) = $rc;
    xlog("L_INFO", "set_body $var(a) $var(b) $var(c)\n");)~");
    // The second call is refused here (Kamailio adds a second Content-Type line and the second body).
    EXPECT_TRUE(logged("set_body 1 -1 -1")) << proxy->log();
    EXPECT_EQ(got.body(), "hello INVITE");
    EXPECT_NE(got.text().find("Content-Length: 12\r\n"), std::string::npos) << got.text();
    EXPECT_NE(got.text().find("\r\nContent-Type: text/plain\r\n\r\nhello INVITE"), std::string::npos)
        << got.text();
    EXPECT_EQ(got.text().find("application/sdp"), std::string::npos) << got.text();
}

TEST_F(modules_textops, set_body_gives_a_bodiless_request_a_body) {
    auto got = relay(R"(    set_body("new body\r\n", "application/x-$rm");)",
                     kit::request("BYE", "sip:bob@127.0.0.1", uac));
    EXPECT_EQ(got.body(), "new body\r\n");
    EXPECT_NE(got.text().find("Content-Length: 10\r\n"), std::string::npos) << got.text();
    EXPECT_NE(got.text().find("\r\nContent-Type: application/x-BYE\r\n\r\n"), std::string::npos)
        << got.text();
}

TEST_F(modules_textops, get_body_part_reads_a_part_as_kamailio_cuts_it) {
    kit::request_options options;
    options.extra_headers = "Content-Type: multipart/mixed;boundary=\"xx\"\r\n";
    options.body = "--xx\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--xx\r\n"
                   "Content-Disposition: signal\r\nContent-Type: application/ISUP\r\n\r\nabc\r\n--xx--\r\n";
    relay(R"~(
    get_body_part("application/sdp", "$var(sdp)"); $var(a) = $rc;
    get_body_part("application/isup", "$var(isup)"); $var(b) = $rc;
    get_body_part("text/plain", "$var(none)"); $var(c) = $rc;
    xlog("L_INFO", "parts $var(a) $var(b) $var(c) $(var(sdp){s.len}) $(var(isup){s.len}) $var(none)\n");)~",
          kit::request("INVITE", "sip:bob@127.0.0.1", uac, options));
    // From after the part's Content-Type line to the next delimiter: "\r\nv=0\r\n\r\n" and "\r\nabc\r\n".
    EXPECT_TRUE(logged("parts 1 1 -1 9 7 0")) << proxy->log();
}

TEST_F(modules_textops, get_body_part_of_a_single_body_is_the_whole_body) {
    relay(R"~(
    get_body_part("text/plain", "$var(all)"); $var(a) = $rc;
    xlog("L_INFO", "whole $var(a) $(var(all){s.len})\n");)~");
    // Measured on Kamailio 5.6.3: whatever the type asked for.
    EXPECT_TRUE(logged("whole 1 10")) << proxy->log();
    EXPECT_NE(fixup_error(R"(get_body_part("application/sdp", "x"))").find("must be a pseudo-variable"),
              std::string::npos);
}

} // namespace
