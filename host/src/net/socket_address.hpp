#pragma once
// Conversions between the ABI's siphost_addr, Asio endpoints and text.

#include <siphost/module.h>

#include <boost/asio/ip/udp.hpp>

#include <string>

namespace siphost::net {

using udp_endpoint = boost::asio::ip::udp::endpoint;

siphost_addr to_siphost_addr(const udp_endpoint& endpoint);
udp_endpoint to_endpoint(const siphost_addr& address);

/// "127.0.0.1", "::1" (no brackets): the address part only.
std::string address_text(const udp_endpoint& endpoint);

/// An address to listen on, as the config's listen= values give it (parsed by cfg::parse_listen).
struct listen_spec {
    std::string proto = "udp";
    std::string host;
    uint16_t port = 0;
};

} // namespace siphost::net
