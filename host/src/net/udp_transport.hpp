#pragma once
// The UDP side of the host: the listen addresses, children worker threads, and sending from the socket a
// message arrived on (or one of the right family). The worker threads include the TCP readers (Kamailio's
// tcp_children): workers after the UDP ones, with no UDP socket, whose loops the TCP connections live on.

#include "net/udp_worker.hpp"

#include <atomic>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

namespace siphost::net {

class udp_transport {
public:
    /// Resolves and binds every listen address for every worker; throws std::runtime_error naming the
    /// address that cannot be used. Port 0 lets the kernel choose one port, which all workers then share
    /// (the config layer turns a missing port into 5060 before this).
    /// tcp_readers more workers follow the children, numbered after them.
    udp_transport(const std::vector<listen_spec>& listens, int children, datagram_handler handler,
                  int tcp_readers = 0);
    ~udp_transport();

    /// Starts the worker threads; on_worker_start runs first on each (per-worker module init).
    void start(const std::function<void(int worker)>& on_worker_start);
    /// Stops the workers after the datagrams in hand and joins them.
    void stop();

    const std::vector<std::unique_ptr<listening_socket>>& listens() const { return listens_; }
    /// The workers with UDP sockets (the first ones).
    int children() const { return children_; }
    /// The TCP readers' loops, in worker order; the calling thread's place among them (-1: not a reader).
    std::vector<boost::asio::io_context*> reader_loops();
    int current_reader() const;

    /// Sends from `from` (nullptr: the first listen address of the destination's family). Any thread: a
    /// UDP worker sends from its own socket, other threads from worker 0's. Returns false on a send error.
    bool send(const listening_socket* from, const udp_endpoint& to, std::string_view bytes);

    /// Runs task on worker `worker` (-1: the next one in turn) between two datagrams. False when there is
    /// no such worker.
    bool post(int worker, std::function<void()> task);

    /// The worker running on the calling thread, or nullptr.
    static udp_worker* current_worker();

private:
    std::vector<std::unique_ptr<listening_socket>> listens_;
    std::vector<std::unique_ptr<udp_worker>> workers_;
    int children_ = 0;
    std::vector<std::thread> threads_;
    std::atomic<unsigned> next_post_{0}; ///< round robin of post(-1)
};

} // namespace siphost::net
