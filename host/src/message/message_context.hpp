#pragma once
// The host's side of the ABI's opaque siphost_msg: one SIP message and what the script and the modules attach
// to it while it is processed (AVPs, flags, $du, the destination set, per-module slots, the last internal
// error, headers queued for the reply). A worker keeps one for received datagrams and reuses it, so the hot
// path allocates nothing for it; clones (tm's) own their bytes.

#include "net/udp_worker.hpp"
#include "plugin/avp_list.hpp"
#include "sip/message.hpp"

#include <siphost/api/send_lines.h>
#include <siphost/module.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace siphost {
/// The most targets a request may have: the Request-URI and the destination set (host->limit(BRANCHES)).
inline constexpr std::size_t max_branches = 12;
} // namespace siphost

struct siphost_msg {
    /// One target of the destination set (siphost_branch with owned strings).
    struct target {
        std::string uri;     ///< the Request-URI of the branch
        std::string dst_uri; ///< where to send it; empty: the next hop of uri
        std::string path;
        std::string instance;
        std::string ruid;
        int32_t q = 0;
        uint32_t info = 0; ///< siphost_branch_flags_bits
        uint64_t flags = 0;
        const siphost::net::listening_socket* socket = nullptr;
        uint32_t reg_id = 0;
    };
    /// A per-message slot's value and how to free it.
    struct slot_value {
        void* value = nullptr;
        void (*destroy)(void*) = nullptr;
    };

    siphost::sip::message sip;                              ///< parsed bytes plus recorded changes
    siphost::net::udp_endpoint source;                      ///< where it came from
    const siphost::net::listening_socket* socket = nullptr; ///< where it arrived (nullptr: made locally)
    uint8_t proto = SIPHOST_PROTO_UDP;                      ///< the transport it came over
    uint64_t conn_id = 0;                                   ///< its connection (0 for UDP)
    /// The socket force_send_socket() chose for what is relayed from it ($fs); nullptr: the host chooses.
    const siphost::net::listening_socket* send_socket = nullptr;
    uint64_t id = 0;                                        ///< msgctx->msg_id: unique per received message
    std::unique_ptr<siphost_avp_list> avps;                 ///< the current AVP list, made on first use
    uint64_t flags = 0;                                     ///< script flags (setflag)
    uint64_t ruri_branch_flags = 0;                         ///< branch flags of the R-URI's branch (setbflag)
    /// The R-URI's own branch beyond its URI (msgctx->set_ruri_branch): the path vector, ruid, instance,
    /// reg-id and q lookup() set; its uri, dst_uri, flags and socket stay unused (sip, dst_uri,
    /// ruri_branch_flags and send_socket hold those). The path becomes a Route header whenever the request is
    /// built for sending.
    target ruri_branch;
    std::string dst_uri;                                    ///< $du; empty when unset
    bool rport_forced = false;                              ///< force_rport(): answer to the source port
    uint32_t forward_send_flags = 0;                        ///< set_forward_no_connect(), set_forward_close()
    uint32_t reply_send_flags = 0;                          ///< set_reply_no_connect(), set_reply_close()
    uint32_t route_type = 0;                                ///< the route running on it now (0: none)
    int error_code = 0;                                     ///< the last internal error (msgctx->set_error)
    std::string error_reason;
    std::string reply_headers; ///< lines for the next local reply (append_to_reply)
    /// The destination set (append_branch): more targets for a stateful relay. Not copied by msg_clone.
    std::vector<target> branches;
    /// Per-module slots (msgctx->slot_*), indexed by slot number; grown on first set.
    std::vector<slot_value> slots;
    /// Lines written when the request is built for sending, from the socket it leaves from
    /// (siphost/api/send_lines.h: rr's double Record-Route). Copied by msg_clone, kept by apply_changes.
    struct send_lines_entry {
        siphost_send_lines_fn fn = nullptr;
        std::string data;
        uint32_t order = 0; ///< where among the recorded changes it goes: their count when it was first set
    };
    std::vector<send_lines_entry> send_lines;

    siphost_msg() = default;
    siphost_msg(const siphost_msg&) = delete;
    siphost_msg& operator=(const siphost_msg&) = delete;
    ~siphost_msg() { release_slots(); }

    /// A new id for a message received or made by the host.
    static uint64_t next_id() {
        static std::atomic<uint64_t> last{0};
        return last.fetch_add(1, std::memory_order_relaxed) + 1;
    }

    /// The current AVP list, made on first use.
    siphost_avp_list& avp_list() {
        if (!avps)
            avps = std::make_unique<siphost_avp_list>();
        return *avps;
    }

    /// Changes the Request-URI of a request; false for a reply or an empty URI.
    bool set_request_uri(std::string_view uri) {
        if (!sip.is_request() || uri.empty())
            return false;
        sip.set_request_uri(uri);
        return true;
    }

    /// Adds a target to the destination set: its index, or -1 for a reply, an empty URI or a full set.
    int append_branch(target t) {
        if (!sip.is_request() || t.uri.empty() || branches.size() + 1 >= siphost::max_branches)
            return -1;
        branches.push_back(std::move(t));
        return static_cast<int>(branches.size() - 1);
    }

    /// The header lines of a local reply to this request: those queued with msgctx->add_reply_header, then
    /// extra. Uses storage only when both are there.
    std::string_view local_reply_headers(std::string_view extra, std::string& storage) const {
        if (reply_headers.empty())
            return extra;
        if (extra.empty())
            return reply_headers;
        storage.assign(reply_headers).append(extra);
        return storage;
    }

    /// Forgets the R-URI's branch attributes, keeping the strings' capacity.
    void clear_ruri_branch() {
        ruri_branch.path.clear();
        ruri_branch.instance.clear();
        ruri_branch.ruid.clear();
        ruri_branch.q = 0;
        ruri_branch.info = 0;
        ruri_branch.reg_id = 0;
    }

    /// Frees every slot's value with its module's destructor.
    void release_slots() {
        for (auto& slot : slots) {
            if (slot.value != nullptr && slot.destroy != nullptr)
                slot.destroy(slot.value);
            slot.value = nullptr;
        }
    }

    /// Forgets everything but the allocated capacity, for the next datagram.
    void reset() {
        release_slots();
        avps.reset();
        flags = 0;
        ruri_branch_flags = 0;
        clear_ruri_branch();
        dst_uri.clear();
        rport_forced = false;
        forward_send_flags = 0;
        reply_send_flags = 0;
        socket = nullptr;
        proto = SIPHOST_PROTO_UDP;
        conn_id = 0;
        send_socket = nullptr;
        route_type = 0;
        error_code = 0;
        error_reason.clear();
        reply_headers.clear();
        branches.clear();
        send_lines.clear();
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

} // namespace siphost::flow
