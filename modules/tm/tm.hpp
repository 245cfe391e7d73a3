#pragma once
// What tm's files share: the module's state, the per-thread script context, and the functions of each
// concern.

#include "branch.hpp"
#include "table.hpp"
#include "timer_wheel.hpp"
#include "transaction.hpp"

#include <siphost/api/tm.h>
#include <siphost/module.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::tm {

inline constexpr char module_name[] = "tm";

/// modparams, in milliseconds.
struct tm_params {
    int32_t fr_timer = 30000;
    int32_t fr_inv_timer = 120000;
    int32_t wt_timer = 5000;
    int32_t retr_timer1 = 500;
    int32_t retr_timer2 = 4000;
    int32_t max_inv_lifetime = 180000;
    int32_t max_noninv_lifetime = 32000;
    int32_t auto_inv_100 = 1;
    const char* auto_inv_100_reason = nullptr; // "Trying" when unset
    int32_t restart_fr_on_each_reply = 1;
    int32_t failure_reply_mode = 3; ///< which earlier branches' replies a new serial leg keeps (0..3)
};

enum class timer_kind : uint8_t {
    retransmit,          ///< timers A and E of a branch
    final_response,      ///< fr_timer / fr_inv_timer of a branch
    upstream_retransmit, ///< timer G: a negative INVITE final again until the ACK
    wait,                ///< wt_timer: the end of the transaction
    lifetime,            ///< max_inv_lifetime / max_noninv_lifetime
    cancel_retransmit    ///< timer E of tm's CANCEL on a branch, until it is answered or the branch ends
};

struct timer_entry {
    std::weak_ptr<transaction> txn;
    timer_kind kind = timer_kind::wait;
    uint16_t branch = 0;
    uint32_t generation = 0;
};

/// tm's metrics (the host keeps the values; tm.stats reads them back).
struct tm_metrics {
    siphost_metric* created = nullptr;          ///< every transaction, t_uac's included
    siphost_metric* active = nullptr;           ///< a gauge: transactions in the table
    siphost_metric* waiting = nullptr;          ///< a gauge: finished ones waiting out wt_timer
    siphost_metric* local_created = nullptr;    ///< t_uac's transactions
    siphost_metric* local_replies = nullptr;    ///< replies tm made (100, t_reply, timeouts)
    siphost_metric* retransmissions = nullptr;  ///< requests and replies sent again
    siphost_metric* replies_received = nullptr; ///< replies matched to a branch
    siphost_metric* relayed[6] = {};            ///< replies relayed upstream, per class 1xx..6xx
    siphost_metric* completed[5] = {};          ///< transactions completed, per final class 2xx..6xx
};

// Members are destroyed in reverse order: what a transaction's destructor reads comes before the table.
struct tm_state {
    const siphost_host_api* host = nullptr;
    siphost_module_handle* self = nullptr;
    tm_params params;
    tm_metrics metrics;
    size_t max_branches = 12; ///< host->limit(SIPHOST_LIMIT_BRANCHES)
    /// Set at destroy: transactions freed from then on call no DESTROY callback (their modules are gone).
    std::atomic<bool> shutting_down{false};
    /// REQUEST_IN callbacks for every new transaction: append-only, so that workers read them without a lock
    /// (an entry is written before the count that publishes it).
    static constexpr size_t max_request_in = 64;
    std::array<callback_entry, max_request_in> request_in{};
    std::atomic<size_t> request_in_count{0};
    std::mutex request_in_mutex; ///< serialises registrations
    table transactions;
    std::unique_ptr<timer_wheel<timer_entry>> wheel;
};

tm_state& state();
inline const siphost_host_api* host() {
    return state().host;
}
void count(siphost_metric* metric, int64_t delta = 1);
/// Logs one line as tm.
void log(int level, std::string_view text);

/// Set while tm runs a route for a transaction (onreply, failure, branch, branch-failure) on this thread.
struct route_context {
    transaction* txn = nullptr;
    uint32_t route_type = 0; ///< SIPHOST_ROUTE_TM_ONREPLY, _FAILURE, _BRANCH or _BRANCH_FAILURE; 0 outside
    int branch = -1;         ///< the branch the route is about
    siphost_msg* reply = nullptr; ///< the reply (onreply) or the chosen reply (failure), may be null
    int reply_code = 0;
    siphost_msg* msg = nullptr; ///< what the route runs on: it holds the transaction's AVPs meanwhile
};
route_context& current_route();

/// The request request_route is running on this worker, and what the script set for its transaction.
struct request_context {
    const siphost_msg* msg = nullptr;
    std::shared_ptr<transaction> txn;
    int on_reply = -1;
    int on_failure = -1;
    int on_branch = -1;
    int on_branch_failure = -1;
    uint32_t fr_timer_ms = 0; ///< t_set_fr() before the transaction exists
    uint32_t fr_inv_timer_ms = 0;
    /// A transaction t_relay() created and could send nowhere (every branch dropped by onsend_route or not
    /// sent): answered 477 after the script unless the script replied, as Kamailio does.
    std::shared_ptr<transaction> unsent;
};
request_context& current_request();

/// The transaction's fr_timer and fr_inv_timer: t_set_fr()'s, else the modparams.
uint32_t fr_timer_of(const transaction& t);
uint32_t fr_inv_timer_of(const transaction& t);

/// A per-process part of tm's tags and Call-IDs, so that two runs never make the same one.
const std::string& tag_prefix();

// ---- lookup.cpp ----

/// The fields of a request that find its transaction.
struct request_key {
    std::string_view method;
    std::string_view via_branch;
    std::string_view via_host;
    uint16_t via_port = 0;
    std::string_view call_id;
    uint32_t cseq = 0;
    std::string_view from_tag;
    std::string_view to_tag;
    std::string_view ruri;
    uint32_t slot = 0;
};
bool read_request_key(const siphost_msg* msg, request_key& key);

enum class match_mode {
    same,         ///< a retransmission, or an ACK to its INVITE
    cancel_target ///< the INVITE (or other request) a CANCEL cancels
};
std::shared_ptr<transaction> match_request(const request_key& key, match_mode mode);
/// The INVITE transaction whose own (local) reply an ACK acknowledges, found by tm's To-tag; or null.
std::shared_ptr<transaction> match_ack_to_local_reply(const request_key& key);

// ---- forward.cpp ----

/// Creates the server transaction of msg (moves its AVPs in, runs REQUEST_IN callbacks, sends the automatic
/// 100). Returned locked; null on error.
std::shared_ptr<transaction> new_transaction(siphost_msg* msg, const request_key& key);
/// Adds a branch built from `source` towards host:port (empty host: the request's next hop) and sends it.
/// Lock held. It leaves from source's send socket (force_send_socket(), a target's own), or the one a
/// branch_route forces. The first send passes onsend_route, run on script_msg (the request the script
/// relays). Returns 1, or -1 (also when onsend_route dropped it).
int relay_branch(transaction& t, siphost_msg* source, siphost_msg* script_msg, std::string_view host,
                 uint16_t port, uint8_t proto = SIPHOST_PROTO_NONE);
/// Relays msg to its Request-URI and to every target of its destination set (append_branch), in parallel,
/// and empties the set. request_uri_consumed (a failure_route that kept the R-URI its branches were tried
/// with) leaves the Request-URI out when the set has targets. Returns 1 when a branch went out, else -1.
/// proto (t_relay_to_tcp, t_relay_to_udp) is the transport when the target's URI names none.
int relay_to_targets(transaction& t, siphost_msg* msg, std::string_view host, uint16_t port,
                     bool request_uri_consumed, uint8_t proto = SIPHOST_PROTO_NONE);
/// Relays a request without a transaction (the ACK to a 2xx). Returns 1 or -1.
int forward_stateless(siphost_msg* msg, std::string_view host, uint16_t port,
                      uint8_t proto = SIPHOST_PROTO_NONE);
/// A hop-by-hop request (CANCEL, ACK) for a branch: method, the branch's Request-URI, top Via, From,
/// Call-ID, CSeq number and Route set, and `to` (the To header value to use). Empty on error.
std::string build_hop_request(std::string_view method, const branch& b, std::string_view to);
/// Sends a CANCEL on branch index (lock held): not on a final branch, unless timed_out and the branch's final
/// reply is tm's own timeout.
void send_cancel(transaction& t, size_t index, bool timed_out = false);
/// Sends bytes to a destination. True when sent.
bool send_to(const siphost_dest& destination, std::string_view bytes);
/// Builds msg (with its recorded changes) with a new top Via from socket `from` and `branch` into out.
bool build_with_branch(const siphost_msg* msg, const siphost_socket* from, std::string_view branch,
                       std::string& out);

// ---- reply.cpp ----

/// The Request-URI a branch was sent with: its request line's (empty before it is sent).
std::string_view branch_ruri(const branch& b);

/// What a reply says of the transaction it answers: the branch id of its top Via, its CSeq number and method.
struct reply_match {
    branch_id id;
    uint32_t cseq = 0;
    std::string_view method;
    /// It answers a branch of t (lock held): t's CSeq, and t's method or the CANCEL tm sent on that branch.
    bool answers(const transaction& t) const {
        return id.index < t.branches.size() && cseq == t.cseq && (method == t.method || method == "CANCEL");
    }
};
/// The transaction whose branch a reply's top Via names (tm's own branch of a live transaction), or null;
/// match.answers() tells whether the reply really answers it.
std::shared_ptr<transaction> reply_transaction(const siphost_msg* reply, reply_match& match);
int on_reply_hook(siphost_msg* reply, void* data);
/// Sends a reply made by tm upstream, with extra header lines and a body (lock held). A local transaction
/// (t_uac) has nobody upstream: a final code completes it instead. Returns 1 or -1.
int send_local_reply(transaction& t, int code, std::string_view reason, std::string_view extra_headers = {},
                     std::string_view body = {});
/// send_local_reply for a reply the script (or a module) asks for on msg: the lines queued on msg for its
/// local replies (msgctx->add_reply_header: append_to_reply, auth's Authentication-Info) go in too, as in
/// Kamailio, where t_reply takes the reply lumps of the message being processed. The transaction's request is
/// a clone made at t_newtran, which does not carry lines queued on msg after that.
int send_script_reply(transaction& t, siphost_msg* msg, int code, std::string_view reason,
                      std::string_view extra_headers = {}, std::string_view body = {});
/// Sends the last reply again (a retransmitted request). Lock held.
void resend_last_reply(transaction& t);
/// The reason phrase of the 408 tm makes when a branch times out (upstream, and for $T_reply_reason).
inline constexpr std::string_view timeout_reason = "Request Timeout";
/// A branch ends with a reply tm made (timeout): code is 408. Lock held.
void fail_branch_locally(transaction& t, size_t index, int code);
/// When every branch is final and nothing went upstream yet: failure_route, then the best reply. Lock held.
void finish_if_complete(transaction& t);
/// A local transaction (t_uac) ends with code (reply: the final reply received, null after a timeout): the
/// COMPLETED callbacks, then wt_timer. Lock held.
void complete_local(transaction& t, int code, siphost_msg* reply, int branch);
/// Runs a route for the transaction with its AVPs current (lock held). Returns the route result.
int run_transaction_route(transaction& t, int route_id, uint32_t route_type, siphost_msg* msg, int branch,
                          siphost_msg* reply, int reply_code);

// ---- cancel.cpp ----

/// t_relay() of a CANCEL: answers it, cancels the INVITE's branches. Returns 1, or 0 when the CANCEL
/// matches no transaction and must be relayed like any request.
int handle_cancel(siphost_msg* cancel, const request_key& key);
/// Sends CANCEL on every branch that may be cancelled now, except `except` (-1: none). Lock held.
void cancel_branches(transaction& t, int except);

// ---- timers.cpp ----

void schedule(transaction& t, timer_kind kind, uint32_t delay_ms, uint16_t branch = 0,
              uint32_t generation = 0);
/// Puts the transaction on its way out after wt_timer (once). Lock held.
void schedule_wait(transaction& t);
void on_timer_tick(uint64_t now_ms, void* data);

// ---- callbacks.cpp ----

/// What an event passes to the callbacks beyond the transaction.
struct callback_event {
    int code = 0;
    int branch = -1;
    siphost_msg* reply = nullptr;
    siphost_msg* received = nullptr;
    std::string_view bytes;
    const siphost_dest* dest = nullptr;
};

/// Calls the callbacks of t registered for type (one SIPHOST_TM_CB_* bit). Lock held.
void run_callbacks(transaction& t, uint32_t type, const callback_event& event);
/// Calls the REQUEST_IN callbacks registered at init for a new transaction. Lock held.
void run_request_in(transaction& t, siphost_msg* received);
/// register_callback of the API.
int register_callback(transaction* t, uint32_t types, siphost_tm_callback_fn fn, void* param);
/// ref / unref of the API: pins the transaction (lock taken here).
void pin(transaction& t);
void unpin(transaction& t);
/// transaction_info of the API.
int describe(transaction& t, siphost_tm_transaction_info& out);

// ---- uac.cpp ----

/// t_uac of the API. Returns 1 or -1.
int start_uac(const siphost_tm_uac_request& request, uint32_t* index, uint32_t* label);

} // namespace siphost::modules::tm
