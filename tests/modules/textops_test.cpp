// textops.so through the fake host: is_method, header adds and removals, regex search, search_append, subst
// and has_body, and the config errors their fixups give.
#include "fake_host.hpp"

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

constexpr const char* invite_text = "INVITE sip:bob@example.com SIP/2.0\n"
                                    "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-1\n"
                                    "From: \"Alice\" <sip:alice@example.com>;tag=a1\n"
                                    "To: <sip:bob@example.com>\n"
                                    "Call-ID: text-1\n"
                                    "CSeq: 1 INVITE\n"
                                    "Subject: hello\n"
                                    "Content-Type: application/sdp\n"
                                    "Content-Length: 8\n"
                                    "\n"
                                    "v=0\r\no=a\r\n";

class modules_textops : public ::testing::Test {
protected:
    void SetUp() override {
        std::string error;
        ASSERT_EQ(textops.init(host, &error), 0) << error;
        invite = host.parse(invite_text);
    }

    std::string fixup_error(std::string_view name, std::vector<test_arg> args) {
        try {
            call_site site(textops, name, std::move(args));
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    }

    fake_host host;
    loaded_module textops{"textops"};
    std::unique_ptr<siphost_msg> invite;
};

TEST_F(modules_textops, is_method_matches_any_listed_method) {
    call_site invite_or_bye(textops, "is_method", {arg("INVITE|BYE")});
    call_site register_only(textops, "is_method", {arg("REGISTER")});
    call_site lower(textops, "is_method", {arg("ack | invite")});
    EXPECT_EQ(invite_or_bye.run(invite.get()), 1);
    EXPECT_EQ(register_only.run(invite.get()), -1);
    EXPECT_EQ(lower.run(invite.get()), 1);
}

TEST_F(modules_textops, is_method_on_a_reply_uses_the_cseq_method) {
    auto reply = host.parse("SIP/2.0 180 Ringing\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKx\n"
                            "From: <sip:a@b>;tag=1\nTo: <sip:c@d>;tag=2\nCall-ID: c\nCSeq: 7 INVITE\n\n");
    call_site site(textops, "is_method", {arg("INVITE")});
    EXPECT_EQ(site.run(reply.get()), 1);
}

TEST_F(modules_textops, is_method_list_from_a_variable_is_split_at_run_time) {
    call_site site(textops, "is_method", {arg("", false)});
    EXPECT_EQ(site.run(invite.get(), {arg("BYE|INVITE")}), 1);
    EXPECT_EQ(site.run(invite.get(), {arg("BYE|CANCEL")}), -1);
}

TEST_F(modules_textops, is_method_refuses_an_empty_name) {
    EXPECT_NE(fixup_error("is_method", {arg("INVITE||BYE")}).find("empty method name"), std::string::npos);
}

TEST_F(modules_textops, append_and_insert_place_header_lines) {
    call_site append(textops, "append_hf", {arg("X-Proxied: You betcha\r\n")});
    call_site append_after(textops, "append_hf", {arg("X-After: 1\r\n"), arg("Call-ID")});
    call_site insert(textops, "insert_hf", {arg("X-Top: 1\r\n")});
    call_site insert_before(textops, "insert_hf", {arg("X-Before: 1\r\n"), arg("CSeq")});
    EXPECT_EQ(append.run(invite.get()), 1);
    EXPECT_EQ(append_after.run(invite.get()), 1);
    EXPECT_EQ(insert.run(invite.get()), 1);
    EXPECT_EQ(insert_before.run(invite.get()), 1);
    std::string out = host.render(*invite);
    EXPECT_NE(out.find("SIP/2.0\r\nX-Top: 1\r\nVia:"), std::string::npos) << out;
    EXPECT_NE(out.find("Call-ID: text-1\r\nX-After: 1\r\nX-Before: 1\r\nCSeq: 1 INVITE"), std::string::npos)
        << out;
    EXPECT_NE(out.find("Content-Length: 8\r\nX-Proxied: You betcha\r\n\r\nv=0"), std::string::npos) << out;
}

TEST_F(modules_textops, empty_header_text_is_false) {
    call_site append(textops, "append_hf", {arg("")});
    EXPECT_EQ(append.run(invite.get()), -1);
    EXPECT_TRUE(invite->added.empty());
}

TEST_F(modules_textops, remove_hf_and_is_present_hf) {
    call_site present(textops, "is_present_hf", {arg("Subject")});
    call_site compact_present(textops, "is_present_hf", {arg("s")});
    call_site remove(textops, "remove_hf", {arg("Subject")});
    call_site remove_missing(textops, "remove_hf", {arg("X-Missing")});
    EXPECT_EQ(present.run(invite.get()), 1);
    EXPECT_EQ(compact_present.run(invite.get()), 1);
    EXPECT_EQ(remove.run(invite.get()), 1);
    EXPECT_EQ(present.run(invite.get()), -1);
    EXPECT_EQ(remove.run(invite.get()), -1);
    EXPECT_EQ(remove_missing.run(invite.get()), -1);
    EXPECT_EQ(host.render(*invite).find("Subject"), std::string::npos);
}

TEST_F(modules_textops, header_names_are_checked_when_the_config_is_read) {
    EXPECT_NE(fixup_error("remove_hf", {arg("Subject:")}).find("not a header name"), std::string::npos);
    EXPECT_NE(fixup_error("is_present_hf", {arg(" ")}).find("empty"), std::string::npos);
    EXPECT_NE(fixup_error("append_hf", {arg("X: 1"), arg("To: x")}).find("not a header name"),
              std::string::npos);
}

TEST_F(modules_textops, search_is_case_insensitive_and_line_oriented) {
    call_site cseq(textops, "search", {arg("^cseq: *1 invite")});
    call_site missing(textops, "search", {arg("REGISTER")});
    EXPECT_EQ(cseq.run(invite.get()), 1);
    EXPECT_EQ(missing.run(invite.get()), -1);
}

TEST_F(modules_textops, bad_regex_is_a_config_error_with_a_reason) {
    std::string error = fixup_error("search", {arg("a(b")});
    EXPECT_NE(error.find("bad regular expression \"a(b\""), std::string::npos) << error;
    EXPECT_NE(fixup_error("search", {arg("x", false)}).find("constant"), std::string::npos);
}

TEST_F(modules_textops, search_append_inserts_after_the_match) {
    call_site site(textops, "search_append", {arg("^Subject: [a-z]+"), arg(" world")});
    EXPECT_EQ(site.run(invite.get()), 1);
    EXPECT_NE(host.render(*invite).find("\r\nSubject: hello world\r\n"), std::string::npos);
    call_site none(textops, "search_append", {arg("^X-None"), arg("x")});
    EXPECT_EQ(none.run(invite.get()), -1);
}

TEST_F(modules_textops, subst_replaces_with_groups) {
    call_site site(textops, "subst", {arg("/^(From: )\"Alice\"/\\1\"Carol\"/")});
    EXPECT_EQ(site.run(invite.get()), 1);
    EXPECT_NE(host.render(*invite).find("\r\nFrom: \"Carol\" <sip:alice@example.com>;tag=a1\r\n"),
              std::string::npos);
}

TEST_F(modules_textops, subst_first_match_only_unless_global) {
    call_site first(textops, "subst", {arg("/example\\.com/example.org/")});
    EXPECT_EQ(first.run(invite.get()), 1);
    EXPECT_EQ(invite->replacements.size(), 1u);

    auto other = host.parse(invite_text);
    call_site global(textops, "subst", {arg("#example\\.com#example.org#g")});
    EXPECT_EQ(global.run(other.get()), 1);
    std::string out = host.render(*other);
    EXPECT_EQ(out.find("example.com"), std::string::npos) << out;
    EXPECT_NE(out.find("From: \"Alice\" <sip:alice@example.org>"), std::string::npos) << out;
}

TEST_F(modules_textops, subst_flags_and_escapes) {
    call_site ignore_case(textops, "subst", {arg("/SUBJECT: HELLO/Subject: a\\/b/i")});
    EXPECT_EQ(ignore_case.run(invite.get()), 1);
    EXPECT_NE(host.render(*invite).find("\r\nSubject: a/b\r\n"), std::string::npos);
    call_site no_match(textops, "subst", {arg("/SUBJECT: HELLO/x/")});
    auto fresh = host.parse(invite_text);
    EXPECT_EQ(no_match.run(fresh.get()), -1);
}

TEST_F(modules_textops, overlapping_edit_is_refused) {
    call_site first(textops, "subst", {arg("/Subject: hello/Subject: bye/")});
    call_site second(textops, "subst", {arg("/hello/ciao/")});
    EXPECT_EQ(first.run(invite.get()), 1);
    EXPECT_EQ(second.run(invite.get()), -1);
}

TEST_F(modules_textops, malformed_subst_expressions) {
    EXPECT_NE(fixup_error("subst", {arg("/a/b")}).find("no end to its replacement"), std::string::npos);
    EXPECT_NE(fixup_error("subst", {arg("/abc")}).find("no end to its regex"), std::string::npos);
    EXPECT_NE(fixup_error("subst", {arg("/a/b/x")}).find("unknown flag 'x'"), std::string::npos);
    EXPECT_NE(fixup_error("subst", {arg("/a/\\2/")}).find("refers to group 2"), std::string::npos);
    EXPECT_NE(fixup_error("subst", {arg("//b/")}).find("empty regex"), std::string::npos);
    EXPECT_NE(fixup_error("subst", {arg("/a(/b/")}).find("bad regular expression"), std::string::npos);
}

TEST_F(modules_textops, has_body_and_its_type) {
    call_site any(textops, "has_body", {});
    call_site sdp(textops, "has_body", {arg("application/sdp")});
    call_site text(textops, "has_body", {arg("text/plain")});
    EXPECT_EQ(any.run(invite.get()), 1);
    EXPECT_EQ(sdp.run(invite.get()), 1);
    EXPECT_EQ(text.run(invite.get()), -1);
    auto bye = host.parse("BYE sip:b@c SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\nFrom: <sip:a@b>;tag=1\n"
                          "To: <sip:c@d>;tag=2\nCall-ID: c\nCSeq: 2 BYE\nContent-Length: 0\n\n");
    EXPECT_EQ(any.run(bye.get()), -1);
    EXPECT_EQ(sdp.run(bye.get()), -1);
    EXPECT_NE(fixup_error("has_body", {arg("sdp")}).find("type/subtype"), std::string::npos);
}

TEST_F(modules_textops, has_body_finds_a_part_of_a_multipart_body) {
    auto multipart =
        host.parse("INVITE sip:b@c SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\nFrom: <sip:a@b>;tag=1\n"
                   "To: <sip:c@d>\nCall-ID: c\nCSeq: 1 INVITE\n"
                   "Content-Type: multipart/mixed;boundary=xx\n\n"
                   "--xx\nContent-Type: application/sdp\n\nv=0\n--xx\n"
                   "Content-Type: application/isup\n\nabc\n--xx--\n");
    call_site sdp(textops, "has_body", {arg("application/sdp")});
    call_site isup(textops, "has_body", {arg("application/isup")});
    call_site pidf(textops, "has_body", {arg("application/pidf+xml")});
    EXPECT_EQ(sdp.run(multipart.get()), 1);
    EXPECT_EQ(isup.run(multipart.get()), 1);
    EXPECT_EQ(pidf.run(multipart.get()), -1);
}

} // namespace
} // namespace siphost::tests
