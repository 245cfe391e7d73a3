#pragma once
// Where a reply goes (RFC 3261 18.2.2, RFC 3581). Names are not resolved here.

#include <cstdint>
#include <optional>
#include <string_view>

#include "sip/message.hpp"
#include "sip/via.hpp"

namespace siphost::sip {

struct destination {
    std::string_view host; ///< an address or a name to resolve; IPv6 without brackets
    uint16_t port = 0;
    std::string_view transport; ///< from the Via ("UDP", "TCP", ...)
    bool host_is_name = false;  ///< true when host must be resolved (a name, not an address)
};

/// The default port of a transport: 5061 for TLS, 5060 otherwise.
uint16_t default_port(std::string_view transport);

/// Where a reply to the sender of this Via goes: maddr (with the sent-by port) when present; else received
/// (the source address) with rport's value, or source_port when rport is a flag and source_port is not 0,
/// else the sent-by port; else the sent-by. A missing port is the transport's default.
destination destination_of(const via& v, uint16_t source_port = 0);

/// The destination of a reply to request (its top Via); nullopt for an invalid message or a reply.
std::optional<destination> reply_destination(const message& request, uint16_t source_port = 0);

/// The destination of a received reply relayed upstream (its second Via, the top one being ours); nullopt
/// when there is no second Via.
std::optional<destination> relay_destination(const message& reply);

/// True for addresses a reply must never be sent to: IPv4 broadcast (255.255.255.255), multicast
/// (224/4, ff00::/8), unspecified (0.0.0.0, ::). RFC 4475 3.3.10 (bcast.dat).
bool is_unsafe_destination(std::string_view host);

} // namespace siphost::sip
