/*
 * The "core.websocket" API, major 1: what the host's TCP transport offers the websocket module, to turn an
 * HTTP connection into a WebSocket one (RFC 6455, SIP over it: RFC 7118) and to watch and close those.
 *
 * The host publishes this table itself (module name "core") once its TCP or TLS listeners exist, before any
 * worker runs; it is missing when siphost listens on no TCP or TLS address. Modules look it up at first use
 * (host->api_lookup(SIPHOST_WS_HOST_API_NAME, SIPHOST_WS_HOST_API_MAJOR)), not at init.
 *
 * Once upgraded, a connection carries one SIP message per text or binary message, received with proto
 * SIPHOST_PROTO_WS (over TCP) or SIPHOST_PROTO_WSS (over TLS); host->send to it (its conn_id, or its address
 * with that proto) sends a text frame. The host answers pings, closes on protocol errors (1002, 1009), and
 * never opens a WebSocket connection itself.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; each table begins with
 * struct_size, only grows at its end, and each function is tagged with the minor it appeared in.
 */
#ifndef SIPHOST_API_WEBSOCKET_H
#define SIPHOST_API_WEBSOCKET_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_WS_HOST_API_NAME "core.websocket"
#define SIPHOST_WS_HOST_API_MAJOR 1

/* One WebSocket connection, as for_each shows it. */
typedef struct siphost_ws_conn_info {
    size_t struct_size;  /* sizeof(siphost_ws_conn_info) as compiled by the host */
    uint64_t conn_id;    /* $conid */
    uint8_t proto;       /* SIPHOST_PROTO_WS or SIPHOST_PROTO_WSS */
    siphost_dest remote; /* the client's address and port (and, from 1.1 on, the socket it came to) */
    siphost_dest local;  /* the listen address it came to (and, from 1.1 on, that socket) */
    uint64_t idle_ms;    /* since a frame last came from the client */
    uint64_t age_ms;     /* since it became a WebSocket connection */
} siphost_ws_conn_info;

typedef struct siphost_ws_host_v1 {
    size_t struct_size; /* sizeof(siphost_ws_host_v1) as compiled by the host */

    /* [1.0] Writes `reply` (the 101 answer to the upgrade request) as it is on connection conn_id, then makes
     * it a WebSocket connection: what it receives next is read as frames, what is sent to it goes out as text
     * frames. Returns 0; -1 when conn_id is not an open TCP or TLS connection, or is one already. Any thread.
     */
    int (*upgrade)(uint64_t conn_id, siphost_str reply);

    /* [1.0] Writes `reply` (a refusal of the upgrade request) as it is on connection conn_id, then closes the
     * connection. Returns 0, or -1 when conn_id is not an open TCP or TLS connection. Any thread. */
    int (*refuse)(uint64_t conn_id, siphost_str reply);

    /* [1.0] Sends a close frame with code and reason (cut to 123 bytes) and closes the connection. Returns 0,
     * or -1 when conn_id is not an open WebSocket connection. Any thread. */
    int (*close)(uint64_t conn_id, uint16_t code, siphost_str reason);

    /* [1.0] Sends a ping (pong 0) or an unsolicited pong (pong 1) carrying data (cut to 125 bytes). Returns
     * 0, or -1 when conn_id is not an open WebSocket connection. Any thread. */
    int (*ping)(uint64_t conn_id, int pong, siphost_str data);

    /* [1.0] Calls fn for each open WebSocket connection, in id order; stops when fn returns non-zero. *info
     * is valid during the call only. Any thread. */
    void (*for_each)(int (*fn)(const siphost_ws_conn_info* info, void* arg), void* arg);

    /* [1.1] Calls fn(info, arg) once for every WebSocket connection that closes, whatever closed it (the
     * client, close, a protocol error, a timeout, the host stopping): after it closed, on the io thread that
     * closed it, so fn must be quick and must not block (hand the work to a worker with async->post). info is
     * valid during the call only; its idle_ms and age_ms are as at the close. One fn: a later call replaces
     * it, fn NULL removes it. Returns 0. Any thread. Check it with SIPHOST_HAS(siphost_ws_host_v1, api,
     * on_close). */
    int (*on_close)(void (*fn)(const siphost_ws_conn_info* info, void* arg), void* arg);
} siphost_ws_host_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_WEBSOCKET_H */
