#include "net/tcp_connection.hpp"

#include "core/log.hpp"
#include "net/tcp_transport.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

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
      last_activity_(clock::now()), tls_(std::move(tls)) {}

uint8_t tcp_connection::proto() const {
    return tls_ ? SIPHOST_PROTO_TLS : SIPHOST_PROTO_TCP;
}

void tcp_connection::set_socket_options() {
    boost::system::error_code ignored; // a refused option leaves the connection usable
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    if (owner_.options().keepalive)
        socket_.set_option(boost::asio::socket_base::keep_alive(true), ignored);
}

void tcp_connection::start() {
    boost::asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
        self->set_socket_options();
        if (self->tls_)
            self->partial_since_ = clock::now(); // the handshake must end within tls_handshake_timeout
        self->watch();
        self->read();
    });
}

void tcp_connection::connect() {
    boost::asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
        self->connecting_ = true;
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
            self->connecting_ = false;
            self->last_activity_ = clock::now();
            self->set_socket_options();
            if (self->tls_) {
                self->partial_since_ = self->last_activity_;
                if (!self->continue_handshake()) // sends the ClientHello
                    return;
            }
            self->read();
            if (!self->queue_.empty() && !self->writing_) // the ClientHello may be on its way already
                self->write();
            self->update_deadline();
        });
    });
}

bool tcp_connection::send(std::string bytes) {
    if (closed())
        return false;
    boost::asio::post(socket_.get_executor(),
                      [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
                          if (!self->closed())
                              self->enqueue(std::move(bytes));
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
    if (queued_bytes_ + bytes.size() > owner_.options().max_queued_bytes) {
        do_close("the peer does not take what it is sent");
        return;
    }
    queued_bytes_ += bytes.size();
    queue_.push_back(std::move(bytes));
    if (!writing_ && !connecting_)
        write();
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
                                 self->queued_bytes_ -= self->queue_.front().size();
                                 self->queue_.pop_front();
                                 self->last_activity_ = clock::now();
                                 self->writing_ = false;
                                 if (!self->queue_.empty())
                                     self->write();
                                 else
                                     self->update_deadline();
                             });
}

void tcp_connection::read() {
    socket_.async_read_some(boost::asio::buffer(buffer_),
                            [self = shared_from_this()](const boost::system::error_code& ec, size_t size) {
                                self->on_read(ec, size);
                            });
}

void tcp_connection::frame(std::string_view bytes) {
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
        ++in_flight_;
        stream_message message;
        message.bytes.assign(framer_.bytes());
        message.source = remote_;
        message.socket = local_;
        message.conn_id = id_;
        message.proto = proto();
        message.in_flight = std::make_shared<in_flight_token>(in_flight_token{weak_from_this()});
        owner_.deliver(std::move(message));
    }
}

void tcp_connection::on_read(const boost::system::error_code& ec, size_t size) {
    if (closed())
        return;
    if (ec) {
        do_close(ec == boost::asio::error::eof ? "closed by the peer" : "read failed: " + ec.message());
        return;
    }
    last_activity_ = clock::now();
    if (tls_) {
        if (!tls_->feed(buffer_.data(), size)) {
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
        frame(std::string_view(buffer_.data(), size));
        if (closed())
            return;
    }
    if (tls_ && !tls_->established()) {
        // partial_since_ times the handshake
    } else if (framer_.partial()) {
        if (partial_since_ == clock::time_point{})
            partial_since_ = last_activity_;
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
    auto at = last_activity_ + (tls_ ? options.tls_lifetime : options.lifetime);
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
    timer_.expires_at(deadline());
}

void tcp_connection::watch() {
    timer_.expires_at(deadline());
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
        if (self->closed())
            return;
        if (self->timer_.expiry() > clock::now()) {
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
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    queue_.clear();
    owner_.remove(*this);
}

} // namespace siphost::net
