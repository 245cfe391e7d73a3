#pragma once
// Conversions between the ABI's siphost_addr, Asio endpoints and text.

#include <siphost/module.h>

#include <boost/asio/ip/udp.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace siphost::net {

using udp_endpoint = boost::asio::ip::udp::endpoint;

siphost_addr to_siphost_addr(const udp_endpoint& endpoint);
udp_endpoint to_endpoint(const siphost_addr& address);

/// "127.0.0.1", "::1" (no brackets): the address part only.
std::string address_text(const udp_endpoint& endpoint);

/// A listen= value: "[proto:]addr[:port]" with IPv6 in brackets ("udp:[::1]:5060"); port 0 means "default".
struct listen_spec {
    std::string proto = "udp";
    std::string host;
    uint16_t port = 0;
};

/// Parses a listen= value; nothing when it is malformed (the caller reports where).
std::optional<listen_spec> parse_listen(std::string_view text);

} // namespace siphost::net
