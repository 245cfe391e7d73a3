#pragma once
// The header fields the SIP layer knows by name, with their compact forms (RFC 3261 7.3.3 and extensions).

#include <cstdint>
#include <string_view>

namespace siphost::sip {

enum class header_kind : uint8_t {
    other = 0, ///< any header not listed here; kept byte-exact and found by its name
    via,
    from,
    to,
    call_id,
    cseq,
    max_forwards,
    contact,
    route,
    record_route,
    content_length,
    content_type,
    content_encoding,
    expires,
    require,
    proxy_require,
    supported,
    unsupported,
    allow,
    subject,
    event,
    allow_events,
    refer_to,
    referred_by,
    session_expires,
    identity,
    identity_info,
    accept_contact,
    reject_contact,
    request_disposition,
    accept,
    accept_encoding,
    accept_language,
    authorization,
    proxy_authorization,
    www_authenticate,
    proxy_authenticate,
    count_ ///< number of kinds, not a kind
};

/// The kind of a header name written in full or compact form, in any case; header_kind::other when unknown.
header_kind lookup_header_kind(std::string_view name);

/// The full name in its usual spelling ("Call-ID"); empty for header_kind::other.
std::string_view canonical_name(header_kind kind);

/// True when the header's grammar is a comma-separated list (Via, Route, Contact, Supported, ...), so that
/// each element counts as one value.
bool is_list_header(header_kind kind);

/// True for headers a request or a reply may carry only once (From, To, Call-ID, CSeq, Max-Forwards,
/// Content-Length): a second one makes the message invalid.
bool is_single_header(header_kind kind);

} // namespace siphost::sip
