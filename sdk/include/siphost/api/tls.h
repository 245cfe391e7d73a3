/*
 * The "tls" API, major 1: the TLS contexts the tls module builds from its profiles (modparams and tls.cfg),
 * for the host's TCP transport, and the host's way back to a connection's TLS session for the module's
 * $tls_* variables and RPCs.
 *
 * tls publishes this table with host->api_export(self, SIPHOST_TLS_API_NAME, SIPHOST_TLS_API_MAJOR, &table)
 * at its init. The host looks it up after every module's init: when enable_tls=yes and it is missing, the
 * host refuses to start. The host then calls attach_host() once, before any TLS connection exists, and
 * attach_host(NULL) when it stops, after the last one is closed.
 *
 * The contexts are OpenSSL SSL_CTX objects (void * here, so that this header needs no OpenSSL): the module
 * owns them until its destroy; the host makes one SSL per connection from them. Both sides link Debian's
 * libssl, one copy in the process.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; each table begins with
 * struct_size, only grows at its end, and each function is tagged with the minor it appeared in.
 */
#ifndef SIPHOST_API_TLS_H
#define SIPHOST_API_TLS_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_TLS_API_NAME "tls"
#define SIPHOST_TLS_API_MAJOR 1

/* What the host gives the tls module (attach_host). */
typedef struct siphost_tls_host_v1 {
    size_t struct_size; /* sizeof(siphost_tls_host_v1) as compiled by the host */

    /* [1.0] Calls fn(ssl, arg) with the SSL * of TLS connection conn_id, while the connection is kept alive
     * and its io thread holds off the session: fn may read the session (version, cipher, peer certificate,
     * verify result) but must not keep the pointer or drive the session (no SSL_read/SSL_write). Returns fn's
     * result, or -1 when conn_id is not an open TLS connection. Any thread. */
    int (*with_ssl)(uint64_t conn_id, int (*fn)(void* ssl, void* arg), void* arg);

    /* [1.0] Calls fn(conn_id, ssl, remote, local, arg) for each open TLS connection (as with_ssl does for
     * one; remote and local are siphost_dest with address and port). Stops when fn returns non-zero. Any
     * thread; for the RPCs. */
    void (*for_each)(int (*fn)(uint64_t conn_id, void* ssl, const siphost_dest* remote,
                               const siphost_dest* local, void* arg),
                     void* arg);
} siphost_tls_host_v1;

typedef struct siphost_tls_api_v1 {
    size_t struct_size; /* sizeof(siphost_tls_api_v1) as compiled by tls */

    /* [1.0] The SSL_CTX * for a TLS listen address ip ("127.0.0.1", "::1") and port: its [server:IP:PORT]
     * profile, else [server:default]. SNI (server_name profiles) is chosen inside it during the handshake.
     * NULL when there is none. Main thread, at start. */
    void* (*server_ctx)(siphost_str ip, uint16_t port);

    /* [1.0] The SSL_CTX * for a connection to ip and port: its [client:IP:PORT] profile, else
     * [client:default]; *server_name gets the profile's server_name to send as SNI (empty when none; valid
     * until the module's destroy). NULL when there is none. Any thread. */
    void* (*client_ctx)(siphost_str ip, uint16_t port, siphost_str* server_name);

    /* [1.0] Seconds an idle TLS connection stays open (the connection_timeout modparam). */
    uint32_t (*connection_timeout)(void);

    /* [1.0] Gives the module the host's functions (NULL: the host is stopping; forget them). Main thread. */
    void (*attach_host)(const siphost_tls_host_v1* host);
} siphost_tls_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_TLS_H */
