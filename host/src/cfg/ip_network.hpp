#pragma once
// Address networks in the config language: "src_ip == 10.0.0.0/8" compares an address with a network
// (Kamailio's core syntax). IPv4 and IPv6; a lone address is a network of one.

#include <cstdint>
#include <optional>
#include <string_view>

namespace siphost::cfg {

struct ip_network {
    int family = 4;               ///< 4 or 6
    unsigned char bytes[16] = {}; ///< the network address (4 or 16 bytes used)
    unsigned prefix = 32;         ///< bits that must match
};

/// Parses "10.0.0.0/8", "2001:db8::/32", "[2001:db8::1]" or "10.0.0.1" (a /32 or /128). nullopt when the
/// address or the prefix length is not valid.
std::optional<ip_network> parse_ip_network(std::string_view text);

/// True when the address (text, IPv6 with or without brackets) lies in the network.
bool in_network(std::string_view address, const ip_network& network);

} // namespace siphost::cfg
