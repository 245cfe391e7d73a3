#pragma once
// The host's side of the ABI's opaque siphost_msg: one SIP message and what the script attaches to it while
// it is processed (AVPs, flags, the destination URI, where it came from). A worker keeps one for received
// datagrams and reuses it, so the hot path allocates nothing for it; clones (tm's) own their bytes.

#include "net/udp_worker.hpp"
#include "plugin/avp_list.hpp"
#include "sip/message.hpp"

#include <siphost/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct siphost_msg {
    /// One target of the destination set.
    struct target {
        std::string uri;     ///< the Request-URI of the branch
        std::string dst_uri; ///< where to send it; empty: the next hop of uri
    };

    siphost::sip::message sip;                              ///< parsed bytes plus recorded changes
    siphost::net::udp_endpoint source;                      ///< where it came from
    const siphost::net::listening_socket* socket = nullptr; ///< where it arrived (nullptr: made locally)
    std::unique_ptr<siphost_avp_list> avps;                 ///< the current AVP list, made on first use
    uint64_t flags = 0;                                     ///< script flags (setflag)
    std::string dst_uri;                                    ///< $du; empty when unset
    bool rport_forced = false;                              ///< force_rport(): answer to the source port
    /// The destination set (append_branch): more targets for a stateful relay. Not copied by msg_clone.
    std::vector<target> branches;

    /// Forgets everything but the allocated capacity, for the next datagram.
    void reset() {
        avps.reset();
        flags = 0;
        dst_uri.clear();
        rport_forced = false;
        socket = nullptr;
        branches.clear();
    }
};

namespace siphost::flow {

/// The ABI's socket handle is the transport's listening_socket.
inline siphost_socket* to_handle(const net::listening_socket* socket) {
    return reinterpret_cast<siphost_socket*>(const_cast<net::listening_socket*>(socket));
}
inline const net::listening_socket* from_handle(const siphost_socket* socket) {
    return reinterpret_cast<const net::listening_socket*>(socket);
}

inline std::string_view view(siphost_str s) {
    return {s.s == nullptr ? "" : s.s, s.len};
}
inline siphost_str to_str(std::string_view s) {
    return {s.data(), s.size()};
}

/// Fills the message access, change, clone and AVP functions of the host table.
void fill_message_functions(siphost_host_api& api);

} // namespace siphost::flow
