#pragma once
// The host's side of the "tls" API (siphost/api/tls.h): turns the tls module's contexts into the TCP
// transport's tls_provider, and gives the module its way back to a connection's SSL object.

#include "net/tls_provider.hpp"

#include <siphost/api/tls.h>

#include <cstdint>

namespace siphost::net {

class tcp_transport;

class tls_bridge {
public:
    /// api null: the tls module is not loaded.
    explicit tls_bridge(const siphost_tls_api_v1* api) : api_(api) {}
    ~tls_bridge() { detach(); }
    tls_bridge(const tls_bridge&) = delete;
    tls_bridge& operator=(const tls_bridge&) = delete;

    bool loaded() const { return api_ != nullptr; }
    /// The contexts, for tcp_transport (empty when the module is not loaded).
    tls_provider provider() const;
    /// The module's connection_timeout in seconds (0 when the module is not loaded).
    uint32_t connection_timeout() const;
    /// Lets the module reach the connections of tcp (one transport per process).
    void attach(tcp_transport* tcp);
    /// Takes that back; before the transport goes.
    void detach();

private:
    static int with_ssl(uint64_t conn_id, int (*fn)(void* ssl, void* arg), void* arg);
    static void for_each(int (*fn)(uint64_t conn_id, void* ssl, const siphost_dest* remote,
                                   const siphost_dest* local, void* arg),
                         void* arg);

    const siphost_tls_api_v1* api_;
    bool attached_ = false;
};

} // namespace siphost::net
