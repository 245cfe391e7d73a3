/*
 * The "tm" API, major 1: transactions for other modules (Kamailio's load_tm_api and register_tmcb).
 *
 * tm publishes this table with host->api_export(self, SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR, &table) at
 * its init; a module gets it with host->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR) at its own init
 * (declare "tm" in the descriptor's depends so that tm is loaded and initialised first).
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; every struct begins with
 * struct_size (set by whoever fills it), only grows at its end, and each function is tagged with the minor it
 * appeared in. Check a function of a later minor with SIPHOST_HAS(siphost_tm_api_v1, tm, field).
 *
 * Transactions
 *   A transaction is the server transaction of a received request with one client transaction per branch
 *   (RFC 3261 17), or a local client transaction that t_uac made for a request of a module's own. A module
 *   sees it through an opaque handle, siphost_tm_transaction. A handle stays valid:
 *     - during a callback for that transaction (params->t);
 *     - while the route or command that got it from transaction() runs (tm holds the transaction for the
 *       request_route of its request and for its own onreply, failure, branch and branch-failure routes);
 *     - between ref() (or a lookup_ident() that found it) and the matching unref(), on any thread.
 *   What identifies a transaction (index and label, method, Call-ID, CSeq, From-tag) never changes.
 *
 * Callbacks: threads and locks
 *   A callback runs on the thread where its event happens: the worker of the request or of the reply, the
 *   timer thread for timeouts and timer-driven events, the thread that called t_uac for the REQUEST_OUT of a
 *   local request, and for DESTROY the thread that released the transaction last. It runs with the
 *   transaction's lock held (a recursive lock), so a callback must be short and must not block. From a
 *   callback, a module may call only transaction_info, register_callback, ref and unref on the same
 *   transaction, and t_uac (which makes a new one). It must not call any other function of this table for
 *   that transaction, nor any function for another transaction (their locks could be taken in the other
 *   order by another thread). Host functions on the messages in params are fine.
 */
#ifndef SIPHOST_API_TM_H
#define SIPHOST_API_TM_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_TM_API_NAME "tm"
#define SIPHOST_TM_API_MAJOR 1

/* One transaction (opaque); see "Transactions" above for how long a handle is valid. */
typedef struct siphost_tm_transaction siphost_tm_transaction;

/* ------------------------------------------------------------------------------------------------------ */
/* Callbacks                                                                                               */
/* ------------------------------------------------------------------------------------------------------ */

/* What a callback is called for; register_callback takes a bitwise OR of these. */
enum siphost_tm_callback_type {
    /* A new transaction for a received request (not t_uac's; a CANCEL that tm answers has one too), on the
     * worker thread of the request, before tm's automatic 100. Registered with t NULL, at init: how a module attaches to every transaction (and
     * registers the other types on params->t from there). */
    SIPHOST_TM_CB_REQUEST_IN = 1u << 0,
    /* A branch's request was sent downstream (its first sending; not retransmissions, nor tm's own CANCEL
     * and ACK). bytes and dest say what went where. Also for the request of t_uac. */
    SIPHOST_TM_CB_REQUEST_OUT = 1u << 1,
    /* A reply came on a branch, before onreply_route and before it is relayed: every reply, retransmitted
     * finals included. reply is the reply; code and branch say which. */
    SIPHOST_TM_CB_RESPONSE_IN = 1u << 2,
    /* A reply went upstream: relayed (reply is the received reply) or made by tm (reply NULL: the automatic
     * 100, t_reply, a timeout); bytes and dest say what went where. Not for retransmissions of the last
     * reply. Never for t_uac's transactions. */
    SIPHOST_TM_CB_RESPONSE_OUT = 1u << 3,
    /* Every branch has a final reply and none was a 2xx: before failure_route runs (also without one).
     * code and branch are the best reply's, reply is that reply when one was received (NULL after a
     * timeout). Called again each time the branches a failure_route added have failed too. */
    SIPHOST_TM_CB_ON_FAILURE = 1u << 4,
    /* The transaction's final reply went upstream (code; reply when it was relayed, NULL when tm made it).
     * For t_uac's transactions: the final reply came (reply) or the request timed out (code 408, reply
     * NULL). Once per transaction. */
    SIPHOST_TM_CB_COMPLETED = 1u << 5,
    /* The transaction is freed: the last call for it. Not called for transactions still there when the host
     * shuts down (the modules that registered may have been destroyed already). */
    SIPHOST_TM_CB_DESTROY = 1u << 6
};

typedef struct siphost_tm_callback_params {
    size_t struct_size; /* sizeof(siphost_tm_callback_params) as compiled by tm */
    uint32_t type;      /* the one SIPHOST_TM_CB_* bit this call is for */
    int32_t code;       /* the reply code (RESPONSE_IN, RESPONSE_OUT, ON_FAILURE, COMPLETED), else 0 */
    int32_t branch;     /* the branch (REQUEST_OUT, RESPONSE_IN, ON_FAILURE; RESPONSE_OUT and COMPLETED of a
                           relayed reply), else -1 */
    uint32_t reserved32;
    siphost_tm_transaction *t;
    /* tm's copy of the request (for t_uac: the request as sent). Read it with the host's msg_* functions; a
     * change made to it is not sent. */
    siphost_msg *request;
    /* The reply the event is about, when there is one (see the types); valid during the call. */
    siphost_msg *reply;
    /* REQUEST_IN: the received request itself, which the script goes on with: headers a module adds to it
     * are relayed with it. NULL for the other types. */
    siphost_msg *received;
    /* REQUEST_OUT, RESPONSE_OUT: the bytes sent; empty otherwise. */
    siphost_str bytes;
    /* REQUEST_OUT, RESPONSE_OUT: where they went; NULL otherwise. */
    const siphost_dest *dest;
    void *param; /* what was given to register_callback (or in siphost_tm_uac_request) */
    void *reserved[2];
} siphost_tm_callback_params;

/* A transaction callback; see "Callbacks: threads and locks" above. params is valid during the call. */
typedef void (*siphost_tm_callback_fn)(const siphost_tm_callback_params *params);

/* ------------------------------------------------------------------------------------------------------ */
/* What a transaction is                                                                                   */
/* ------------------------------------------------------------------------------------------------------ */

enum siphost_tm_transaction_flags {
    SIPHOST_TM_LOCAL = 1u << 0,    /* made by t_uac: a client transaction of a module, without an upstream */
    SIPHOST_TM_FINAL = 1u << 1,    /* its final reply went upstream (local: a final reply came or it timed out) */
    SIPHOST_TM_CANCELED = 1u << 2, /* a CANCEL came for it */
    SIPHOST_TM_WAITING = 1u << 3   /* finished: it stays wt_timer to absorb retransmissions, then is freed */
};

typedef struct siphost_tm_transaction_info {
    size_t struct_size; /* set by the caller */
    /* index and label name the transaction among all of the process (Kamailio's hash index and label): what
     * tm.list prints and lookup_ident finds. */
    uint32_t index;
    uint32_t label;
    int32_t status;        /* the last reply code sent upstream (local: the last one received), 0 for none */
    uint32_t flags;        /* enum siphost_tm_transaction_flags */
    uint32_t branch_count; /* branches sent so far */
    uint32_t cseq;         /* the CSeq number */
    /* Identity: valid while the handle is. ruri is the Request-URI as received (t_uac: as sent). */
    siphost_str method;
    siphost_str call_id;
    siphost_str from_tag;
    siphost_str ruri;
    uint64_t created_ms; /* host->now_ms() when it was created */
    void *reserved[2];
} siphost_tm_transaction_info;

/* What the tm route running on this thread is about (route_info): Kamailio's $T_reply_reason,
 * $T_reply_last, $T_reply_ruid, $T(reply_type) and $T_branch(name) read it. The strings are valid while the
 * route runs. */
typedef struct siphost_tm_route_info {
    size_t struct_size;  /* set by the caller */
    uint32_t route_type; /* as route_type(): SIPHOST_ROUTE_TM_ONREPLY, _FAILURE, _BRANCH or _BRANCH_FAILURE */
    int32_t branch;      /* the branch the route is for (failure_route: the branch of the chosen reply) */
    /* The reply the route is about: onreply_route's, failure_route's chosen one, the reply that failed the
     * branch of a branch-failure route; 0 in branch_route. */
    int32_t reply_code;
    uint32_t reply_local;     /* 1 when tm made that reply itself (a timeout's 408), 0 when it was received */
    siphost_str reply_reason; /* its reason phrase; empty without a reply */
    /* The branch: its Request-URI as sent (empty in branch_route: it is not sent yet), the record id of the
     * registered contact it goes to (what registrar's lookup set as $ruid; empty for none), its branch
     * flags, and the code of the last reply received on it (0 for none). */
    siphost_str branch_uri;
    siphost_str branch_ruid;
    uint64_t branch_flags;
    int32_t branch_last_code;
    uint32_t reserved32;
    void *reserved[2];
} siphost_tm_route_info;

/* Called by with_canceled_request with tm's copy of the request a CANCEL cancels. */
typedef void (*siphost_tm_request_fn)(siphost_msg *request, void *data);

/* ------------------------------------------------------------------------------------------------------ */
/* Requests of a module's own (t_uac)                                                                      */
/* ------------------------------------------------------------------------------------------------------ */

typedef struct siphost_tm_uac_request {
    size_t struct_size; /* sizeof(siphost_tm_uac_request) as compiled by the caller */
    siphost_str method; /* a token: OPTIONS, MESSAGE, NOTIFY, INVITE, ...; not ACK or CANCEL */
    siphost_str ruri;   /* the Request-URI */
    siphost_str to;     /* the To value, a name-addr ("Bob <sip:bob@example.com>") or a URI; a tag is kept */
    siphost_str from;   /* the From value, likewise; tm adds a tag when it has none */
    /* Extra header lines, each ending in CRLF (Contact, Content-Type, Route, Event, ...); may be empty. tm
     * writes Via, Max-Forwards (70), From, To, Call-ID, CSeq and Content-Length itself. */
    siphost_str headers;
    siphost_str body; /* may be empty; give its Content-Type among the headers */
    /* Where to send it: a URI (an outbound proxy, the first Route of a route set); empty: the Request-URI.
     * The host resolves it and picks the socket the Via is made from. */
    siphost_str next_hop;
    siphost_str call_id; /* empty: tm makes a new one */
    uint32_t cseq;       /* the CSeq number; 0: 1 */
    /* The callback of this transaction, registered before the request is sent: types is a bitwise OR of
     * REQUEST_OUT, RESPONSE_IN, ON_FAILURE, COMPLETED and DESTROY. callback may be NULL. */
    uint32_t callback_types;
    siphost_tm_callback_fn callback;
    void *callback_param;
    void *reserved[2];
} siphost_tm_uac_request;

/* ------------------------------------------------------------------------------------------------------ */
/* The table                                                                                               */
/* ------------------------------------------------------------------------------------------------------ */

typedef struct siphost_tm_api_v1 {
    size_t struct_size; /* sizeof(siphost_tm_api_v1) as compiled by tm */

    /* [1.0] 1 when msg has a transaction (a request that t_newtran or t_relay made one for, or the message a
     * tm route runs on), 0 when not. Never creates one. Worker (or timer) thread of msg. */
    int (*has_transaction)(siphost_msg *msg);
    /* [1.0] Sends code and reason (empty: the standard phrase) as a stateful reply on msg's transaction, as
     * t_reply does. Returns 1 when sent, -1 otherwise (no transaction, a final reply went already). */
    int (*reply)(siphost_msg *msg, int code, siphost_str reason);

    /* ---- about the route tm runs on this thread (what tmx's pseudo-variables read) ---- */

    /* [1.0] The reply code as $T_reply_code: in onreply_route the reply's, in failure_route the chosen
     * reply's, in a branch-failure route the branch's, in request_route and branch_route the last one sent
     * upstream. 0 when there is none, -1 without a transaction. */
    int (*reply_code)(siphost_msg *msg);
    /* [1.0] The transaction's request (tm's copy), or NULL. Valid while the route runs. */
    siphost_msg *(*transaction_request)(siphost_msg *msg);
    /* [1.0] The reply of onreply_route, or the chosen reply of failure_route when one was received; else
     * NULL. */
    siphost_msg *(*transaction_reply)(siphost_msg *msg);
    /* [1.0] The branch a tm route runs for (onreply, failure, branch, branch-failure), 0 in request_route,
     * -1 without a transaction. */
    int (*branch_index)(siphost_msg *msg);
    /* [1.0] The tm route running on this thread: SIPHOST_ROUTE_TM_ONREPLY, SIPHOST_ROUTE_FAILURE,
     * SIPHOST_ROUTE_BRANCH or SIPHOST_ROUTE_BRANCH_FAILURE; 0 outside them. */
    uint32_t (*route_type)(void);

    /* ---- transactions ---- */

    /* [1.0] The transaction of msg: in request_route after t_newtran or t_relay (or newtran below), and on
     * the message of tm's own routes. NULL when there is none. Worker (or timer) thread of msg. */
    siphost_tm_transaction *(*transaction)(siphost_msg *msg);
    /* [1.0] Creates the transaction of the request msg in request_route, as t_newtran does. Returns 1 when
     * msg has its transaction (new or made before), 0 when msg is a retransmission of a request that has one
     * (tm answered it with the last reply: stop processing msg), -1 on error (an ACK, a broken request). */
    int (*newtran)(siphost_msg *msg);
    /* [1.0] What t is (out->struct_size must be set). Returns 0 or -1. */
    int (*transaction_info)(siphost_tm_transaction *t, siphost_tm_transaction_info *out);
    /* [1.0] Keeps t valid beyond the call that gave it, on any thread, until unref (not from a DESTROY
     * callback: t is being freed then). */
    void (*ref)(siphost_tm_transaction *t);
    /* [1.0] Releases what ref or lookup_ident took; t may be freed at once (DESTROY runs then). */
    void (*unref)(siphost_tm_transaction *t);
    /* [1.0] The transaction named by index and label (transaction_info), referenced: call unref when done.
     * NULL when there is none (it ended). Any thread. */
    siphost_tm_transaction *(*lookup_ident)(uint32_t index, uint32_t label);

    /* [1.0] Calls fn(params) with param for the events of `types` (enum siphost_tm_callback_type bits) of
     * transaction t, in the order of registration, until t is freed. t NULL: types must be exactly
     * SIPHOST_TM_CB_REQUEST_IN, for every transaction created from then on (register at init, so that none
     * is missed; at most 64 such registrations). REQUEST_IN on a transaction is refused (it has happened).
     * May be called from a callback of t (REQUEST_IN in particular); a callback registered there is called
     * from the next event on. Any thread. Returns 0 or -1. */
    int (*register_callback)(siphost_tm_transaction *t, uint32_t types, siphost_tm_callback_fn fn,
                             void *param);

    /* ---- replying and sending ---- */

    /* [1.0] As reply, with extra header lines (each ending in CRLF; may be empty) and a body (may be empty;
     * Content-Length is written for it; give Content-Type among the headers), as Kamailio's
     * t_reply_with_body. Returns 1 or -1. */
    int (*reply_with)(siphost_msg *msg, int code, siphost_str reason, siphost_str extra_headers,
                      siphost_str body);
    /* [1.0] Sends a request of the module's own in a new local client transaction: tm builds it (a Via from
     * the socket the host picks for the next hop, Max-Forwards 70, Call-ID, From-tag and CSeq when not
     * given, Content-Length), runs event_route[tm:local-request] on it when the script has one (changes made
     * there are sent), sends it, retransmits it (timers A, E) until a reply, and fails it with 408 after
     * fr_timer (an INVITE that had a provisional reply: fr_inv_timer). Negative replies to an INVITE are
     * ACKed by tm; the ACK to a 2xx is the caller's (RFC 3261 13.2.2.4). The request's callback sees
     * REQUEST_OUT, each reply (RESPONSE_IN) and the end (COMPLETED with the final code, 408 on timeout).
     * Writes the transaction's index and label to *index and *label (each may be NULL). Returns 1 when the
     * request was sent, -1 otherwise (then no callback is called). Any thread the host calls the module on,
     * once the host runs (not during init). */
    int (*t_uac)(const siphost_tm_uac_request *request, uint32_t *index, uint32_t *label);

    /* ---- about the route tm runs on this thread, and about a CANCEL (minor 1.1) ---- */

    /* [1.1] Fills *out (out->struct_size must be set) about the tm route running on this thread for msg:
     * onreply, failure, branch or branch-failure. Returns 0, or -1 outside those routes. */
    int (*route_info)(siphost_msg *msg, siphost_tm_route_info *out);
    /* [1.1] For a CANCEL: finds the transaction of the request it cancels (RFC 3261 9.2: what t_check_trans
     * and t_relay of the CANCEL match) and calls fn(request, data) with tm's copy of that request while the
     * transaction is locked (fn only reads it, and must not call this table for another transaction). Returns
     * 1 when fn was called, 0 when msg is not a CANCEL or cancels nothing here, -1 on error. Worker thread of
     * msg. */
    int (*with_canceled_request)(siphost_msg *cancel, siphost_tm_request_fn fn, void *data);
} siphost_tm_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_TM_H */
