#include "sip/parse_result.hpp"

namespace siphost::sip {

std::string_view parse_result::reason() const {
    switch (error) {
    case parse_error::none:
        return "OK";
    case parse_error::too_large:
        return "Message Too Large";
    case parse_error::empty:
        return "Bad Request - Empty Message";
    case parse_error::bad_start_line:
        return "Bad Request - Malformed Start Line";
    case parse_error::bad_method:
        return "Bad Request - Malformed Method";
    case parse_error::bad_request_uri:
        return "Bad Request - Malformed Request-URI";
    case parse_error::bad_version:
        return "Bad Request - Malformed SIP Version";
    case parse_error::unsupported_version:
        return "SIP Version Not Supported";
    case parse_error::bad_status:
        return "Malformed Status Code";
    case parse_error::bare_cr:
        return "Bad Request - Bare CR";
    case parse_error::bad_header_line:
        return "Bad Request - Malformed Header Line";
    case parse_error::too_many_headers:
        return "Bad Request - Too Many Headers";
    case parse_error::line_too_long:
        return "Bad Request - Header Too Long";
    case parse_error::missing_header:
        return "Bad Request - Missing Mandatory Header";
    case parse_error::duplicate_header:
        return "Bad Request - Duplicate Header";
    case parse_error::bad_header_value:
        return "Bad Request - Malformed Header";
    case parse_error::cseq_method_mismatch:
        return reply_code == 501 ? "Not Implemented" : "Bad Request - CSeq Method Mismatch";
    case parse_error::bad_content_length:
        return "Bad Request - Bad Content-Length";
    }
    return "Bad Request";
}

} // namespace siphost::sip
