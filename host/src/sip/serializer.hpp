#pragma once
// Writes outgoing messages into a caller's buffer: a received message plus its recorded changes (one pass,
// Content-Length kept right), the forwarded copy of a request, the relayed copy of a reply, and a reply
// generated locally from a request (RFC 3261 8.2.6).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sip/message.hpp"

namespace siphost::sip {

enum class write_status : uint8_t {
    ok,
    too_small,         ///< the buffer is too small; write_result::size is the size needed
    wrong_kind,        ///< a request where a reply is needed, or the reverse
    not_indexed,       ///< the message's start line or header lines could not be parsed
    conflicting_edits, ///< recorded changes overlap each other or the derived ones (Max-Forwards, Via, body)
    no_via,            ///< a reply to relay has no second Via to go to
    bad_argument,      ///< a status code outside 100..699, an empty Via host, a value too long, or an output
                       ///< buffer that overlaps the message's own bytes
};

struct write_result {
    write_status status = write_status::ok;
    std::size_t size = 0; ///< bytes written, or needed when status is too_small
    bool ok() const { return status == write_status::ok; }
};

/// The new top Via of a forwarded request: "Via: SIP/2.0/<transport>
/// <host>[:<port>];branch=<branch><params>".
struct via_spec {
    std::string_view transport = "UDP";
    std::string_view host;   ///< a name, IPv4, or IPv6 (brackets added when missing)
    uint16_t port = 0;       ///< 0: not written
    std::string_view branch; ///< including the z9hG4bK cookie; empty: no branch parameter
    std::string_view params; ///< more parameters, each starting with ';' (";rport")
};

/// Header lines made only when a request is sent (siphost/api/send_lines.h), put where a line added on top
/// with message::add_header would have gone when `order` changes had been recorded.
struct send_time_lines {
    std::string_view text; ///< whole lines, CRLF-terminated
    uint32_t order = 0;
};

/// What a locally generated reply carries beyond what it copies from the request.
struct local_reply {
    int code = 200;
    std::string_view reason;        ///< empty: the standard phrase of the code
    std::string_view to_tag;        ///< added to To when not empty and the request's To has no tag
    std::string_view extra_headers; ///< whole lines, CRLF-terminated (added when missing)
    std::string_view body;          ///< Content-Length follows it
};

/// The message with its recorded changes.
write_result write_message(const message& msg, std::span<char> out);

/// A request to relay: recorded changes, a new top Via, Max-Forwards decremented (added as 70 when missing;
/// a value set by a recorded change is written as it is, not decremented again). path_route, whole lines (the
/// path vector of the Request-URI's branch as a Route header), goes before the first Route, or right below
/// the new Via when there is none (RFC 3327, where Kamailio puts it).
write_result write_forwarded_request(const message& request, const via_spec& via, std::span<char> out,
                                     std::span<const send_time_lines> lines = {},
                                     std::string_view path_route = {});

/// A reply to relay upstream: recorded changes and the top Via (this proxy's own) removed.
write_result write_relayed_reply(const message& reply, std::span<char> out);

/// A reply to request per RFC 3261 8.2.6: all Vias, From, To (with to_tag when due), Call-ID and CSeq
/// copied; extra headers; Content-Length; body. Folded values are written on one line.
write_result write_local_reply(const message& request, const local_reply& reply, std::span<char> out);

} // namespace siphost::sip
