#pragma once
// Why a message was refused, and what to answer (RFC 4475: 400, 505, 501; responses are dropped).

#include <cstdint>
#include <string_view>

#include "sip/header_kind.hpp"

namespace siphost::sip {

enum class parse_error : uint8_t {
    none = 0,
    too_large,            ///< over the size limit (65535 for UDP)
    empty,                ///< no start line (only line ends)
    bad_start_line,       ///< neither a request line nor a status line
    bad_method,           ///< the method is not a token
    bad_request_uri,      ///< the Request-URI breaks the grammar or carries headers (?...)
    bad_version,          ///< not "SIP/" 1*DIGIT "." 1*DIGIT
    unsupported_version,  ///< well-formed but not SIP/2.0
    bad_status,           ///< not a three-digit code 100..699
    bare_cr,              ///< a CR that is not followed by LF in the header section
    bad_header_line,      ///< no colon, a bad name, or a fold before the first header
    too_many_headers,     ///< over the header count limit
    line_too_long,        ///< a header line over the length limit
    missing_header,       ///< Via, From, To, Call-ID or CSeq absent
    duplicate_header,     ///< a second From, To, Call-ID, CSeq, Max-Forwards or Content-Length
    bad_header_value,     ///< a header the proxy depends on breaks its grammar (see header)
    cseq_method_mismatch, ///< the CSeq method is not the request method
    bad_content_length,   ///< not a number, or larger than the bytes that follow the headers
};

struct parse_result {
    parse_error error = parse_error::none;
    /// What to answer a request with (400, 501, 505, 513); 0 means drop silently (a broken response).
    int reply_code = 0;
    /// The header concerned, for missing_header, duplicate_header and bad_header_value.
    header_kind header = header_kind::other;

    bool ok() const { return error == parse_error::none; }
    /// True when the message is refused without an answer (it was, or looked like, a response).
    bool drop() const { return !ok() && reply_code == 0; }
    /// A short English reason, usable as the reason phrase of the reply ("Bad Request: missing header").
    std::string_view reason() const;
};

} // namespace siphost::sip
