#pragma once
// JSON-RPC over a FIFO, as Kamailio's jsonrpcs serves kamctl: requests are written into fifo_name, each
// names in reply_name a FIFO of fifo_reply_dir that the reply is written to. The server holds the FIFO open
// for writing too, so that it never sees end-of-file between writers; a document left incomplete for
// stall_ms is dropped as truncated instead. Every call happens on one thread (the host's slow timer thread:
// an fd watch and a periodic timer); the class does no locking.

#include "frame_reader.hpp"
#include "socket_owner.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace siphost::modules::jsonrpcs {

class fifo_server {
public:
    struct options {
        std::string path;
        socket_owner owner;
        std::string reply_dir = "/tmp/";
        uint32_t reply_timeout_ms = 2000; ///< how long a reply may wait for its reader
        size_t max_size = 1024 * 1024;    ///< bytes of one request
        uint32_t stall_ms = 1000;         ///< an incomplete request idle this long is dropped
    };
    /// Runs one document; returns the reply text and the reply_name the request gave (empty: none).
    using handler_fn = std::function<void(std::string_view document, std::string& reply, std::string& name)>;
    using log_fn = std::function<void(int level, std::string_view text)>;

    fifo_server(options opts, handler_fn handler, log_fn log);
    ~fifo_server();
    fifo_server(const fifo_server&) = delete;
    fifo_server& operator=(const fifo_server&) = delete;

    /// Creates the FIFO (replacing a stale one; anything else at the path is an error) and opens it.
    bool open(std::string& error);
    int fd() const { return fd_; }

    /// Reads and serves what is there; call when the descriptor is readable, and from time to time.
    void poll();

    /// Where the reply to reply_name goes, or empty with a reason when that is outside reply_dir.
    static std::string reply_path(const std::string& reply_dir, const std::string& reply_name,
                                  std::string& error);

private:
    void serve(std::string_view document);
    void write_reply(const std::string& name, const std::string& reply);

    options opts_;
    handler_fn handler_;
    log_fn log_;
    frame_reader reader_;
    int fd_ = -1;
    std::chrono::steady_clock::time_point last_read_{};
};

} // namespace siphost::modules::jsonrpcs
