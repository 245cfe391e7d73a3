#pragma once
// Parameters of header values: *( SEMI generic-param ), with LWS allowed around ';' and '=' (RFC 3261 25.1).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::sip {

struct header_param {
    std::string_view name;
    std::string_view value; ///< raw; a quoted string keeps its quotes; empty without '='
    bool has_value = false;
};

/// Scans a quoted string starting at s[pos] == '"'. Returns the position after the closing quote, or npos
/// when it is not closed.
std::size_t scan_quoted_string(std::string_view s, std::size_t pos);

/// Reads one ";name[=value]" at s[pos] (after LWS). On success fills p and moves pos past it (and past
/// trailing LWS). A value is a token, a quoted string or a host (an IPv6 reference, or an IPv6 address
/// without brackets, as some stacks write in received=). Returns false on a syntax error.
bool read_header_param(std::string_view s, std::size_t& pos, header_param& p);

/// Reads parameters from pos until the end of s or a ',' (when stop_at_comma). Calls f(const header_param&)
/// for each. Returns false on a syntax error; pos is then unspecified.
template <class F> bool read_header_params(std::string_view s, std::size_t& pos, bool stop_at_comma, F&& f) {
    while (pos < s.size()) {
        if (s[pos] == ',' && stop_at_comma)
            return true;
        if (s[pos] != ';')
            return false;
        header_param p;
        if (!read_header_param(s, pos, p))
            return false;
        f(p);
    }
    return true;
}

/// Looks up a parameter by name (any case) in a validated parameter string as stored by the parsers
/// (starting at a ';'). Returns the raw value (empty for a flag) or nullopt.
std::optional<std::string_view> find_header_param(std::string_view params, std::string_view name);

/// Removes the quotes and the backslash escapes of a quoted string; returns other text unchanged.
std::string unquote(std::string_view text);

} // namespace siphost::sip
