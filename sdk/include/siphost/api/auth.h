/*
 * The "auth" API, major 1: digest authentication for the modules that hold the passwords (auth_db), as
 * Kamailio's auth module serves its backends (bind_auth_s: pre_auth, post_auth, the digest and the challenge).
 *
 * auth publishes this table with host->api_export(self, SIPHOST_AUTH_API_NAME, SIPHOST_AUTH_API_MAJOR, &table)
 * at its init; a backend gets it with host->api_lookup(SIPHOST_AUTH_API_NAME, SIPHOST_AUTH_API_MAJOR) at its
 * own init (declare "auth" in the descriptor's depends).
 *
 * A backend authenticates a request in three steps:
 *   1. pre_auth finds the credentials for the realm, checks their form and the nonce (seal, expiry, replay);
 *   2. the backend looks the user up and calls check_response with the user's HA1 (stored, or calc_ha1 of a
 *      plain password);
 *   3. when the response matches, post_auth records the nonce's use (nc, one-time nonces) and marks the
 *      credentials authorized (for consume_credentials).
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the table begins with
 * struct_size (set by auth), only grows at its end, and each function is tagged with the minor it appeared in.
 * Check a function of a later minor with SIPHOST_HAS(siphost_auth_api_v1, auth, field) before calling it.
 * Every function may be called on the worker (or timer) thread of msg; none keeps msg.
 */
#ifndef SIPHOST_API_AUTH_H
#define SIPHOST_API_AUTH_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_AUTH_API_NAME "auth"
#define SIPHOST_AUTH_API_MAJOR 1

/* Script return codes of the authentication functions, Kamailio's. */
enum siphost_auth_result {
    SIPHOST_AUTH_OK = 1,
    SIPHOST_AUTH_ERROR = -1,            /* malformed credentials, an unknown nonce, or an internal error */
    SIPHOST_AUTH_INVALID_PASSWORD = -2, /* the response does not match */
    SIPHOST_AUTH_USER_UNKNOWN = -3,     /* no such user (a backend's) */
    SIPHOST_AUTH_STALE_NONCE = -4,      /* the nonce expired: the next challenge says stale=true */
    SIPHOST_AUTH_NO_CREDENTIALS = -5,   /* no credentials for the realm */
    SIPHOST_AUTH_NONCE_REUSED = -6,     /* nc not increasing, or a one-time nonce used again */
    SIPHOST_AUTH_USER_MISMATCH = -8     /* the authentication user is not the From/To user */
};

/* pre_auth's result when the response must be checked now (step 2). */
#define SIPHOST_AUTH_DO_AUTHENTICATION 2

/* Which header carries the credentials, and which challenge answers it. */
enum siphost_auth_hf {
    SIPHOST_AUTH_HF_AUTHORIZATION = 1,      /* Authorization; challenged with 401 and WWW-Authenticate */
    SIPHOST_AUTH_HF_PROXY_AUTHORIZATION = 2 /* Proxy-Authorization; 407 and Proxy-Authenticate */
};

enum siphost_auth_algorithm {
    SIPHOST_AUTH_MD5 = 0,
    SIPHOST_AUTH_MD5_SESS = 1,
    SIPHOST_AUTH_SHA256 = 2,
    SIPHOST_AUTH_SHA256_SESS = 3
};

/* Flags of build_challenge and challenge: www_challenge's. */
enum siphost_auth_challenge_flags {
    SIPHOST_AUTH_CHALLENGE_QOP_AUTH = 1,     /* qop="auth" */
    SIPHOST_AUTH_CHALLENGE_QOP_AUTH_INT = 2, /* qop="auth-int" (wins over QOP_AUTH) */
    SIPHOST_AUTH_CHALLENGE_NO_500 = 4,       /* challenge: do not answer 500 when the challenge fails */
    SIPHOST_AUTH_CHALLENGE_STALE = 16        /* stale=true (also set when pre_auth found the nonce stale) */
};

/* The credentials pre_auth found. Views point into the message's header and are valid while msg is. */
typedef struct siphost_auth_credentials {
    size_t struct_size;         /* set by the caller */
    siphost_credentials digest; /* as parsed by host->sip->parse_credentials */
    siphost_str user;           /* digest.username up to an '@' */
    siphost_str domain;         /* after the '@' of digest.username, or empty */
    uint32_t hf;                /* enum siphost_auth_hf */
    uint32_t index;             /* which value of that header */
    uint32_t algorithm;         /* enum siphost_auth_algorithm */
    uint32_t reserved32;        /* zero */
    void *reserved[2];          /* zero */
} siphost_auth_credentials;

typedef struct siphost_auth_api_v1 {
    size_t struct_size; /* sizeof(siphost_auth_api_v1) as compiled by auth */

    /* [1.0] Finds the credentials of msg for realm (empty: the To host for REGISTER, else the From host, without
     * auth's realm_prefix) in header hf (enum siphost_auth_hf), and checks them. Returns
     * SIPHOST_AUTH_DO_AUTHENTICATION with *out filled (out->struct_size must be set); SIPHOST_AUTH_OK for an ACK,
     * a CANCEL or a PRACK, which cannot be challenged (out is not filled); or a negative enum
     * siphost_auth_result: NO_CREDENTIALS, STALE_NONCE, NONCE_REUSED, ERROR (malformed credentials, recorded
     * as msgctx->set_error 400 "Bad Credentials" for sl_reply_error; a nonce this server did not make). */
    int (*pre_auth)(siphost_msg *msg, siphost_str realm, uint32_t hf, siphost_auth_credentials *out);

    /* [1.0] Compares the response of cred with the one HA1 gives (hex of the credentials' algorithm,
     * H(username:realm:password); the -sess step is applied here). method empty: msg's. Returns
     * SIPHOST_AUTH_OK, or SIPHOST_AUTH_INVALID_PASSWORD. */
    int (*check_response)(siphost_msg *msg, const siphost_auth_credentials *cred, siphost_str ha1,
                          siphost_str method);

    /* [1.0] After a matching response: records the nonce's use and marks the credentials authorized.
     * Returns SIPHOST_AUTH_OK, SIPHOST_AUTH_NONCE_REUSED or SIPHOST_AUTH_STALE_NONCE (another request
     * used the nonce in between). */
    int (*post_auth)(siphost_msg *msg, const siphost_auth_credentials *cred);

    /* [1.0] HA1 = H(username:realm:password) in lower-case hex for algorithm (enum siphost_auth_algorithm; the
     * -sess forms hash as their base). Writes it to buf (65 bytes are always enough; NUL-terminated) and its
     * length to *len (may be NULL). Returns 0, or -1 (unknown algorithm, buf too small). Any thread. */
    int (*calc_ha1)(uint32_t algorithm, siphost_str username, siphost_str realm, siphost_str password, char *buf,
                    size_t cap, size_t *len);

    /* [1.0] The challenge header lines (WWW-Authenticate for SIPHOST_AUTH_HF_AUTHORIZATION, else
     * Proxy-Authenticate; one per configured algorithm, each ending in CRLF) for a new nonce, with realm as in
     * pre_auth and flags enum siphost_auth_challenge_flags. Writes at most cap bytes to buf and the length to
     * *len. Returns 0, or -1 (buf too small: *len holds the size needed; no realm). */
    int (*build_challenge)(siphost_msg *msg, siphost_str realm, uint32_t flags, uint32_t hf, char *buf, size_t cap,
                           size_t *len);

    /* [1.0] Sends the challenge: 401 (SIPHOST_AUTH_HF_AUTHORIZATION) or 407, statefully when tm has a
     * transaction for msg (unless auth's force_stateless_reply), else through sl. Returns 1 when sent (and for
     * an ACK, CANCEL or PRACK, which are not challenged), -3 when sending failed, -2 when no challenge could
     * be built (no realm; a 500 is sent unless flags has SIPHOST_AUTH_CHALLENGE_NO_500, -4 when that failed
     * too): Kamailio's codes. */
    int (*challenge)(siphost_msg *msg, siphost_str realm, uint32_t flags, uint32_t hf);
} siphost_auth_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_AUTH_H */
