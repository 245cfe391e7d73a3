/*
 * The "xhttp" API, major 1: HTTP replies on the connection of an HTTP request that event_route[xhttp:request]
 * runs on, for other modules (Kamailio's xhttp_load_api; jsonrpcs's jsonrpc_dispatch uses it).
 *
 * xhttp publishes this table with host->api_export(self, SIPHOST_XHTTP_API_NAME, SIPHOST_XHTTP_API_MAJOR,
 * &table) at its init; a module gets it with host->api_lookup(SIPHOST_XHTTP_API_NAME,
 * SIPHOST_XHTTP_API_MAJOR) at first use (xhttp need not be loaded before it).
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the table begins with
 * struct_size (set by xhttp), only grows at its end, and each function is tagged with the minor it appeared
 * in.
 */
#ifndef SIPHOST_API_XHTTP_H
#define SIPHOST_API_XHTTP_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_XHTTP_API_NAME "xhttp"
#define SIPHOST_XHTTP_API_MAJOR 1

typedef struct siphost_xhttp_api_v1 {
    size_t struct_size; /* sizeof(siphost_xhttp_api_v1) as compiled by xhttp */

    /* [1.0] Sends "HTTP/1.1 code reason" with Content-Type ctype (none when empty), Content-Length and body
     * over the connection the HTTP request msg came on (never a new one). Refuses a message that is not an
     * HTTP request and codes outside 100..599. Returns 1 when sent, -1 otherwise. Worker thread of msg. */
    int (*reply)(siphost_msg* msg, int code, siphost_str reason, siphost_str ctype, siphost_str body);

    /* [1.1] Notes that the caller answered the HTTP request msg itself (websocket's handshake writes its own
     * 101 or refusal), so that xhttp sends no 500 when event_route[xhttp:request] ends. Returns 1, or -1 when
     * msg is not the request the route runs for. Worker thread of msg. */
    int (*answered)(siphost_msg* msg);
} siphost_xhttp_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_XHTTP_H */
