// The TLS layer over memory buffers: two sessions handshake by handing each other their output, then carry
// SIP both ways; garbage, an untrusted certificate and a close_notify each fail with OpenSSL's reason.
#include "net/tls_session.hpp"

#include "test_tls_context.hpp"

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace siphost::net {
namespace {

using testing::client_context;
using testing::server_context;

/// Hands each side's output to the other until neither has anything more to say (bounded).
void pump(tls_session& a, tls_session& b, tls_session::step& a_step, tls_session::step& b_step) {
    for (int round = 0; round < 20; ++round) {
        a_step = a.handshake();
        std::string out = a.take_output();
        if (!out.empty())
            b.feed(out.data(), out.size());
        b_step = b.handshake();
        std::string back = b.take_output();
        if (!back.empty())
            a.feed(back.data(), back.size());
        if (out.empty() && back.empty())
            return;
    }
}

std::string read_all(tls_session& s, tls_session::step* last = nullptr) {
    std::string plain;
    auto step = s.read([&plain](std::string_view piece) { plain.append(piece); });
    if (last != nullptr)
        *last = step;
    return plain;
}

TEST(tls_session, handshakes_and_carries_messages_both_ways) {
    auto server_ctx = server_context();
    auto client_ctx = client_context(false);
    std::string error;
    auto server = tls_session::make(server_ctx.get(), true, {}, error);
    auto client = tls_session::make(client_ctx.get(), false, "siphost.test", error);
    ASSERT_TRUE(server && client) << error;
    EXPECT_FALSE(server->established());
    tls_session::step client_step{}, server_step{};
    pump(*client, *server, client_step, server_step);
    EXPECT_EQ(client_step, tls_session::step::done);
    EXPECT_EQ(server_step, tls_session::step::done);
    EXPECT_TRUE(client->established());
    EXPECT_TRUE(server->established());
    EXPECT_STREQ(SSL_get_version(server->ssl()), "TLSv1.3");
    EXPECT_STREQ(SSL_get_servername(server->ssl(), TLSEXT_NAMETYPE_host_name), "siphost.test");

    const std::string request = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n";
    ASSERT_TRUE(client->write(request));
    std::string wire = client->take_output();
    EXPECT_EQ(wire.find("OPTIONS"), std::string::npos); // encrypted on the wire
    // Byte by byte: a record split across reads still decrypts whole.
    std::string got;
    for (char c : wire) {
        server->feed(&c, 1);
        got += read_all(*server);
    }
    EXPECT_EQ(got, request);

    ASSERT_TRUE(server->write("SIP/2.0 200 OK\r\n\r\n"));
    std::string reply = server->take_output();
    client->feed(reply.data(), reply.size());
    EXPECT_NE(read_all(*client).find("SIP/2.0 200 OK"), std::string::npos);
}

TEST(tls_session, garbage_instead_of_a_client_hello_fails) {
    auto server_ctx = server_context();
    std::string error;
    auto server = tls_session::make(server_ctx.get(), true, {}, error);
    ASSERT_TRUE(server);
    const std::string garbage = "INVITE sip:bob@example.com SIP/2.0\r\n\r\n";
    server->feed(garbage.data(), garbage.size());
    EXPECT_EQ(server->handshake(), tls_session::step::failed);
    EXPECT_NE(server->error_text().find("wrong version number"), std::string::npos) << server->error_text();
}

TEST(tls_session, an_untrusted_server_certificate_fails_a_verifying_client) {
    auto server_ctx = server_context();
    auto client_ctx = client_context(true); // trusts nothing
    std::string error;
    auto server = tls_session::make(server_ctx.get(), true, {}, error);
    auto client = tls_session::make(client_ctx.get(), false, {}, error);
    tls_session::step client_step{}, server_step{};
    pump(*client, *server, client_step, server_step);
    EXPECT_EQ(client_step, tls_session::step::failed);
    EXPECT_NE(client->error_text().find("certificate verify failed"), std::string::npos)
        << client->error_text();
    EXPECT_NE(client->error_text().find("self-signed certificate"), std::string::npos)
        << client->error_text();
    EXPECT_FALSE(client->established());
}

TEST(tls_session, a_close_notify_ends_reading) {
    auto server_ctx = server_context();
    auto client_ctx = client_context(false);
    std::string error;
    auto server = tls_session::make(server_ctx.get(), true, {}, error);
    auto client = tls_session::make(client_ctx.get(), false, {}, error);
    tls_session::step client_step{}, server_step{};
    pump(*client, *server, client_step, server_step);
    ASSERT_TRUE(server->established());
    read_all(*server); // TLS 1.3 session tickets, nothing for the reader
    SSL_shutdown(client->ssl());
    std::string notify = client->take_output();
    server->feed(notify.data(), notify.size());
    tls_session::step step{};
    EXPECT_EQ(read_all(*server, &step), "");
    EXPECT_EQ(step, tls_session::step::failed);
    EXPECT_EQ(server->error_text(), "closed by the peer (close_notify)");
}

TEST(tls_session, no_context_is_a_clear_error) {
    std::string error;
    EXPECT_EQ(tls_session::make(nullptr, true, {}, error), nullptr);
    EXPECT_EQ(error, "no TLS context");
}

} // namespace
} // namespace siphost::net
