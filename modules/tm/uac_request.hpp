#pragma once
// A request of a module's own (t_uac), written from scratch: the pure part of t_uac, without the host, so
// that it can be tested alone.

#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::modules::tm {

/// What goes into a request tm makes.
struct uac_message {
    std::string_view method;
    std::string_view ruri;
    std::string_view to;   ///< a name-addr or a URI; a tag it has is kept
    std::string_view from; ///< likewise; from_tag is added when it has no tag
    std::string_view from_tag;
    std::string_view call_id;
    uint32_t cseq = 1;
    std::string_view headers; ///< whole lines; a missing final CRLF is added
    std::string_view body;
    std::string_view via_host; ///< the socket's address (IPv6 without brackets)
    uint16_t via_port = 0;     ///< 0: no port in the Via
    uint8_t via_proto = 1;     ///< enum siphost_proto
    std::string_view branch;   ///< with the RFC 3261 cookie
    uint32_t max_forwards = 70;
};

/// True for an RFC 3261 token (a method name).
bool is_token(std::string_view text) noexcept;

/// The Via transport of a protocol (enum siphost_proto): "UDP", "TCP", ...; empty for an unknown one.
std::string_view via_transport(uint8_t proto) noexcept;

/// A From or To value as a name-addr: unchanged when it has '<' (outside a quoted display name); else the
/// URI goes in < > and what followed its first ';' stays as header parameters (RFC 3261 20.10). Empty for a
/// value without '<' that has a display name (malformed) or nothing at all.
std::string as_name_addr(std::string_view value);

/// The tag parameter of a name-addr's header parameters (as_name_addr's form), or empty.
std::string_view header_tag(std::string_view name_addr) noexcept;

/// The request's bytes: request line, Via, Max-Forwards, From (tagged), To, Call-ID, CSeq, the extra
/// headers, Content-Length and the body. Empty when a field is missing or would break the message (a line
/// break inside a value, a method that is not a token).
std::string build_uac_request(const uac_message& m);

/// A Call-ID: "<prefix>-<counter in hex>@<host>" (without "@" when host is empty).
std::string make_call_id(std::string_view prefix, uint64_t counter, std::string_view host);

} // namespace siphost::modules::tm
