#include "net/tcp_transport.hpp"

#include "core/log.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace siphost::net {
namespace {

using reuse_port = boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

} // namespace

tcp_transport::tcp_transport(const std::vector<listen_spec>& listens, tcp_options options,
                             stream_handler handler, tls_provider tls, reader_loops readers)
    : options_(options), handler_(std::move(handler)), tls_(std::move(tls)), readers_(std::move(readers)) {
    for (const auto& spec : listens) {
        if (spec.proto != "tcp" && spec.proto != "tls")
            throw std::runtime_error("listen=" + spec.proto + ":" + spec.host + ": not a TCP or TLS address");
        const bool is_tls = spec.proto == "tls";
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(spec.host, ec);
        if (ec)
            throw std::runtime_error("listen=" + spec.proto + ":" + spec.host + ": not an IP address (" +
                                     ec.message() + ")");
        SSL_CTX* server_ctx = nullptr;
        if (is_tls) {
            if (!tls_)
                throw std::runtime_error("listen=tls:" + spec.host + ":" + std::to_string(spec.port) +
                                         ": TLS needs the tls module (loadmodule \"tls.so\")");
            server_ctx = tls_.server(address.to_string(), spec.port);
            if (server_ctx == nullptr)
                throw std::runtime_error("listen=tls:" + spec.host + ":" + std::to_string(spec.port) +
                                         ": the tls module has no server profile for it");
        }
        auto listen = std::make_unique<listening_socket>();
        listen->proto = is_tls ? SIPHOST_PROTO_TLS : SIPHOST_PROTO_TCP;
        listen->host = address.to_string();
        listen->index = listens_.size();
        // With readers, each has an acceptor of its own on the address (SO_REUSEPORT: the kernel shares the
        // connections out), so a connection is accepted on the thread it will live on.
        std::vector<boost::asio::io_context*> homes = readers_.loops;
        if (homes.empty())
            homes.push_back(&io_);
        std::vector<std::unique_ptr<acceptor>> group;
        boost::asio::ip::tcp::endpoint endpoint(address, spec.port);
        for (auto* home : homes) {
            auto a = std::make_unique<acceptor>(*home);
            try {
                a->socket.open(endpoint.protocol());
                a->socket.set_option(boost::asio::socket_base::reuse_address(true));
                if (homes.size() > 1)
                    a->socket.set_option(reuse_port(true));
                if (address.is_v6())
                    a->socket.set_option(boost::asio::ip::v6_only(true));
                a->socket.bind(endpoint);
                a->socket.listen(boost::asio::socket_base::max_listen_connections);
            } catch (const std::system_error& e) {
                throw std::runtime_error("cannot listen on " + spec.proto + ":" + spec.host + ":" +
                                         std::to_string(endpoint.port()) + ": " + e.code().message());
            }
            endpoint = a->socket.local_endpoint(); // port 0: the others take the port the first was given
            group.push_back(std::move(a));
        }
        listen->endpoint = udp_endpoint(endpoint.address(), endpoint.port());
        listen->port = endpoint.port();
        listen->name = spec.proto + ":" + (address.is_v6() ? "[" + listen->host + "]" : listen->host) + ":" +
                       std::to_string(listen->port);
        for (auto& a : group) {
            a->listen = listen.get();
            a->tls = server_ctx;
        }
        // Its WebSocket twin: the same address, named for the connections the websocket module upgrades.
        auto twin = std::make_unique<listening_socket>(*listen);
        twin->proto = is_tls ? SIPHOST_PROTO_WSS : SIPHOST_PROTO_WS;
        twin->name = (is_tls ? "wss" : "ws") + listen->name.substr(3);
        ws_listens_.push_back(std::move(twin));
        listens_.push_back(std::move(listen));
        for (auto& a : group)
            acceptors_.push_back(std::move(a));
    }
}

tcp_transport::~tcp_transport() {
    stop();
}

void tcp_transport::start() {
    work_ = std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
        io_.get_executor());
    for (auto& a : acceptors_)
        boost::asio::post(a->socket.get_executor(), [this, a = a.get()] { accept(*a); });
    if (!readers_.loops.empty())
        return; // the readers accept, read and write
    int threads = std::max(1, options_.io_threads);
    for (int i = 0; i < threads; ++i)
        threads_.emplace_back([this] { io_.run(); });
}

void tcp_transport::stop() {
    std::vector<std::shared_ptr<tcp_connection>> open;
    {
        std::lock_guard lock(mutex_);
        if (stopped_)
            return;
        stopped_ = true;
        for (auto& [id, connection] : by_id_)
            open.push_back(connection);
    }
    // Each acceptor closes on its own thread; the wait is bounded in case that thread has stopped running.
    auto open_acceptors = std::make_shared<std::atomic<size_t>>(acceptors_.size());
    for (auto& a : acceptors_)
        boost::asio::post(a->socket.get_executor(), [a = a.get(), open_acceptors] {
            boost::system::error_code ignored;
            a->socket.close(ignored);
            open_acceptors->fetch_sub(1, std::memory_order_release);
        });
    for (auto& connection : open)
        connection->close({});
    work_.reset();
    // Closing leaves nothing to wait for; a peer's pending handlers finish with operation_aborted.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (connection_count() > 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    while (open_acceptors->load(std::memory_order_acquire) > 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    io_.stop();
    for (auto& thread : threads_)
        if (thread.joinable())
            thread.join();
    threads_.clear();
    std::lock_guard lock(mutex_);
    by_id_.clear();
    by_remote_.clear();
    aliases_.clear();
}

boost::asio::any_io_executor tcp_transport::home_for_new() {
    if (readers_.loops.empty())
        return boost::asio::make_strand(io_);
    int current = readers_.current ? readers_.current() : -1;
    size_t index = current >= 0 && static_cast<size_t>(current) < readers_.loops.size()
                       ? static_cast<size_t>(current)
                       : next_reader_.fetch_add(1, std::memory_order_relaxed) % readers_.loops.size();
    return readers_.loops[index]->get_executor();
}

void tcp_transport::accept(acceptor& a) {
    // Into the acceptor's own loop when readers accept; else onto a strand of the io threads.
    auto home = readers_.loops.empty() ? home_for_new() : a.socket.get_executor();
    // The peer's address comes with the accept (no getpeername per connection).
    a.socket.async_accept(home, a.peer, [this, &a](const boost::system::error_code& ec,
                                                   boost::asio::ip::tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !a.socket.is_open())
            return;
        if (!ec) {
            const auto peer = a.peer;
            if (peer.port() != 0) {
                std::unique_ptr<tls_session> session;
                std::string error;
                if (a.tls != nullptr && !(session = tls_session::make(a.tls, true, {}, error))) {
                    core::log_host(SIPHOST_LOG_ERR, "net",
                                   "refused a TLS connection from " + peer.address().to_string() + ": " +
                                       error);
                    accept(a);
                    return;
                }
                auto connection = add(std::move(socket), a.listen, udp_endpoint(peer.address(), peer.port()),
                                      std::move(session));
                if (connection)
                    connection->start();
                else
                    core::log_host(SIPHOST_LOG_WARN, "net",
                                   std::string("refused a ") + (a.tls != nullptr ? "TLS" : "TCP") +
                                       " connection from " + peer.address().to_string() + ":" +
                                       std::to_string(peer.port()) + ": tcp_max_connections (" +
                                       std::to_string(options_.max_connections) + ") reached");
            }
        } else if (ec == boost::asio::error::no_descriptors) {
            // Out of descriptors: keep accepting after a pause rather than spin on the error.
            core::log_host(SIPHOST_LOG_ERR, "net",
                           "accept on " + a.listen->name + " failed: " + ec.message());
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        accept(a);
    });
}

std::shared_ptr<tcp_connection> tcp_transport::add(boost::asio::ip::tcp::socket socket,
                                                   const listening_socket* local, const udp_endpoint& remote,
                                                   std::unique_ptr<tls_session> tls) {
    std::lock_guard lock(mutex_);
    if (stopped_ || by_id_.size() >= static_cast<size_t>(std::max(0, options_.max_connections)))
        return nullptr; // the socket closes as it goes out of scope
    uint64_t id = next_id_++;
    auto connection =
        std::make_shared<tcp_connection>(*this, std::move(socket), id, local, remote, std::move(tls));
    by_id_.emplace(id, connection);
    by_remote_.emplace(remote, id);
    return connection;
}

void tcp_transport::remove(const tcp_connection& connection) {
    std::lock_guard lock(mutex_);
    auto forget = [this, id = connection.id()](const udp_endpoint& remote) {
        auto range = by_remote_.equal_range(remote);
        for (auto it = range.first; it != range.second; ++it) {
            if (it->second == id) {
                by_remote_.erase(it);
                break;
            }
        }
    };
    forget(connection.remote());
    if (auto aliased = aliases_.find(connection.id()); aliased != aliases_.end()) {
        for (const auto& alias : aliased->second)
            forget(alias);
        aliases_.erase(aliased);
    }
    // The map's reference may be the last: the connection lives on in the handler that closes it.
    by_id_.erase(connection.id());
}

bool tcp_transport::add_alias(uint64_t conn_id, uint16_t port) {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(conn_id);
    if (stopped_ || it == by_id_.end() || it->second->closed())
        return false;
    udp_endpoint alias(it->second->remote().address(), port);
    if (alias == it->second->remote())
        return true; // the connection's own address finds it already
    auto& list = aliases_[conn_id];
    if (std::find(list.begin(), list.end(), alias) != list.end())
        return true;
    if (list.size() >= max_aliases)
        return false;
    list.push_back(alias);
    // Last in its range: a send picks the newest entry, so the alias wins over an older connection to the
    // address (which the peer, naming this connection for it, no longer expects requests on).
    by_remote_.emplace(alias, conn_id);
    return true;
}

size_t tcp_transport::connection_count() const {
    std::lock_guard lock(mutex_);
    return by_id_.size();
}

bool tcp_transport::is_open(uint64_t conn_id) const {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(conn_id);
    return it != by_id_.end() && !it->second->closed();
}

const listening_socket* tcp_transport::ws_twin(const listening_socket* base) const {
    for (size_t i = 0; i < listens_.size(); ++i)
        if (listens_[i].get() == base)
            return ws_listens_[i].get();
    return nullptr;
}

const listening_socket* tcp_transport::socket_for(const udp_endpoint& to, uint8_t proto) const {
    if (proto == SIPHOST_PROTO_WS || proto == SIPHOST_PROTO_WSS) {
        for (const auto& listen : ws_listens_)
            if (listen->proto == proto && listen->endpoint.address().is_v6() == to.address().is_v6())
                return listen.get();
        return nullptr;
    }
    for (const auto& listen : listens_)
        if (listen->proto == proto && listen->endpoint.address().is_v6() == to.address().is_v6())
            return listen.get();
    return nullptr;
}

uint64_t tcp_transport::find_by_remote(const udp_endpoint& to) const {
    std::lock_guard lock(mutex_);
    uint64_t lowest = 0;
    auto range = by_remote_.equal_range(to);
    for (auto it = range.first; it != range.second; ++it) {
        auto found = by_id_.find(it->second);
        if (found != by_id_.end() && !found->second->closed() && (lowest == 0 || it->second < lowest))
            lowest = it->second;
    }
    return lowest;
}

std::shared_ptr<tcp_connection> tcp_transport::find(uint64_t conn_id) const {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(conn_id);
    return it != by_id_.end() && !it->second->closed() ? it->second : nullptr;
}

std::vector<std::shared_ptr<tcp_connection>> tcp_transport::connections() const {
    std::vector<std::shared_ptr<tcp_connection>> open;
    {
        std::lock_guard lock(mutex_);
        open.reserve(by_id_.size());
        for (const auto& [id, connection] : by_id_)
            if (!connection->closed())
                open.push_back(connection);
    }
    std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) { return a->id() < b->id(); });
    return open;
}

bool tcp_transport::send(uint64_t conn_id, const udp_endpoint& to, std::string_view bytes, bool no_connect,
                         uint8_t proto, bool close_after) {
    std::shared_ptr<tcp_connection> connection;
    {
        std::lock_guard lock(mutex_);
        if (stopped_)
            return false;
        if (conn_id != 0) {
            auto it = by_id_.find(conn_id);
            if (it != by_id_.end() && !it->second->closed())
                connection = it->second;
        }
        if (!connection && to.port() != 0) {
            // RFC 3261 18.1.1 and 18.2.2: reuse a connection to the destination (the newest one open).
            auto range = by_remote_.equal_range(to);
            for (auto it = range.first; it != range.second; ++it) {
                auto found = by_id_.find(it->second);
                if (found != by_id_.end() && !found->second->closed() && found->second->proto() == proto)
                    connection = found->second;
            }
        }
    }
    if (connection)
        return connection->send(std::string(bytes), close_after);
    if (proto == SIPHOST_PROTO_WS || proto == SIPHOST_PROTO_WSS)
        return false; // only clients open WebSocket connections
    if (no_connect || to.port() == 0 || to.address().is_unspecified())
        return false;
    const listening_socket* local = socket_for(to, proto);
    if (local == nullptr)
        local = socket_for(to, SIPHOST_PROTO_TCP); // a TLS client needs no TLS listen address
    if (local == nullptr)
        local = socket_for(to, SIPHOST_PROTO_TLS);
    if (local == nullptr)
        return false;
    std::unique_ptr<tls_session> session;
    if (proto == SIPHOST_PROTO_TLS) {
        if (!tls_) {
            core::log_host(SIPHOST_LOG_ERR, "net",
                           "cannot open a TLS connection: the tls module is not loaded");
            return false;
        }
        std::string server_name;
        std::string error;
        SSL_CTX* ctx = tls_.client(to, server_name);
        if (ctx == nullptr || !(session = tls_session::make(ctx, false, server_name, error))) {
            core::log_host(SIPHOST_LOG_ERR, "net",
                           "cannot open a TLS connection to " + address_text(to) + ": " +
                               (ctx == nullptr ? std::string("no tls client profile") : error));
            return false;
        }
    }
    boost::asio::ip::tcp::socket socket(home_for_new());
    connection = add(std::move(socket), local, to, std::move(session));
    if (!connection) {
        core::log_host(SIPHOST_LOG_ERR, "net", "cannot open a TCP connection: tcp_max_connections reached");
        return false;
    }
    connection->connect(); // first, so that the write waits for the connection
    connection->send(std::string(bytes), close_after);
    return true;
}

} // namespace siphost::net
