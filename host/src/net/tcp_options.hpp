#pragma once
// What the config's tcp_* parameters set, with Kamailio's defaults.

#include <chrono>
#include <cstddef>

namespace siphost::net {

struct tcp_options {
    std::chrono::seconds lifetime{120};       ///< tcp_connection_lifetime: idle connections close after it
    int max_connections = 2048;               ///< tcp_max_connections: accepted and opened, together
    std::chrono::seconds connect_timeout{10}; ///< tcp_connect_timeout
    std::chrono::seconds send_timeout{10};    ///< tcp_send_timeout: a write that does not finish closes
    bool accept_no_cl = false;                ///< tcp_accept_no_cl
    bool accept_aliases = false;              ///< tcp_accept_aliases: a Via's ";alias" aliases its connection
    bool keepalive = true;                    ///< tcp_keepalive: SO_KEEPALIVE on every connection
    int io_threads = 2;                       ///< tcp_children: threads reading and writing connections
    std::chrono::milliseconds partial_timeout{5000}; ///< an unfinished message closes its connection after it
    size_t max_message_bytes = 65535;                ///< one SIP message, headers and body
    size_t max_queued_bytes = 1 << 20;               ///< unsent bytes per connection before it is closed
    int max_in_flight = 16; ///< messages of one connection in the workers before reading waits
    std::chrono::seconds tls_lifetime{600}; ///< the tls module's connection_timeout: idle TLS connections
    std::chrono::milliseconds tls_handshake_timeout{5000}; ///< a TLS handshake not done by then closes
};

} // namespace siphost::net
