/*
 * The APIs between sl and tm, published through host->api_export / host->api_lookup.
 *
 * "sl" major 1: exported by sl at init. tm (or any module) looks it up to send stateless replies with sl's
 * To-tag rules and counters, so that ACKs to those replies are absorbed by sl.
 *
 * "tm" major 1: exported by tm. sl's send_reply() looks it up at its first call (tm may be loaded after sl)
 * and uses only the two leading functions declared in siphost_tm_reply_api_v1 below; tm's own table must
 * begin with exactly these fields, in this order, and may add anything after them.
 *
 * Plain C, like module.h: valid C99 and C++. Every table begins with struct_size and only grows at its end.
 * A module that uses these tables adds modules/sl to its include path (this header has no other dependency).
 */
#ifndef SIPHOST_SL_API_H
#define SIPHOST_SL_API_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_SL_API_NAME "sl"
#define SIPHOST_SL_API_MAJOR 1

typedef struct siphost_sl_api_v1 {
    size_t struct_size; /* sizeof(siphost_sl_api_v1) as compiled by sl */
    /* Sends a stateless reply to the request msg (To-tag added for code >= 180 when the request has none,
     * counted in sl's counters). Refuses ACKs and replies. Returns 1 when sent, -1 otherwise. Worker or
     * timer thread. */
    int (*reply)(siphost_msg* request, int code, siphost_str reason);
    /* As reply, with extra header lines (each ending in CRLF) and a body (Content-Length is set by the
     * host). Returns 1 or -1. */
    int (*reply_with)(siphost_msg* request, int code, siphost_str reason, siphost_str extra_headers,
                      siphost_str body);
    /* The To-tag sl puts in a stateless reply to msg: written to buf (cap bytes; 48 are always enough),
     * *len set. Returns 0, or -1 when the message lacks what the tag is derived from or buf is too small.
     * sl's pre-script request hook absorbs every ACK that carries this tag for its transaction, so a module
     * must not put it into replies whose ACKs it needs to see itself (tm's stateful negative replies). */
    int (*reply_totag)(const siphost_msg* request, char* buf, size_t cap, size_t* len);
} siphost_sl_api_v1;

#define SIPHOST_TM_API_NAME "tm"
#define SIPHOST_TM_API_MAJOR 1

/* The head of tm's "tm" major 1 table as sl relies on it. */
typedef struct siphost_tm_reply_api_v1 {
    size_t struct_size;
    /* 1 when msg belongs to a transaction (a request that t_newtran/t_relay created one for or that matched
     * one; in tm's reply and failure routes, the message those routes run on), 0 when not, negative on
     * error. Must not create a transaction. Worker or timer thread running msg. */
    int (*has_transaction)(siphost_msg* msg);
    /* Sends code/reason as a stateful reply on msg's transaction, as t_reply(code, reason) does.
     * Returns >0 sent, <0 failed. */
    int (*reply)(siphost_msg* msg, int code, siphost_str reason);
} siphost_tm_reply_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_SL_API_H */
