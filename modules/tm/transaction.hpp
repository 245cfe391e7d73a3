#pragma once
// One transaction: the server transaction towards the upstream client and a client transaction per branch
// (RFC 3261 17), with what the script and other modules attached to it; or, made by t_uac, a client
// transaction alone. Its mutex guards everything below; it is held while tm runs onreply, failure and branch
// routes for it and while it calls other modules' callbacks, so those see a stable transaction.

#include "branch.hpp"

#include <siphost/api/tm.h>
#include <siphost/module.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace siphost::modules::tm {

/// Frees a message that tm owns (a clone) through the host.
struct msg_deleter {
    void operator()(siphost_msg* msg) const noexcept;
};
using owned_msg = std::unique_ptr<siphost_msg, msg_deleter>;

/// Frees an AVP list that tm owns through the host.
struct avp_list_deleter {
    void operator()(siphost_avp_list* list) const noexcept;
};
using owned_avp_list = std::unique_ptr<siphost_avp_list, avp_list_deleter>;

/// A client transaction: one copy of the request sent to one destination.
struct branch {
    std::string request;        ///< the bytes sent, for retransmission, CANCEL and ACK
    siphost_dest destination{}; ///< where it went, and the socket it left from
    int status = 0;             ///< the last reply code received (or made locally); 0 for none
    int last_received = 0;      ///< the last reply code received from downstream; 0 for none
    bool replied = false;       ///< a reply came from downstream (a provisional one counts)
    bool final = false;         ///< a final reply came (or the timeout made one)
    bool local = false;         ///< the final reply was made by tm (timeout)
    bool late_final = false;    ///< after that, the UAS's own final reply came (its 487 to tm's CANCEL)
    bool cancel_sent = false;
    bool cancel_wanted = false;   ///< CANCEL it as soon as it has a provisional reply
    bool cancel_answered = false; ///< a reply to tm's CANCEL came: stop resending it
    std::string cancel;           ///< the CANCEL sent, resent on timer E until answered
    uint32_t cancel_interval = 0;
    uint64_t cancel_deadline_ms = 0;    ///< timer F of the CANCEL: give up then
    uint32_t retransmit_interval = 0;   ///< ms until the next retransmission (timers A and E)
    uint32_t retransmit_generation = 0; ///< bumped to void the retransmission timer in the wheel
    uint32_t final_generation = 0;      ///< bumped to void the final response timer
    std::string ack;                    ///< the hop-by-hop ACK sent for a negative INVITE reply
    std::string reply;                  ///< a negative final reply as relayed upstream (after onreply_route)
    owned_msg reply_msg;                ///< the same reply, parsed, for failure_route and $T_rpl
    uint64_t flags = 0;                 ///< its branch flags (setbflag), as routes of this branch see them
    std::string ruid; ///< the record id of the registered contact it goes to (registrar's lookup), or empty
};

/// A callback registered with register_callback (or in a t_uac request).
struct callback_entry {
    uint32_t types = 0;
    siphost_tm_callback_fn fn = nullptr;
    void* param = nullptr;
};

struct transaction {
    transaction(uint32_t slot_index, uint32_t label_value) : slot(slot_index), label(label_value) {}
    /// Calls the DESTROY callbacks (callbacks.cpp).
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    std::recursive_mutex mutex;
    const uint32_t slot;
    const uint32_t label;
    std::weak_ptr<transaction> self; ///< for the timers it schedules

    // ---- what identifies it (RFC 3261 17.2.3, and the RFC 2543 fields) ----
    std::string method;
    bool invite = false;
    std::string via_branch;
    std::string via_host;
    uint16_t via_port = 0;
    std::string call_id;
    uint32_t cseq = 0;
    std::string from_tag;
    std::string ruri;   ///< the received Request-URI (RFC 2543 matching)
    std::string to_tag; ///< the To-tag of tm's local replies (set before insertion, never changed)
    bool local =
        false; ///< made by t_uac: a client transaction without an upstream (never matched by requests)
    uint64_t created_ms = 0;

    // ---- the server side ----
    owned_msg request;       ///< a copy of the request: failure/branch routes run on it
    owned_avp_list avps;     ///< the transaction's AVPs (moved from the request)
    siphost_dest upstream{}; ///< where replies go, and the socket they leave from
    std::string last_reply;  ///< the last reply sent upstream, to answer retransmissions
    int status = 0;          ///< its code
    bool final_sent = false;
    bool final_local = false;       ///< that final reply was tm's own (t_reply, timeout)
    bool acked = false;             ///< the ACK to a negative INVITE final came
    bool canceled = false;          ///< a CANCEL for it came
    bool wait_scheduled = false;    ///< on its way out (wt_timer)
    uint32_t upstream_interval = 0; ///< timer G
    uint32_t upstream_generation = 0;
    uint64_t final_sent_ms = 0;

    // ---- the script's wishes ----
    int on_reply = -1;
    int on_failure = -1;
    int on_branch = -1;
    int on_branch_failure = -1;   ///< event_route[tm:branch-failure:X] for every failed branch
    std::string failure_ruri;     ///< the Request-URI when failure_route started: tried already
    std::string relayed_ruri;     ///< the Request-URI the running route's last t_relay() had (empty: none)
    uint32_t fr_timer_ms = 0;     ///< t_set_fr(): this transaction's fr_timer; 0: the modparam
    uint32_t fr_inv_timer_ms = 0; ///< t_set_fr(): this transaction's fr_inv_timer; 0: the modparam
    /// Which earlier branches still compete for the final reply once failure_route starts a new serial
    /// leg: failure_reply_mode's values (0 all, 1 and 3 the last leg only, 2 all but the previous leg);
    /// -1: the modparam. t_drop_replies() sets it for this transaction.
    int8_t drop_replies = -1;

    std::vector<branch> branches;
    /// Where each serial leg starts in branches: 0, then the first branch failure_route added each time.
    std::vector<size_t> leg_starts{0};

    // ---- other modules ----
    std::vector<callback_entry> callbacks; ///< in the order of registration
    uint32_t callback_types = 0;           ///< the union of their types, to skip events nobody wants
    uint32_t pins = 0;                     ///< ref() calls not yet matched by unref()
    std::shared_ptr<transaction> pinned;   ///< holds it alive while pins > 0
};

} // namespace siphost::modules::tm
