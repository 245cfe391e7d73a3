#pragma once
// JSON-RPC over a unix datagram socket (Kamailio's dgram_socket): one request per datagram, the reply sent
// back to the sender's address. A datagram larger than the buffer is answered with an error, never cut and
// parsed. Served on the host's slow timer thread, like fifo_server.

#include "socket_owner.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::jsonrpcs {

class dgram_server {
public:
    struct options {
        std::string path;
        socket_owner owner;
        uint32_t timeout_ms = 2000; ///< how long a reply may wait for room in the client's queue
        size_t max_size = 65536;    ///< bytes of one request datagram
    };
    /// Runs one request; returns the reply text.
    using handler_fn = std::function<std::string(std::string_view document)>;
    /// The reply to a datagram too large to read.
    using too_large_fn = std::function<std::string(size_t size)>;
    using log_fn = std::function<void(int level, std::string_view text)>;

    dgram_server(options opts, handler_fn handler, too_large_fn too_large, log_fn log);
    ~dgram_server();
    dgram_server(const dgram_server&) = delete;
    dgram_server& operator=(const dgram_server&) = delete;

    /// Binds the socket (replacing a stale socket file; anything else at the path is an error).
    bool open(std::string& error);
    int fd() const { return fd_; }

    /// Serves the datagrams waiting; call when readable and from time to time.
    void poll();

private:
    options opts_;
    handler_fn handler_;
    too_large_fn too_large_;
    log_fn log_;
    int fd_ = -1;
    std::vector<char> buffer_;
};

} // namespace siphost::modules::jsonrpcs
