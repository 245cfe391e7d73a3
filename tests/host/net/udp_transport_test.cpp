// The transport on loopback: datagrams reach a worker intact, one peer's datagrams stay in order on one
// worker, and replies leave from the listening address.
#include "net/udp_transport.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

using namespace siphost::net;
using boost::asio::ip::udp;

namespace {

struct received_log {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<int, std::string>> entries; // worker, bytes

    bool wait_for(size_t count) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(5), [&] { return entries.size() >= count; });
    }
};

} // namespace

TEST(UdpTransport, DeliversOnePeersDatagramsInOrderToOneWorker) {
    received_log log;
    udp_transport transport({listen_spec{"udp", "127.0.0.1", 0}}, 2, [&](udp_worker& worker, const datagram& d) {
        std::lock_guard lock(log.mutex);
        log.entries.emplace_back(worker.index(), std::string(d.bytes));
        log.changed.notify_all();
    });
    transport.start(nullptr);
    auto server = transport.listens().front()->endpoint;
    ASSERT_NE(server.port(), 0);

    boost::asio::io_context io;
    udp::socket peer(io, udp::endpoint(udp::v4(), 0));
    constexpr int count = 200;
    for (int i = 0; i < count; ++i)
        peer.send_to(boost::asio::buffer("message " + std::to_string(i)), server);
    ASSERT_TRUE(log.wait_for(count));
    transport.stop();

    std::set<int> workers;
    for (int i = 0; i < count; ++i) {
        EXPECT_EQ(log.entries[i].second, "message " + std::to_string(i));
        workers.insert(log.entries[i].first);
    }
    EXPECT_EQ(workers.size(), 1u) << "one peer's datagrams must stay on one worker";
}

TEST(UdpTransport, ReceivesLargeDatagramsWhole) {
    received_log log;
    udp_transport transport({listen_spec{"udp", "127.0.0.1", 0}}, 1, [&](udp_worker&, const datagram& d) {
        std::lock_guard lock(log.mutex);
        log.entries.emplace_back(0, std::string(d.bytes));
        log.changed.notify_all();
    });
    transport.start(nullptr);
    boost::asio::io_context io;
    udp::socket peer(io, udp::endpoint(udp::v4(), 0));
    std::string big(60000, 'x');
    peer.send_to(boost::asio::buffer(big), transport.listens().front()->endpoint);
    ASSERT_TRUE(log.wait_for(1));
    transport.stop();
    EXPECT_EQ(log.entries[0].second.size(), big.size());
}

TEST(UdpTransport, RepliesLeaveFromTheListeningAddress) {
    udp_transport* self = nullptr;
    udp_transport transport({listen_spec{"udp", "127.0.0.1", 0}}, 2, [&](udp_worker&, const datagram& d) {
        self->send(d.socket, d.source, "echo " + std::string(d.bytes));
    });
    self = &transport;
    transport.start(nullptr);
    auto server = transport.listens().front()->endpoint;

    boost::asio::io_context io;
    udp::socket peer(io, udp::endpoint(udp::v4(), 0));
    peer.send_to(boost::asio::buffer(std::string("ping")), server);
    std::array<char, 64> buffer{};
    udp::endpoint from;
    std::atomic<bool> done{false};
    std::thread guard([&] { // the test must not hang if nothing comes back
        for (int i = 0; i < 50 && !done; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!done)
            peer.close();
    });
    size_t size = 0;
    try {
        size = peer.receive_from(boost::asio::buffer(buffer), from);
    } catch (const std::exception&) {
    }
    done = true;
    guard.join();
    transport.stop();
    EXPECT_EQ(std::string(buffer.data(), size), "echo ping");
    EXPECT_EQ(from, server);
}

TEST(UdpTransport, RefusesAnAddressThatIsNotAnIpAddress) {
    try {
        udp_transport transport({listen_spec{"udp", "not-an-address", 5060}}, 1, nullptr);
        FAIL();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("listen=not-an-address: not an IP address"), std::string::npos);
    }
}

TEST(UdpTransport, SendsToIpv6Loopback) {
    received_log log;
    udp_transport transport({listen_spec{"udp", "::1", 0}}, 1, [&](udp_worker&, const datagram& d) {
        std::lock_guard lock(log.mutex);
        log.entries.emplace_back(0, std::string(d.bytes));
        log.changed.notify_all();
    });
    transport.start(nullptr);
    boost::asio::io_context io;
    udp::socket peer(io, udp::endpoint(udp::v6(), 0));
    peer.send_to(boost::asio::buffer(std::string("over v6")), transport.listens().front()->endpoint);
    ASSERT_TRUE(log.wait_for(1));
    transport.stop();
    EXPECT_EQ(log.entries[0].second, "over v6");
}
