#pragma once
// Where the TCP transport gets its TLS contexts: the tls module builds them from its profiles (tls.cfg),
// the server hands them on. The net library itself holds no TLS configuration.

#include "net/socket_address.hpp"

#include <cstdint>
#include <functional>
#include <string>

using SSL_CTX = struct ssl_ctx_st;

namespace siphost::net {

struct tls_provider {
    /// The server context of a TLS listen address; null when none is configured for it.
    std::function<SSL_CTX*(const std::string& ip, uint16_t port)> server;
    /// The client context for a connection to `to`, and the SNI name to send (may stay empty); null when
    /// none is configured.
    std::function<SSL_CTX*(const udp_endpoint& to, std::string& server_name)> client;

    explicit operator bool() const { return server && client; }
};

} // namespace siphost::net
