#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::script {

/// The parts of a SIP URI the pseudo-variables need ($rU, $rd, $rp, $fU, $fd, ...), as views into the URI.
struct uri_parts {
    std::string_view scheme;   ///< "sip", "sips", "tel"
    std::string_view user;     ///< may be empty
    std::string_view password; ///< after "user:", may be empty
    std::string_view host;     ///< IPv6 keeps its brackets
    std::string_view port;     ///< digits, may be empty
    std::string_view rest;     ///< ";params?headers", may be empty
    bool has_user = false;
    bool valid = false;

    /// Parses "sip:user:pw@host:port;params"; also accepts a name-addr ("Bob <sip:...>;tag=x").
    static uri_parts parse(std::string_view text);

    /// Rebuilds the URI with one part replaced (an empty user removes "user@").
    std::string with_user(std::string_view new_user) const;
    std::string with_host(std::string_view new_host) const;
    std::string with_port(std::string_view new_port) const;

private:
    std::string build(std::string_view u, std::string_view h, std::string_view p) const;
};

} // namespace siphost::script
