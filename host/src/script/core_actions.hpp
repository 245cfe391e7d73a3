#pragma once

#include <cstdint>
#include <string_view>

#include <siphost/module.h>

namespace siphost::net {
struct listening_socket;
}

namespace siphost::script {

/// What core functions need from the runtime beyond the message itself: sending and the server's own
/// addresses. The runtime implements it; interpreter tests record the calls. Called on the worker thread
/// running the script.
class core_actions {
public:
    virtual ~core_actions() = default;

    /// forward()/forward_udp()/forward_tcp()/forward_tls(): relays the request statelessly. host empty means
    /// the next hop of the request ($du, else Route, else R-URI); port 0 means from the URI or 5060; proto is
    /// a siphost_proto or 0 for any. Returns >0 on success, 0 when onsend_route dropped it, <0 on failure.
    virtual int forward(siphost_msg* msg, std::string_view host, std::uint16_t port, int proto) = 0;

    /// force_rport(): adds rport to the top Via when the reply is built/relayed. Returns >0 or <0.
    virtual int force_rport(siphost_msg* msg) = 0;

    /// force_tcp_alias([port]): requests to the peer's address and port (0: the top Via's port) reuse the
    /// connection msg came over. >0, or <0 when the alias cannot be added; a no-op (>0) for UDP.
    virtual int force_tcp_alias(siphost_msg* /*msg*/, std::uint16_t /*port*/) { return 1; }

    /// is_myself(): true when host:port names this server (a listen address or an alias; port 0: any).
    virtual bool is_myself(std::string_view host, std::uint16_t port) const = 0;

    /// force_send_socket(): the listening socket at address (an IP address) and port (0: any) on proto (a
    /// siphost_proto, 0: any, UDP first); nullptr when there is none.
    virtual const net::listening_socket* find_socket(int proto, std::string_view address,
                                                     std::uint16_t port) const = 0;
};

} // namespace siphost::script
