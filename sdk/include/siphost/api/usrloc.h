/*
 * The "usrloc" API, major 1: the location table (Kamailio's usrloc), for registrar and other modules.
 *
 * usrloc publishes this table with host->api_export(self, SIPHOST_USRLOC_API_NAME, SIPHOST_USRLOC_API_MAJOR,
 * &table) at its init; a module gets it with host->api_lookup(SIPHOST_USRLOC_API_NAME,
 * SIPHOST_USRLOC_API_MAJOR) at its own init (declare "usrloc" in the descriptor's depends).
 *
 * A domain is one location table ("location"); it holds records, one per address of record (AOR: "alice" or,
 * with usrloc's use_domain, "alice@example.com"), and each record holds its contacts. Every function is
 * thread-safe on its own. A caller that reads, decides and then writes one AOR (registrar's save) holds that
 * AOR's lock around the whole sequence with lock_aor/unlock_aor; the lock is recursive, so the functions
 * below may be called while holding it, but a thread must not hold two AORs' locks at once.
 *
 * Times are wall-clock seconds since 1970 (as Kamailio stores them in the location table's expires and
 * last_modified columns); an expires of 0 means a permanent contact.
 *
 * Rules, as in module.h: valid C99 and C++; depends on <siphost/module.h> only; the tables begin with
 * struct_size (set by whoever fills them), only grow at their end, and each function is tagged with the minor
 * it appeared in. Check a function of a later minor with SIPHOST_HAS(siphost_usrloc_api_v1, ul, field).
 */
#ifndef SIPHOST_API_USRLOC_H
#define SIPHOST_API_USRLOC_H

#include <siphost/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_USRLOC_API_NAME "usrloc"
#define SIPHOST_USRLOC_API_MAJOR 1

/* The longest record id usrloc makes (a buffer of this size always holds one). */
#define SIPHOST_USRLOC_RUID_MAX 64

/* Kamailio's method bits, for siphost_ucontact.methods (the Allow header of the REGISTER). */
enum siphost_usrloc_method {
    SIPHOST_METHOD_INVITE = 1u << 0,
    SIPHOST_METHOD_CANCEL = 1u << 1,
    SIPHOST_METHOD_ACK = 1u << 2,
    SIPHOST_METHOD_BYE = 1u << 3,
    SIPHOST_METHOD_INFO = 1u << 4,
    SIPHOST_METHOD_REGISTER = 1u << 5,
    SIPHOST_METHOD_SUBSCRIBE = 1u << 6,
    SIPHOST_METHOD_NOTIFY = 1u << 7,
    SIPHOST_METHOD_MESSAGE = 1u << 8,
    SIPHOST_METHOD_OPTIONS = 1u << 9,
    SIPHOST_METHOD_PRACK = 1u << 10,
    SIPHOST_METHOD_UPDATE = 1u << 11,
    SIPHOST_METHOD_REFER = 1u << 12,
    SIPHOST_METHOD_PUBLISH = 1u << 13
};
#define SIPHOST_METHODS_ALL 0xffffffffu /* no Allow header: every method */

typedef struct siphost_udomain siphost_udomain; /* one location table, opaque */

/* One contact (binding) of an AOR: what insert and update take, and what get_contacts hands out. Strings
 * passed in are copied; strings handed out are valid during the callback only. */
typedef struct siphost_ucontact {
    size_t struct_size;   /* sizeof(siphost_ucontact) as compiled by whoever fills it */
    siphost_str contact;  /* the Contact URI, without < > (required) */
    siphost_str received; /* where it registered from ("sip:1.2.3.4:5060"), or empty */
    siphost_str path;     /* the Path header values of the REGISTER, comma-separated, or empty */
    siphost_str callid;
    siphost_str user_agent;
    siphost_str instance;    /* +sip.instance (RFC 5626), without quotes and < >, or empty */
    siphost_str ruid;        /* the record id usrloc gave the contact (out only) */
    siphost_str socket_name; /* the local socket it registered on, "udp:127.0.0.1:5060", or empty */
    siphost_socket* socket;  /* that socket, or NULL (a contact loaded from a database) */
    int64_t expires;         /* absolute, in seconds since 1970; 0: permanent */
    int64_t last_modified;   /* seconds since 1970 (out only: set by usrloc on insert and update) */
    int32_t q;               /* 0 .. 1000, or -1: not given */
    int32_t cseq;
    uint32_t reg_id;   /* reg-id (RFC 5626), 0: none */
    uint32_t flags;    /* usrloc's flags */
    uint32_t cflags;   /* branch flags, restored by lookup */
    uint32_t methods;  /* enum siphost_usrloc_method bits, SIPHOST_METHODS_ALL when unknown */
    void* reserved[2]; /* zero */
    /* [1.2] The connection (TCP, TLS, WS, WSS) the REGISTER came over, 0 for none (UDP, a contact loaded from
     * a database: ids start afresh with each run), as Kamailio's tcpconn_id: registrar's lookup_filter_mode 2
     * skips the contacts whose connection has closed. Read only when struct_size covers it. */
    uint64_t conn_id;
} siphost_ucontact;

/* Called for each contact of an AOR; return 0 to go on, nonzero to stop. Runs under the AOR's lock: it must
 * not call usrloc for another AOR. */
typedef int (*siphost_ucontact_fn)(const siphost_ucontact* contact, void* data);

/* Called by for_each_contact for each contact of a table with its table and AOR; return 0 to go on, nonzero to
 * stop. Runs under a lock of the table: it must not call usrloc. */
typedef int (*siphost_utable_contact_fn)(siphost_udomain* domain, siphost_str aor, const siphost_ucontact* contact,
                                         void* data);

/* Results of match_contact. */
enum siphost_usrloc_match {
    SIPHOST_UL_FOUND = 0,          /* a binding matches; its ruid was written */
    SIPHOST_UL_NOT_FOUND = 1,      /* no binding matches */
    SIPHOST_UL_OUT_OF_ORDER = -1,  /* same Call-ID with a lower CSeq, or an equal one after cseq_delay */
    SIPHOST_UL_RETRANSMISSION = -2 /* same Call-ID and CSeq within cseq_delay: nothing to change */
};

typedef struct siphost_usrloc_api_v1 {
    size_t struct_size; /* sizeof(siphost_usrloc_api_v1) as compiled by usrloc */

    /* [1.0] The location table named name ("location"; with a database, the table's name), made on first
     * use. Any thread. NULL when the name is empty or not a table name. The pointer stays valid until
     * usrloc's destroy. */
    siphost_udomain* (*get_domain)(siphost_str name);
    /* [1.0] The domain's name. */
    siphost_str (*domain_name)(const siphost_udomain* domain);

    /* [1.0] Locks and unlocks one AOR (its slot of the hash table) for a read-decide-write sequence. */
    void (*lock_aor)(siphost_udomain* domain, siphost_str aor);
    /* [1.0] */
    void (*unlock_aor)(siphost_udomain* domain, siphost_str aor);

    /* [1.0] Calls fn for each contact of aor that has not expired (each one, expired included, when
     * with_expired is nonzero), highest q first (or newest first with usrloc's desc_time_order). Returns the
     * number of contacts visited, 0 when the AOR has none, -1 on an error (a database that failed). */
    int (*get_contacts)(siphost_udomain* domain, siphost_str aor, int with_expired, siphost_ucontact_fn fn,
                        void* data);

    /* [1.0] Finds the binding of aor that `contact` (its contact, callid, path and cseq) updates, by usrloc's
     * matching_mode and cseq_delay, as RFC 3261 10.3 step 7 says. Returns enum siphost_usrloc_match; on
     * SIPHOST_UL_FOUND writes the binding's ruid into ruid (cap bytes, SIPHOST_USRLOC_RUID_MAX are enough)
     * and its length into *ruid_len. -3 on an error. */
    int (*match_contact)(siphost_udomain* domain, siphost_str aor, const siphost_ucontact* contact,
                         char* ruid, size_t cap, size_t* ruid_len);

    /* [1.0] Adds a contact to aor (the record is made when it has none). Writes the new ruid as
     * match_contact does (ruid may be NULL). Returns 0 or -1. */
    int (*insert_contact)(siphost_udomain* domain, siphost_str aor, const siphost_ucontact* contact,
                          char* ruid, size_t cap, size_t* ruid_len);
    /* [1.0] Replaces the binding ruid of aor with contact's values (its ruid is kept). Returns 0, or -1 when
     * there is no such binding. */
    int (*update_contact)(siphost_udomain* domain, siphost_str aor, siphost_str ruid,
                          const siphost_ucontact* contact);
    /* [1.0] Deletes the binding ruid of aor (aor empty: of whichever AOR has it). Returns 1 deleted, 0 none,
     * -1 on an error. */
    int (*delete_contact)(siphost_udomain* domain, siphost_str aor, siphost_str ruid);
    /* [1.0] Deletes aor with every contact. Returns the number of contacts deleted (0: none), -1 on an error.
     */
    int (*delete_record)(siphost_udomain* domain, siphost_str aor);

    /* [1.0] usrloc's use_domain parameter: nonzero when AORs carry their domain ("user@host"). */
    int (*use_domain)(void);
    /* [1.0] usrloc's db_mode (0 memory only .. 3 database only). */
    int (*db_mode)(void);
    /* [1.0] usrloc's nat_bflag (the branch flag marking a contact behind NAT), or -1 when not set. */
    int (*nat_bflag)(void);

    /* [1.1] Calls fn for every contact of domain that has not expired (domain NULL: of every table usrloc
     * has), for what walks the whole table (nathelper's keepalives): from memory, or with db_mode 3 from the
     * database. One slot of a table is locked at a time. Returns the number of contacts visited, or -1 on an
     * error. Check it with SIPHOST_HAS(siphost_usrloc_api_v1, api, for_each_contact). */
    int (*for_each_contact)(siphost_udomain* domain, siphost_utable_contact_fn fn, void* data);
} siphost_usrloc_api_v1;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_API_USRLOC_H */
