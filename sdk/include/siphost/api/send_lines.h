/*
 * The "core.send_lines" API, major 1: header lines that depend on the socket a request leaves from. That
 * socket is known only when the request is sent (after the script changed $du, in t_relay, per branch), so a
 * module that must name it leaves a function and its data on the message, and the host calls the function
 * each time it builds the request for sending. What rr needs for Kamailio's double Record-Route
 * (enable_double_rr): one Record-Route naming the outgoing socket and one the arrival socket when they
 * differ, one when they do not.
 *
 * The host publishes this table itself (module name "core") before any worker runs. Modules look it up at
 * first use (host->api_lookup(SIPHOST_SEND_LINES_API_NAME, SIPHOST_SEND_LINES_API_MAJOR)), not at init.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the table begins with
 * struct_size (set by the host), only grows at its end, and each function is tagged with the minor it
 * appeared in. Check a function of a later minor with SIPHOST_HAS(siphost_send_lines_v1, api, field) before
 * calling it.
 */
#ifndef SIPHOST_API_SEND_LINES_H
#define SIPHOST_API_SEND_LINES_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_SEND_LINES_API_NAME "core.send_lines"
#define SIPHOST_SEND_LINES_API_MAJOR 1

/* Writes the lines for msg sent from socket `from`, given the data set with it: whole header lines, each
 * ending in CRLF (none is fine), at most cap bytes into buf, their length to *len. Returns 0; or -1 when they
 * do not fit (*len then holds the size needed, larger than cap, and the host calls again with room), or -1
 * with *len 0 on an error (the request is then not sent). Called on whichever thread builds the request (a
 * worker, tm's timer); it must not change msg. */
typedef int (*siphost_send_lines_fn)(const siphost_msg* msg, const siphost_socket* from, siphost_str data,
                                     char* buf, size_t cap, size_t* len);

typedef struct siphost_send_lines_v1 {
    size_t struct_size; /* sizeof(siphost_send_lines_v1) as compiled by the host */

    /* [1.0] Leaves fn and a copy of data on msg: whenever the host builds msg for sending (build_request,
     * forward()), fn's lines go where msg_add_header(SIPHOST_HDR_TOP) would have put a line at the time of
     * the first call. One per fn and message: a later call with the same fn replaces the data and keeps the
     * place; empty data takes fn's lines away. msg_clone copies them, apply_changes keeps them (they are not
     * written into the message's bytes, and msg_header does not see them). Returns 0 or -1. Worker thread of
     * msg. */
    int (*set)(siphost_msg* msg, siphost_send_lines_fn fn, siphost_str data);

    /* [1.0] The data of fn on msg: 1 with *data set (valid until the next set on msg), or 0 when there is
     * none. Worker thread of msg. */
    int (*get)(const siphost_msg* msg, siphost_send_lines_fn fn, siphost_str* data);
} siphost_send_lines_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_SEND_LINES_H */
