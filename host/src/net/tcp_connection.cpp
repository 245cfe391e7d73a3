#include "net/tcp_connection.hpp"

#include "core/log.hpp"
#include "net/tcp_transport.hpp"
#include "net/ws_bridge.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace siphost::net {
namespace {

/// Held by a message in the workers; gives its connection's reading back when the message is handled.
struct in_flight_token {
    std::weak_ptr<tcp_connection> connection;
    ~in_flight_token() {
        if (auto c = connection.lock())
            c->message_done();
    }
};

std::string peer_text(const udp_endpoint& e) {
    bool v6 = e.address().is_v6();
    return (v6 ? "[" : "") + address_text(e) + (v6 ? "]:" : ":") + std::to_string(e.port());
}

} // namespace

tcp_connection::tcp_connection(tcp_transport& owner, boost::asio::ip::tcp::socket socket, uint64_t id,
                               const listening_socket* local, const udp_endpoint& remote,
                               std::unique_ptr<tls_session> tls)
    : owner_(owner), socket_(std::move(socket)), timer_(socket_.get_executor()), id_(id), local_(local),
      remote_(remote),
      framer_(tcp_framer::limits{owner.options().max_message_bytes, owner.options().max_message_bytes,
                                 owner.options().accept_no_cl}),
      last_activity_ticks_(clock::now().time_since_epoch().count()), tls_(std::move(tls)) {}

uint8_t tcp_connection::proto() const {
    if (websocket())
        return tls_ ? SIPHOST_PROTO_WSS : SIPHOST_PROTO_WS;
    return tls_ ? SIPHOST_PROTO_TLS : SIPHOST_PROTO_TCP;
}

namespace {
int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

bool tcp_connection::upgrade(std::string reply, const listening_socket* ws_local) {
    if (closed() || websocket_.exchange(true, std::memory_order_acq_rel))
        return false;
    ws_since_ms_.store(steady_ms(), std::memory_order_relaxed);
    ws_last_frame_ms_.store(steady_ms(), std::memory_order_relaxed);
    // After the sends queued before it (none are frames yet), before any queued after it: one strand.
    boost::asio::post(
        socket_.get_executor(), [self = shared_from_this(), reply = std::move(reply), ws_local]() mutable {
            if (self->closed())
                return;
            self->enqueue(std::move(reply));
            if (self->closed())
                return;
            if (self->framer_.buffered() > 0) {
                // RFC 6455 4.1: the client sends frames only once it has the 101; what it sent before is not
                // one.
                core::log_host(SIPHOST_LOG_WARN, "net",
                               "closing the connection from " + peer_text(self->remote_) +
                                   ": bytes after the WebSocket upgrade request, before its answer");
                self->do_close({});
                return;
            }
            self->ws_ = std::make_unique<ws_framer>(self->owner_.options().max_message_bytes);
            if (ws_local != nullptr)
                self->local_.store(ws_local, std::memory_order_release);
        });
    return true;
}

bool tcp_connection::send_and_close(std::string bytes) {
    if (closed())
        return false;
    boost::asio::post(socket_.get_executor(),
                      [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
                          if (self->closed())
                              return;
                          self->enqueue(std::move(bytes));
                          if (self->closed())
                              return;
                          self->close_after_write_ = true;
                          self->close_if_written();
                      });
    return true;
}

bool tcp_connection::close_if_written() {
    if (!close_after_write_)
        return false;
    {
        std::lock_guard lock(write_mutex_);
        direct_ = false; // nothing more from other threads: the connection is closing
        if (writing_ || connecting_ || !queue_.empty() ||
            (tls_ && (!tls_->established() || !tls_->pending().empty())))
            return false;
    }
    do_close("closed by the server");
    return true;
}

bool tcp_connection::ws_close(uint16_t code, std::string reason) {
    if (closed() || !websocket())
        return false;
    boost::asio::post(socket_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
        if (self->closed() || !self->ws_)
            return;
        self->enqueue(ws_framer::close_frame(code, reason));
        if (self->closed())
            return;
        self->close_after_write_ = true;
        self->close_if_written();
    });
    return true;
}

bool tcp_connection::ws_control(uint8_t opcode, std::string data) {
    if (closed() || !websocket())
        return false;
    if (data.size() > 125)
        data.resize(125);
    boost::asio::post(socket_.get_executor(), [self = shared_from_this(), opcode, data = std::move(data)] {
        if (!self->closed() && self->ws_)
            self->enqueue(ws_framer::frame(opcode, data));
    });
    return true;
}

void tcp_connection::set_socket_options() {
    boost::system::error_code ignored; // a refused option leaves the connection usable
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    if (owner_.options().keepalive)
        socket_.set_option(boost::asio::socket_base::keep_alive(true), ignored);
    socket_.non_blocking(true, ignored); // read() reads only what is there (read_some after readiness)
}

void tcp_connection::start() {
    boost::asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
        self->set_socket_options();
        if (self->tls_)
            self->partial_since_ = clock::now(); // the handshake must end within tls_handshake_timeout
        self->watch();
        {
            std::lock_guard lock(self->write_mutex_);
            self->refresh_direct();
        }
        // A client usually sends its first bytes right behind the connect: read them now rather than after
        // one more turn of the event loop.
        self->read_now();
    });
}

void tcp_connection::connect() {
    connecting_flag_.store(true, std::memory_order_release);
    boost::asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
        {
            std::lock_guard lock(self->write_mutex_);
            self->connecting_ = true;
        }
        self->connect_started_ = clock::now();
        self->watch();
        boost::asio::ip::tcp::endpoint to(self->remote_.address(), self->remote_.port());
        self->socket_.async_connect(to, [self](const boost::system::error_code& ec) {
            if (self->closed())
                return;
            if (ec) {
                self->do_close("cannot connect: " + ec.message());
                return;
            }
            {
                std::lock_guard lock(self->write_mutex_);
                self->connecting_ = false;
            }
            self->connecting_flag_.store(false, std::memory_order_release);
            self->touch();
            self->set_socket_options();
            if (self->tls_) {
                self->partial_since_ = self->last_activity();
                if (!self->continue_handshake()) // sends the ClientHello
                    return;
            }
            self->read();
            {
                std::lock_guard lock(self->write_mutex_);
                if (!self->queue_.empty() && !self->writing_) // the ClientHello may be on its way already
                    self->write();
                self->refresh_direct();
            }
            self->update_deadline();
        });
    });
}

bool tcp_connection::send(std::string bytes, bool close_after) {
    if (closed())
        return false;
    if (!close_after) {
        switch (write_direct(bytes)) {
        case direct::written:
            return true;
        case direct::failed:
            return false;
        case direct::not_now:
            break;
        }
    }
    boost::asio::post(socket_.get_executor(),
                      [self = shared_from_this(), bytes = std::move(bytes), close_after]() mutable {
                          if (self->closed())
                              return;
                          if (self->ws_) // RFC 7118 5: one SIP message, one text frame
                              self->enqueue(ws_framer::frame(ws_framer::op_text, bytes));
                          else
                              self->enqueue(std::move(bytes));
                          if (close_after && !self->closed()) {
                              self->close_after_write_ = true;
                              self->close_if_written();
                          }
                      });
    return true;
}

void tcp_connection::enqueue(std::string bytes) {
    if (tls_) {
        if (!tls_->established()) {
            if (queued_bytes_ + tls_->pending_bytes + bytes.size() > owner_.options().max_queued_bytes) {
                do_close("the peer does not take what it is sent");
                return;
            }
            tls_->pending_bytes += bytes.size();
            tls_->pending().push_back(std::move(bytes));
            return;
        }
        if (!tls_->write(bytes)) {
            do_close(tls_->error_text());
            return;
        }
        flush_tls();
        return;
    }
    enqueue_raw(std::move(bytes));
}

void tcp_connection::enqueue_raw(std::string bytes) {
    if (bytes.empty())
        return;
    bool written = false;
    std::string error;
    {
        std::lock_guard lock(write_mutex_);
        if (queued_bytes_ + bytes.size() > owner_.options().max_queued_bytes) {
            error = "the peer does not take what it is sent";
        } else if (!writing_ && !connecting_ && queue_.empty() && write_now(bytes, error)) {
            written = true;
        } else if (error.empty()) {
            queued_bytes_ += bytes.size();
            queue_.push_back(std::move(bytes));
            if (!writing_ && !connecting_)
                write();
            refresh_direct();
        }
    }
    if (!error.empty())
        do_close(error);
    else if (written)
        close_if_written(); // what a close waited for (a TLS handshake's held messages) may be this
}

bool tcp_connection::write_now(std::string& bytes, std::string& error) {
    // The socket is non-blocking: a peer that keeps up takes a SIP message in one call, with no completion
    // handler and no send deadline to arm. What it does not take goes out through write() as before.
    ssize_t sent = ::send(socket_.native_handle(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            error = std::string("write failed: ") + std::strerror(errno);
        return false;
    }
    touch();
    if (static_cast<size_t>(sent) == bytes.size())
        return true;
    bytes.erase(0, static_cast<size_t>(sent));
    return false;
}

tcp_connection::direct tcp_connection::write_direct(std::string& bytes) {
    std::string error;
    {
        std::lock_guard lock(write_mutex_);
        if (!direct_ || closed() || websocket())
            return direct::not_now;
        if (write_now(bytes, error))
            return direct::written;
        direct_ = false;
        if (error.empty()) {
            // Partly taken, or not at all: the rest goes first, written by the connection's own thread.
            queued_bytes_ += bytes.size();
            queue_.push_back(std::move(bytes));
        }
    }
    if (!error.empty()) {
        close(error);
        return direct::failed;
    }
    boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->closed())
            return;
        std::lock_guard lock(self->write_mutex_);
        if (!self->writing_ && !self->connecting_ && !self->queue_.empty())
            self->write();
    });
    return direct::written;
}

void tcp_connection::refresh_direct() {
    direct_ = !closed() && !connecting_ && !writing_ && queue_.empty() && !tls_ && !websocket() &&
              !close_after_write_;
}

bool tcp_connection::flush_tls() {
    enqueue_raw(tls_->take_output());
    return !closed();
}

bool tcp_connection::continue_handshake() {
    auto step = tls_->handshake();
    if (!flush_tls()) // the alert, on failure, still goes out first
        return false;
    if (step == tls_session::step::failed) {
        core::log_host(SIPHOST_LOG_WARN, "net",
                       "closing the TLS connection " + std::to_string(id_) + " with " + peer_text(remote_) +
                           ": " + tls_->error_text());
        do_close({});
        return false;
    }
    if (step == tls_session::step::more)
        return true;
    partial_since_ = {};
    core::log_host(SIPHOST_LOG_DBG, "net",
                   "TLS connection " + std::to_string(id_) + " with " + peer_text(remote_) + " established");
    auto pending = std::move(tls_->pending());
    tls_->pending().clear();
    tls_->pending_bytes = 0;
    for (auto& bytes : pending) {
        if (!tls_->write(bytes)) {
            do_close(tls_->error_text());
            return false;
        }
    }
    return flush_tls();
}

void tcp_connection::write() {
    writing_ = true;
    direct_ = false;
    write_started_ = clock::now();
    update_deadline();
    boost::asio::async_write(socket_, boost::asio::buffer(queue_.front()),
                             [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                                 if (self->closed())
                                     return;
                                 if (ec) {
                                     self->do_close("write failed: " + ec.message());
                                     return;
                                 }
                                 self->touch();
                                 {
                                     std::lock_guard lock(self->write_mutex_);
                                     self->queued_bytes_ -= self->queue_.front().size();
                                     self->queue_.pop_front();
                                     self->writing_ = false;
                                     if (!self->queue_.empty()) {
                                         self->write();
                                         return;
                                     }
                                     self->refresh_direct();
                                 }
                                 if (!self->close_if_written())
                                     self->update_deadline();
                             });
}

void tcp_connection::read() {
    // Waits for readiness, then reads into the io thread's buffer: an idle connection holds no read buffer of
    // its own, which is most of what one costs (issue 15's memory per idle connection).
    socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& ec) {
                           if (self->closed())
                               return;
                           if (ec) {
                               self->on_read(ec, {});
                               return;
                           }
                           self->read_now();
                       });
}

void tcp_connection::read_now() {
    thread_local std::array<char, 16384> buffer;
    boost::system::error_code ec;
    size_t size = socket_.read_some(boost::asio::buffer(buffer), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
        read(); // nothing there yet (or woken without data, which can happen): wait
        return;
    }
    on_read(ec, std::string_view(buffer.data(), size));
}

void tcp_connection::deliver(std::string_view bytes) {
    stream_message message;
    message.bytes.assign(bytes);
    message.source = remote_;
    message.socket = local();
    message.conn_id = id_;
    message.proto = proto();
    // A reader runs the handler to its end before it reads on: only a handler that may keep the message
    // (no readers) needs to say when it is done.
    if (!owner_.delivers_inline()) {
        ++in_flight_;
        message.in_flight = std::make_shared<in_flight_token>(in_flight_token{weak_from_this()});
    }
    owner_.deliver(std::move(message));
}

void tcp_connection::ws_frame(std::string_view bytes) {
    ws_->feed(bytes);
    for (;;) {
        auto unit = ws_->next();
        switch (unit) {
        case ws_framer::kind::need_more:
            return;
        case ws_framer::kind::error:
            core::log_host(SIPHOST_LOG_WARN, "net",
                           "closing the WebSocket connection " + std::to_string(id_) + " from " +
                               peer_text(remote_) + ": " + ws_->error_text());
            enqueue(ws_framer::close_frame(ws_->error_code(), ws_->error_text()));
            if (!closed()) {
                close_after_write_ = true;
                if (!writing_)
                    do_close({});
            }
            return;
        case ws_framer::kind::close:
            // RFC 6455 5.5.1: answer with a close frame (echoing the code), then the TCP connection ends.
            core::log_host(SIPHOST_LOG_DBG, "net",
                           "WebSocket connection " + std::to_string(id_) + " closed by the client (" +
                               std::to_string(ws_->close_code()) + ")");
            enqueue(ws_->close_code() != 0 ? ws_framer::close_frame(ws_->close_code(), {})
                                           : ws_framer::frame(ws_framer::op_close, {}));
            if (!closed()) {
                close_after_write_ = true;
                if (!writing_)
                    do_close({});
            }
            return;
        case ws_framer::kind::ping:
            ws_last_frame_ms_.store(steady_ms(), std::memory_order_relaxed);
            enqueue(ws_framer::frame(ws_framer::op_pong, ws_->payload()));
            break;
        case ws_framer::kind::pong:
            ws_last_frame_ms_.store(steady_ms(), std::memory_order_relaxed);
            break;
        case ws_framer::kind::message:
            ws_last_frame_ms_.store(steady_ms(), std::memory_order_relaxed);
            deliver(ws_->payload());
            break;
        }
        if (closed())
            return;
    }
}

void tcp_connection::frame(std::string_view bytes) {
    if (close_after_write_)
        return; // closing: what the peer sends now is not read
    if (ws_) {
        ws_frame(bytes);
        return;
    }
    framer_.feed(bytes);
    for (;;) {
        auto unit = framer_.next();
        if (unit == tcp_framer::kind::need_more)
            break;
        if (unit == tcp_framer::kind::error) {
            core::log_host(SIPHOST_LOG_WARN, "net",
                           std::string("closing the ") + (tls_ ? "TLS" : "TCP") + " connection from " +
                               peer_text(remote_) + ": " + framer_.error_text());
            do_close({});
            return;
        }
        if (unit == tcp_framer::kind::ping) {
            // RFC 5626 4.4.1: a CRLFCRLF ping gets a CRLF pong.
            enqueue("\r\n");
            if (closed())
                return;
            continue;
        }
        deliver(framer_.bytes());
        if (ws_ || closed())
            return; // upgraded meanwhile: later bytes are frames (upgrade() refuses leftovers)
    }
}

void tcp_connection::on_read(const boost::system::error_code& ec, std::string_view bytes) {
    if (closed())
        return;
    if (ec) {
        do_close(ec == boost::asio::error::eof ? "closed by the peer" : "read failed: " + ec.message());
        return;
    }
    touch();
    if (tls_) {
        if (!tls_->feed(bytes.data(), bytes.size())) {
            do_close("cannot buffer TLS input");
            return;
        }
        if (!tls_->established() && !continue_handshake())
            return;
        if (tls_->established()) {
            auto step = tls_->read([this](std::string_view plain) { frame(plain); });
            if (closed())
                return;
            if (step == tls_session::step::failed) {
                core::log_host(SIPHOST_LOG_INFO, "net",
                               "closing the TLS connection " + std::to_string(id_) + " with " +
                                   peer_text(remote_) + ": " + tls_->error_text());
                do_close({});
                return;
            }
            if (!flush_tls()) // TLS 1.3 may answer a key update
                return;
        }
    } else {
        frame(bytes);
        if (closed())
            return;
    }
    if (tls_ && !tls_->established()) {
        // partial_since_ times the handshake
    } else if (ws_ ? ws_->partial() : framer_.partial()) {
        if (partial_since_ == clock::time_point{})
            partial_since_ = last_activity();
    } else {
        partial_since_ = {};
    }
    update_deadline();
    if (in_flight_ >= owner_.options().max_in_flight)
        reading_paused_ = true; // message_done() reads on
    else
        read();
}

void tcp_connection::message_done() {
    boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
        --self->in_flight_;
        if (self->reading_paused_ && !self->closed() &&
            self->in_flight_ < self->owner_.options().max_in_flight) {
            self->reading_paused_ = false;
            self->read();
        }
    });
}

tcp_connection::clock::time_point tcp_connection::deadline() const {
    const auto& options = owner_.options();
    if (connecting_)
        return connect_started_ + options.connect_timeout;
    auto at = last_activity() + idle_lifetime();
    if (partial_since_ != clock::time_point{})
        at =
            std::min(at, partial_since_ +
                             (tls_ && !tls_->established()
                                  ? std::chrono::duration_cast<clock::duration>(options.tls_handshake_timeout)
                                  : std::chrono::duration_cast<clock::duration>(options.partial_timeout)));
    if (writing_)
        at = std::min(at, write_started_ + options.send_timeout);
    return at;
}

void tcp_connection::update_deadline() {
    // Cancels the wait in watch(), which then waits again for the new time.
    if (auto at = deadline(); at < timer_.expiry())
        timer_.expires_at(at);
}

void tcp_connection::watch() {
    timer_.expires_at(deadline());
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
        if (self->closed())
            return;
        if (self->deadline() > clock::now()) {
            self->watch();
            return;
        }
        bool tls = self->tls_ != nullptr;
        const char* why = self->connecting_                             ? "connect timeout"
                          : self->writing_                              ? "send timeout"
                          : tls && !self->tls_->established()           ? "the TLS handshake timed out"
                          : self->partial_since_ != clock::time_point{} ? "an unfinished message timed out"
                          : tls ? "idle for the tls connection_timeout"
                                : "idle for tcp_connection_lifetime";
        core::log_host(tls && !self->tls_->established() ? SIPHOST_LOG_WARN : SIPHOST_LOG_INFO, "net",
                       std::string("closing the ") + (tls ? "TLS" : "TCP") + " connection " +
                           std::to_string(self->id_) + " to " + peer_text(self->remote_) + ": " + why);
        self->do_close({});
    });
}

void tcp_connection::close(std::string reason) {
    boost::asio::dispatch(socket_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
        self->do_close(reason);
    });
}

void tcp_connection::do_close(const std::string& reason) {
    if (closed_.exchange(true, std::memory_order_acq_rel))
        return;
    if (!reason.empty())
        core::log_host(SIPHOST_LOG_DBG, "net",
                       std::string(tls_ ? "TLS" : "TCP") + " connection " + std::to_string(id_) + " to " +
                           peer_text(remote_) + ": " + reason);
    boost::system::error_code ignored;
    timer_.cancel();
    {
        // After a write another thread has begun, before the descriptor goes (closed_ keeps new ones out).
        std::lock_guard lock(write_mutex_);
        direct_ = false;
        queue_.clear();
    }
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    owner_.remove(*this);
    if (websocket())
        ws_bridge::closed(*this); // event_route[websocket:closed]
}

// tcpops' per-connection settings, kept apart from the read and write paths above.

tcp_connection::clock::duration tcp_connection::idle_lifetime() const {
    if (lifetime_)
        return *lifetime_;
    const auto& options = owner_.options();
    return tls_ ? options.tls_lifetime : options.lifetime;
}

bool tcp_connection::set_lifetime(std::chrono::seconds lifetime) {
    if (closed())
        return false;
    // Posted, not run at once: a reply the script sends after this call (also posted) goes out before a
    // lifetime of 0 closes the connection.
    boost::asio::post(socket_.get_executor(), [self = shared_from_this(), lifetime] {
        if (self->closed())
            return;
        self->lifetime_ = lifetime;
        self->touch();
        // An earlier deadline moves the timer; a later one is found by watch() when the timer fires.
        self->update_deadline();
    });
    return true;
}

bool tcp_connection::set_keepalive(bool enable, int idle, int count, int interval) {
    if (closed())
        return false;
    boost::asio::dispatch(socket_.get_executor(), [self = shared_from_this(), enable, idle, count, interval] {
        if (self->closed())
            return;
        using keep_idle = boost::asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPIDLE>;
        using keep_count = boost::asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPCNT>;
        using keep_interval = boost::asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPINTVL>;
        boost::system::error_code ec;
        self->socket_.set_option(boost::asio::socket_base::keep_alive(enable), ec);
        if (enable && !ec && idle > 0)
            self->socket_.set_option(keep_idle(idle), ec);
        if (enable && !ec && count > 0)
            self->socket_.set_option(keep_count(count), ec);
        if (enable && !ec && interval > 0)
            self->socket_.set_option(keep_interval(interval), ec);
        if (ec)
            core::log_host(SIPHOST_LOG_WARN, "net",
                           "TCP keepalive on connection " + std::to_string(self->id_) + " to " +
                               peer_text(self->remote_) + " was refused: " + ec.message());
    });
    return true;
}

} // namespace siphost::net
