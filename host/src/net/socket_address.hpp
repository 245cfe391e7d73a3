#pragma once
// Conversions between the ABI's siphost_dest, Asio endpoints and text.

#include <siphost/module.h>

#include <boost/asio/ip/udp.hpp>

#include <string>
#include <vector>

namespace siphost::net {

using udp_endpoint = boost::asio::ip::udp::endpoint;

/// Fills the address, port and family of a destination (struct_size, proto, socket and connection are the
/// caller's).
void set_address(siphost_dest& out, const udp_endpoint& endpoint);
/// A whole destination for a UDP peer.
siphost_dest to_dest(const udp_endpoint& endpoint, siphost_socket* socket = nullptr);
udp_endpoint to_endpoint(const siphost_dest& dest);

/// "127.0.0.1", "::1" (no brackets): the address part only.
std::string address_text(const udp_endpoint& endpoint);

/// The addresses of the machine's interfaces (getifaddrs), read once: what a wildcard listen (0.0.0.0, ::)
/// receives on, so what "myself" means for it, as Kamailio lists every interface for a listen without address.
const std::vector<boost::asio::ip::address>& interface_addresses();

/// An address to listen on, as the config's listen= values give it (parsed by cfg::parse_listen).
struct listen_spec {
    std::string proto = "udp";
    std::string host;
    uint16_t port = 0;
};

} // namespace siphost::net
