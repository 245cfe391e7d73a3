#pragma once
// What the transaction layer matches on (RFC 3261 17.2.3 and the RFC 2543 fallback), computed on demand.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sip/message.hpp"

namespace siphost::sip {

/// The RFC 3261 branch cookie.
inline constexpr std::string_view magic_cookie = "z9hG4bK";

/// True when branch starts with the cookie and has more after it (RFC 4475 3.2.1: a bare cookie is not
/// enough to trust the branch as unique).
bool is_rfc3261_branch(std::string_view branch);

struct rfc3261_key {
    std::string_view branch;       ///< top Via branch, cookie included
    std::string_view sent_by_host; ///< top Via sent-by host (IPv6 without brackets)
    uint16_t sent_by_port = 0;     ///< 0 when not written
    std::string_view method;       ///< request method (CSeq method for a reply)
};

struct rfc2543_key {
    std::string_view call_id;
    uint32_t cseq_number = 0;
    std::string_view cseq_method;
    std::string_view from_tag;
    std::string_view to_tag;
    std::string_view request_uri; ///< empty for a reply
    std::string_view top_via;     ///< the top Via value as written
};

/// The RFC 3261 key, when the top Via carries an RFC 3261 branch; nullopt otherwise (or for an invalid
/// message).
std::optional<rfc3261_key> make_rfc3261_key(const message& msg);
/// The RFC 2543 fallback fields (valid messages only; an invalid one yields empty fields).
rfc2543_key make_rfc2543_key(const message& msg);

/// RFC 3261 17.2.3: same branch and sent-by, and the same method, except that an ACK matches an INVITE.
bool same_transaction(const rfc3261_key& stored, const rfc3261_key& incoming);
/// RFC 2543 matching of a request against a stored one: same Request-URI, From tag, Call-ID, CSeq, top Via
/// and To tag (an ACK's To tag is not compared: it carries the tag of the reply).
bool same_transaction(const rfc2543_key& stored, const rfc2543_key& incoming, bool incoming_is_ack);

/// A hash for the transaction table that a request, its retransmissions, its CANCEL and (for non-2xx) its ACK
/// share: the branch when it has the cookie, else Call-ID and CSeq number.
std::size_t transaction_hash(const message& msg);

} // namespace siphost::sip
