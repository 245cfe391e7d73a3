#pragma once
// The To-tag of sl's stateless replies.
//
// The tag is derived only from what the request and its ACK share (RFC 3261 17.1.1.3: Call-ID, From-tag,
// CSeq number and the top Via's branch), so an ACK to a stateless negative reply carries exactly the tag
// that sl computes again from the ACK itself, and sl can recognise and absorb it without keeping state.
// A fixed prefix marks the tag as sl's; it is the same in every worker and every run.

#include <siphost/module.h>

#include <cstddef>
#include <string_view>

namespace siphost::modules::sl {

/// The length of every tag sl makes: 16 hex digits, '-', 16 hex digits.
inline constexpr size_t reply_tag_length = 33;

/// Computes the tag for a request (or its ACK) into out. Returns false when the message lacks a Call-ID.
bool compute_reply_tag(const siphost_host_api* host, const siphost_msg* msg, char (&out)[reply_tag_length]);

/// True when tag is the one sl would have put in a stateless reply to the request this ACK acknowledges.
bool is_own_reply_tag(const siphost_host_api* host, const siphost_msg* ack, std::string_view tag);

} // namespace siphost::modules::sl
