// The TCP connection table on loopback (each test in a network namespace of its own): messages handed on with
// their connection, replies over that connection, reuse by address, idle and unfinished connections closed,
// the connection limit. Each test runs twice: with the transport's own io threads, and with connections on
// reader loops that other threads run (as the server's TCP readers do).
#include "net/tcp_transport.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <set>
#include <mutex>
#include <thread>

namespace siphost::net {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;

const std::string request = "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 0\r\n\r\n";

/// What the transport handed on, for the test thread to wait for.
struct inbox {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<stream_message> messages;
    std::vector<std::thread::id> threads; ///< the thread each message was handed on

    stream_handler handler() {
        return [this](stream_message&& m) {
            std::lock_guard lock(mutex);
            messages.push_back(std::move(m));
            threads.push_back(std::this_thread::get_id());
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
    options.lifetime = 1s;
    options.partial_timeout = 300ms;
    options.max_connections = 4;
    options.io_threads = 1;
    return options;
}

/// Waits until pred holds or limit passes.
template <class Pred> bool eventually(Pred pred, std::chrono::milliseconds limit = 3000ms) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > until)
            return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

/// True when the peer closed the socket within limit.
bool closed_by_peer(tcp::socket& socket, std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    socket.non_blocking(true);
    char byte;
    while (std::chrono::steady_clock::now() < until) {
        boost::system::error_code ec;
        socket.read_some(boost::asio::buffer(&byte, 1), ec);
        if (ec && ec != boost::asio::error::would_block)
            return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

/// Event loops, each run by a thread of its own, standing in for the server's TCP readers.
class reader_pool {
public:
    explicit reader_pool(int count) : loops_(static_cast<size_t>(count)) {
        for (size_t i = 0; i < loops_.size(); ++i) {
            guards_.emplace_back(loops_[i].get_executor());
            threads_.emplace_back([this, i] {
                this_thread_reader() = static_cast<int>(i);
                loops_[i].run();
            });
        }
    }
    ~reader_pool() {
        guards_.clear();
        for (auto& loop : loops_)
            loop.stop();
        for (auto& thread : threads_)
            thread.join();
    }
    reader_loops loops() {
        reader_loops readers;
        for (auto& loop : loops_)
            readers.loops.push_back(&loop);
        readers.current = [] { return this_thread_reader(); };
        return readers;
    }
    std::thread::id thread(size_t i) const { return threads_[i].get_id(); }
    size_t size() const { return loops_.size(); }

private:
    static int& this_thread_reader() {
        thread_local int index = -1;
        return index;
    }
    std::deque<boost::asio::io_context> loops_;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
};

class transport_fixture : public ::testing::Test {
protected:
    explicit transport_fixture(bool on_readers) : on_readers_(on_readers) {}
    void TearDown() override {
        transport.reset(); // before the readers: its connections live on their loops
        readers.reset();
    }
    void start(tcp_options options = quick_options()) {
        if (on_readers_)
            readers = std::make_unique<reader_pool>(2);
        transport = std::make_unique<tcp_transport>(std::vector<listen_spec>{{"tcp", "127.0.0.1", 0}},
                                                    options, received.handler(), tls_provider{},
                                                    readers ? readers->loops() : reader_loops{});
        transport->start();
        port = transport->listens().front()->port;
    }
    bool on_a_reader(std::thread::id id) const {
        for (size_t i = 0; readers && i < readers->size(); ++i)
            if (readers->thread(i) == id)
                return true;
        return false;
    }
    tcp::socket connect() {
        tcp::socket socket(client_io);
        socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
        return socket;
    }

    bool on_readers_;
    inbox received;
    std::unique_ptr<reader_pool> readers;
    std::unique_ptr<tcp_transport> transport;
    uint16_t port = 0;
    boost::asio::io_context client_io;
};

/// The parameter: true for connections on reader loops.
class tcp_transport_test : public transport_fixture, public ::testing::WithParamInterface<bool> {
protected:
    tcp_transport_test() : transport_fixture(GetParam()) {}
};

class tcp_transport_readers : public transport_fixture {
protected:
    tcp_transport_readers() : transport_fixture(true) {}
};

TEST_P(tcp_transport_test, a_message_is_handed_on_and_answered_over_its_connection) {
    start();
    auto client = connect();
    boost::asio::write(client, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(1));
    const auto& message = received.messages.front();
    EXPECT_EQ(message.bytes, request);
    EXPECT_NE(message.conn_id, 0u);
    EXPECT_EQ(message.socket, transport->listens().front().get());
    EXPECT_EQ(message.source.port(), client.local_endpoint().port());
    EXPECT_EQ(message.socket->proto, SIPHOST_PROTO_TCP);

    std::string reply = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    ASSERT_TRUE(transport->send(message.conn_id, udp_endpoint(), reply, true));
    std::string got(reply.size(), '\0');
    boost::asio::read(client, boost::asio::buffer(got));
    EXPECT_EQ(got, reply);
}

TEST_P(tcp_transport_test, sending_to_an_address_opens_one_connection_and_reuses_it) {
    start();
    tcp::acceptor peer(client_io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    udp_endpoint to(boost::asio::ip::make_address("127.0.0.1"), peer.local_endpoint().port());
    EXPECT_FALSE(transport->send(0, to, request, true)); // no_connect and nothing open
    ASSERT_TRUE(transport->send(0, to, request, false));
    ASSERT_TRUE(transport->send(0, to, request, false));
    tcp::socket accepted = peer.accept();
    std::string got(request.size() * 2, '\0');
    boost::asio::read(accepted, boost::asio::buffer(got));
    EXPECT_EQ(got, request + request);
    EXPECT_EQ(transport->connection_count(), 1u);
    EXPECT_TRUE(transport->send(0, to, request, true)); // open now: no_connect is fine

    // The peer's messages on the connection we opened come in with its id.
    boost::asio::write(accepted, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(1));
    EXPECT_TRUE(transport->is_open(received.messages.front().conn_id));
}

TEST_P(tcp_transport_test, close_after_writes_the_bytes_then_closes) {
    start();
    auto client = connect();
    boost::asio::write(client, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(1));
    uint64_t id = received.messages.front().conn_id;
    std::string reply = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    ASSERT_TRUE(transport->send(id, udp_endpoint(), reply, true, SIPHOST_PROTO_TCP, true));
    std::string got(reply.size(), '\0');
    boost::asio::read(client, boost::asio::buffer(got));
    EXPECT_EQ(got, reply) << "the reply is written before the close";
    EXPECT_TRUE(closed_by_peer(client, 2000ms));
    EXPECT_TRUE(eventually([&] { return !transport->is_open(id); }));
}

TEST_P(tcp_transport_test, close_after_on_a_new_connection_waits_for_the_connect) {
    start();
    tcp::acceptor peer(client_io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    udp_endpoint to(boost::asio::ip::make_address("127.0.0.1"), peer.local_endpoint().port());
    ASSERT_TRUE(transport->send(0, to, request, false, SIPHOST_PROTO_TCP, true));
    tcp::socket accepted = peer.accept();
    std::string got(request.size(), '\0');
    boost::asio::read(accepted, boost::asio::buffer(got));
    EXPECT_EQ(got, request);
    EXPECT_TRUE(closed_by_peer(accepted, 2000ms));
    EXPECT_TRUE(eventually([&] { return transport->connection_count() == 0; }));
    EXPECT_FALSE(transport->send(0, to, request, true)) << "closed: no_connect has nothing to send over";
}

TEST_P(tcp_transport_test, what_a_slow_peer_cannot_take_yet_follows_in_order) {
    // More than the kernel buffers for a peer that does not read: sends from another thread first write what
    // the socket takes, then queue the rest on the connection's own thread; nothing is lost or reordered.
    auto options = quick_options();
    options.max_queued_bytes = 64u << 20;
    options.lifetime = 30s;
    start(options);
    tcp::socket client(client_io);
    client.open(tcp::v4());
    client.set_option(boost::asio::socket_base::receive_buffer_size(4096));
    client.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    boost::asio::write(client, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(1));
    uint64_t id = received.messages.front().conn_id;
    std::string expected;
    for (int i = 0; i < 160; ++i) {
        std::string chunk(64 * 1024, static_cast<char>('a' + i % 26));
        chunk.replace(0, std::to_string(i).size(), std::to_string(i));
        ASSERT_TRUE(transport->send(id, udp_endpoint(), chunk, true)) << "chunk " << i;
        expected += chunk;
    }
    std::string got(expected.size(), '\0');
    boost::asio::read(client, boost::asio::buffer(got));
    EXPECT_TRUE(got == expected) << "the bytes came back changed or out of order";
    EXPECT_TRUE(transport->is_open(id));
}

TEST_P(tcp_transport_test, an_alias_sends_to_the_peers_port_over_its_connection) {
    start();
    auto client = connect();
    boost::asio::write(client, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(1));
    uint64_t id = received.messages.front().conn_id;
    // Nobody listens on the aliased port: without the alias, no_connect fails and a connect would be refused.
    tcp::acceptor unused(client_io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    uint16_t alias_port = unused.local_endpoint().port();
    unused.close();
    udp_endpoint aliased(boost::asio::ip::make_address("127.0.0.1"), alias_port);
    EXPECT_FALSE(transport->send(0, aliased, request, true));
    ASSERT_TRUE(transport->add_alias(id, alias_port));
    EXPECT_TRUE(transport->add_alias(id, alias_port)) << "the same alias twice is one alias";
    ASSERT_TRUE(transport->send(0, aliased, request, true));
    std::string got(request.size(), '\0');
    boost::asio::read(client, boost::asio::buffer(got));
    EXPECT_EQ(got, request);
    EXPECT_EQ(transport->connection_count(), 1u);
    EXPECT_FALSE(transport->send(0, aliased, request, true, SIPHOST_PROTO_TLS)) << "an alias is per protocol";

    // Another address's port is not reachable through it: the alias is the peer's own IP address only.
    EXPECT_FALSE(transport->send(0, udp_endpoint(boost::asio::ip::make_address("127.0.0.2"), alias_port),
                                 request, true));

    // A few aliases per connection, no more.
    for (uint16_t extra = 1; extra < tcp_transport::max_aliases; ++extra)
        EXPECT_TRUE(transport->add_alias(id, static_cast<uint16_t>(alias_port + extra)));
    EXPECT_FALSE(transport->add_alias(id, static_cast<uint16_t>(alias_port + tcp_transport::max_aliases)));

    // Closed, the connection takes its aliases with it.
    client.close();
    ASSERT_TRUE(eventually([&] { return transport->connection_count() == 0; }));
    EXPECT_FALSE(transport->send(0, aliased, request, true));
    EXPECT_FALSE(transport->add_alias(id, alias_port));
}

TEST_P(tcp_transport_test, idle_and_unfinished_connections_are_closed) {
    start();
    auto idle = connect();
    auto unfinished = connect();
    boost::asio::write(unfinished, boost::asio::buffer(request.substr(0, 20)));
    EXPECT_TRUE(closed_by_peer(unfinished, 1000ms)); // partial_timeout 300 ms
    EXPECT_FALSE(closed_by_peer(idle, 200ms));
    EXPECT_TRUE(closed_by_peer(idle, 2000ms)); // lifetime 1 s
    EXPECT_TRUE(eventually([&] { return transport->connection_count() == 0; }));
}

TEST_P(tcp_transport_test, a_connections_own_lifetime_replaces_the_configured_one) {
    // tcpops' tcp_set_connection_lifetime: the deadline timer only moves earlier on its own, so a longer
    // lifetime must be found when the configured one fires, and a shorter one must move the timer.
    tcp_options options = quick_options();
    options.lifetime = 3s;
    start(options);
    auto shorter = connect();
    auto longer = connect();
    boost::asio::write(shorter, boost::asio::buffer(request));
    boost::asio::write(longer, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(2));
    uint64_t shorter_id = 0, longer_id = 0;
    for (const auto& m : received.messages)
        (m.source.port() == shorter.local_endpoint().port() ? shorter_id : longer_id) = m.conn_id;
    auto s = transport->find(shorter_id);
    auto l = transport->find(longer_id);
    ASSERT_TRUE(s && l);
    ASSERT_TRUE(s->set_lifetime(1s));
    ASSERT_TRUE(l->set_lifetime(5s));
    auto began = std::chrono::steady_clock::now();
    EXPECT_TRUE(closed_by_peer(shorter, 2500ms)); // 1 s, not 3
    // Still open 4 s after it was set, past the configured 3 s (a load can only make it close later).
    auto open_until = began + 4s;
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(open_until - std::chrono::steady_clock::now());
    EXPECT_FALSE(closed_by_peer(longer, std::max(left, 0ms)));
    EXPECT_TRUE(closed_by_peer(longer, 4000ms)); // 5 s after it was set
    EXPECT_GE(std::chrono::steady_clock::now() - began, 4500ms);
    EXPECT_FALSE(s->set_lifetime(1s)) << "closed";
}

TEST_P(tcp_transport_test, a_connection_is_found_by_its_peer_and_takes_keepalive_settings) {
    start();
    auto client = connect();
    boost::asio::write(client, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(1));
    uint64_t id = received.messages.front().conn_id;
    udp_endpoint peer(boost::asio::ip::make_address("127.0.0.1"), client.local_endpoint().port());
    EXPECT_EQ(transport->find_by_remote(peer), id);
    EXPECT_EQ(transport->find_by_remote(udp_endpoint(peer.address(), static_cast<uint16_t>(peer.port() + 1))),
              0u);
    auto connection = transport->find(id);
    ASSERT_TRUE(connection);
    EXPECT_FALSE(connection->connecting());
    EXPECT_TRUE(connection->set_keepalive(true, 30, 3, 10));
    EXPECT_TRUE(connection->set_keepalive(false, 0, 0, 0));
    connection->close("test");
    EXPECT_TRUE(eventually([&] { return transport->find_by_remote(peer) == 0; }));
    EXPECT_FALSE(connection->set_keepalive(true, 30, 3, 10));
}

TEST_P(tcp_transport_test, connections_beyond_the_limit_are_refused) {
    start();
    std::vector<tcp::socket> held;
    for (int i = 0; i < 4; ++i)
        held.push_back(connect());
    ASSERT_TRUE(eventually([&] { return transport->connection_count() == 4; }));
    auto surplus = connect();
    EXPECT_TRUE(closed_by_peer(surplus, 1000ms));
    boost::asio::write(held[0], boost::asio::buffer(request));
    EXPECT_TRUE(received.wait_for(1));
    held.clear();
    EXPECT_TRUE(eventually([&] { return transport->connection_count() == 0; }));
    auto again = connect();
    boost::asio::write(again, boost::asio::buffer(request));
    EXPECT_TRUE(received.wait_for(2));
}

TEST_P(tcp_transport_test, a_framing_error_closes_the_connection) {
    start();
    auto client = connect();
    std::string no_length = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n";
    boost::asio::write(client, boost::asio::buffer(no_length));
    EXPECT_TRUE(closed_by_peer(client, 1000ms));
    EXPECT_TRUE(received.messages.empty());
}

TEST_F(tcp_transport_readers, accept_and_hand_on_messages_on_their_own_threads) {
    // Each reader accepts on the address (SO_REUSEPORT), the kernel choosing by the client's port: 32
    // connections all landing on one of two readers would happen once in 2^31 runs.
    auto options = quick_options();
    options.max_connections = 64;
    start(options);
    std::vector<tcp::socket> clients;
    for (int i = 0; i < 32; ++i) {
        clients.push_back(connect());
        boost::asio::write(clients.back(), boost::asio::buffer(request));
    }
    ASSERT_TRUE(received.wait_for(32));
    std::set<std::thread::id> used;
    for (const auto& id : received.threads) {
        EXPECT_TRUE(on_a_reader(id)) << "a message handed on outside the readers";
        used.insert(id);
    }
    EXPECT_EQ(used.size(), 2u) << "accepted connections are shared out among the readers";
}

TEST_F(tcp_transport_readers, a_connection_a_reader_opens_stays_on_that_reader) {
    start();
    tcp::acceptor peer(client_io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    udp_endpoint to(boost::asio::ip::make_address("127.0.0.1"), peer.local_endpoint().port());
    auto client = connect();
    boost::asio::write(client, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(1));
    std::thread::id reader = received.threads.front();
    ASSERT_TRUE(on_a_reader(reader));
    // Relayed from that reader's thread, as the script would: the new connection is opened there ...
    std::promise<bool> sent;
    boost::asio::post(readers->loops().loops[reader == readers->thread(0) ? 0 : 1]->get_executor(),
                      [&] { sent.set_value(transport->send(0, to, request, false)); });
    ASSERT_TRUE(sent.get_future().get());
    tcp::socket accepted = peer.accept();
    std::string got(request.size(), '\0');
    boost::asio::read(accepted, boost::asio::buffer(got));
    // ... and what comes back on it is handed on by the same reader.
    boost::asio::write(accepted, boost::asio::buffer(request));
    ASSERT_TRUE(received.wait_for(2));
    EXPECT_EQ(received.threads[1], reader);
}

INSTANTIATE_TEST_SUITE_P(modes, tcp_transport_test, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                             return info.param ? std::string("reader_loops") : std::string("io_threads");
                         });

TEST(tcp_transport, refuses_an_address_it_cannot_use) {
    inbox received;
    EXPECT_THROW(tcp_transport({{"tcp", "not-an-ip", 5060}}, tcp_options{}, received.handler()),
                 std::runtime_error);
    EXPECT_THROW(tcp_transport({{"udp", "127.0.0.1", 0}}, tcp_options{}, received.handler()),
                 std::runtime_error);
}

} // namespace
} // namespace siphost::net
