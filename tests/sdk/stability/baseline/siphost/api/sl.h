/*
 * The "sl" API, major 1: stateless replies, as sl sends them, for other modules (Kamailio's bind_sl).
 *
 * sl publishes this table with host->api_export(self, SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR, &table) at
 * its init; a module gets it with host->api_lookup(SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR), at its own
 * init when sl is loaded before it (declare "sl" in the descriptor's depends), else at first use.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the table begins with
 * struct_size (set by sl), only grows at its end, and each function is tagged with the minor it appeared in.
 * Check a function of a later minor with SIPHOST_HAS(siphost_sl_api_v1, sl, field) before calling it.
 */
#ifndef SIPHOST_API_SL_H
#define SIPHOST_API_SL_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_SL_API_NAME "sl"
#define SIPHOST_SL_API_MAJOR 1

typedef struct siphost_sl_api_v1 {
    size_t struct_size; /* sizeof(siphost_sl_api_v1) as compiled by sl */

    /* [1.0] Sends a stateless reply to the request msg: sl's To-tag is added for a code of 180 or more when
     * the request has none, a 3xx carries the changed Request-URI as Contact, and the reply is counted in
     * sl's statistics. Refuses ACKs, replies and codes outside 100..699. An empty reason gets the code's
     * standard phrase. Returns 1 when sent, -1 otherwise. Worker (or timer) thread of msg. */
    int (*reply)(siphost_msg *request, int code, siphost_str reason);

    /* [1.0] As reply, with extra header lines (each ending in CRLF; may be empty) and a body (may be empty;
     * the host writes Content-Length; give Content-Type among the headers). Returns 1 or -1. */
    int (*reply_with)(siphost_msg *request, int code, siphost_str reason, siphost_str extra_headers,
                      siphost_str body);

    /* [1.0] The To-tag sl puts into a stateless reply to request: written to buf (cap bytes; 48 are always
     * enough) with its length in *len (may be NULL). Returns 0, or -1 when the request lacks what the tag is
     * made from or buf is too small. sl's pre-script request hook absorbs every ACK that carries this tag for
     * its transaction, so a module must not put it into replies whose ACKs it needs to see itself. Any
     * thread that holds the message. */
    int (*reply_totag)(const siphost_msg *request, char *buf, size_t cap, size_t *len);
} siphost_sl_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_SL_H */
