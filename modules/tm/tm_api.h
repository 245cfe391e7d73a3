/*
 * The "tm" major 1 API, published by tm through host->api_export. Its head is siphost_tm_reply_api_v1 of
 * modules/sl/sl_api.h (what sl's send_reply uses); tmx uses the rest. Plain C like module.h. Only grows at
 * its end.
 */
#ifndef SIPHOST_TM_API_H
#define SIPHOST_TM_API_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_TM_API_NAME "tm"
#define SIPHOST_TM_API_MAJOR 1

typedef struct siphost_tm_api_v1 {
    size_t struct_size; /* sizeof(siphost_tm_api_v1) as compiled by tm */
    /* 1 when the request msg has a transaction (created by t_newtran/t_relay, or the one a failure or branch
     * route runs for), 0 when not. Never creates one. Worker thread of msg. */
    int (*has_transaction)(siphost_msg* request);
    /* Sends code/reason as a stateful reply on msg's transaction (as t_reply). Returns 1 sent, -1 failed. */
    int (*reply)(siphost_msg* request, int code, siphost_str reason);

    /* ---- for tmx: the transaction the script runs for on this thread (msg is the route's message) ---- */

    /* The reply code as $T_reply_code: in onreply_route the reply's, in failure_route the chosen reply's,
     * in request_route the last one sent upstream. 0 when there is none, -1 without a transaction. */
    int (*reply_code)(siphost_msg* msg);
    /* The transaction's request (tm's copy), or NULL. Valid while the route runs. */
    siphost_msg* (*transaction_request)(siphost_msg* msg);
    /* The reply of onreply_route, or the chosen reply of failure_route when one was received; else NULL. */
    siphost_msg* (*transaction_reply)(siphost_msg* msg);
    /* The branch the route runs for (onreply, failure, branch route), 0 in request_route; -1 without a
     * transaction. */
    int (*branch_index)(siphost_msg* msg);
    /* The tm route this thread runs: SIPHOST_ROUTE_TM_ONREPLY, SIPHOST_ROUTE_FAILURE,
     * SIPHOST_ROUTE_BRANCH, or 0 outside them. */
    uint32_t (*route_type)(void);
} siphost_tm_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_TM_API_H */
