#pragma once
// The TCP side of the host: listen addresses, the connection table (ids are $conid and siphost_dest.conn_id)
// and the event loops that read and write every connection. In the server each connection lives on one TCP
// reader loop (the workers Kamailio calls tcp_children, which have no UDP socket): its messages are handed to
// the handler on that loop's thread, which runs the script there, so a message costs no hand-off between
// threads, and a slow or hostile peer costs a reader a little time, never a UDP worker's traffic. Any
// thread may send on any connection. Without reader loops (the unit tests) the transport's own io threads
// read, each connection on a strand.

#include "net/tcp_connection.hpp"
#include "net/tcp_options.hpp"
#include "net/tls_provider.hpp"
#include "net/udp_worker.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace siphost::net {

/// One complete message read from a connection.
struct stream_message {
    std::string bytes;
    udp_endpoint source; ///< the peer's address and port
    const listening_socket*
        socket; ///< the listen address it arrived on (or, opened by us, one of its family)
    uint64_t conn_id = 0;
    uint8_t proto = SIPHOST_PROTO_TCP; ///< SIPHOST_PROTO_TCP, _TLS, _WS or _WSS
    std::shared_ptr<void> in_flight;   ///< released when handled: lets its connection read on (null on a reader)
};

using stream_handler = std::function<void(stream_message&&)>;

/// The event loops connections live on, each run by one thread that is not the transport's.
struct reader_loops {
    std::vector<boost::asio::io_context*> loops;
    /// The calling thread's loop (an index into loops), or -1: a connection opened by a reader stays on its
    /// reader, so that a request and what it relays share one thread.
    std::function<int()> current;
};

class tcp_transport {
public:
    /// Binds and listens on every address (proto "tcp" or "tls"); throws std::runtime_error naming the
    /// address that cannot be used, or a TLS address without a server context from tls.
    /// With readers, connections live on those loops and the handler runs on their threads; the
    /// transport's own thread only accepts.
    tcp_transport(const std::vector<listen_spec>& listens, tcp_options options, stream_handler handler,
                  tls_provider tls = {}, reader_loops readers = {});
    ~tcp_transport();
    tcp_transport(const tcp_transport&) = delete;
    tcp_transport& operator=(const tcp_transport&) = delete;

    /// Starts accepting and the io threads.
    void start();
    /// Closes every connection and joins the io threads.
    void stop();

    const std::vector<std::unique_ptr<listening_socket>>& listens() const { return listens_; }
    const tcp_options& options() const { return options_; }

    /// Sends over connection conn_id when it is open, else over an open connection of proto (TCP, TLS, WS or
    /// WSS) to `to` (its own address or an alias of it), else (unless no_connect, or a WebSocket proto) over
    /// a new one. close_after closes the connection once the bytes are written (set_*_close()). Any thread;
    /// false when there is no way to send.
    bool send(uint64_t conn_id, const udp_endpoint& to, std::string_view bytes, bool no_connect,
              uint8_t proto = SIPHOST_PROTO_TCP, bool close_after = false);
    /// Kamailio's TCP alias (RFC 5923 connection reuse, by port only): from now on a send of the
    /// connection's proto to the peer's IP address and `port` goes over connection conn_id, while it is
    /// open. The peer's address, never a host it names, so that a peer can only alias itself. At most
    /// max_aliases per connection; false when the connection is not open or has that many already.
    bool add_alias(uint64_t conn_id, uint16_t port);
    static constexpr size_t max_aliases = 3; ///< as Kamailio: its own address and 3 more ports
    /// True when TLS connections can be opened (the tls module gave its contexts).
    bool serves_tls() const { return static_cast<bool>(tls_); }
    /// The open connection conn_id, or null.
    std::shared_ptr<tcp_connection> find(uint64_t conn_id) const;
    /// The id of an open connection to `to` (its peer's address, or an alias of it), the lowest when there
    /// are several, or 0 (tcpops' tcp_get_conid).
    uint64_t find_by_remote(const udp_endpoint& to) const;
    /// Every open connection (for the RPCs), in id order.
    std::vector<std::shared_ptr<tcp_connection>> connections() const;

    /// Open connections (accepted and opened).
    size_t connection_count() const;
    /// True when the connection is open.
    bool is_open(uint64_t conn_id) const;

    // For tcp_connection.
    void deliver(stream_message&& message) { handler_(std::move(message)); }
    /// True when connections live on reader loops, whose threads run the handler themselves.
    bool delivers_inline() const { return !readers_.loops.empty(); }
    void remove(const tcp_connection& connection);
    /// A listen address of proto (TCP or TLS) in to's family, to send from.
    const listening_socket* socket_for(const udp_endpoint& to, uint8_t proto = SIPHOST_PROTO_TCP) const;
    /// The WS (of a TCP) or WSS (of a TLS) twin of a listen address: what an upgraded connection belongs to.
    const listening_socket* ws_twin(const listening_socket* base) const;

private:
    struct acceptor {
        explicit acceptor(boost::asio::io_context& io) : socket(io) {}
        boost::asio::ip::tcp::acceptor socket;
        const listening_socket* listen = nullptr;
        SSL_CTX* tls = nullptr; ///< a TLS listen address's server context
        boost::asio::ip::tcp::endpoint peer; ///< the pending accept's peer
    };
    void accept(acceptor& a);
    /// Where a connection we open lives: the calling reader's loop when it is one, else the next reader in
    /// turn; a strand of the transport's own io_context without readers.
    boost::asio::any_io_executor home_for_new();
    std::shared_ptr<tcp_connection> add(boost::asio::ip::tcp::socket socket, const listening_socket* local,
                                        const udp_endpoint& remote,
                                        std::unique_ptr<tls_session> tls = nullptr);

    tcp_options options_;
    stream_handler handler_;
    tls_provider tls_;
    reader_loops readers_;
    std::atomic<unsigned> next_reader_{0};
    boost::asio::io_context io_;
    std::vector<std::unique_ptr<listening_socket>> listens_;
    std::vector<std::unique_ptr<listening_socket>> ws_listens_; ///< listens_[i]'s WebSocket twin is [i]
    std::vector<std::unique_ptr<acceptor>> acceptors_; ///< with readers, one per reader and address
    std::vector<std::thread> threads_;
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    mutable std::mutex mutex_; ///< guards the two maps and next_id_
    std::unordered_map<uint64_t, std::shared_ptr<tcp_connection>> by_id_;
    std::multimap<udp_endpoint, uint64_t> by_remote_; ///< each connection's peer, and its aliases
    std::unordered_map<uint64_t, std::vector<udp_endpoint>> aliases_; ///< by connection id
    uint64_t next_id_ = 1;
    bool stopped_ = false;
};

} // namespace siphost::net
