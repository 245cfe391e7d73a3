#pragma once
// One TCP connection, accepted or opened: reads and frames messages on the transport's io threads, writes
// what any thread queues, and closes itself when idle, stuck mid-message, or slow to take what it is sent.
// All of its state is touched on its own executor only (a strand, or a reader loop's one thread). A TLS connection carries a tls_session that the
// bytes pass through; a plain one an empty pointer. An upgraded connection (websocket module) carries its
// messages in WebSocket frames (a ws_framer, made at the upgrade so that idle TCP connections stay small).

#include "net/socket_address.hpp"
#include "net/tcp_framer.hpp"
#include "net/tcp_options.hpp"
#include "net/tls_session.hpp"
#include "net/ws_framer.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace siphost::net {

class tcp_transport;
struct listening_socket;

class tcp_connection : public std::enable_shared_from_this<tcp_connection> {
public:
    using clock = std::chrono::steady_clock;

    /// socket's executor must run one handler at a time: a strand, or a loop that one thread runs.
    tcp_connection(tcp_transport& owner, boost::asio::ip::tcp::socket socket, uint64_t id,
                   const listening_socket* local, const udp_endpoint& remote,
                   std::unique_ptr<tls_session> tls = nullptr);
    tcp_connection(const tcp_connection&) = delete;
    tcp_connection& operator=(const tcp_connection&) = delete;

    /// An accepted connection: starts reading.
    void start();
    /// An opened connection: connects (tcp_connect_timeout), then writes what was queued and reads.
    void connect();
    /// Queues bytes to write (a text frame on a WebSocket connection); close_after closes the connection
    /// once they are written. Any thread. False when the connection is closed.
    bool send(std::string bytes, bool close_after = false);
    /// Closes it and takes it out of the transport's table; any thread.
    void close(std::string reason);
    /// A message handed to the workers was handled (reading resumes when it waited for that); any thread.
    void message_done();

    uint64_t id() const { return id_; }
    const udp_endpoint& remote() const { return remote_; }
    const listening_socket* local() const { return local_.load(std::memory_order_acquire); }
    bool closed() const { return closed_.load(std::memory_order_acquire); }
    /// Writes reply (the 101 answer) as it is, then reads and writes WebSocket frames, the connection now
    /// belonging to ws_local (the WS or WSS twin of its listen address). False when it is closed or already
    /// upgraded; any thread.
    bool upgrade(std::string reply, const listening_socket* ws_local);
    /// Writes bytes as they are, then closes; any thread.
    bool send_and_close(std::string bytes);
    /// An upgraded connection: sends a close frame and closes; any thread.
    bool ws_close(uint16_t code, std::string reason);
    /// An upgraded connection: sends a ping or pong frame; any thread.
    bool ws_control(uint8_t opcode, std::string data);
    bool websocket() const { return websocket_.load(std::memory_order_acquire); }
    /// Milliseconds (steady clock) of the last frame received and of the upgrade; WebSocket only.
    int64_t ws_last_frame_ms() const { return ws_last_frame_ms_.load(std::memory_order_relaxed); }
    int64_t ws_since_ms() const { return ws_since_ms_.load(std::memory_order_relaxed); }
    /// SIPHOST_PROTO_TCP, SIPHOST_PROTO_TLS, or once upgraded SIPHOST_PROTO_WS or SIPHOST_PROTO_WSS.
    uint8_t proto() const;
    /// The TLS layer, or null for plain TCP.
    tls_session* tls() const { return tls_.get(); }
    /// True until an opened connection has connected (tcpops' tcp_conid_state 3).
    bool connecting() const { return connecting_flag_.load(std::memory_order_acquire); }
    /// tcpops' tcp_set_connection_lifetime: from now on the connection closes after `lifetime` without
    /// traffic instead of tcp_connection_lifetime (or the tls connection_timeout), counted from now as
    /// Kamailio counts it. Any thread; false when it is closed.
    bool set_lifetime(std::chrono::seconds lifetime);
    /// tcpops' tcp_keepalive_enable/disable: TCP keepalive probes on this connection, the first after
    /// idle seconds, then every interval seconds, count unanswered ones closing it (0: the system's
    /// value). Any thread; false when it is closed (a refused option is logged: the connection stays usable).
    bool set_keepalive(bool enable, int idle, int count, int interval);

private:
    void read();
    /// Reads what is there at once; waits (read()) when nothing is.
    void read_now();
    void on_read(const boost::system::error_code& ec, std::string_view bytes);
    void write();
    /// Queues plaintext: encrypted first on TLS (held until the handshake is done).
    void enqueue(std::string bytes);
    /// Queues bytes as they go on the wire.
    void enqueue_raw(std::string bytes);
    /// Writes what the TLS layer produced; false when the connection was closed over it.
    bool flush_tls();
    /// Runs the handshake on with what was read; false when the connection was closed over it.
    bool continue_handshake();
    void frame(std::string_view bytes);
    void ws_frame(std::string_view bytes);
    /// Hands one message to the workers.
    void deliver(std::string_view bytes);
    void watch();
    /// Brings the timer forward when the deadline moved earlier. A later deadline (the idle time after a
    /// read or write) leaves it: watch() finds the new one when it fires, so traffic re-arms no timer.
    void update_deadline();
    /// Writes bytes at once, as much as the socket takes; true when it took all, else bytes keeps the rest
    /// (error says why when the write failed). With write_mutex_ held, the queue empty and no write going.
    bool write_now(std::string& bytes, std::string& error);
    enum class direct { written, not_now, failed };
    /// A plain TCP connection with nothing queued is written by the sending thread itself, whichever it is:
    /// a relay between connections of two readers then costs no hand-off. not_now: queue it on the
    /// connection's own thread instead.
    direct write_direct(std::string& bytes);
    /// With write_mutex_ held: whether other threads may write now.
    void refresh_direct();
    void touch() { last_activity_ticks_.store(clock::now().time_since_epoch().count(), std::memory_order_relaxed); }
    clock::time_point last_activity() const {
        return clock::time_point(clock::duration(last_activity_ticks_.load(std::memory_order_relaxed)));
    }
    clock::time_point deadline() const;
    void do_close(const std::string& reason);
    /// Closes now when close_after_write_ is set and everything queued (or held for the TLS handshake) is
    /// written; true when it closed.
    bool close_if_written();
    void set_socket_options();

    tcp_transport& owner_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer
        timer_; ///< the nearest of the idle, connect, partial-message and write deadlines
    const uint64_t id_;
    std::atomic<const listening_socket*> local_;
    const udp_endpoint remote_;
    tcp_framer framer_;
    /// Guards what a sending thread that is not the connection's own reads or changes: the queue, whether
    /// a write or a connect is going on, and direct_. The connection's thread changes them only holding it.
    std::mutex write_mutex_;
    std::deque<std::string> queue_;
    size_t queued_bytes_ = 0;
    bool connecting_ = false;
    bool writing_ = false;
    bool direct_ = false; ///< other threads may write (write_direct)
    bool reading_paused_ = false;
    bool close_after_write_ = false; ///< a close frame or an upgrade refusal is going out: close once written
    int in_flight_ = 0;
    std::atomic<clock::duration::rep> last_activity_ticks_; ///< any thread's last read or write
    clock::time_point partial_since_{};
    clock::time_point write_started_{};
    clock::time_point connect_started_{};
    std::unique_ptr<tls_session> tls_;
    std::atomic<bool> closed_{false};
    std::unique_ptr<ws_framer> ws_; ///< set at the upgrade, on the strand
    std::atomic<bool> websocket_{false};
    std::atomic<int64_t> ws_last_frame_ms_{0};
    std::atomic<int64_t> ws_since_ms_{0};
    /// set_lifetime's idle lifetime; zero duration and unset: the options' (on the executor only).
    std::optional<clock::duration> lifetime_;
    std::atomic<bool> connecting_flag_{false}; ///< connecting_, for other threads
    /// The idle lifetime in force: set_lifetime's, else the options' for the connection's kind.
    clock::duration idle_lifetime() const;
};

} // namespace siphost::net
