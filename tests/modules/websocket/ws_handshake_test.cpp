// The websocket module's handshake: RFC 6455's example key, and the refusals Kamailio answers with.
#include "handshake.hpp"

#include <gtest/gtest.h>

namespace siphost::modules::websocket {
namespace {

handshake_request good() {
    handshake_request r;
    r.connection = {"keep-alive, Upgrade"};
    r.upgrade = {"websocket"};
    r.key = {"dGhlIHNhbXBsZSBub25jZQ=="};
    r.protocol = {"sip"};
    r.version = {"13"};
    return r;
}

TEST(ws_handshake, accept_value_is_rfc_6455s_example) {
    EXPECT_EQ(accept_value("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_handshake, accepts_with_sip) {
    auto a = answer(good(), sub_protocol_sip, cors_none);
    ASSERT_EQ(a.code, 101);
    EXPECT_EQ(a.response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
    EXPECT_NE(a.response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
    EXPECT_NE(a.response.find("Sec-WebSocket-Protocol: sip\r\n"), std::string::npos);
    EXPECT_EQ(a.response.find("Access-Control-Allow-Origin"), std::string::npos);
    EXPECT_EQ(a.response.substr(a.response.size() - 4), "\r\n\r\n");
}

TEST(ws_handshake, cors_modes) {
    auto r = good();
    r.origin = {"https://phone.example"};
    EXPECT_NE(answer(r, sub_protocol_sip, cors_any).response.find("Access-Control-Allow-Origin: *\r\n"),
              std::string::npos);
    EXPECT_NE(answer(r, sub_protocol_sip, cors_origin)
                  .response.find("Access-Control-Allow-Origin: https://phone.example\r\n"),
              std::string::npos);
    EXPECT_EQ(answer(good(), sub_protocol_sip, cors_origin).response.find("Access-Control-Allow-Origin"),
              std::string::npos);
}

TEST(ws_handshake, sip_among_other_protocols) {
    auto r = good();
    r.protocol = {"chat, SIP"};
    EXPECT_EQ(answer(r, sub_protocol_sip, cors_none).code, 101);
    r.protocol = {"sips, chat"};
    EXPECT_EQ(answer(r, sub_protocol_sip, cors_none).code, 400);
}

TEST(ws_handshake, refusals) {
    auto no_protocol = good();
    no_protocol.protocol.clear();
    auto a = answer(no_protocol, sub_protocol_sip, cors_none);
    EXPECT_EQ(a.code, 400);
    EXPECT_NE(a.response.find("Sec-WebSocket-Protocol: sip\r\n"), std::string::npos);
    EXPECT_NE(a.response.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);

    auto old_version = good();
    old_version.version = {"8"};
    a = answer(old_version, sub_protocol_sip, cors_none);
    EXPECT_EQ(a.code, 426);
    EXPECT_NE(a.response.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);

    auto no_key = good();
    no_key.key.clear();
    EXPECT_EQ(answer(no_key, sub_protocol_sip, cors_none).code, 400);
    auto bad_key = good();
    bad_key.key = {"not-base64"};
    EXPECT_EQ(answer(bad_key, sub_protocol_sip, cors_none).code, 400);
    auto two_keys = good();
    two_keys.key.push_back("dGhlIHNhbXBsZSBub25jZQ==");
    EXPECT_EQ(answer(two_keys, sub_protocol_sip, cors_none).code, 400);
    auto no_upgrade = good();
    no_upgrade.upgrade = {"h2c"};
    EXPECT_EQ(answer(no_upgrade, sub_protocol_sip, cors_none).code, 400);
    auto no_connection = good();
    no_connection.connection = {"close"};
    EXPECT_EQ(answer(no_connection, sub_protocol_sip, cors_none).code, 400);
    auto no_version = good();
    no_version.version.clear();
    EXPECT_EQ(answer(no_version, sub_protocol_sip, cors_none).code, 400);
}

} // namespace
} // namespace siphost::modules::websocket
