#pragma once
// What sanity checks of a message, as plain views: filled from the host's message by the module, or by a test
// with what the host's own parser would refuse before the script.

#include <string_view>
#include <vector>

namespace siphost::modules::sanity {

/// One header line as received: its name as written (full or compact form) and its trimmed value.
struct header_line {
    std::string_view name;
    std::string_view value;
};

/// The parts of a received message the checks read; every view points into the message.
struct request_view {
    bool is_request = true;
    std::string_view method;  ///< the request method
    std::string_view version; ///< the request line's version ("SIP/2.0")
    std::string_view ruri;    ///< the Request-URI as the script sees it now
    std::vector<header_line> headers;
    std::string_view body;    ///< every byte after the header block, as received (what Content-Length counts)
    bool via1_parsed = false; ///< the top Via could be parsed
    std::string_view via1_host; ///< its sent-by host
};

} // namespace siphost::modules::sanity
