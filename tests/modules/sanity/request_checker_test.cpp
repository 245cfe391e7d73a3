// sanity's checks on request views, with the host's own SIP toolkit: every check bit, including what the
// host's parser refuses before a script runs (a wrong version, missing or duplicated headers), which the
// wire tests (sanity_test.cpp) therefore cannot reach.
#include "request_checker.hpp"

#include "abi/sip_table.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace sanity = siphost::modules::sanity;
using sanity::request_view;

namespace {

request_view valid_request() {
    request_view r;
    r.method = "OPTIONS";
    r.version = "SIP/2.0";
    r.ruri = "sip:bob@127.0.0.1";
    r.headers = {
        {"Via", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1"},
        {"From", "<sip:alice@127.0.0.1>;tag=a1"},
        {"To", "<sip:bob@127.0.0.1>"},
        {"Call-ID", "c1@127.0.0.1"},
        {"CSeq", "1 OPTIONS"},
        {"Content-Length", "0"},
    };
    r.via1_parsed = true;
    r.via1_host = "127.0.0.1";
    return r;
}

void set_header(request_view& r, std::string_view name, std::string_view value) {
    for (auto& h : r.headers)
        if (h.name == name) {
            h.value = value;
            return;
        }
    r.headers.push_back({name, value});
}

void remove_header(request_view& r, std::string_view name) {
    std::erase_if(r.headers, [&](const sanity::header_line& h) { return h.name == name; });
}

sanity::check_outcome run(const request_view& r, uint32_t checks, uint32_t uris = 15,
                          std::vector<std::string> extensions = {"foo", "bar"}) {
    sanity::request_checker checker(siphost::abi::sip_table(), std::move(extensions));
    return checker.check(r, checks, uris);
}

struct failing_case {
    const char* name;
    uint32_t checks;
    uint32_t uris;
    std::function<void(request_view&)> change;
    uint32_t failed;
    int code;
    const char* reason;
};

/// Names the case in test output (gtest would print its bytes).
void PrintTo(const failing_case& c, std::ostream* os) {
    *os << c.name;
}

class every_check : public testing::TestWithParam<failing_case> {};

TEST_P(every_check, fails_with_kamailios_reply_and_passes_when_valid) {
    const failing_case& c = GetParam();
    EXPECT_EQ(run(valid_request(), c.checks, c.uris).failed, 0u) << "a valid request must pass";
    request_view bad = valid_request();
    c.change(bad);
    sanity::check_outcome out = run(bad, c.checks, c.uris);
    EXPECT_EQ(out.failed, c.failed);
    EXPECT_EQ(out.code, c.code);
    EXPECT_EQ(out.reason, c.reason);
    EXPECT_FALSE(out.detail.empty());
}

const std::string long_body = "hello";

INSTANTIATE_TEST_SUITE_P(
    sanity, every_check,
    testing::Values(
        failing_case{"version_3", 1, 7, [](request_view& r) { r.version = "SIP/3.0"; }, 1, 505,
                     "Version Not Supported (R-URI)"},
        failing_case{"scheme_http", 2, 7, [](request_view& r) { r.ruri = "http://example.com/"; }, 2, 416,
                     "Unsupported URI Scheme in Request URI"},
        failing_case{"scheme_malformed", 2, 7, [](request_view& r) { r.ruri = "sip:bob@"; }, 2, 400,
                     "Bad Request URI"},
        failing_case{"no_from", 4, 7, [](request_view& r) { remove_header(r, "From"); }, 4, 0, ""},
        failing_case{"no_to", 4, 7, [](request_view& r) { remove_header(r, "To"); }, 4, 0, ""},
        failing_case{"no_call_id", 4, 7, [](request_view& r) { remove_header(r, "Call-ID"); }, 4, 0, ""},
        failing_case{"no_cseq", 4, 7, [](request_view& r) { remove_header(r, "CSeq"); }, 4, 0, ""},
        failing_case{"no_via", 4, 7, [](request_view& r) { remove_header(r, "Via"); }, 4, 0, ""},
        failing_case{"two_call_ids", 4, 7, [](request_view& r) { r.headers.push_back({"i", "other"}); }, 4, 0,
                     ""},
        failing_case{"via1_without_host", 16384, 7,
                     [](request_view& r) {
                         r.via1_parsed = true;
                         r.via1_host = "";
                     },
                     16384, 0, ""},
        failing_case{"via1_unparsed", 16384, 7, [](request_view& r) { r.via1_parsed = false; }, 16384, 0, ""},
        failing_case{"cseq_other_method", 32, 7, [](request_view& r) { set_header(r, "CSeq", "1 INVITE"); }, 32,
                     400, "CSeq method does not match request method"},
        failing_case{"cseq_method_case", 32, 7, [](request_view& r) { set_header(r, "CSeq", "1 options"); }, 32,
                     400, "CSeq method does not match request method"},
        failing_case{"cseq_no_method", 32, 7, [](request_view& r) { set_header(r, "CSeq", "1"); }, 32, 400,
                     "Missing method in CSeq header"},
        failing_case{"cseq_letters", 64, 7, [](request_view& r) { set_header(r, "CSeq", "abc OPTIONS"); }, 64,
                     400, "CSeq number is illegal"},
        failing_case{"cseq_negative", 64, 7, [](request_view& r) { set_header(r, "CSeq", "-1 OPTIONS"); }, 64,
                     400, "CSeq number is illegal"},
        failing_case{"cseq_over_32_bits", 64, 7,
                     [](request_view& r) { set_header(r, "CSeq", "4294967296 OPTIONS"); }, 64, 400,
                     "CSeq number is illegal"},
        failing_case{"cseq_empty", 64, 7, [](request_view& r) { set_header(r, "CSeq", ""); }, 64, 400,
                     "Missing number in CSeq header"},
        failing_case{"length_short", 128, 7,
                     [](request_view& r) {
                         r.body = long_body;
                         set_header(r, "Content-Length", "3");
                     },
                     128, 400, "Content-Length mis-match"},
        failing_case{"length_compact_long", 128, 7,
                     [](request_view& r) {
                         remove_header(r, "Content-Length");
                         r.headers.push_back({"l", "10"});
                         r.body = long_body;
                     },
                     128, 400, "Content-Length mis-match"},
        failing_case{"length_letters", 128, 7, [](request_view& r) { set_header(r, "Content-Length", "x"); },
                     128, 400, "Content-Length Failure"},
        failing_case{"expires_letters", 256, 7, [](request_view& r) { set_header(r, "Expires", "abc"); }, 256,
                     400, "Expires value is illegal"},
        failing_case{"expires_negative", 256, 7, [](request_view& r) { set_header(r, "Expires", "-5"); }, 256,
                     400, "Expires value is illegal"},
        failing_case{"expires_empty", 256, 7, [](request_view& r) { set_header(r, "Expires", ""); }, 256, 400,
                     "Bad Expires Header"},
        failing_case{"proxy_require_unknown", 512, 7,
                     [](request_view& r) { set_header(r, "Proxy-Require", "foo, qux"); }, 512, 420,
                     "Bad Proxy Require Extension"},
        failing_case{"proxy_require_empty", 512, 7, [](request_view& r) { set_header(r, "Proxy-Require", ""); },
                     512, 400, "Bad Proxy Require Header"},
        failing_case{"uri_ruri", 1024, 1, [](request_view& r) { r.ruri = "sip:bob@"; }, 1024, 400,
                     "Bad Request URI"},
        failing_case{"uri_from", 1024, 2, [](request_view& r) { set_header(r, "From", "<sip:@>;tag=a1"); }, 1024,
                     400, "Invalid From Header"},
        failing_case{"uri_from_scheme", 1024, 2,
                     [](request_view& r) { set_header(r, "From", "<http://example.com>;tag=a1"); }, 1024, 400,
                     "Invalid From Header"},
        failing_case{"uri_to", 1024, 4, [](request_view& r) { set_header(r, "To", "<sip:bob@>"); }, 1024, 400,
                     "Invalid To Header"},
        failing_case{"uri_contact_header", 1024, 8, [](request_view& r) { set_header(r, "Contact", "<<<"); },
                     1024, 400, "Bad Contact Header"},
        failing_case{"uri_contact_uri", 1024, 8,
                     [](request_view& r) { set_header(r, "m", "<sip:a@example.com>, <http://example.com/>"); }, 1024, 400,
                     "Bad Contact URI"},
        failing_case{"digest_empty_user", 2048, 7,
                     [](request_view& r) {
                         set_header(r, "Authorization",
                                    R"(Digest username="", realm="r", nonce="n", uri="sip:x", response="abc")");
                     },
                     2048, 400, "Auth Empty User"},
        failing_case{"digest_no_realm", 2048, 7,
                     [](request_view& r) {
                         set_header(r, "Proxy-Authorization",
                                    R"(Digest username="a", nonce="n", uri="sip:x", response="abc")");
                     },
                     2048, 400, "Bad Auth Credentials"},
        failing_case{"digest_empty_nonce", 2048, 7,
                     [](request_view& r) {
                         set_header(r, "Authorization",
                                    R"(Digest username="a", realm="r", nonce="", uri="sip:x", response="abc")");
                     },
                     2048, 400, "Auth Empty Nonce"},
        failing_case{"digest_empty_response", 2048, 7,
                     [](request_view& r) {
                         set_header(r, "Authorization",
                                    R"(Digest username="a", realm="r", nonce="n", uri="sip:x", response="")");
                     },
                     2048, 400, "Auth Empty Response"},
        failing_case{"digest_garbage", 2048, 7,
                     [](request_view& r) { set_header(r, "Authorization", "Digest ,,,==="); }, 2048, 400,
                     "Bad Auth Credentials"},
        failing_case{"authorization_empty_user", 8192, 7,
                     [](request_view& r) {
                         set_header(r, "Authorization",
                                    R"(Digest username="", realm="r", nonce="n", uri="sip:x", response="abc")");
                     },
                     8192, 400, "Auth Empty User"},
        failing_case{"two_from_tags", 4096, 7,
                     [](request_view& r) { set_header(r, "From", "<sip:alice@127.0.0.1>;tag=a1;tag=a2"); }, 4096,
                     400, "Many From Tag Params"},
        failing_case{"two_to_tags", 4096, 7,
                     [](request_view& r) {
                         remove_header(r, "To");
                         r.headers.push_back({"t", "<sip:bob@127.0.0.1>;tag=b1;x=1;tag=b2"});
                     }, 4096,
                     400, "Many To Tag Params"}),
    [](const testing::TestParamInfo<failing_case>& info) { return std::string(info.param.name); });

TEST(sanity_checker, accepts_what_kamailio_accepts) {
    request_view r = valid_request();
    r.version = "sip/2.0";
    set_header(r, "Contact", "*");
    set_header(r, "Expires", "0");
    set_header(r, "Proxy-Require", "foo, bar");
    set_header(r, "Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l");
    set_header(r, "To", "<sip:bob@127.0.0.1>;tag=b1");
    for (const char* uri : {"sips:bob@example.com", "tel:+1234", "tels:+1234", "urn:service:sos"}) {
        r.ruri = uri;
        EXPECT_EQ(run(r, 32767 & ~1024u, 15).failed, 0u) << uri;
    }
    r.ruri = "sip:bob@127.0.0.1";
    EXPECT_EQ(run(r, 32767, 15).failed, 0u);
}

TEST(sanity_checker, via_version_and_protocol_are_no_ops_as_in_kamailio) {
    request_view r = valid_request();
    set_header(r, "Via", "SIP/3.0/FOO 127.0.0.1");
    EXPECT_EQ(run(r, 8 | 16).failed, 0u);
}

TEST(sanity_checker, unsupported_extension_is_named_in_the_reply) {
    request_view r = valid_request();
    r.headers.push_back({"Proxy-Require", "foo"});
    r.headers.push_back({"Proxy-Require", "bar,  zap"});
    sanity::check_outcome out = run(r, 512);
    EXPECT_EQ(out.code, 420);
    EXPECT_EQ(out.extra_headers, "Unsupported: zap\r\n");
    // Without modparam proxy_require every extension is unsupported.
    out = run(valid_request(), 512, 7, {});
    EXPECT_EQ(out.failed, 0u) << "no Proxy-Require, nothing to refuse";
    r = valid_request();
    set_header(r, "Proxy-Require", "foo");
    EXPECT_EQ(run(r, 512, 7, {}).extra_headers, "Unsupported: foo\r\n");
}

TEST(sanity_checker, uri_checks_choose_the_uris) {
    request_view r = valid_request();
    set_header(r, "To", "<sip:bob@>");
    set_header(r, "Contact", "<mailto:c@example.com>");
    EXPECT_EQ(run(r, 1024, 1 | 2).failed, 0u);
    EXPECT_EQ(run(r, 1024, 8).reason, "Bad Contact URI");
    EXPECT_EQ(run(r, 1024, 4 | 8).reason, "Invalid To Header");
}

TEST(sanity_checker, stops_at_the_first_failure_in_kamailios_order) {
    request_view r = valid_request();
    set_header(r, "Expires", "x");
    set_header(r, "CSeq", "1 INVITE");
    EXPECT_EQ(run(r, 32 | 256).failed, 32u);
    EXPECT_EQ(run(r, 256).failed, 256u);
}

TEST(sanity_checker, a_reply_skips_the_request_line_checks) {
    request_view r = valid_request();
    r.is_request = false;
    r.version = "";
    r.ruri = "";
    set_header(r, "CSeq", "1 INVITE");
    EXPECT_EQ(run(r, 1 | 2 | 32 | 1024, 1).failed, 0u);
    set_header(r, "CSeq", "x INVITE");
    EXPECT_EQ(run(r, 64).failed, 64u);
}

TEST(sanity_checker, splits_the_proxy_require_parameter) {
    EXPECT_EQ(sanity::request_checker::split_extensions(" foo, bar ,,baz "),
              (std::vector<std::string>{"foo", "bar", "baz"}));
    EXPECT_TRUE(sanity::request_checker::split_extensions("").empty());
}

TEST(sanity_checker, names_every_check) {
    for (uint32_t bit = 1; bit <= 16384; bit <<= 1)
        EXPECT_NE(sanity::check_name(bit), "unknown") << bit;
}

} // namespace
