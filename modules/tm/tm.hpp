#pragma once
// What tm's files share: the module's state, the per-thread script context, and the functions of each
// concern.

#include "branch.hpp"
#include "table.hpp"
#include "timer_wheel.hpp"
#include "transaction.hpp"

#include <siphost/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

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

struct tm_counters {
    int64_t* created = nullptr;
    int64_t* active = nullptr;
    int64_t* relayed[6] = {}; ///< replies relayed upstream, per class 1xx..6xx
    int64_t* local_replies = nullptr;
    int64_t* retransmissions = nullptr;
};

struct tm_state {
    const siphost_host_api* host = nullptr;
    tm_params params;
    tm_counters counters;
    table transactions;
    std::unique_ptr<timer_wheel<timer_entry>> wheel;
};

tm_state& state();
inline const siphost_host_api* host() {
    return state().host;
}
void count(int64_t* counter, int64_t delta = 1);

/// Set while tm runs a route for a transaction (onreply, failure, branch) on this thread.
struct route_context {
    transaction* txn = nullptr;
    uint32_t route_type = 0;      ///< SIPHOST_ROUTE_TM_ONREPLY, _FAILURE or _BRANCH; 0 outside
    int branch = -1;              ///< the branch the route is about
    siphost_msg* reply = nullptr; ///< the reply (onreply) or the chosen reply (failure), may be null
    int reply_code = 0;
};
route_context& current_route();

/// The request request_route is running on this worker, and what the script set for its transaction.
struct request_context {
    const siphost_msg* msg = nullptr;
    std::shared_ptr<transaction> txn;
    int on_reply = -1;
    int on_failure = -1;
    int on_branch = -1;
    uint32_t fr_timer_ms = 0; ///< t_set_fr() before the transaction exists
    uint32_t fr_inv_timer_ms = 0;
};
request_context& current_request();

/// The transaction's fr_timer and fr_inv_timer: t_set_fr()'s, else the modparams.
uint32_t fr_timer_of(const transaction& t);
uint32_t fr_inv_timer_of(const transaction& t);

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

/// Creates the server transaction of msg (moves its AVPs in, sends the automatic 100). Null on error.
std::shared_ptr<transaction> new_transaction(siphost_msg* msg, const request_key& key);
/// Adds a branch built from `source` towards host:port (empty host: the request's next hop) and sends it.
/// Lock held. Returns 1 or -1.
int relay_branch(transaction& t, siphost_msg* source, std::string_view host, uint16_t port);
/// Relays msg to its Request-URI and to every target of its destination set (append_branch), in parallel,
/// and empties the set. request_uri_consumed (a failure_route that kept the R-URI its branches were tried
/// with) leaves the Request-URI out when the set has targets. Returns 1 when a branch went out, else -1.
int relay_to_targets(transaction& t, siphost_msg* msg, std::string_view host, uint16_t port,
                     bool request_uri_consumed);
/// Relays a request without a transaction (the ACK to a 2xx). Returns 1 or -1.
int forward_stateless(siphost_msg* msg, std::string_view host, uint16_t port);
/// A hop-by-hop request (CANCEL, ACK) for a branch: method, the branch's Request-URI, top Via, From,
/// Call-ID, CSeq number and Route set, and `to` (the To header value to use). Empty on error.
std::string build_hop_request(std::string_view method, const branch& b, std::string_view to);
/// Sends a CANCEL on branch index (lock held).
void send_cancel(transaction& t, size_t index);

// ---- reply.cpp ----

int on_reply_hook(siphost_msg* reply, void* data);
/// Sends a reply made by tm upstream (lock held). Returns 1 or -1.
int send_local_reply(transaction& t, int code, std::string_view reason);
/// Sends the last reply again (a retransmitted request). Lock held.
void resend_last_reply(transaction& t);
/// A branch ends with a reply tm made (timeout): code is 408. Lock held.
void fail_branch_locally(transaction& t, size_t index, int code);
/// When every branch is final and nothing went upstream yet: failure_route, then the best reply. Lock held.
void finish_if_complete(transaction& t);
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

} // namespace siphost::modules::tm
