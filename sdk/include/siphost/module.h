/*
 * siphost module ABI, major version 1.
 *
 * This header is the whole contract between the siphost host and a module. A module is a shared object that
 * exports one function, siphost_module_v1(), returning a constant descriptor: the module's name, its tables of
 * script commands, modparam parameters and pseudo-variables, and its lifecycle hooks. At init the host hands
 * the module a table of host functions; the module reaches the host through that table only and links
 * against nothing of the host.
 *
 * Rules of the ABI
 *   - Valid C99 and C++; depends on <stddef.h> and <stdint.h> only. No C++ type and no exception crosses.
 *   - Within a major version every struct only grows at its end. Every struct that may grow begins with
 *     struct_size, set by whoever fills it, so that the other side can tell which fields exist. Use
 *     SIPHOST_HAS() before calling a host function added after minor 0.
 *   - Handles (siphost_msg, siphost_avp_list, siphost_socket, siphost_timer, siphost_pv_spec) are opaque.
 *   - Strings are pointer + length (siphost_str) and are not NUL-terminated unless a comment says so.
 *     Descriptor strings (names) are NUL-terminated C strings with static lifetime.
 *   - Return codes of host functions: >= 0 success, < 0 failure, unless documented otherwise.
 *   - Script commands follow Kamailio's rule: a positive result is true, a negative one false, and 0 ends the
 *     script (an implicit exit).
 *   - Threads: siphost runs children=N worker threads in one process (not processes, as Kamailio does), so
 *     module state shared between messages must be thread-safe. "Worker thread" below means the thread that
 *     is processing the message passed to the call; "any thread" means any thread, including timer threads.
 *     Descriptor hooks init and destroy run on the main thread, worker_init once on each worker thread.
 */
#ifndef SIPHOST_MODULE_H
#define SIPHOST_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_ABI_MAJOR 1
#define SIPHOST_ABI_MINOR 1

/* The most branches of one relay, the Request-URI's included (as Kamailio's default): a destination set
 * (msg_append_branch) holds one fewer. */
#define SIPHOST_MAX_BRANCHES 12

/* The name of the exported entry function carries the ABI major so that a module of another major is not
 * mistaken for this one. */
#define SIPHOST_ENTRY_SYMBOL "siphost_module_v1"

#if defined(_WIN32)
#define SIPHOST_EXPORT __declspec(dllexport)
#else
#define SIPHOST_EXPORT __attribute__((visibility("default")))
#endif

/* True when a struct that begins with struct_size, of type `type`, is large enough to hold `field` and the
 * field is set: SIPHOST_HAS(siphost_host_api, host, log). Fields of minor 0 are always present; check
 * anything added later with this before calling it. */
#define SIPHOST_HAS(type, table, field)                                                                    \
    ((table) != NULL && (table)->struct_size >= offsetof(type, field) + sizeof((table)->field) &&          \
     (table)->field != NULL)

/* ------------------------------------------------------------------------------------------------------ */
/* Basic types                                                                                             */
/* ------------------------------------------------------------------------------------------------------ */

/* A byte string: not NUL-terminated; s may be NULL when len is 0. */
typedef struct siphost_str {
    const char *s;
    size_t len;
} siphost_str;

typedef struct siphost_msg siphost_msg;           /* one SIP message being processed */
typedef struct siphost_avp_list siphost_avp_list; /* a list of AVPs (Kamailio's attribute-value pairs) */
typedef struct siphost_socket siphost_socket;     /* a listening socket of the host */
typedef struct siphost_timer siphost_timer;       /* a timer created by a module */
typedef struct siphost_pv_spec siphost_pv_spec;   /* a parsed pseudo-variable, e.g. "$hdr(From)" */

/* Kamailio's log levels, with the same numbers. */
enum siphost_log_level {
    SIPHOST_LOG_ALERT = -5,
    SIPHOST_LOG_BUG = -4,
    SIPHOST_LOG_CRIT = -2,
    SIPHOST_LOG_ERR = -1,
    SIPHOST_LOG_WARN = 0,
    SIPHOST_LOG_NOTICE = 1,
    SIPHOST_LOG_INFO = 2,
    SIPHOST_LOG_DBG = 3
};

/* Route block types: where a command may be called. A command's route_types is a bitwise OR of these. */
enum siphost_route_type {
    SIPHOST_ROUTE_REQUEST = 1u << 0,        /* request_route, route[X] reached from it */
    SIPHOST_ROUTE_FAILURE = 1u << 1,        /* failure_route[X] */
    SIPHOST_ROUTE_TM_ONREPLY = 1u << 2,     /* onreply_route[X] armed by t_on_reply */
    SIPHOST_ROUTE_BRANCH = 1u << 3,         /* branch_route[X] */
    SIPHOST_ROUTE_ONSEND = 1u << 4,         /* onsend_route */
    SIPHOST_ROUTE_ERROR = 1u << 5,          /* error_route */
    SIPHOST_ROUTE_LOCAL = 1u << 6,          /* local_route */
    SIPHOST_ROUTE_CORE_ONREPLY = 1u << 7,   /* onreply_route, reply_route, onreply_route[0] */
    SIPHOST_ROUTE_BRANCH_FAILURE = 1u << 8, /* event_route[tm:branch-failure] */
    SIPHOST_ROUTE_EVENT = 1u << 9,          /* event_route[module:name] */
    SIPHOST_ROUTE_ANY = (1u << 10) - 1u
};

/* A value passed across the ABI: a command argument, a pseudo-variable or an AVP value. */
enum siphost_value_kind {
    SIPHOST_VALUE_NULL = 0, /* prints as "<null>" */
    SIPHOST_VALUE_INT = 1,
    SIPHOST_VALUE_STR = 2
};

typedef struct siphost_value {
    uint32_t kind; /* enum siphost_value_kind */
    uint32_t reserved;
    int64_t num;     /* SIPHOST_VALUE_INT; for a SIPHOST_ARG_ROUTE argument, the route's id */
    siphost_str str; /* SIPHOST_VALUE_STR; for a SIPHOST_ARG_ROUTE argument, the route's name */
} siphost_value;

/* An IPv4 or IPv6 transport address. */
enum siphost_proto { SIPHOST_PROTO_UDP = 1, SIPHOST_PROTO_TCP = 2, SIPHOST_PROTO_TLS = 3, SIPHOST_PROTO_SCTP = 4 };

typedef struct siphost_addr {
    uint8_t family; /* 4 or 6 */
    uint8_t proto;  /* enum siphost_proto */
    uint16_t port;  /* host byte order */
    uint8_t ip[16]; /* network byte order; IPv4 uses the first 4 bytes */
} siphost_addr;

/* ------------------------------------------------------------------------------------------------------ */
/* What a module declares                                                                                  */
/* ------------------------------------------------------------------------------------------------------ */

#define SIPHOST_MAX_ARGS 6

/* How the host prepares a command argument written in the script. */
enum siphost_arg_kind {
    SIPHOST_ARG_NONE = 0,
    /* A string that may contain pseudo-variables ("for $rm"); compiled once when the config is read and
     * evaluated before each call. The handler receives SIPHOST_VALUE_STR. */
    SIPHOST_ARG_STRING = 1,
    /* An integer: a number in the script, or a string that holds one, or an expression. The handler receives
     * SIPHOST_VALUE_INT; a non-numeric value is a config error when constant, a false result otherwise. */
    SIPHOST_ARG_INT = 2,
    /* The name of a route block, resolved when the config is read (t_on_reply("X")). The handler receives
     * num = route id for route_run() and str = the name. The route's type comes from the command's
     * arg_route_types[i]. */
    SIPHOST_ARG_ROUTE = 3,
    /* The name of a pseudo-variable, parsed when the config is read (e.g. a destination to write). The fixup
     * receives the text; the handler receives SIPHOST_VALUE_STR with the text. */
    SIPHOST_ARG_PVAR = 4
};

/* The handler of a script command.
 *   msg       the message the script runs on (a request, or a reply in reply routes). Valid during the call.
 *   args      arg_count evaluated arguments; strings are valid until the handler returns.
 *   call_data what this call site's fixup stored, or NULL without a fixup.
 * Returns >0 true, <0 false, 0 to end the script. Called on a worker thread (or a timer thread when tm runs
 * a failure route from a timer). Must not throw or longjmp out. */
typedef int (*siphost_command_fn)(siphost_msg *msg, const siphost_value *args, void *call_data);

/* Optional: prepares one call site when the config is read (compile a regex, split "INVITE|BYE", check a
 * constant). constant[i] is nonzero when args[i] is known at load time (then args[i] holds it). Store what
 * the handler needs in *call_data. Returns 0, or -1 with a one-line reason written to err (NUL-terminated,
 * at most err_size bytes), which the host reports at the call's location in the config. Main thread. */
typedef int (*siphost_fixup_fn)(const siphost_value *args, const int *constant, void **call_data, char *err,
                                size_t err_size);
typedef void (*siphost_fixup_free_fn)(void *call_data);

typedef struct siphost_command {
    size_t struct_size; /* sizeof(siphost_command) as compiled by the module */
    const char *name;   /* script name, e.g. "t_relay"; NULL ends the table */
    uint32_t arg_count; /* 0 .. SIPHOST_MAX_ARGS; declare one entry per overload (same name, other count) */
    uint32_t route_types;                     /* enum siphost_route_type bits where the call is allowed */
    uint8_t arg_kinds[SIPHOST_MAX_ARGS];      /* enum siphost_arg_kind, the first arg_count are used */
    uint8_t reserved_kinds[2];
    uint32_t arg_route_types[SIPHOST_MAX_ARGS]; /* for SIPHOST_ARG_ROUTE: which block type the name names */
    siphost_command_fn handler;
    siphost_fixup_fn fixup;           /* may be NULL */
    siphost_fixup_free_fn fixup_free; /* may be NULL; called at shutdown for each call_data */
    const char *doc;                  /* one line for --module-info; may be NULL */
    void *reserved[4];
} siphost_command;

enum siphost_param_kind {
    SIPHOST_PARAM_INT = 1u << 0,
    SIPHOST_PARAM_STRING = 1u << 1
};

/* Called for each modparam of a parameter that has a setter (so a parameter may be given many times).
 * value is SIPHOST_VALUE_INT or SIPHOST_VALUE_STR as written in the config (a string is NUL-terminated and
 * valid during the call only). Returns 0, or -1 with a reason in err. Main thread, before init. */
typedef int (*siphost_param_setter_fn)(const char *param_name, const siphost_value *value, char *err,
                                       size_t err_size);

typedef struct siphost_param {
    size_t struct_size;
    const char *name;  /* NULL ends the table */
    uint32_t kinds;    /* enum siphost_param_kind bits accepted */
    uint32_t reserved_flags;
    /* How the value is delivered, one of:
     *   setter != NULL: the setter is called for every modparam of this name;
     *   else target: SIPHOST_PARAM_INT writes an int32_t at target (out-of-range values are refused);
     *   SIPHOST_PARAM_STRING writes a const char * at target, pointing at a NUL-terminated copy owned by the
     *   host that lives until after the module's destroy hook. */
    void *target;
    siphost_param_setter_fn setter;
    const char *doc;
    void *reserved[2];
} siphost_param;

enum siphost_pv_flags {
    SIPHOST_PV_NAME_NONE = 0,         /* "$rm": no inner name */
    SIPHOST_PV_NAME_REQUIRED = 1u << 0, /* "$hdr(Name)": an inner name is required */
    SIPHOST_PV_NAME_OPTIONAL = 1u << 1  /* both forms */
};

#define SIPHOST_PV_NO_INDEX INT32_MIN  /* no [n] was written */
#define SIPHOST_PV_ALL_INDEX INT32_MAX /* [*] was written */

/* Optional: parses the inner name of "$name(inner)" when the config is read. Returns 0 and stores what the
 * getter needs in *pv_data, or -1 with a reason in err. Main thread. */
typedef int (*siphost_pv_parse_fn)(siphost_str inner_name, void **pv_data, char *err, size_t err_size);

/* Gets the value for msg. index is the [n] written in the script or SIPHOST_PV_NO_INDEX. Writes *out (kind
 * NULL for a value that is not there) and returns 0, or returns -1 on an error (the host then uses NULL).
 * A string written to *out must stay valid until this getter is called again on the same thread or the
 * message is released; pointing into the message, or a thread_local buffer, both satisfy that. */
typedef int (*siphost_pv_get_fn)(siphost_msg *msg, void *pv_data, int32_t index, siphost_value *out);

/* Sets the value (an assignment in the script); value kind NULL means "$x = $null" (delete). Returns 0 or -1. */
typedef int (*siphost_pv_set_fn)(siphost_msg *msg, void *pv_data, int32_t index, const siphost_value *value);

typedef struct siphost_pv {
    size_t struct_size;
    const char *name; /* without '$' and parentheses: "T_reply_code", "hdr"; NULL ends the table */
    uint32_t flags;   /* enum siphost_pv_flags */
    uint32_t reserved_flags;
    siphost_pv_parse_fn parse_name; /* may be NULL: pv_data is then NULL */
    siphost_pv_get_fn get;
    siphost_pv_set_fn set;          /* NULL: read-only */
    void (*free_data)(void *pv_data); /* may be NULL */
    const char *doc;
    void *reserved[2];
} siphost_pv;

struct siphost_host_api;

/* The descriptor a module's entry function returns. It must stay valid while the module is loaded. */
typedef struct siphost_module {
    size_t struct_size; /* sizeof(siphost_module) as compiled by the module */
    uint32_t abi_major; /* SIPHOST_ABI_MAJOR */
    uint32_t abi_minor; /* SIPHOST_ABI_MINOR the module was built against */
    const char *name;   /* "tm": letters, digits, '_' */
    const char *version;
    const siphost_command *commands; /* each table is an array ended by an entry whose name is NULL; */
    const siphost_param *params;     /* the host steps through it by the first entry's struct_size. */
    const siphost_pv *pvs;           /* Any table may be NULL. */
    /* Called once after the whole config is read, in load order, on the main thread. host stays valid until
     * after destroy. Returns 0, or -1 with the reason in err (the host refuses to start and prints it). */
    int (*init)(const struct siphost_host_api *host, char *err, size_t err_size);
    /* Called on each worker thread before it takes messages; worker is 0 .. children-1. May be NULL. */
    int (*worker_init)(int worker);
    /* Called once at shutdown, in reverse load order, on the main thread, after workers stopped. May be NULL. */
    void (*destroy)(void);
    void *reserved[8];
} siphost_module;

/* The entry function every module exports, named SIPHOST_ENTRY_SYMBOL. It may be called more than once and
 * must return the same pointer each time; it must not call the host. */
typedef const siphost_module *(*siphost_module_entry_fn)(void);

/* Defines the entry function. Use once per module: SIPHOST_MODULE(my_module_descriptor) */
#ifdef __cplusplus
#define SIPHOST_EXTERN_C extern "C"
#else
#define SIPHOST_EXTERN_C
#endif
#define SIPHOST_MODULE(descriptor)                                                                          \
    SIPHOST_EXTERN_C SIPHOST_EXPORT const siphost_module *siphost_module_v1(void);                          \
    SIPHOST_EXTERN_C SIPHOST_EXPORT const siphost_module *siphost_module_v1(void) { return &(descriptor); }

/* ------------------------------------------------------------------------------------------------------ */
/* What the host provides                                                                                  */
/* ------------------------------------------------------------------------------------------------------ */

enum siphost_header_position {
    SIPHOST_HDR_BOTTOM = 0, /* after the last header (append_hf) */
    SIPHOST_HDR_TOP = 1,    /* before the first header (insert_hf) */
    SIPHOST_HDR_AFTER = 2,  /* after the first header named anchor, or at the bottom when none */
    SIPHOST_HDR_BEFORE = 3  /* before the first header named anchor, or at the top when none */
};

enum siphost_hook_when {
    SIPHOST_HOOK_PRE_SCRIPT = 1, /* before request_route / the core onreply_route */
    SIPHOST_HOOK_POST_SCRIPT = 2 /* after it (for replies: the hook that may take the reply) */
};

enum siphost_hook_result {
    SIPHOST_HOOK_CONTINUE = 0, /* go on with the next hook, then the script or the default handling */
    SIPHOST_HOOK_CONSUMED = 1  /* the module handled the message; stop here (a retransmission absorbed,
                                  a reply matched to a transaction) */
};

/* The result of route_run(). */
enum siphost_route_result {
    SIPHOST_ROUTE_RAN = 1,     /* the route ended normally (return, end of block) */
    SIPHOST_ROUTE_EXITED = 0,  /* exit, or a command returned 0 */
    SIPHOST_ROUTE_DROPPED = -1 /* drop */
};

typedef int (*siphost_message_hook_fn)(siphost_msg *msg, void *hook_data);
typedef void (*siphost_timer_fn)(uint64_t now_ms, void *timer_data);

/* The table of host functions handed to init. Fields are only ever appended. All strings a function returns
 * point into host memory that stays valid as long as the documented owner (usually the message) unless said
 * otherwise; copy what you keep. */
typedef struct siphost_host_api {
    size_t struct_size; /* sizeof as compiled by the host */
    uint32_t abi_major;
    uint32_t abi_minor;

    /* ---- logging (any thread) ---- */

    /* Logs one line at a Kamailio level, as "<module>: text" in the host's log format. */
    void (*log)(int level, const char *module, siphost_str text);
    /* Nonzero when a line at this level would be written (so a module can skip formatting). */
    int (*log_enabled)(int level);

    /* ---- message access (worker thread of msg; results valid while msg is) ---- */

    int (*msg_is_request)(const siphost_msg *msg);
    /* Request method; for a reply, the CSeq method (as Kamailio's $rm). */
    siphost_str (*msg_method)(const siphost_msg *msg);
    /* Reply status code, or 0 for a request. */
    int (*msg_status)(const siphost_msg *msg);
    siphost_str (*msg_reason)(const siphost_msg *msg);
    /* The Request-URI as the script sees it now (after set_ruri); empty for a reply. */
    siphost_str (*msg_ruri)(const siphost_msg *msg);
    /* The received Request-URI, unchanged by the script. */
    siphost_str (*msg_original_ruri)(const siphost_msg *msg);
    /* The destination URI ($du) or empty. */
    siphost_str (*msg_dst_uri)(const siphost_msg *msg);
    /* The index-th value of header `name` (full or compact form, any case; comma-separated values count one
     * each for headers whose grammar allows lists, like Via and Route; otherwise one per line). Returns 1 and
     * sets *value (trimmed) when there is one, 0 when not. Headers removed by the script are not seen. */
    int (*msg_header)(const siphost_msg *msg, siphost_str name, uint32_t index, siphost_str *value);
    /* The i-th header line as received: returns 1 with name and value set, 0 past the end. */
    int (*msg_header_at)(const siphost_msg *msg, size_t i, siphost_str *name, siphost_str *value);
    siphost_str (*msg_body)(const siphost_msg *msg);
    siphost_str (*msg_call_id)(const siphost_msg *msg);
    /* CSeq number and method. Returns 0, or -1 when the header is missing or broken. */
    int (*msg_cseq)(const siphost_msg *msg, uint32_t *number, siphost_str *method);
    siphost_str (*msg_from_uri)(const siphost_msg *msg);
    siphost_str (*msg_from_tag)(const siphost_msg *msg);
    siphost_str (*msg_to_uri)(const siphost_msg *msg);
    siphost_str (*msg_to_tag)(const siphost_msg *msg);
    /* The index-th Via value (0 is the top one): its branch parameter, or empty. */
    siphost_str (*msg_via_branch)(const siphost_msg *msg, uint32_t index);
    /* The index-th Via's sent-by host (IPv6 without brackets) and port (0 when absent). Returns 0 or -1. */
    int (*msg_via_sent_by)(const siphost_msg *msg, uint32_t index, siphost_str *host, uint16_t *port);
    /* The number of Via values. */
    uint32_t (*msg_via_count)(const siphost_msg *msg);
    /* Where the message came from, and the local address it arrived at. */
    int (*msg_source)(const siphost_msg *msg, siphost_addr *out);
    int (*msg_destination)(const siphost_msg *msg, siphost_addr *out);
    /* The socket it arrived on; NULL for a message the host made (a local reply). */
    siphost_socket *(*msg_socket)(const siphost_msg *msg);
    /* The bytes as received. */
    siphost_str (*msg_raw)(const siphost_msg *msg);
    /* Script flags (setflag/isflagset), 64 of them. */
    uint64_t (*msg_flags)(const siphost_msg *msg);
    void (*msg_set_flags)(siphost_msg *msg, uint64_t flags);

    /* ---- message changes (worker thread of msg). Changes are recorded and applied once, when the message is
     * sent (forward, t_relay, reply relay); the received bytes never change. ---- */

    /* Adds a whole header line; text must end with CRLF (the host adds it when missing). The text is copied.
     * anchor names a header for SIPHOST_HDR_AFTER/BEFORE and is ignored otherwise. */
    int (*msg_add_header)(siphost_msg *msg, siphost_str text, int position, siphost_str anchor);
    /* Removes every line of header `name` (index < 0) or the index-th line. Returns how many were removed. */
    int (*msg_remove_header)(siphost_msg *msg, siphost_str name, int32_t index);
    /* Replaces len received bytes at offset (into msg_raw) with text (copied); for subst-style edits.
     * Ranges must not overlap other replacements. Returns 0 or -1. */
    int (*msg_replace)(siphost_msg *msg, size_t offset, size_t len, siphost_str text);
    /* Sets the Request-URI ($ru) or the destination URI ($du, empty to clear). The text is copied. */
    int (*msg_set_ruri)(siphost_msg *msg, siphost_str uri);
    int (*msg_set_dst_uri)(siphost_msg *msg, siphost_str uri);

    /* ---- messages owned by a module (any thread, but one thread at a time per message) ---- */

    /* A copy of msg with its recorded changes, AVP list excluded, owned by the caller until msg_free. Used by
     * tm to keep a transaction's request and to run failure/branch routes on it. NULL on no memory. */
    siphost_msg *(*msg_clone)(const siphost_msg *msg);
    /* Parses bytes (copied) as if received from src on sock (either may be NULL). NULL when not valid SIP. */
    siphost_msg *(*msg_parse)(siphost_str bytes, const siphost_addr *src, siphost_socket *sock);
    void (*msg_free)(siphost_msg *msg);

    /* ---- building and sending (worker or timer thread) ---- */

    /* Resolves a URI ("sip:host:port;transport=udp") or a host and port (port 0: from the URI or 5060) to an
     * address, through the host's DNS cache, and picks the local socket to send from. Returns 0 or -1. */
    int (*resolve)(siphost_str uri_or_host, uint16_t port, siphost_addr *out, siphost_socket **from);
    /* The next hop of a request as forward() sees it: $du, else the first Route when loose routing, else the
     * Request-URI. Writes the URI used to *hop (valid while msg is). Returns 0 or -1. */
    int (*msg_next_hop)(const siphost_msg *msg, siphost_str *hop);
    /* Builds the request to relay: the received request with its recorded changes, a new top Via from the
     * socket `from` with the given branch (including the z9hG4bK cookie), and Max-Forwards decremented (added
     * as 70 when missing). Writes at most cap bytes into buf and the length to *len. Returns 0, or -1 when it
     * does not fit (*len then holds the size needed) or the message is not a request. */
    int (*build_request)(const siphost_msg *msg, const siphost_socket *from, siphost_str branch, char *buf,
                         size_t cap, size_t *len);
    /* Builds a reply to relay upstream: the received reply without its top Via, with its recorded changes.
     * Returns 0 or -1 as build_request. */
    int (*build_relayed_reply)(const siphost_msg *reply, char *buf, size_t cap, size_t *len);
    /* Builds a reply to the request msg per RFC 3261 8.2.6: Vias, From, To (adding to_tag when not empty and
     * the To has none), Call-ID and CSeq copied; then extra_headers (whole lines with CRLF) and body with a
     * matching Content-Length. An empty reason gets the code's standard phrase (RFC 3261 21 and later
     * RFCs). Returns 0 or -1 as build_request. */
    int (*build_reply)(const siphost_msg *request, int code, siphost_str reason, siphost_str to_tag,
                       siphost_str extra_headers, siphost_str body, char *buf, size_t cap, size_t *len);
    /* Where a reply to request msg goes (RFC 3261 18.2.2 and RFC 3581: received/rport, else the Via's
     * sent-by), and the socket to send it from. Returns 0 or -1. */
    int (*reply_destination)(const siphost_msg *request, siphost_addr *out, siphost_socket **from);
    /* Sends bytes from a listening socket (NULL: pick one matching dst's family) to dst. Returns 0 or -1. */
    int (*send)(siphost_socket *from, const siphost_addr *dst, siphost_str bytes);
    /* A stateless reply: build_reply with a To-tag when due, sent to reply_destination. Returns 0 or -1. */
    int (*send_stateless_reply)(siphost_msg *request, int code, siphost_str reason, siphost_str to_tag,
                                siphost_str extra_headers);
    /* The address and port a socket puts in Via and Record-Route (advertised or bound); any thread. */
    int (*socket_address)(const siphost_socket *sock, siphost_str *host, uint16_t *port, uint8_t *proto);
    /* Nonzero when host:port (port 0: any) names this server (a listening address or an alias). */
    int (*is_myself)(siphost_str host, uint16_t port);

    /* ---- timers ---- */

    /* Calls fn every interval_ms on the host's timer thread, from after init until shutdown; now_ms is a
     * monotonic clock. Register during init only. Returns 0 or -1. For many short timers (tm's), keep a timer
     * wheel in the module and drive it from one periodic timer. */
    int (*timer_every)(uint32_t interval_ms, siphost_timer_fn fn, void *timer_data);
    /* The monotonic clock in milliseconds; any thread. */
    uint64_t (*now_ms)(void);

    /* ---- the script ---- */

    /* The id of a route block of the loaded script by type (one SIPHOST_ROUTE_* bit) and name, or -1. */
    int (*route_lookup)(uint32_t route_type, siphost_str name);
    /* Runs a route block on msg, with msg's current AVP list. Returns enum siphost_route_result. Any thread
     * that is not already running a route on msg. */
    int (*route_run)(int route_id, siphost_msg *msg);
    /* Parses a pseudo-variable ("$avp(x)", "$hdr(Via)[1]") for later use; NULL with a reason in err. */
    siphost_pv_spec *(*pv_parse)(siphost_str text, char *err, size_t err_size);
    /* Gets a value; strings stay valid until the next pv_get on this thread or until msg is released. */
    int (*pv_get)(const siphost_pv_spec *pv, siphost_msg *msg, siphost_value *out);
    int (*pv_set)(const siphost_pv_spec *pv, siphost_msg *msg, const siphost_value *value);
    void (*pv_free)(siphost_pv_spec *pv);

    /* ---- AVPs ---- */

    /* A new empty list owned by the caller (free it with avp_list_free unless attached to a message). */
    siphost_avp_list *(*avp_list_new)(void);
    void (*avp_list_free)(siphost_avp_list *list);
    /* Swaps msg's AVP list with `list` and returns the previous one, which the caller now owns; msg owns
     * `list` and frees it with the message unless it is swapped out again. This is how tm moves AVPs into a
     * transaction (swap in an empty list, keep the old one) and makes them current in reply routes. */
    siphost_avp_list *(*msg_swap_avps)(siphost_msg *msg, siphost_avp_list *list);
    /* The index-th value (0 = the most recently added) of AVP name. Returns 1 found, 0 not. Strings stay
     * valid while the AVP does. */
    int (*avp_get)(const siphost_avp_list *list, siphost_str name, uint32_t index, siphost_value *out);
    /* Adds a value on top of AVP name (strings are copied). Returns 0 or -1. */
    int (*avp_add)(siphost_avp_list *list, siphost_str name, const siphost_value *value);
    /* Deletes the index-th value of AVP name, or all of them for index < 0. Returns how many were deleted. */
    int (*avp_delete)(siphost_avp_list *list, siphost_str name, int32_t index);
    /* The current list of msg. */
    siphost_avp_list *(*msg_avps)(siphost_msg *msg);

    /* ---- hooks (register during init only) ---- */

    /* Called for every received request, before or after request_route. A pre-script hook returning
     * SIPHOST_HOOK_CONSUMED stops the message there. Worker thread. Returns 0 or -1. */
    int (*register_request_hook)(int when, siphost_message_hook_fn fn, void *hook_data);
    /* Called for every received reply: pre-script hooks before the core onreply_route, post-script hooks after
     * it; a hook returning SIPHOST_HOOK_CONSUMED took the reply and the host does not relay it statelessly. */
    int (*register_reply_hook)(int when, siphost_message_hook_fn fn, void *hook_data);

    /* ---- APIs between modules (any thread) ---- */

    /* Publishes a table of functions under a name and major version (e.g. "sl", 1). The table must live until
     * the module's destroy. Register during init. Returns 0, or -1 when the name and major are taken. */
    int (*api_export)(const char *name, uint32_t major, const void *api);
    /* The table published under name and major, or NULL. Call during init or later (modules initialise in
     * load order, so look up a module loaded earlier at init, a later one at first use). */
    const void *(*api_lookup)(const char *name, uint32_t major);

    /* ---- counters (any thread) ---- */

    /* Registers a counter "module.name" (during init); the host prints counters on shutdown. NULL on error. */
    int64_t *(*counter_register)(const char *module, const char *name);
    /* Adds delta atomically. */
    void (*counter_add)(int64_t *counter, int64_t delta);

    /* ---- the process ---- */

    /* The number of worker threads, and the calling worker's index (-1 on a thread that is not a worker). */
    int (*worker_count)(void);
    int (*worker_index)(void);

    /* ---- later additions: new functions take the place of a reserved slot, so the size stays ---- */

    /* Sets the Max-Forwards value the request is relayed with, instead of the received value minus one (or 70
     * when there was none); what maxfwd uses to add the header or to lower it to its limit. Worker thread of
     * msg. Returns 0, or -1 for a reply. */
    int (*msg_set_max_forwards)(siphost_msg *msg, uint32_t value);

    /* ---- added in 1.1: the destination set (parallel forking); check with SIPHOST_HAS ---- */

    /* Adds a target to msg's destination set: a Request-URI and a destination URI (empty: none), both copied.
     * A stateful relay (tm's t_relay) forks to the request's own Request-URI and to every target of the set
     * in parallel, then empties the set; a stateless forward() ignores it. The script's append_branch()
     * calls this. Worker thread of msg. Returns the target's index, or -1 (a reply, an empty uri, or a full
     * set: SIPHOST_MAX_BRANCHES - 1 targets). msg_clone does not copy the set. */
    int (*msg_append_branch)(siphost_msg *msg, siphost_str uri, siphost_str dst_uri);
    /* The index-th target of the destination set (views valid until the set changes): 0, or -1 past the
     * end. dst_uri may be NULL. */
    int (*msg_branch)(const siphost_msg *msg, uint32_t index, siphost_str *uri, siphost_str *dst_uri);
    /* Empties the destination set. */
    void (*msg_clear_branches)(siphost_msg *msg);

    /* ---- added in 1.1: AVPs ---- */

    /* Replaces the index-th value (0 = the most recently added) of AVP name in place (strings are copied),
     * as `$avp(x)[n] = v` does. Returns 0, or -1 when there is no such value or value is NULL. */
    int (*avp_set)(siphost_avp_list *list, siphost_str name, uint32_t index, const siphost_value *value);

    void *reserved[11];
} siphost_host_api;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_MODULE_H */
