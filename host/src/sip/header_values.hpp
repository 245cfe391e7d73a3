#pragma once
// Parsers of the simple header values: CSeq, Call-ID, numbers, Content-Type, option-tag lists.

#include <cstdint>
#include <string_view>

namespace siphost::sip {

struct cseq_value {
    uint32_t number = 0;
    std::string_view method;
};

struct media_type {
    std::string_view type;    ///< "application"
    std::string_view subtype; ///< "sdp"
    std::string_view params;  ///< from the first ';' (empty when none)
};

/// CSeq: 1*DIGIT LWS Method; the number must fit 32 bits (RFC 3261 8.1.1.5).
bool parse_cseq(std::string_view value, cseq_value& out);

/// Call-ID: word [ "@" word ] (RFC 3261 20.8).
bool parse_call_id(std::string_view value);

/// 1*DIGIT no larger than max (Content-Length, Max-Forwards, Expires, ...).
bool parse_number(std::string_view value, uint64_t max, uint64_t& out);

/// delta-seconds; larger values are taken as 2^32-1, as RFC 3261 20.19 says.
bool parse_delta_seconds(std::string_view value, uint32_t& out);

/// media-type (Content-Type).
bool parse_media_type(std::string_view value, media_type& out);

/// One option tag or other token of a comma-separated token list (Require, Supported, Allow) at s[pos];
/// moves pos past the ',' that ends it. An empty list element is an error.
bool next_list_token(std::string_view s, std::size_t& pos, std::string_view& token);

} // namespace siphost::sip
