#pragma once
// name-addr / addr-spec values with header parameters: From, To, Contact, Route, Record-Route, Refer-To
// (RFC 3261 20.10, 20.20, 20.30, 20.34, 20.39).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sip/uri.hpp"

namespace siphost::sip {

struct name_addr {
    std::string_view value;        ///< this comma element, trimmed
    std::string_view display_name; ///< as written: a quoted string keeps its quotes; empty when none
    std::string_view uri_text;     ///< the URI without angle brackets
    sip::uri uri;                  ///< the parsed URI (unknown schemes opaque)
    std::string_view params;       ///< header parameters from the first ';' (empty when none)
    std::string_view tag;          ///< value of the tag parameter, empty when absent
    bool has_tag = false;
    bool angle_brackets = false;
    bool wildcard = false; ///< Contact: *
    uint16_t header_index = 0;
};

/// Parses one element at s[pos]; moves pos to the ',' that ends it or to the end of s. Without angle
/// brackets the URI may not contain ';', ',' or '?' (RFC 3261 20). allow_wildcard accepts "*" (Contact).
/// With parse_uri false the URI is only checked to be one token with a scheme, and out.uri stays empty
/// (the message parser does so for From and To, whose URIs a proxy does not route on; see message::from()).
bool parse_name_addr(std::string_view s, std::size_t& pos, bool allow_wildcard, name_addr& out,
                     bool parse_uri = true);

/// Parses a value that holds exactly one element (From, To).
bool parse_single_name_addr(std::string_view value, name_addr& out, bool parse_uri = true);

/// The cheap check used instead of a full parse: a scheme, ':', and no white space, quote or angle bracket.
bool plausible_uri(std::string_view text);

/// Parses every comma-separated element of one header value, calling f(name_addr&) for each.
template <class F> bool parse_name_addr_values(std::string_view value, bool allow_wildcard, F&& f) {
    std::size_t pos = 0;
    while (true) {
        name_addr a;
        if (!parse_name_addr(value, pos, allow_wildcard, a))
            return false;
        f(a);
        if (pos >= value.size())
            return true;
        ++pos; // ','
    }
}

} // namespace siphost::sip
