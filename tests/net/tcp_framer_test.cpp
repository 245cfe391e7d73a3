// The TCP framing (RFC 3261 18.3, RFC 5626 keepalives) byte by byte, without sockets.
#include "net/tcp_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace siphost::net {
namespace {

const std::string options_request = "OPTIONS sip:a@example.com SIP/2.0\r\n"
                                    "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
                                    "Call-ID: 1@x\r\n"
                                    "Content-Length: 5\r\n"
                                    "\r\n"
                                    "hello";

/// Every unit the framer gives for input fed in the given segments.
std::vector<std::pair<tcp_framer::kind, std::string>> frame(tcp_framer& framer,
                                                            const std::vector<std::string>& segments) {
    std::vector<std::pair<tcp_framer::kind, std::string>> out;
    for (const auto& segment : segments) {
        framer.feed(segment);
        for (auto unit = framer.next(); unit != tcp_framer::kind::need_more; unit = framer.next()) {
            out.emplace_back(unit, std::string(framer.bytes()));
            if (unit == tcp_framer::kind::error)
                return out;
        }
    }
    return out;
}

TEST(tcp_framer, one_message_in_one_segment) {
    tcp_framer framer;
    auto units = frame(framer, {options_request});
    ASSERT_EQ(units.size(), 1u);
    EXPECT_EQ(units[0].first, tcp_framer::kind::message);
    EXPECT_EQ(units[0].second, options_request);
    EXPECT_FALSE(framer.partial());
}

TEST(tcp_framer, one_byte_segments) {
    tcp_framer framer;
    std::vector<std::string> segments;
    for (char c : options_request)
        segments.emplace_back(1, c);
    auto units = frame(framer, segments);
    ASSERT_EQ(units.size(), 1u);
    EXPECT_EQ(units[0].second, options_request);
}

TEST(tcp_framer, two_messages_in_one_segment) {
    tcp_framer framer;
    auto units = frame(framer, {options_request + options_request});
    ASSERT_EQ(units.size(), 2u);
    EXPECT_EQ(units[0].second, options_request);
    EXPECT_EQ(units[1].second, options_request);
}

TEST(tcp_framer, a_message_split_across_its_body) {
    tcp_framer framer;
    auto units = frame(framer, {options_request.substr(0, options_request.size() - 3)});
    EXPECT_TRUE(units.empty());
    EXPECT_TRUE(framer.partial());
    units =
        frame(framer, {options_request.substr(options_request.size() - 3) + options_request.substr(0, 10)});
    ASSERT_EQ(units.size(), 1u);
    EXPECT_EQ(units[0].second, options_request);
    EXPECT_TRUE(framer.partial());
}

TEST(tcp_framer, content_length_larger_than_what_follows_waits) {
    tcp_framer framer;
    std::string head = "MESSAGE sip:a@b SIP/2.0\r\nl: 100\r\n\r\nshort";
    auto units = frame(framer, {head});
    EXPECT_TRUE(units.empty());
    EXPECT_TRUE(framer.partial()); // the connection times it out
}

TEST(tcp_framer, crlf_crlf_is_a_ping_and_crlf_a_pong) {
    tcp_framer framer;
    auto units = frame(framer, {"\r\n\r\n", "\r\n", options_request, "\r", "\n\r\n"});
    ASSERT_EQ(units.size(), 3u);
    EXPECT_EQ(units[0].first, tcp_framer::kind::ping);
    EXPECT_EQ(units[1].first, tcp_framer::kind::message);
    EXPECT_EQ(units[1].second, options_request);
    EXPECT_EQ(units[2].first, tcp_framer::kind::ping);
}

TEST(tcp_framer, missing_content_length_is_an_error_unless_accepted) {
    std::string request = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n";
    tcp_framer strict;
    auto units = frame(strict, {request});
    ASSERT_EQ(units.size(), 1u);
    EXPECT_EQ(units[0].first, tcp_framer::kind::error);
    EXPECT_NE(strict.error_text().find("Content-Length"), std::string::npos);

    tcp_framer lenient(tcp_framer::limits{65535, 65535, true});
    units = frame(lenient, {request + request});
    ASSERT_EQ(units.size(), 2u);
    EXPECT_EQ(units[0].second, request);
}

TEST(tcp_framer, huge_headers_are_refused_before_they_end) {
    tcp_framer framer;
    std::string start = "OPTIONS sip:a@b SIP/2.0\r\nX-Big: ";
    std::vector<std::string> segments{start};
    for (int i = 0; i < 64; ++i)
        segments.emplace_back(16384, 'a'); // 1 MB of one header, never ended
    auto units = frame(framer, segments);
    ASSERT_EQ(units.size(), 1u);
    EXPECT_EQ(units[0].first, tcp_framer::kind::error);
    EXPECT_LE(framer.buffered(), 65535u + 16384u); // it stopped reading soon after the limit
}

TEST(tcp_framer, a_body_beyond_the_limit_is_refused) {
    tcp_framer framer;
    auto units = frame(framer, {"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 900000\r\n\r\n"});
    ASSERT_EQ(units.size(), 1u);
    EXPECT_EQ(units[0].first, tcp_framer::kind::error);
}

TEST(tcp_framer, bad_or_conflicting_content_length_is_an_error) {
    for (std::string header :
         {"Content-Length: abc\r\n", "Content-Length: -1\r\n", "Content-Length: 1\r\nl: 2\r\n"}) {
        tcp_framer framer;
        auto units = frame(framer, {"OPTIONS sip:a@b SIP/2.0\r\n" + header + "\r\nxx"});
        ASSERT_EQ(units.size(), 1u) << header;
        EXPECT_EQ(units[0].first, tcp_framer::kind::error) << header;
    }
}

TEST(tcp_framer, content_length_is_found_case_insensitively_with_spaces) {
    EXPECT_EQ(find_content_length("INVITE x SIP/2.0\r\ncontent-LENGTH :  12 \r\n"), 12);
    EXPECT_EQ(find_content_length("INVITE x SIP/2.0\r\nL:0\r\n"), 0);
    EXPECT_EQ(find_content_length("INVITE x SIP/2.0\r\nX-Content-Length: 5\r\n"), -1);
    EXPECT_EQ(find_content_length("INVITE x SIP/2.0\r\nSubject: a\r\n l: 5\r\n"), -1); // a folded line
}

TEST(tcp_framer, an_error_is_final) {
    tcp_framer framer;
    frame(framer, {"OPTIONS sip:a@b SIP/2.0\r\n\r\n"});
    framer.feed(options_request);
    EXPECT_EQ(framer.next(), tcp_framer::kind::error);
}

} // namespace
} // namespace siphost::net
