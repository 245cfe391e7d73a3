// TLS connections in the TCP table, on loopback (a network namespace of its own): a TLS listener and a
// transport that opens TLS connections, messages queued before the handshake, replies on the connection,
// reuse by address and protocol, a handshake that never comes, and a TLS listen without the tls module.
#include "net/tcp_transport.hpp"

#include "test_tls_context.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace siphost::net {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;

const std::string request = "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 0\r\n\r\n";
const std::string reply = "SIP/2.0 200 OK\r\nCall-ID: 1\r\nContent-Length: 0\r\n\r\n";

struct inbox {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<stream_message> messages;

    stream_handler handler() {
        return [this](stream_message&& m) {
            std::lock_guard lock(mutex);
            messages.push_back(std::move(m));
            changed.notify_all();
        };
    }
    bool wait_for(size_t count, std::chrono::milliseconds limit = 3000ms) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, limit, [&] { return messages.size() >= count; });
    }
};

tcp_options quick_options() {
    tcp_options options;
    options.io_threads = 1;
    options.tls_handshake_timeout = 300ms;
    return options;
}

class tls_transport_test : public ::testing::Test {
protected:
    void SetUp() override {
        server_ctx = testing::server_context();
        client_ctx = testing::client_context(false);
        tls_provider provider;
        provider.server = [this](const std::string&, uint16_t) { return server_ctx.get(); };
        provider.client = [this](const udp_endpoint&, std::string& name) {
            name = "siphost.test";
            return client_ctx.get();
        };
        server = std::make_unique<tcp_transport>(std::vector<listen_spec>{{"tls", "127.0.0.1", 0}},
                                                 quick_options(), server_inbox.handler(), provider);
        client = std::make_unique<tcp_transport>(std::vector<listen_spec>{{"tcp", "127.0.0.1", 0}},
                                                 quick_options(), client_inbox.handler(), provider);
        server->start();
        client->start();
        to = udp_endpoint(boost::asio::ip::make_address("127.0.0.1"), server->listens().front()->port);
    }

    testing::ctx_ptr server_ctx;
    testing::ctx_ptr client_ctx;
    inbox server_inbox;
    inbox client_inbox;
    std::unique_ptr<tcp_transport> server;
    std::unique_ptr<tcp_transport> client;
    udp_endpoint to;
};

TEST_F(tls_transport_test, messages_cross_a_tls_connection_both_ways) {
    EXPECT_EQ(server->listens().front()->proto, SIPHOST_PROTO_TLS);
    EXPECT_EQ(server->listens().front()->name.substr(0, 14), "tls:127.0.0.1:");
    // Both wait for the handshake, then go in order.
    ASSERT_TRUE(client->send(0, to, request, false, SIPHOST_PROTO_TLS));
    ASSERT_TRUE(client->send(0, to, request + "", false, SIPHOST_PROTO_TLS));
    ASSERT_TRUE(server_inbox.wait_for(2));
    const auto& in = server_inbox.messages.front();
    EXPECT_EQ(in.bytes, request);
    EXPECT_EQ(in.proto, SIPHOST_PROTO_TLS);
    EXPECT_EQ(in.socket->proto, SIPHOST_PROTO_TLS);
    auto connection = server->find(in.conn_id);
    ASSERT_TRUE(connection);
    ASSERT_NE(connection->tls(), nullptr);
    EXPECT_TRUE(connection->tls()->established());
    EXPECT_EQ(client->connection_count(), 1u); // reused for the second message

    ASSERT_TRUE(server->send(in.conn_id, udp_endpoint(), reply, true, SIPHOST_PROTO_TLS));
    ASSERT_TRUE(client_inbox.wait_for(1));
    EXPECT_EQ(client_inbox.messages.front().bytes, reply);
    EXPECT_EQ(client_inbox.messages.front().proto, SIPHOST_PROTO_TLS);

    // A plain TCP send to the same address is another connection: TLS is not reused for TCP.
    EXPECT_FALSE(client->send(0, to, request, true, SIPHOST_PROTO_TCP));
    EXPECT_TRUE(client->send(0, to, request, true, SIPHOST_PROTO_TLS));
    ASSERT_TRUE(server_inbox.wait_for(3));
}

TEST_F(tls_transport_test, close_after_on_a_new_connection_waits_for_the_handshake_and_the_message) {
    // set_forward_close() on a connection still connecting and shaking hands: the message is held for the
    // handshake, then written, then the connection closes (not before: that would lose the message).
    ASSERT_TRUE(client->send(0, to, request, false, SIPHOST_PROTO_TLS, true));
    ASSERT_TRUE(server_inbox.wait_for(1));
    EXPECT_EQ(server_inbox.messages.front().bytes, request);
    auto until = std::chrono::steady_clock::now() + 3s;
    while ((client->connection_count() > 0 || server->connection_count() > 0) &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(client->connection_count(), 0u) << "closed after the message";
    EXPECT_EQ(server->connection_count(), 0u) << "the server saw the close";
    EXPECT_FALSE(client->send(0, to, request, true, SIPHOST_PROTO_TLS)) << "nothing open any more";
}

TEST_F(tls_transport_test, a_connection_that_never_says_hello_is_closed_after_the_handshake_timeout) {
    boost::asio::io_context io;
    tcp::socket silent(io);
    silent.connect(tcp::endpoint(to.address(), to.port()));
    auto start = std::chrono::steady_clock::now();
    silent.non_blocking(false);
    char byte;
    boost::system::error_code ec;
    silent.read_some(boost::asio::buffer(&byte, 1), ec); // returns when siphost closes it
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(ec);
    EXPECT_LT(took, 2s);
    EXPECT_GE(took, 250ms);
    EXPECT_TRUE([&] {
        for (int i = 0; i < 100 && server->connection_count() != 0; ++i)
            std::this_thread::sleep_for(10ms);
        return server->connection_count() == 0;
    }());
}

TEST(tls_transport, a_tls_listen_needs_the_tls_module) {
    inbox unused;
    try {
        tcp_transport transport(std::vector<listen_spec>{{"tls", "127.0.0.1", 5061}}, quick_options(),
                                unused.handler());
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "listen=tls:127.0.0.1:5061: TLS needs the tls module (loadmodule \"tls.so\")");
    }
    tls_provider without_profile;
    without_profile.server = [](const std::string&, uint16_t) -> SSL_CTX* { return nullptr; };
    without_profile.client = [](const udp_endpoint&, std::string&) -> SSL_CTX* { return nullptr; };
    try {
        tcp_transport transport(std::vector<listen_spec>{{"tls", "127.0.0.1", 5061}}, quick_options(),
                                unused.handler(), without_profile);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "listen=tls:127.0.0.1:5061: the tls module has no server profile for it");
    }
}

TEST(tls_transport, opening_tls_without_the_module_fails) {
    inbox unused;
    tcp_transport transport(std::vector<listen_spec>{{"tcp", "127.0.0.1", 0}}, quick_options(),
                            unused.handler());
    transport.start();
    udp_endpoint somewhere(boost::asio::ip::make_address("127.0.0.1"), 9);
    EXPECT_FALSE(transport.send(0, somewhere, request, false, SIPHOST_PROTO_TLS));
    EXPECT_EQ(transport.connection_count(), 0u);
}

} // namespace
} // namespace siphost::net
