#pragma once
// The host's side of the "core.send_lines" API (siphost/api/send_lines.h): header lines a module leaves on a
// request to be written from the socket it is sent from, which is chosen only when it is sent. Both ways a
// request leaves (build_request for tm, forward() for the core) build it through write_request_from.

#include "message/message_context.hpp"
#include "net/udp_worker.hpp"
#include "sip/serializer.hpp"

#include <siphost/api/send_lines.h>

#include <span>
#include <string_view>

namespace siphost::flow {

/// The table the host publishes.
const siphost_send_lines_v1* send_lines_table();

/// The request msg relayed from socket `from`: a new top Via with branch, the recorded changes, and the lines
/// each send_lines function writes for that socket. bad_argument when such a function fails.
sip::write_result write_request_from(const siphost_msg& msg, const net::listening_socket& from,
                                     std::string_view branch, std::span<char> out);

} // namespace siphost::flow
