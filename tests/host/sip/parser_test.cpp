#include "sip/parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sip/message.hpp"
#include "sip/serializer.hpp"

#include <array>

namespace siphost::sip {
namespace {

const std::string k_invite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
                             "Max-Forwards: 70\r\n"
                             "To: Bob <sip:bob@biloxi.example.com>\r\n"
                             "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                             "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                             "CSeq: 314159 INVITE\r\n"
                             "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                             "Content-Type: application/sdp\r\n"
                             "Content-Length: 4\r\n"
                             "\r\n"
                             "v=0\n";

std::string with(std::string text, std::string_view from, std::string_view to) {
    std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
        text.replace(at, from.size(), to);
    return text;
}

parse_result parse(const std::string& text) {
    message m;
    return m.parse(text);
}

TEST(sip_parser, RequestStartLineAndIndex) {
    message m;
    ASSERT_TRUE(m.parse(k_invite).ok());
    EXPECT_TRUE(m.is_request());
    EXPECT_EQ(m.method(), "INVITE");
    EXPECT_EQ(m.method_id(), method_kind::invite);
    EXPECT_EQ(m.request_uri(), "sip:bob@biloxi.example.com");
    EXPECT_EQ(m.version(), "SIP/2.0");
    EXPECT_EQ(m.header_count(), 9u);
    const header_field& via = m.header(0);
    EXPECT_EQ(via.kind, header_kind::via);
    EXPECT_EQ(m.name(via), "Via");
    EXPECT_EQ(m.value(via), "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
    EXPECT_EQ(m.line(via), "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n");
    EXPECT_EQ(m.body(), "v=0\n");
    EXPECT_EQ(m.content_length(), 4u);
    EXPECT_FALSE(m.bare_lf());
    // Zero copy: the views point into the caller's bytes.
    EXPECT_EQ(m.raw().data(), k_invite.data());
    EXPECT_EQ(m.call_id().data(), k_invite.data() + k_invite.find("a84b4c76"));
}

TEST(sip_parser, StatusLine) {
    std::string reply =
        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
        "To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    message m;
    ASSERT_TRUE(m.parse(reply).ok());
    EXPECT_FALSE(m.is_request());
    EXPECT_EQ(m.status_code(), 180);
    EXPECT_EQ(m.reason_phrase(), "Ringing");
    EXPECT_EQ(m.method(), "INVITE"); // from CSeq
    EXPECT_TRUE(m.request_uri().empty());
    EXPECT_EQ(parse(with(reply, "180 Ringing", "1800 Ringing")).error, parse_error::bad_status);
    EXPECT_TRUE(parse(with(reply, "180 Ringing", "1800 Ringing")).drop());
    EXPECT_EQ(parse(with(reply, "180 Ringing", "099 Early")).error, parse_error::bad_status);
    EXPECT_EQ(parse(with(reply, "180 Ringing", "18x Ringing")).error, parse_error::bad_status);
    EXPECT_EQ(parse(with(reply, "SIP/2.0 180", "SIP/3.0 180")).error, parse_error::unsupported_version);
    EXPECT_TRUE(parse(with(reply, "Call-ID: x\r\n", "")).drop());
    EXPECT_TRUE(parse(with(reply, "180 Ringing", "180")).ok());
}

TEST(sip_parser, RequestLineErrors) {
    EXPECT_EQ(parse(with(k_invite, " SIP/2.0\r\n", "\r\n")).error, parse_error::bad_start_line);
    EXPECT_EQ(parse(with(k_invite, "SIP/2.0\r\nVia", "SIP/2.0  \r\nVia")).error, parse_error::bad_version);
    parse_result v = parse(with(k_invite, "SIP/2.0\r\nVia", "SIP/7.0\r\nVia"));
    EXPECT_EQ(v.error, parse_error::unsupported_version);
    EXPECT_EQ(v.reply_code, 505);
    EXPECT_EQ(parse(with(k_invite, "INVITE sip", "INVITE  sip")).error, parse_error::bad_request_uri);
    EXPECT_EQ(parse(with(k_invite, "biloxi.example.com SIP", "biloxi.example.com; lr SIP")).error,
              parse_error::bad_request_uri);
    EXPECT_EQ(
        parse(with(k_invite, "sip:bob@biloxi.example.com SIP", "<sip:bob@biloxi.example.com> SIP")).error,
        parse_error::bad_request_uri);
    EXPECT_EQ(parse(with(k_invite, "biloxi.example.com SIP", "biloxi.example.com?Route=x SIP")).error,
              parse_error::bad_request_uri);
    EXPECT_EQ(parse(with(k_invite, "INVITE sip", "INV\"ITE sip")).error, parse_error::bad_method);
    EXPECT_EQ(parse(with(k_invite, "INVITE sip", " INVITE sip")).error, parse_error::bad_start_line);
}

TEST(sip_parser, LeadingLineEndsAreSkippedAndEmptyIsRefused) {
    message m;
    std::string text = "\r\n\r\n" + k_invite;
    ASSERT_TRUE(m.parse(text).ok());
    EXPECT_EQ(m.method(), "INVITE");
    EXPECT_EQ(parse("\r\n\r\n").error, parse_error::empty);
    EXPECT_EQ(parse("").error, parse_error::empty);
}

TEST(sip_parser, FoldingAndLws) {
    std::string text = with(k_invite, "CSeq: 314159 INVITE\r\n", "cseq: 0009\r\n  INVITE\r\n");
    text = with(text, "Max-Forwards: 70\r\n",
                "MaX-fOrWaRdS :   0068   \r\nSubject:\r\n\tfolded\r\n  twice  \r\n");
    message m;
    ASSERT_TRUE(m.parse(text).ok()) << m.status().reason();
    EXPECT_EQ(m.cseq().number, 9u);
    EXPECT_EQ(m.cseq().method, "INVITE");
    EXPECT_EQ(m.max_forwards(), 68u);
    const header_field* subject = m.find_header("s");
    ASSERT_NE(subject, nullptr);
    EXPECT_EQ(m.value(*subject), "folded\r\n  twice");
    EXPECT_EQ(m.line(*subject), "Subject:\r\n\tfolded\r\n  twice  \r\n");
    EXPECT_EQ(parse(" Via: x\r\n").error, parse_error::bad_start_line);
}

TEST(sip_parser, FoldBeforeFirstHeaderIsRefused) {
    EXPECT_EQ(parse(with(k_invite, "SIP/2.0\r\nVia", "SIP/2.0\r\n folded\r\nVia")).error,
              parse_error::bad_header_line);
}

TEST(sip_parser, HeaderLineErrors) {
    EXPECT_EQ(parse(with(k_invite, "Max-Forwards: 70\r\n", "Foobar roobar\r\n")).error,
              parse_error::bad_header_line);
    EXPECT_EQ(parse(with(k_invite, "Max-Forwards: 70\r\n", ": novalue\r\n")).error,
              parse_error::bad_header_line);
    EXPECT_EQ(parse(with(k_invite, "Max-Forwards: 70\r\n", "Max-Forwards: 7\r0\r\n")).error,
              parse_error::bare_cr);
    EXPECT_EQ(parse(with(k_invite, "Max-Forwards: 70\r\n", "Max-Forwards: 256\r\n")).header,
              header_kind::max_forwards);
}

TEST(sip_parser, MandatoryAndDuplicateHeaders) {
    for (std::string_view line :
         {"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n",
          "To: Bob <sip:bob@biloxi.example.com>\r\n",
          "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n",
          "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n", "CSeq: 314159 INVITE\r\n"}) {
        parse_result r = parse(with(k_invite, line, ""));
        EXPECT_EQ(r.error, parse_error::missing_header) << line;
        EXPECT_EQ(r.reply_code, 400);
        std::string doubled = with(k_invite, line, std::string(line) + std::string(line));
        parse_result d = parse(doubled);
        if (line.starts_with("Via"))
            EXPECT_TRUE(d.ok());
        else
            EXPECT_EQ(d.error, parse_error::duplicate_header) << line;
    }
    EXPECT_EQ(parse(with(k_invite, "Content-Length: 4\r\n", "Content-Length: 4\r\nl: 4\r\n")).error,
              parse_error::duplicate_header);
    EXPECT_TRUE(parse(with(k_invite, "Max-Forwards: 70\r\n", "")).ok()); // RFC 2543 requests have none
}

TEST(sip_parser, CSeqMethodMismatch) {
    parse_result known = parse(with(k_invite, "CSeq: 314159 INVITE", "CSeq: 314159 OPTIONS"));
    EXPECT_EQ(known.error, parse_error::cseq_method_mismatch);
    EXPECT_EQ(known.reply_code, 400);
    std::string unknown = with(k_invite, "INVITE sip:", "NEWMETHOD sip:");
    EXPECT_EQ(parse(unknown).reply_code, 501);
    EXPECT_TRUE(parse(with(unknown, "CSeq: 314159 INVITE", "CSeq: 314159 NEWMETHOD")).ok());
    // Methods are case-sensitive.
    EXPECT_EQ(parse(with(k_invite, "CSeq: 314159 INVITE", "CSeq: 314159 invite")).error,
              parse_error::cseq_method_mismatch);
}

TEST(sip_parser, ContentLengthFraming) {
    EXPECT_EQ(parse(with(k_invite, "Content-Length: 4", "Content-Length: 5")).error,
              parse_error::bad_content_length);
    EXPECT_EQ(parse(with(k_invite, "Content-Length: 4", "Content-Length: -1")).error,
              parse_error::bad_content_length);
    EXPECT_EQ(parse(with(k_invite, "Content-Length: 4", "Content-Length: 99999999999")).error,
              parse_error::bad_content_length);
    message m;
    std::string shorter = with(k_invite, "Content-Length: 4", "Content-Length: 2");
    ASSERT_TRUE(m.parse(shorter).ok());
    EXPECT_EQ(m.body(), "v=");
    std::string none = with(k_invite, "Content-Length: 4\r\n", "");
    ASSERT_TRUE(m.parse(none).ok());
    EXPECT_EQ(m.body(), "v=0\n"); // a datagram without Content-Length: the rest of it
    EXPECT_FALSE(m.content_length().has_value());
}

TEST(sip_parser, BareLfLineEnds) {
    std::string lf;
    for (char c : k_invite)
        if (c != '\r')
            lf.push_back(c);
    message m;
    ASSERT_TRUE(m.parse(lf).ok()) << m.status().reason();
    EXPECT_TRUE(m.bare_lf());
    EXPECT_EQ(m.body(), "v=0\n");
    EXPECT_EQ(m.via_at(0)->branch, "z9hG4bK776asdhds");
}

TEST(sip_parser, BareLfMessagesWithTooLargeContentLengthAreFramedByTheDatagram) {
    std::string lf;
    for (char c : with(k_invite, "Content-Length: 4", "Content-Length: 40"))
        if (c != '\r')
            lf.push_back(c);
    message m;
    ASSERT_TRUE(m.parse(lf).ok());
    EXPECT_TRUE(m.content_length_repaired());
    EXPECT_EQ(m.content_length(), 40u);
    EXPECT_EQ(m.body(), "v=0\n");
    // The same with CRLF line ends is refused (RFC 3261 18.3).
    EXPECT_EQ(parse(with(k_invite, "Content-Length: 4", "Content-Length: 40")).error,
              parse_error::bad_content_length);
}

TEST(sip_parser, MissingEmptyLineEndsHeadersAtTheEnd) {
    std::string text = with(k_invite, "Content-Length: 4\r\n\r\nv=0\n", "Content-Length: 0\r\n");
    message m;
    ASSERT_TRUE(m.parse(text).ok());
    EXPECT_TRUE(m.body().empty());
    EXPECT_EQ(m.headers_end(), text.size());
    std::string unterminated = text.substr(0, text.size() - 2);
    ASSERT_TRUE(m.parse(unterminated).ok());
    EXPECT_EQ(m.content_length(), 0u);
    EXPECT_EQ(parse(with(text, "Content-Length: 0", "Content-Length: 1")).error,
              parse_error::bad_content_length);
}

TEST(sip_parser, Limits) {
    parse_limits small;
    small.max_size = 100;
    message m;
    parse_result r = m.parse(k_invite, small);
    EXPECT_EQ(r.error, parse_error::too_large);
    EXPECT_EQ(r.reply_code, 513);
    parse_limits few;
    few.max_headers = 5;
    EXPECT_EQ(m.parse(k_invite, few).error, parse_error::too_many_headers);
    parse_limits short_lines;
    short_lines.max_line = 40;
    EXPECT_EQ(m.parse(k_invite, short_lines).error, parse_error::line_too_long);
    std::string big(70000, 'a');
    EXPECT_EQ(m.parse(big).error, parse_error::too_large);
}

TEST(sip_parser, NeverReadsPastTheBytes) {
    // Every prefix of a valid message parses or fails cleanly (ASan checks the reads in the sanitizer build).
    for (std::size_t n = 0; n <= k_invite.size(); ++n) {
        auto copy = std::make_unique<char[]>(n + 1);
        std::copy_n(k_invite.data(), n, copy.get());
        message m;
        parse_result r = m.parse(std::string_view(copy.get(), n));
        if (n == k_invite.size()) {
            EXPECT_TRUE(r.ok());
        } else if (r.ok()) {
            EXPECT_LE(m.body().size() + m.body_offset(), n);
        }
    }
}

TEST(sip_parser, CheckSipVersion) {
    EXPECT_EQ(check_sip_version("SIP/2.0"), 1);
    EXPECT_EQ(check_sip_version("sip/2.0"), 1);
    EXPECT_EQ(check_sip_version("SIP/7.0"), 0);
    EXPECT_EQ(check_sip_version("SIP/2.00"), 0);
    EXPECT_EQ(check_sip_version("SIP/2"), -1);
    EXPECT_EQ(check_sip_version("SIP/.0"), -1);
    EXPECT_EQ(check_sip_version("HTTP/1.1"), -1);
    EXPECT_EQ(check_sip_version(""), -1);
}

TEST(sip_parser, MethodLookup) {
    EXPECT_EQ(lookup_method("REGISTER"), method_kind::register_);
    EXPECT_EQ(lookup_method("register"), method_kind::other);
    EXPECT_EQ(lookup_method("SUBSCRIBE"), method_kind::subscribe);
    EXPECT_EQ(lookup_method("NEWMETHOD"), method_kind::other);
}

} // namespace
} // namespace siphost::sip

TEST(sip_parser, broken_request_line_still_indexes_headers_to_answer_from) {
    // RFC 4475 3.1.2.7 (ltgtruri.dat) and 3.1.2.16 (badvers.dat): refused, but answerable.
    const std::string bad_uri =
        "INVITE <sip:user@example.com> SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
        "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
        "Content-Length: 0\r\n\r\n";
    siphost::sip::message m;
    auto r = m.parse(bad_uri);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.reply_code, 400);
    ASSERT_TRUE(m.indexed());
    std::array<char, 2048> out{};
    auto written = siphost::sip::write_local_reply(m, {400, r.reason(), "t1", {}, {}}, out);
    ASSERT_TRUE(written.ok());
    std::string reply(out.data(), written.size);
    EXPECT_EQ(reply.rfind("SIP/2.0 400 ", 0), 0u) << reply;
    EXPECT_NE(reply.find("Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"), std::string::npos) << reply;
    EXPECT_NE(reply.find("To: <sip:b@example.com>;tag=t1\r\n"), std::string::npos) << reply;
    EXPECT_NE(reply.find("CSeq: 1 INVITE\r\n"), std::string::npos) << reply;

    siphost::sip::message version;
    auto v = version.parse("INVITE sip:b@example.com SIP/7.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\n"
                           "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c2\r\nCSeq: 1 INVITE\r\n\r\n");
    EXPECT_EQ(v.reply_code, 505);
    EXPECT_TRUE(version.indexed());

    siphost::sip::message response;
    auto bad_status = response.parse("SIP/2.0 99 Low\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\n\r\n");
    EXPECT_TRUE(bad_status.drop());
    EXPECT_FALSE(response.indexed()) << "a broken response is dropped, never answered";
}
