#pragma once
// One Via value (RFC 3261 20.42, RFC 3581 rport): sent-protocol, sent-by and the parameters a proxy uses.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/uri.hpp"

namespace siphost::sip {

struct via {
    std::string_view value;            ///< this comma element, trimmed
    std::string_view protocol_name;    ///< "SIP"
    std::string_view protocol_version; ///< "2.0"
    std::string_view transport;        ///< "UDP", "TCP", "TLS", "SCTP", or another token
    std::string_view host;             ///< sent-by host; an IPv6 reference without its brackets
    host_type host_kind = host_type::none;
    uint16_t port = 0; ///< 0 when not written
    bool has_port = false;
    std::string_view params;   ///< all parameters, from the first ';' (empty when none)
    std::string_view branch;   ///< empty when absent
    std::string_view received; ///< as written (an IPv6 address may carry brackets)
    std::string_view maddr;
    bool has_rport = false;
    uint16_t rport = 0;        ///< 0 when rport is a flag without a value
    int16_t ttl = -1;          ///< -1 when absent
    uint16_t header_index = 0; ///< which header line of the message holds this value
};

/// Parses one Via element at s[pos]; moves pos to the ',' that ends it or to the end. False on a syntax
/// error.
bool parse_via(std::string_view s, std::size_t& pos, via& out);

/// Parses every comma-separated element of one Via header value, calling f(via&) for each.
template <class F> bool parse_via_values(std::string_view value, F&& f) {
    std::size_t pos = 0;
    while (true) {
        via v;
        if (!parse_via(value, pos, v))
            return false;
        f(v);
        if (pos >= value.size())
            return true;
        ++pos; // ','
    }
}

} // namespace siphost::sip
