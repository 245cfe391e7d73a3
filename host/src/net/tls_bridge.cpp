#include "net/tls_bridge.hpp"

#include "net/tcp_transport.hpp"

#include <atomic>
#include <mutex>

namespace siphost::net {
namespace {

// The module's C callbacks carry no context: the one transport of the process is found here.
std::atomic<tcp_transport*> attached_transport{nullptr};

siphost_str as_str(const std::string& s) {
    return siphost_str{s.data(), s.size()};
}

siphost_dest dest_of(const udp_endpoint& endpoint, uint8_t proto, uint64_t conn_id) {
    siphost_dest out{};
    out.struct_size = sizeof out;
    set_address(out, endpoint);
    out.proto = proto;
    out.conn_id = conn_id;
    return out;
}

} // namespace

tls_provider tls_bridge::provider() const {
    if (api_ == nullptr)
        return {};
    const siphost_tls_api_v1* api = api_;
    tls_provider provider;
    provider.server = [api](const std::string& ip, uint16_t port) {
        return static_cast<SSL_CTX*>(api->server_ctx(as_str(ip), port));
    };
    provider.client = [api](const udp_endpoint& to, std::string& server_name) {
        std::string ip = address_text(to);
        siphost_str name{nullptr, 0};
        auto* ctx = static_cast<SSL_CTX*>(api->client_ctx(as_str(ip), to.port(), &name));
        server_name.assign(name.s != nullptr ? name.s : "", name.s != nullptr ? name.len : 0);
        return ctx;
    };
    return provider;
}

uint32_t tls_bridge::connection_timeout() const {
    return api_ != nullptr && api_->connection_timeout != nullptr ? api_->connection_timeout() : 0;
}

void tls_bridge::attach(tcp_transport* tcp) {
    if (api_ == nullptr || tcp == nullptr)
        return;
    static const siphost_tls_host_v1 table = {sizeof(siphost_tls_host_v1), &tls_bridge::with_ssl,
                                              &tls_bridge::for_each};
    attached_transport.store(tcp, std::memory_order_release);
    api_->attach_host(&table);
    attached_ = true;
}

void tls_bridge::detach() {
    if (!attached_)
        return;
    api_->attach_host(nullptr);
    attached_transport.store(nullptr, std::memory_order_release);
    attached_ = false;
}

int tls_bridge::with_ssl(uint64_t conn_id, int (*fn)(void* ssl, void* arg), void* arg) {
    tcp_transport* tcp = attached_transport.load(std::memory_order_acquire);
    if (tcp == nullptr || fn == nullptr)
        return -1;
    auto connection = tcp->find(conn_id);
    if (!connection || connection->tls() == nullptr)
        return -1;
    tls_session* session = connection->tls();
    std::lock_guard lock(session->mutex());
    return fn(session->ssl(), arg);
}

void tls_bridge::for_each(int (*fn)(uint64_t conn_id, void* ssl, const siphost_dest* remote,
                                    const siphost_dest* local, void* arg),
                          void* arg) {
    tcp_transport* tcp = attached_transport.load(std::memory_order_acquire);
    if (tcp == nullptr || fn == nullptr)
        return;
    for (const auto& connection : tcp->connections()) {
        tls_session* session = connection->tls();
        if (session == nullptr)
            continue;
        siphost_dest remote = dest_of(connection->remote(), SIPHOST_PROTO_TLS, connection->id());
        siphost_dest local = connection->local() != nullptr
                                 ? dest_of(connection->local()->endpoint, SIPHOST_PROTO_TLS, 0)
                                 : dest_of(udp_endpoint(), SIPHOST_PROTO_TLS, 0);
        std::lock_guard lock(session->mutex());
        if (fn(connection->id(), session->ssl(), &remote, &local, arg) != 0)
            return;
    }
}

} // namespace siphost::net
