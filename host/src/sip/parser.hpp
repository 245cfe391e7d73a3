#pragma once
// The one pass over a datagram that fills a message: start line, header index, body framing, and the checks
// a proxy depends on (RFC 3261, RFC 4475). message::parse() calls it.

#include <string_view>

#include "sip/message.hpp"

namespace siphost::sip {

class parser {
public:
    /// Parses m.raw() into m (which has been reset). Never reads outside the bytes.
    static parse_result run(message& m);

private:
    static parse_result parse_start_line(message& m, std::size_t& pos);
    static void index_after_broken_request_line(message& m, std::size_t start_line_begin, const parse_result& r);
    static parse_result index_headers(message& m, std::size_t& pos);
    static parse_result frame_body(message& m);
    static parse_result validate(message& m);
};

/// "SIP/2.0" (any case of "SIP"): 1 valid 2.0, 0 well-formed other version, -1 malformed.
int check_sip_version(std::string_view text);

} // namespace siphost::sip
