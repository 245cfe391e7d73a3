// ws_framer: RFC 6455 frames as a server reads them, whole and in pieces, and what it refuses.
#include "net/ws_framer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace siphost::net {
namespace {

/// A client frame: masked with key, FIN as given, the length in its shortest form unless forced.
std::string client_frame(uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true,
                         int force_length_bytes = 0) {
    std::string out;
    out.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
    uint8_t mask_bit = masked ? 0x80 : 0;
    size_t n = payload.size();
    if ((n < 126 && force_length_bytes == 0) || force_length_bytes == 1) {
        out.push_back(static_cast<char>(mask_bit | n));
    } else if ((n <= 0xFFFF && force_length_bytes == 0) || force_length_bytes == 2) {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
    } else {
        out.push_back(static_cast<char>(mask_bit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((static_cast<uint64_t>(n) >> shift) & 0xFF));
    }
    const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (masked)
        out.append(reinterpret_cast<const char*>(key), 4);
    for (size_t i = 0; i < n; ++i)
        out.push_back(static_cast<char>(static_cast<unsigned char>(payload[i]) ^ (masked ? key[i % 4] : 0)));
    return out;
}

const std::string sip = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\n\r\n";

TEST(ws_framer, unmasks_one_text_message) {
    ws_framer f;
    f.feed(client_frame(ws_framer::op_text, sip));
    ASSERT_EQ(f.next(), ws_framer::kind::message);
    EXPECT_EQ(f.payload(), sip);
    EXPECT_FALSE(f.binary());
    EXPECT_EQ(f.next(), ws_framer::kind::need_more);
    EXPECT_FALSE(f.partial());
}

TEST(ws_framer, reads_byte_by_byte) {
    ws_framer f;
    std::string bytes = client_frame(ws_framer::op_binary, sip) + client_frame(ws_framer::op_text, "second");
    std::vector<std::string> got;
    for (char c : bytes) {
        f.feed(std::string_view(&c, 1));
        for (auto k = f.next(); k != ws_framer::kind::need_more; k = f.next()) {
            ASSERT_EQ(k, ws_framer::kind::message);
            got.emplace_back(f.payload());
        }
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], sip);
    EXPECT_EQ(got[1], "second");
}

TEST(ws_framer, joins_fragments_around_a_ping) {
    ws_framer f;
    f.feed(client_frame(ws_framer::op_text, sip.substr(0, 10), false));
    f.feed(client_frame(ws_framer::op_ping, "are you there", true));
    f.feed(client_frame(ws_framer::op_continuation, sip.substr(10, 20), false));
    f.feed(client_frame(ws_framer::op_continuation, sip.substr(30), true));
    ASSERT_EQ(f.next(), ws_framer::kind::ping);
    EXPECT_EQ(f.payload(), "are you there");
    ASSERT_EQ(f.next(), ws_framer::kind::message);
    EXPECT_EQ(f.payload(), sip);
}

TEST(ws_framer, many_small_fragments_do_not_recurse) {
    ws_framer f(200000);
    std::string whole(100000, 'x');
    f.feed(client_frame(ws_framer::op_text, "x", false));
    for (size_t i = 1; i + 1 < whole.size(); ++i)
        f.feed(client_frame(ws_framer::op_continuation, "x", false));
    f.feed(client_frame(ws_framer::op_continuation, "x", true));
    ASSERT_EQ(f.next(), ws_framer::kind::message);
    EXPECT_EQ(f.payload(), whole);
}

TEST(ws_framer, extended_lengths) {
    ws_framer f(100000);
    std::string medium(300, 'm'), large(70000, 'l');
    f.feed(client_frame(ws_framer::op_text, medium) + client_frame(ws_framer::op_text, large));
    ASSERT_EQ(f.next(), ws_framer::kind::message);
    EXPECT_EQ(f.payload(), medium);
    ASSERT_EQ(f.next(), ws_framer::kind::message);
    EXPECT_EQ(f.payload(), large);
}

TEST(ws_framer, refuses_an_unmasked_frame) {
    ws_framer f;
    f.feed(client_frame(ws_framer::op_text, sip, true, false));
    ASSERT_EQ(f.next(), ws_framer::kind::error);
    EXPECT_EQ(f.error_code(), ws_framer::protocol_error);
    EXPECT_NE(f.error_text().find("unmasked"), std::string::npos);
    f.feed(client_frame(ws_framer::op_text, sip)); // stays failed
    EXPECT_EQ(f.next(), ws_framer::kind::error);
}

TEST(ws_framer, refuses_an_oversized_length_before_its_data) {
    ws_framer f(65535);
    std::string header = client_frame(ws_framer::op_text, std::string(70000, 'a')).substr(0, 10);
    f.feed(header); // 64-bit length, no payload yet
    ASSERT_EQ(f.next(), ws_framer::kind::error);
    EXPECT_EQ(f.error_code(), ws_framer::too_big);
}

TEST(ws_framer, refuses_fragments_that_grow_too_big) {
    ws_framer f(100);
    f.feed(client_frame(ws_framer::op_text, std::string(60, 'a'), false));
    f.feed(client_frame(ws_framer::op_continuation, std::string(60, 'b'), true));
    ASSERT_EQ(f.next(), ws_framer::kind::error);
    EXPECT_EQ(f.error_code(), ws_framer::too_big);
}

TEST(ws_framer, refuses_the_top_bit_of_a_64_bit_length) {
    ws_framer f;
    std::string frame = "\x81\xFF";
    frame += std::string("\x80\0\0\0\0\0\0\x01", 8);
    frame += "abcd";
    f.feed(frame);
    ASSERT_EQ(f.next(), ws_framer::kind::error);
    EXPECT_EQ(f.error_code(), ws_framer::protocol_error);
}

TEST(ws_framer, refuses_a_length_not_in_shortest_form) {
    ws_framer f;
    f.feed(client_frame(ws_framer::op_text, "short", true, true, 2));
    ASSERT_EQ(f.next(), ws_framer::kind::error);
}

TEST(ws_framer, refuses_long_or_fragmented_control_frames) {
    ws_framer a;
    a.feed(client_frame(ws_framer::op_ping, std::string(126, 'p')));
    EXPECT_EQ(a.next(), ws_framer::kind::error);
    ws_framer b;
    b.feed(client_frame(ws_framer::op_ping, "p", false));
    EXPECT_EQ(b.next(), ws_framer::kind::error);
}

TEST(ws_framer, refuses_reserved_bits_and_unknown_opcodes) {
    ws_framer a;
    std::string frame = client_frame(ws_framer::op_text, "x");
    frame[0] = static_cast<char>(frame[0] | 0x40);
    a.feed(frame);
    EXPECT_EQ(a.next(), ws_framer::kind::error);
    ws_framer b;
    b.feed(client_frame(0x3, "x"));
    EXPECT_EQ(b.next(), ws_framer::kind::error);
}

TEST(ws_framer, refuses_a_stray_continuation_and_an_interrupted_message) {
    ws_framer a;
    a.feed(client_frame(ws_framer::op_continuation, "x"));
    EXPECT_EQ(a.next(), ws_framer::kind::error);
    ws_framer b;
    b.feed(client_frame(ws_framer::op_text, "x", false) + client_frame(ws_framer::op_text, "y"));
    EXPECT_EQ(b.next(), ws_framer::kind::error);
}

TEST(ws_framer, reads_close_frames) {
    ws_framer a;
    a.feed(client_frame(ws_framer::op_close, std::string("\x03\xe8", 2) + "bye"));
    ASSERT_EQ(a.next(), ws_framer::kind::close);
    EXPECT_EQ(a.close_code(), 1000);
    EXPECT_EQ(a.payload(), "bye");
    ws_framer b;
    b.feed(client_frame(ws_framer::op_close, ""));
    ASSERT_EQ(b.next(), ws_framer::kind::close);
    EXPECT_EQ(b.close_code(), 0);
    ws_framer c;
    c.feed(client_frame(ws_framer::op_close, "x"));
    EXPECT_EQ(c.next(), ws_framer::kind::error);
    ws_framer d;
    d.feed(client_frame(ws_framer::op_close, std::string("\x03\xed", 2))); // 1005 may not be sent
    EXPECT_EQ(d.next(), ws_framer::kind::error);
}

TEST(ws_framer, pong_is_reported) {
    ws_framer f;
    f.feed(client_frame(ws_framer::op_pong, "data"));
    ASSERT_EQ(f.next(), ws_framer::kind::pong);
    EXPECT_EQ(f.payload(), "data");
}

TEST(ws_framer, partial_while_a_frame_is_incomplete) {
    ws_framer f;
    std::string frame = client_frame(ws_framer::op_text, sip);
    f.feed(frame.substr(0, 5));
    EXPECT_EQ(f.next(), ws_framer::kind::need_more);
    EXPECT_TRUE(f.partial());
    f.feed(frame.substr(5));
    EXPECT_EQ(f.next(), ws_framer::kind::message);
}

TEST(ws_framer, writes_server_frames) {
    EXPECT_EQ(ws_framer::frame(ws_framer::op_text, "abc"), std::string("\x81\x03"
                                                                       "abc"));
    std::string medium = ws_framer::frame(ws_framer::op_text, std::string(300, 'a'));
    EXPECT_EQ(medium.substr(0, 4), std::string("\x81\x7e\x01\x2c", 4));
    std::string large = ws_framer::frame(ws_framer::op_binary, std::string(70000, 'a'));
    EXPECT_EQ(large.substr(0, 10), std::string("\x82\x7f\0\0\0\0\0\x01\x11\x70", 10));
    EXPECT_EQ(ws_framer::close_frame(1002, "bad"), std::string("\x88\x05\x03\xea"
                                                               "bad",
                                                               7));
    EXPECT_EQ(ws_framer::close_frame(1000, std::string(200, 'r')).size(), 2u + 125u);
}

} // namespace
} // namespace siphost::net

namespace siphost::net {
namespace {

TEST(ws_framer, fragments_in_separate_reads) {
    ws_framer f;
    f.feed(client_frame(ws_framer::op_text, sip.substr(0, 10), false));
    EXPECT_EQ(f.next(), ws_framer::kind::need_more);
    f.feed(client_frame(ws_framer::op_ping, "between"));
    ASSERT_EQ(f.next(), ws_framer::kind::ping);
    EXPECT_EQ(f.next(), ws_framer::kind::need_more);
    f.feed(client_frame(ws_framer::op_continuation, sip.substr(10)));
    ASSERT_EQ(f.next(), ws_framer::kind::message);
    EXPECT_EQ(f.payload(), sip);
}

} // namespace
} // namespace siphost::net
