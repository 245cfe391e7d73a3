#pragma once
// One worker thread: its own io_context and, for every listen address, its own UDP socket bound with
// SO_REUSEPORT to that address. The kernel hashes each flow (source and destination address and port) to
// one socket of the group, so datagrams of one peer always reach the same worker, in order, and the workers
// share no queue.

#include "net/socket_address.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::net {

/// A listen address as the rest of the host sees it (the same object for every worker's socket on it).
struct listening_socket {
    udp_endpoint endpoint; ///< bound address (port resolved when 0 was asked)
    std::string host;      ///< what goes into Via and Record-Route (the address as text)
    uint16_t port = 0;
    size_t index = 0;                  ///< position among the listen addresses
    std::string name;                  ///< "udp:127.0.0.1:5060", as Kamailio prints a socket
    uint8_t proto = SIPHOST_PROTO_UDP; ///< enum siphost_proto
};

struct datagram {
    std::string_view bytes; ///< valid during the handler call only (the worker's receive buffer)
    udp_endpoint source;
    const listening_socket* socket; ///< where it arrived
};

class udp_worker;
/// Called on the worker's thread for every datagram.
using datagram_handler = std::function<void(udp_worker&, const datagram&)>;

class udp_worker {
public:
    /// Opens and binds this worker's sockets; throws std::system_error when a bind fails.
    udp_worker(int index, const std::vector<std::unique_ptr<listening_socket>>& listens,
               datagram_handler handler);
    udp_worker(const udp_worker&) = delete;
    udp_worker& operator=(const udp_worker&) = delete;

    /// Receives and handles datagrams until stop(); call on the worker's own thread.
    void run();
    /// Makes run() return after the datagram being handled; any thread.
    void stop();
    /// Runs task on this worker's thread between two datagrams, in posting order; any thread.
    void post(std::function<void()> task);

    int index() const { return index_; }
    /// False for a TCP reader, which has no UDP socket.
    bool has_udp_sockets() const { return !sockets_.empty(); }
    /// The event loop: a TCP reader's connections live on it.
    boost::asio::io_context& loop() { return io_; }
    /// The native descriptor of this worker's socket on a listen address (to send from it).
    int native_socket(size_t listen_index) { return sockets_[listen_index]->socket.native_handle(); }
    /// Where this worker's socket on a listen address is bound (the port the kernel chose for port 0).
    udp_endpoint local_endpoint(size_t listen_index) const {
        return sockets_[listen_index]->socket.local_endpoint();
    }

private:
    struct bound_socket {
        bound_socket(boost::asio::io_context& io, const listening_socket& listen);
        boost::asio::ip::udp::socket socket;
        const listening_socket* listen;
        udp_endpoint sender;
        std::array<char, 65536> buffer; ///< one datagram of any size UDP can carry
    };
    void receive(bound_socket& bound);

    int index_;                                          ///< 0 .. children-1
    /// This worker's only event loop. Run by one thread (hint 1): what the worker posts to itself (a TCP
    /// connection's next step) goes on a private queue, with no lock and no wake-up of the reactor.
    boost::asio::io_context io_{1};
    std::vector<std::unique_ptr<bound_socket>> sockets_; ///< one per listen address
    datagram_handler handler_;
};

} // namespace siphost::net
