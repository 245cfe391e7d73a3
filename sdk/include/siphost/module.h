/*
 * siphost module ABI, major version 1 (final: frozen at 1.0; later minors only append).
 *
 * This header is the whole contract between the siphost host and a module. A module is a shared object that
 * exports one function, siphost_module_v1(), returning a constant descriptor: the module's name, its tables of
 * script commands, modparam parameters, pseudo-variables, event routes and RPC commands, the modules it needs,
 * and its lifecycle hooks. At init the host hands the module a table of host functions and a handle that names
 * the module; the module reaches the host through that table only and links against nothing of the host.
 * docs/abi.md is the long form of these rules, with the versioning policy.
 *
 * Rules of the ABI
 *   - Valid C99 and C++; depends on <stddef.h> and <stdint.h> only. No C++ type and no exception crosses.
 *   - Within major 1 every struct only grows at its end, and every struct that may grow begins with
 *     struct_size, set by whoever fills it, so that the other side can tell which fields exist. A later minor
 *     may also give a meaning to a reserved field or slot (the host table's reserved[] slots take new
 *     functions and sub-tables); a module that requires an older minor leaves those fields zero.
 *   - A later minor may add values to an enum (route types, thread kinds, value kinds, ...): a module treats
 *     a value it does not know as "not mine" (a thread kind: initialise as for any thread; a value kind:
 *     as NULL), never as an error that stops the host.
 *   - Arrays a module passes to the host (descriptor tables, the siphost_contact array of parse_contacts) are
 *     stepped through by their first entry's struct_size, so either side may be newer.
 *   - Every host function below is tagged with the minor it appeared in ("[1.0]"). A module may call a function
 *     of a later minor than the one it requires only after SIPHOST_HAS() says the host has it.
 *   - A module's abi_minor is the minor it REQUIRES (SIPHOST_REQUIRE_MINOR, by default the minor of the SDK it
 *     was built with). A host runs a module that requires its own minor or an older one; it refuses in words a
 *     module that requires a newer one. A module built with a newer SDK that only calls what an older host has
 *     defines SIPHOST_REQUIRE_MINOR to that older minor before including this header, and loads there.
 *   - Reserved fields and reserved bits must be zero: the loader refuses a descriptor where they are not, so
 *     that a later minor can give them a meaning. Unknown route-type bits are accepted (see siphost_route_type).
 *   - Handles (siphost_msg, siphost_avp_list, siphost_socket, siphost_timer, siphost_pv_spec, siphost_metric,
 *     siphost_rpc_call, siphost_rpc_node, siphost_fd_watch, siphost_module_handle) are opaque.
 *   - Strings are pointer + length (siphost_str) and are not NUL-terminated unless a comment says so.
 *     Descriptor strings (names) are NUL-terminated C strings with static lifetime.
 *   - Return codes of host functions: >= 0 success, < 0 failure, unless documented otherwise.
 *   - Script commands follow Kamailio's rule: a positive result is true, a negative one false, and 0 ends the
 *     script (an implicit exit).
 *   - No host limit is compiled into a module: read it with host->limit() (the number of branches, ...).
 *
 * Lifetimes (what "valid while" means below)
 *   - A string or pointer a host function returns about a message stays valid while that message is, and
 *     until the script or a module changes the part it describes (a header value until that header is removed,
 *     $ru until the Request-URI is set again). The received bytes (msg_raw) never change. Header lookups see
 *     the received headers minus the removed ones, never headers added by msg_add_header.
 *   - A received message is valid during the hook, command, route or callback it is passed to. A message a
 *     module got from msg_clone or msg_parse is valid until it calls msg_free, and the module may use it with
 *     every message function on any thread, one thread at a time (tm runs failure routes on its clones from
 *     the timer thread).
 *   - Strings the host copies in (every setter, msg_add_header, avp_add) may be freed by the caller at once.
 *   - Descriptor tables and everything they point to must stay valid until after destroy.
 *
 * Threads
 *   siphost runs children=N worker threads in one process (not processes, as Kamailio does), so module state
 *   shared between messages must be thread-safe. "Worker thread of msg" means the thread processing msg (a
 *   worker, or the timer thread when tm runs a failure route from a timer); "any thread" means any thread that
 *   the host started or that called into the module from the host. Every thread that may call a module runs
 *   the module's thread_init first. init, the fixups and destroy run on the main thread.
 */
#ifndef SIPHOST_MODULE_H
#define SIPHOST_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIPHOST_ABI_MAJOR 1
#define SIPHOST_ABI_MINOR 8

/* The minor a module requires (its descriptor's abi_minor). Define it before including this header to load on
 * older hosts; then check every later function with SIPHOST_HAS before calling it. */
#ifndef SIPHOST_REQUIRE_MINOR
#define SIPHOST_REQUIRE_MINOR SIPHOST_ABI_MINOR
#endif

/* The name of the exported entry function carries the ABI major so that a module of another major is not
 * mistaken for this one. */
#define SIPHOST_ENTRY_SYMBOL "siphost_module_v1"

#if defined(_WIN32)
#define SIPHOST_EXPORT __declspec(dllexport)
#else
#define SIPHOST_EXPORT __attribute__((visibility("default")))
#endif

/* True when a struct that begins with struct_size, of type `type`, is large enough to hold `field` and the
 * field is set: SIPHOST_HAS(siphost_host_api, host, log). Fields of the minor a module requires are always
 * present; check anything later with this before calling it. */
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

typedef struct siphost_msg siphost_msg;                     /* one SIP message being processed */
typedef struct siphost_avp_list siphost_avp_list;           /* a list of AVPs (Kamailio's attribute-value pairs) */
typedef struct siphost_socket siphost_socket;               /* a listening socket of the host */
typedef struct siphost_timer siphost_timer;                 /* a one-shot timer a module started */
typedef struct siphost_pv_spec siphost_pv_spec;             /* a parsed pseudo-variable, e.g. "$hdr(From)" */
typedef struct siphost_module_handle siphost_module_handle; /* names the calling module to the host */

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

/* Route block types: where a command may be called. A command's route_types is a bitwise OR of these.
 * SIPHOST_ROUTE_ANY sets every bit, so it also covers route types that later minors add; the loader accepts
 * bits it does not know (a command built for a newer host simply cannot be called from those blocks here). */
enum siphost_route_type {
    SIPHOST_ROUTE_REQUEST = 1u << 0,        /* request_route, route[X] reached from it */
    SIPHOST_ROUTE_FAILURE = 1u << 1,        /* failure_route[X] */
    SIPHOST_ROUTE_TM_ONREPLY = 1u << 2,     /* onreply_route[X] armed by t_on_reply */
    SIPHOST_ROUTE_BRANCH = 1u << 3,         /* branch_route[X] */
    SIPHOST_ROUTE_ONSEND = 1u << 4,         /* onsend_route */
    SIPHOST_ROUTE_ERROR = 1u << 5,          /* error_route */
    SIPHOST_ROUTE_LOCAL = 1u << 6,          /* local_route */
    SIPHOST_ROUTE_CORE_ONREPLY = 1u << 7,   /* onreply_route, reply_route, onreply_route[0] */
    SIPHOST_ROUTE_BRANCH_FAILURE = 1u << 8, /* event_route[tm:branch-failure:X] (an event a module declares) */
    SIPHOST_ROUTE_EVENT = 1u << 9           /* event_route[module:name] */
};
#define SIPHOST_ROUTE_ANY 0xffffffffu /* every route type, today's and later minors' */

/* A value passed across the ABI: a command argument, a pseudo-variable, an AVP value or an RPC parameter. */
enum siphost_value_kind {
    SIPHOST_VALUE_NULL = 0, /* prints as "<null>" */
    SIPHOST_VALUE_INT = 1,
    SIPHOST_VALUE_STR = 2
};

typedef struct siphost_value {
    uint32_t kind; /* enum siphost_value_kind */
    uint32_t reserved; /* zero */
    int64_t num;     /* SIPHOST_VALUE_INT; for a SIPHOST_ARG_ROUTE argument, the route's id */
    siphost_str str; /* SIPHOST_VALUE_STR; for a SIPHOST_ARG_ROUTE argument, the route's name */
} siphost_value;

/* Transport protocols, with Kamailio's numbers. */
enum siphost_proto {
    SIPHOST_PROTO_NONE = 0, /* not known yet: the host picks (from the URI's transport, or UDP) */
    SIPHOST_PROTO_UDP = 1,
    SIPHOST_PROTO_TCP = 2,
    SIPHOST_PROTO_TLS = 3,
    SIPHOST_PROTO_SCTP = 4,
    SIPHOST_PROTO_WS = 5,
    SIPHOST_PROTO_WSS = 6
};

/* How a destination may be reached. */
enum siphost_dest_flags {
    SIPHOST_DEST_NO_CONNECT = 1u << 0, /* only over a connection already open (set_forward_no_connect) */
    SIPHOST_DEST_CLOSE = 1u << 1       /* [1.4] close the connection once this is written (set_forward_close) */
};

/* [1.5] What conn_state says of a connection id. */
enum siphost_conn_state {
    SIPHOST_CONN_NONE = 0,      /* no connection is open by that id (never was, or closed) */
    SIPHOST_CONN_OPEN = 1,      /* open: accepted, or opened and connected */
    SIPHOST_CONN_CONNECTING = 2 /* opened by the host and still connecting */
};

/* Where a message goes or came from, on any transport: the peer's address and port, the protocol, the
 * connection of a connection-oriented transport (0: none, or open one as needed), and the local socket.
 * Fill struct_size before passing one to the host; the host fills the rest. UDP needs no connection. */
typedef struct siphost_dest {
    size_t struct_size;      /* sizeof(siphost_dest) as compiled by whoever fills it */
    uint8_t proto;           /* enum siphost_proto */
    uint8_t family;          /* 4 or 6 */
    uint16_t port;           /* host byte order */
    uint8_t ip[16];          /* network byte order; IPv4 uses the first 4 bytes */
    uint32_t flags;          /* enum siphost_dest_flags */
    uint64_t conn_id;        /* the connection (TCP, TLS, WS, WSS) or 0 */
    siphost_socket *socket;  /* the local socket to send from; NULL: the host picks one */
    void *reserved[2];       /* zero */
} siphost_dest;

/* What a listening socket is, for Via, Record-Route and logs. Strings live as long as the host runs. */
typedef struct siphost_socket_info {
    size_t struct_size;
    siphost_str host;      /* what goes into Via and Record-Route (the advertised or bound address; an IPv6
                              address without brackets) */
    uint16_t port;
    uint8_t proto;         /* enum siphost_proto */
    uint8_t family;        /* 4 or 6 */
    uint32_t index;        /* position among the host's listen addresses */
    siphost_str name;      /* "udp:127.0.0.1:5060", as Kamailio prints a socket */
    void *reserved[2];
} siphost_socket_info;

/* ------------------------------------------------------------------------------------------------------ */
/* What a module declares                                                                                  */
/* ------------------------------------------------------------------------------------------------------ */

#define SIPHOST_MAX_ARGS 6 /* a layout constant of siphost_command, not a host limit */

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
     * arg_route_types[i]. "0" or "" names no route: num is -1. */
    SIPHOST_ARG_ROUTE = 3,
    /* The name of a pseudo-variable, parsed when the config is read (e.g. a destination to write). The fixup
     * receives the text and may call pv_parse on it; the handler receives SIPHOST_VALUE_STR with the text. */
    SIPHOST_ARG_PVAR = 4
};

/* The handler of a script command.
 *   msg       the message the script runs on (a request, or a reply in reply routes). Valid during the call.
 *   args      arg_count evaluated arguments; strings are valid until the handler returns.
 *   call_data what this call site's fixup stored, or NULL without a fixup.
 * Returns >0 true, <0 false, 0 to end the script. Worker thread of msg. Must not throw or longjmp out. */
typedef int (*siphost_command_fn)(siphost_msg *msg, const siphost_value *args, void *call_data);

/* Optional: prepares one call site when the config is read (compile a regex, split "INVITE|BYE", check a
 * constant, parse a pseudo-variable). Fixups run after the module's init, so the host table is usable.
 * constant[i] is nonzero when args[i] is known at load time (then args[i] holds it). Store what the handler
 * needs in *call_data. Returns 0, or -1 with a one-line reason written to err (NUL-terminated, at most
 * err_size bytes), which the host reports at the call's location in the config. Main thread. */
typedef int (*siphost_fixup_fn)(const siphost_value *args, const int *constant, void **call_data, char *err,
                                size_t err_size);
/* Frees what a fixup stored, once no thread can run that call site any more: at shutdown, or after a reload
 * replaced the script the call site belongs to and every message running on the old script has finished. */
typedef void (*siphost_fixup_free_fn)(void *call_data);

typedef struct siphost_command {
    size_t struct_size; /* sizeof(siphost_command) as compiled by the module */
    const char *name;   /* script name, e.g. "t_relay"; NULL ends the table */
    uint32_t arg_count; /* 0 .. SIPHOST_MAX_ARGS; declare one entry per overload (same name, other count) */
    uint32_t route_types;                     /* enum siphost_route_type bits where the call is allowed */
    uint8_t arg_kinds[SIPHOST_MAX_ARGS];      /* enum siphost_arg_kind, the first arg_count are used */
    uint8_t reserved_kinds[2];                /* zero */
    uint32_t arg_route_types[SIPHOST_MAX_ARGS]; /* for SIPHOST_ARG_ROUTE: the one block type the name names */
    siphost_command_fn handler;
    siphost_fixup_fn fixup;           /* may be NULL */
    siphost_fixup_free_fn fixup_free; /* may be NULL */
    const char *doc;                  /* one line for --module-info; may be NULL */
    void *reserved[4];                /* zero */
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
    uint32_t reserved_flags; /* zero */
    /* How the value is delivered, one of:
     *   setter != NULL: the setter is called for every modparam of this name;
     *   else target: SIPHOST_PARAM_INT writes an int32_t at target (out-of-range values are refused);
     *   SIPHOST_PARAM_STRING writes a const char * at target, pointing at a NUL-terminated copy owned by the
     *   host that lives until after the module's destroy hook. */
    void *target;
    siphost_param_setter_fn setter;
    const char *doc;
    void *reserved[2]; /* zero */
} siphost_param;

enum siphost_pv_flags {
    SIPHOST_PV_NAME_NONE = 0,           /* "$rm": no inner name */
    SIPHOST_PV_NAME_REQUIRED = 1u << 0, /* "$hdr(Name)": an inner name is required */
    SIPHOST_PV_NAME_OPTIONAL = 1u << 1  /* both forms */
};

#define SIPHOST_PV_NO_INDEX INT32_MIN  /* no [n] was written */
#define SIPHOST_PV_ALL_INDEX INT32_MAX /* [*] was written */

/* Optional: parses the inner name of "$name(inner)" when the config is read (after init). Returns 0 and
 * stores what the getter needs in *pv_data, or -1 with a reason in err. Main thread. */
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
    uint32_t reserved_flags; /* zero */
    siphost_pv_parse_fn parse_name;   /* may be NULL: pv_data is then NULL */
    siphost_pv_get_fn get;
    siphost_pv_set_fn set;            /* NULL: read-only */
    void (*free_data)(void *pv_data); /* may be NULL; called as fixup_free is */
    const char *doc;
    void *reserved[2]; /* zero */
} siphost_pv;

/* An event route a module raises: the config may then have event_route[name] (or event_route[name:X] for
 * events armed by name, like tm's branch-failure), and the host checks the calls in that block against
 * route_type. Run it with the events sub-table. */
typedef struct siphost_event {
    size_t struct_size;
    const char *name;    /* "module:event", e.g. "tm:branch-failure"; NULL ends the table */
    uint32_t route_type; /* the one SIPHOST_ROUTE_* bit its block runs as: SIPHOST_ROUTE_EVENT, or
                            SIPHOST_ROUTE_BRANCH_FAILURE for tm's branch-failure */
    uint32_t flags;      /* enum siphost_event_flags */
    const char *doc;
    void *reserved[2];   /* zero */
} siphost_event;

enum siphost_event_flags {
    SIPHOST_EVENT_NAMED = 1u << 0 /* the block is written event_route[name:X] and armed by X */
};

/* An RPC (control) command, as Kamailio's rpc_export: called by the control transports (kamcmd, JSON-RPC) and
 * in-process. The handler reads its parameters and builds its reply through the rpc sub-table; it runs on the
 * thread that serves the control request (any thread) and must be thread-safe. */
typedef struct siphost_rpc_call siphost_rpc_call; /* one call in progress */
typedef struct siphost_rpc_node siphost_rpc_node; /* a list, struct or array of the reply being built */
typedef void (*siphost_rpc_fn)(siphost_rpc_call *call);

enum siphost_rpc_flags {
    SIPHOST_RPC_RETURNS_ARRAY = 1u << 0 /* the reply's top level is one array (Kamailio's RET_ARRAY) */
};

typedef struct siphost_rpc_command {
    size_t struct_size;
    const char *name;      /* "tm.stats": module.command; NULL ends the table */
    siphost_rpc_fn handler;
    const char *doc;       /* system.methodHelp */
    const char *signature; /* parameter types, Kamailio's letters ("s", "sd"): system.methodSignature; may be NULL */
    uint32_t flags;        /* enum siphost_rpc_flags */
    uint32_t reserved_flags; /* zero */
    void *reserved[2];     /* zero */
} siphost_rpc_command;

/* Kinds of thread a module is called on (thread_init). */
enum siphost_thread_kind {
    SIPHOST_THREAD_WORKER = 1, /* a SIP worker; index 0 .. children-1 */
    SIPHOST_THREAD_TIMER = 2,  /* the fast timer thread (periodic timers: tm's tick); index 0 */
    SIPHOST_THREAD_ASYNC = 3,  /* the slow timer thread (one-shot and slow timers, watched descriptors) */
    SIPHOST_THREAD_CONTROL = 4 /* a thread serving control requests (RPC) */
};

struct siphost_host_api;

/* The descriptor a module's entry function returns. It must stay valid while the module is loaded. */
typedef struct siphost_module {
    size_t struct_size; /* sizeof(siphost_module) as compiled by the module */
    uint32_t abi_major; /* SIPHOST_ABI_MAJOR */
    uint32_t abi_minor; /* the minor the module requires: SIPHOST_REQUIRE_MINOR */
    const char *name;   /* "tm": letters, digits, '_' */
    const char *version;
    const siphost_command *commands; /* each table is an array ended by an entry whose name is NULL; */
    const siphost_param *params;     /* the host steps through it by the first entry's struct_size. */
    const siphost_pv *pvs;           /* Any table may be NULL. */
    const siphost_event *events;
    const siphost_rpc_command *rpcs;
    /* The modules this one needs loaded before it (by name, "sl", "tm"), NULL-terminated; may be NULL. The host
     * refuses, at siphost -c too, a config that does not load them before this module. */
    const char *const *depends;
    /* Called once after every loadmodule and modparam, in load order, before the script's fixups, on the main
     * thread. host and self stay valid until after destroy; self names this module in calls that ask for it.
     * Returns 0, or -1 with the reason in err (the host refuses to start and prints it). May be NULL. */
    int (*init)(const struct siphost_host_api *host, siphost_module_handle *self, char *err, size_t err_size);
    /* Called on every thread the host may call the module on, before the first such call (kind is enum
     * siphost_thread_kind; index the worker's 0 .. children-1, else 0). Returns 0, or -1 to stop the host.
     * May be NULL. */
    int (*thread_init)(int kind, int index);
    /* Called on the main thread after a reloaded routing script replaced the running one (route ids stay
     * valid; see route_lookup). May be NULL. */
    void (*on_reload)(void);
    /* Called once at shutdown, in reverse load order, on the main thread, after every other thread stopped.
     * May be NULL. */
    void (*destroy)(void);
    void *reserved[6]; /* zero */
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
    SIPHOST_ROUTE_RAN = 1,        /* the route ended normally (return, end of block) */
    SIPHOST_ROUTE_EXITED = 0,     /* exit, or a command returned 0 */
    SIPHOST_ROUTE_DROPPED = -1,   /* drop */
    SIPHOST_ROUTE_NOT_FOUND = -2  /* the running script has no block for this id (after a reload) */
};

/* [1.7] What send_request returns when the script's onsend_route dropped the message. */
#define SIPHOST_SEND_DROPPED 1

/* Host limits, read with host->limit(). */
enum siphost_limit {
    SIPHOST_LIMIT_BRANCHES = 1,    /* the most branches of one relay, the Request-URI's included */
    SIPHOST_LIMIT_MESSAGE_SIZE = 2 /* the largest message the host builds or receives, in bytes */
};

typedef int (*siphost_message_hook_fn)(siphost_msg *msg, void *hook_data);
typedef void (*siphost_timer_fn)(uint64_t now_ms, void *timer_data);

struct siphost_msgctx_api;
struct siphost_sip_api;
struct siphost_async_api;
struct siphost_metrics_api;
struct siphost_metric_info;
struct siphost_rpc_api;
struct siphost_events_api;

/* The table of host functions handed to init. The core functions come first; each capability beyond them is
 * a sub-table of its own, reached from one field, with its own struct_size, so that capabilities grow without
 * crowding each other. Fields are only ever appended. */
typedef struct siphost_host_api {
    size_t struct_size; /* sizeof as compiled by the host */
    uint32_t abi_major;
    uint32_t abi_minor; /* the host's minor */

    /* ---- logging (any thread) ---- */

    /* [1.0] Logs one line at a Kamailio level, as "<module>: text" in the host's log format; with self NULL the
     * text stands alone, as the script's own lines do (xlog writes "<script>: " itself). */
    void (*log)(siphost_module_handle *self, int level, siphost_str text);
    /* [1.0] Nonzero when a line at this level would be written (so a module can skip formatting). */
    int (*log_enabled)(int level);

    /* ---- message access (worker thread of msg; results valid while msg is, see Lifetimes) ---- */

    /* [1.0] */
    int (*msg_is_request)(const siphost_msg *msg);
    /* [1.0] Request method; for a reply, the CSeq method (as Kamailio's $rm). */
    siphost_str (*msg_method)(const siphost_msg *msg);
    /* [1.0] Reply status code, or 0 for a request. */
    int (*msg_status)(const siphost_msg *msg);
    /* [1.0] */
    siphost_str (*msg_reason)(const siphost_msg *msg);
    /* [1.0] The Request-URI as the script sees it now (after set_ruri); empty for a reply. */
    siphost_str (*msg_ruri)(const siphost_msg *msg);
    /* [1.0] The received Request-URI, unchanged by the script. */
    siphost_str (*msg_original_ruri)(const siphost_msg *msg);
    /* [1.0] The destination URI ($du) or empty. */
    siphost_str (*msg_dst_uri)(const siphost_msg *msg);
    /* [1.0] The index-th value of header `name` (full or compact form, any case; comma-separated values count
     * one each for headers whose grammar allows lists, like Via and Route; otherwise one per line). Returns 1
     * and sets *value (trimmed) when there is one, 0 when not. Sees the headers as received, as Kamailio's
     * lookups do: those msg_remove_header removed too (until msgctx->apply_changes), those msg_add_header
     * added not. */
    int (*msg_header)(const siphost_msg *msg, siphost_str name, uint32_t index, siphost_str *value);
    /* [1.0] The i-th header line as received (removed ones included, added ones not): returns 1 with name and
     * value set, 0 past the end. */
    int (*msg_header_at)(const siphost_msg *msg, size_t i, siphost_str *name, siphost_str *value);
    /* [1.0] */
    siphost_str (*msg_body)(const siphost_msg *msg);
    /* [1.0] */
    siphost_str (*msg_call_id)(const siphost_msg *msg);
    /* [1.0] CSeq number and method. Returns 0, or -1 when the header is missing or broken. */
    int (*msg_cseq)(const siphost_msg *msg, uint32_t *number, siphost_str *method);
    /* [1.0] The From and To URIs and tags (empty when absent). */
    siphost_str (*msg_from_uri)(const siphost_msg *msg);
    /* [1.0] */
    siphost_str (*msg_from_tag)(const siphost_msg *msg);
    /* [1.0] */
    siphost_str (*msg_to_uri)(const siphost_msg *msg);
    /* [1.0] */
    siphost_str (*msg_to_tag)(const siphost_msg *msg);
    /* [1.0] The index-th Via value (0 is the top one): its branch parameter, or empty. */
    siphost_str (*msg_via_branch)(const siphost_msg *msg, uint32_t index);
    /* [1.0] The index-th Via's sent-by host (IPv6 without brackets) and port (0 when absent). Returns 0 or -1. */
    int (*msg_via_sent_by)(const siphost_msg *msg, uint32_t index, siphost_str *host, uint16_t *port);
    /* [1.0] The number of Via values. */
    uint32_t (*msg_via_count)(const siphost_msg *msg);
    /* [1.0] Where the message came from: the peer, the protocol, the connection and the socket it arrived on.
     * out->struct_size must be set. Returns 0, or -1 for a message the host made (no source). */
    int (*msg_source)(const siphost_msg *msg, siphost_dest *out);
    /* [1.0] The local address it arrived at, as a destination (the socket's address). Returns 0 or -1. */
    int (*msg_destination)(const siphost_msg *msg, siphost_dest *out);
    /* [1.0] The socket it arrived on; NULL for a message the host made (a local reply). */
    siphost_socket *(*msg_socket)(const siphost_msg *msg);
    /* [1.0] The bytes as received. */
    siphost_str (*msg_raw)(const siphost_msg *msg);
    /* [1.0] Script flags (setflag/isflagset), 64 of them. */
    uint64_t (*msg_flags)(const siphost_msg *msg);
    /* [1.0] */
    void (*msg_set_flags)(siphost_msg *msg, uint64_t flags);

    /* ---- message changes (worker thread of msg). Changes are recorded and applied once, when the message is
     * sent (forward, t_relay, reply relay); the received bytes never change. ---- */

    /* [1.0] Adds a whole header line, exactly as given; text must end with CRLF (the host adds it when
     * missing). The text is copied. anchor names a header for SIPHOST_HDR_AFTER/BEFORE and is ignored
     * otherwise. The line has no other effect: a "Max-Forwards:" line is one more header (use
     * msg_set_max_forwards to change the relayed value). */
    int (*msg_add_header)(siphost_msg *msg, siphost_str text, int position, siphost_str anchor);
    /* [1.0] Removes every line of header `name` (index < 0) or the index-th line (counted as received).
     * Returns how many; a line removed already counts again, without a second change. */
    int (*msg_remove_header)(siphost_msg *msg, siphost_str name, int32_t index);
    /* [1.0] Replaces len received bytes at offset (into msg_raw) with text (copied); for subst-style edits.
     * Ranges must not overlap other replacements. Returns 0 or -1. */
    int (*msg_replace)(siphost_msg *msg, size_t offset, size_t len, siphost_str text);
    /* [1.0] Sets the Request-URI ($ru) or the destination URI ($du, empty to clear). The text is copied. */
    int (*msg_set_ruri)(siphost_msg *msg, siphost_str uri);
    /* [1.0] */
    int (*msg_set_dst_uri)(siphost_msg *msg, siphost_str uri);
    /* [1.0] Sets the Max-Forwards value the request is relayed with, instead of the received value minus one
     * (or 70 when there was none); what maxfwd uses to add the header or to lower it to its limit. Returns 0,
     * or -1 for a reply. */
    int (*msg_set_max_forwards)(siphost_msg *msg, uint32_t value);

    /* ---- messages owned by a module (any thread, but one thread at a time per message) ---- */

    /* [1.0] A copy of msg with its recorded changes, flags, $du and message id, without its AVP list, its
     * destination set and its per-message slots; owned by the caller until msg_free. How tm keeps a
     * transaction's request and runs failure and branch routes on it. NULL on no memory. */
    siphost_msg *(*msg_clone)(const siphost_msg *msg);
    /* [1.0] Parses bytes (copied) as if received from src (may be NULL): its address, protocol, connection, and
     * src->socket as the socket it arrived on. NULL when not valid SIP. */
    siphost_msg *(*msg_parse)(siphost_str bytes, const siphost_dest *src);
    /* [1.0] */
    void (*msg_free)(siphost_msg *msg);

    /* ---- building and sending (worker, timer or async thread) ---- */

    /* [1.0] Resolves a URI ("sip:host:port;transport=tcp") or a host and port (port 0: from the URI or the
     * protocol's default) to a destination through the host's DNS cache: address, protocol (the URI's
     * transport, else out->proto when set, else UDP) and the local socket to send from. out->struct_size must
     * be set. Returns 0 or -1. */
    int (*resolve)(siphost_str uri_or_host, uint16_t port, siphost_dest *out);
    /* [1.0] The next hop of a request as forward() sees it: $du, else the first Route when loose routing, else
     * the Request-URI. Writes the URI used to *hop (valid while msg is). Returns 0 or -1. */
    int (*msg_next_hop)(const siphost_msg *msg, siphost_str *hop);
    /* [1.0] Builds the request to relay: the received request with its recorded changes, a new top Via from
     * the socket `from` (its address, port and transport) with the given branch (including the z9hG4bK
     * cookie), and Max-Forwards decremented (added as 70 when missing) unless msg_set_max_forwards set it.
     * Writes at most cap bytes into buf and the length to *len. Returns 0, or -1 when it does not fit (*len
     * then holds the size needed) or the message is not a request. */
    int (*build_request)(const siphost_msg *msg, const siphost_socket *from, siphost_str branch, char *buf,
                         size_t cap, size_t *len);
    /* [1.0] Builds a reply to relay upstream: the received reply without its top Via, with its recorded
     * changes. Returns 0 or -1 as build_request. */
    int (*build_relayed_reply)(const siphost_msg *reply, char *buf, size_t cap, size_t *len);
    /* [1.0] Builds a reply to the request msg per RFC 3261 8.2.6: Vias, From, To (adding to_tag when not empty
     * and the To has none), Call-ID and CSeq copied; then the reply headers the script queued on msg
     * (msgctx->add_reply_header), extra_headers (whole lines with CRLF) and body with a matching
     * Content-Length. An empty reason gets the code's standard phrase. Returns 0 or -1 as build_request. */
    int (*build_reply)(const siphost_msg *request, int code, siphost_str reason, siphost_str to_tag,
                       siphost_str extra_headers, siphost_str body, char *buf, size_t cap, size_t *len);
    /* [1.0] Where a reply to request msg goes (RFC 3261 18.2.2 and RFC 3581: back over the connection it came
     * on; else to the source address with the port of rport or the sent-by), and the socket to send it from.
     * out->struct_size must be set. Returns 0 or -1. */
    int (*reply_destination)(const siphost_msg *request, siphost_dest *out);
    /* [1.0] Sends bytes to dst on dst->proto (over dst->conn_id when set, else over a connection to the address,
     * opened unless SIPHOST_DEST_NO_CONNECT), from dst->socket (NULL: one matching the family and protocol).
     * Returns 0 or -1. */
    int (*send)(const siphost_dest *dst, siphost_str bytes);
    /* [1.0] A stateless reply: build_reply sent to reply_destination. Returns 0 or -1. */
    int (*send_stateless_reply)(siphost_msg *request, int code, siphost_str reason, siphost_str to_tag,
                                siphost_str extra_headers);
    /* [1.0] What a socket is (out->struct_size must be set). Any thread. Returns 0 or -1. */
    int (*socket_info)(const siphost_socket *sock, siphost_socket_info *out);
    /* [1.0] Nonzero when host:port (port 0: any) names this server (a listening address or an alias). */
    int (*is_myself)(siphost_str host, uint16_t port);

    /* ---- the script ---- */

    /* [1.0] The id of a route block by type (one SIPHOST_ROUTE_* bit) and name, or -1 when the script has no
     * such block. From init on (before the script is compiled it answers from the blocks the config has). An
     * id keeps naming the same (type, name) for the life of the process: after a reload,
     * route_run(id) runs the new script's block of that type and name (or returns SIPHOST_ROUTE_NOT_FOUND). */
    int (*route_lookup)(uint32_t route_type, siphost_str name);
    /* [1.0] Runs a route block on msg, with msg's current AVP list. msg NULL runs it on an empty local request
     * (event routes without a message). Returns enum siphost_route_result. Any thread that is not already
     * running a route on msg. */
    int (*route_run)(int route_id, siphost_msg *msg);
    /* [1.0] Parses a pseudo-variable ("$avp(x)", "$hdr(Via)[1]") for later use: from the fixups on (init runs
     * before the script is compiled, and $var names belong to it). NULL with a reason in err. The spec is the
     * caller's until pv_free. */
    siphost_pv_spec *(*pv_parse)(siphost_str text, char *err, size_t err_size);
    /* [1.0] Gets a value; strings stay valid until the next pv_get on this thread or until msg is released. */
    int (*pv_get)(const siphost_pv_spec *pv, siphost_msg *msg, siphost_value *out);
    /* [1.0] Sets a value as an assignment in the script does (kind NULL deletes). Returns 0 or -1. */
    int (*pv_set)(const siphost_pv_spec *pv, siphost_msg *msg, const siphost_value *value);
    /* [1.0] */
    void (*pv_free)(siphost_pv_spec *pv);

    /* ---- AVPs ---- */

    /* [1.0] A new empty list owned by the caller (free it with avp_list_free unless attached to a message). */
    siphost_avp_list *(*avp_list_new)(void);
    /* [1.0] */
    void (*avp_list_free)(siphost_avp_list *list);
    /* [1.0] Swaps msg's AVP list with `list` and returns the previous one, which the caller now owns; msg owns
     * `list` and frees it with the message unless it is swapped out again. How tm moves AVPs into a
     * transaction (swap in an empty list, keep the old one) and makes them current in reply routes. */
    siphost_avp_list *(*msg_swap_avps)(siphost_msg *msg, siphost_avp_list *list);
    /* [1.0] The current list of msg. */
    siphost_avp_list *(*msg_avps)(siphost_msg *msg);
    /* [1.0] The index-th value (0 = the most recently added) of AVP name. Returns 1 found, 0 not. Strings stay
     * valid while that value is in the list. */
    int (*avp_get)(const siphost_avp_list *list, siphost_str name, uint32_t index, siphost_value *out);
    /* [1.0] Adds a value on top of AVP name (strings are copied). Returns 0 or -1. */
    int (*avp_add)(siphost_avp_list *list, siphost_str name, const siphost_value *value);
    /* [1.0] Replaces the index-th value in place (strings are copied), as `$avp(x)[n] = v` does. Returns 0, or
     * -1 when there is no such value. */
    int (*avp_set)(siphost_avp_list *list, siphost_str name, uint32_t index, const siphost_value *value);
    /* [1.0] Deletes the index-th value of AVP name, or all of them for index < 0. Returns how many. */
    int (*avp_delete)(siphost_avp_list *list, siphost_str name, int32_t index);

    /* ---- hooks (register during init only) ---- */

    /* [1.0] Called for every received request, before or after request_route. A pre-script hook returning
     * SIPHOST_HOOK_CONSUMED stops the message there. Worker thread. Returns 0 or -1. */
    int (*register_request_hook)(int when, siphost_message_hook_fn fn, void *hook_data);
    /* [1.0] Called for every received reply: pre-script hooks before the core onreply_route, post-script hooks
     * after it; a hook returning SIPHOST_HOOK_CONSUMED took the reply and the host does not relay it. */
    int (*register_reply_hook)(int when, siphost_message_hook_fn fn, void *hook_data);

    /* ---- APIs between modules (any thread); their tables are SDK headers under siphost/api/ ---- */

    /* [1.0] Publishes a table of functions under a name and major version (e.g. "sl", 1). The table must live
     * until the module's destroy. Register during init. Returns 0, or -1 when the name and major are taken. */
    int (*api_export)(siphost_module_handle *self, const char *name, uint32_t major, const void *api);
    /* [1.0] The table published under name and major, or NULL. Call during init or later (modules initialise
     * in load order: look up a module loaded earlier at init, a later one at first use). */
    const void *(*api_lookup)(const char *name, uint32_t major);

    /* ---- the process (any thread) ---- */

    /* [1.0] The number of worker threads, and the calling worker's index (-1 on a thread that is not one). */
    int (*worker_count)(void);
    /* [1.0] */
    int (*worker_index)(void);
    /* [1.0] A host limit (enum siphost_limit), or -1 for one this host does not know. */
    int64_t (*limit)(uint32_t which);
    /* [1.0] The monotonic clock in milliseconds. */
    uint64_t (*now_ms)(void);

    /* ---- capabilities, each a sub-table with its own struct_size (never NULL in this host) ---- */

    const struct siphost_msgctx_api *msgctx;   /* [1.0] per-message context */
    const struct siphost_sip_api *sip;         /* [1.0] the SIP toolkit: URIs, name-addr, Contact, digest */
    const struct siphost_async_api *async;     /* [1.0] timers, tasks on workers, watched descriptors */
    const struct siphost_metrics_api *metrics; /* [1.0] counters and gauges */
    const struct siphost_rpc_api *rpc;         /* [1.0] building RPC replies */
    const struct siphost_events_api *events;   /* [1.0] running declared event routes */

    /* ---- the core's run-time settings: Kamailio's cfg group "core", for cfg_rpc (any thread) ---- */

    /* [1.2] The index-th setting (0, 1, ...): its name, a one-line doc and whether it can be changed while
     * running (*writable 1). Returns 0, or -1 past the end. The strings live as long as the process. */
    int (*core_setting_at)(uint32_t index, siphost_str *name, siphost_str *doc, int *writable);
    /* [1.2] A setting's value, SIPHOST_VALUE_INT or SIPHOST_VALUE_STR in kind (a string stays valid until the next call
     * on this thread). Returns 0, or -1 for a name the core does not have. */
    int (*core_setting_get)(siphost_str name, siphost_value *out);
    /* [1.2] Changes a writable setting for every thread, from now on. Returns 0, or -1 with a reason in err
     * (unknown name, read-only, a value of the wrong type or out of range). */
    int (*core_setting_set)(siphost_str name, const siphost_value *value, char *err, size_t err_size);

    /* ---- [1.3] reading every metric, for statistics readers and Prometheus (any thread) ---- */

    /* [1.3] Calls fn once for every series of every metric (the core's and each module's), sorted by group,
     * name and label values, with a snapshot of its value; stops early when fn returns nonzero. The strings in
     * *info are valid during the call only. fn must not register metrics. Returns the number of series
     * visited. */
    int (*metric_walk)(int (*fn)(const struct siphost_metric_info *info, void *visit_data), void *visit_data);

    /* ---- [1.4] the socket the script chose (worker thread of msg) ---- */

    /* [1.4] The local socket force_send_socket() chose for relaying the request msg (a clone keeps it), or
     * NULL when the host chooses by destination. A relay passes it in siphost_dest.socket to resolve(), which
     * keeps it when its protocol is the destination's; with no transport given, the socket's is used. */
    siphost_socket *(*msg_send_socket)(const siphost_msg *msg);

    /* ---- [1.5] connections by id ($conid, siphost_dest.conn_id) of TCP, TLS, WS and WSS, for tcpops (any
     * thread). What a setter changes is applied on the connection's own thread, at once when that is the
     * caller's (a message's own connection), else just after; a connection that closes in between ignores
     * it. ---- */

    /* [1.5] The state of connection conn_id: enum siphost_conn_state. */
    int (*conn_state)(uint64_t conn_id);
    /* [1.5] The id of an open connection to to's address and port (its peer, or a port the peer aliased), the
     * lowest when several; to->proto and to->socket are not compared. Returns 0 with *conn_id set, or -1. */
    int (*conn_find)(const siphost_dest *to, uint64_t *conn_id);
    /* [1.5] From now on connection conn_id closes after `seconds` without traffic, counted from now, instead of
     * tcp_connection_lifetime (the tls module's connection_timeout); 0 closes it once idle. Returns 0, or -1
     * when it is not open. */
    int (*conn_set_lifetime)(uint64_t conn_id, uint32_t seconds);
    /* [1.5] TCP keepalive on connection conn_id: enable 0 turns it off; else probes begin after idle seconds
     * without traffic, every interval seconds, and count unanswered ones close it (a 0 keeps the system's
     * value). Returns 0, or -1 when it is not open (an option the system refuses is logged). */
    int (*conn_set_keepalive)(uint64_t conn_id, int enable, uint32_t idle, uint32_t count, uint32_t interval);
    /* [1.5] Closes connection conn_id (what is queued is dropped). Returns 0, or -1 when it is not open. */
    int (*conn_close)(uint64_t conn_id);

    /* [1.6] The local socket a name gives: "[proto:]address[:port]" as listen= and force_send_socket() take
     * it ("udp:127.0.0.1:5060"; a missing proto or port matches any), or NULL when this server has no such
     * socket. For registrar's xavp_cfg socket and contacts that name theirs. Any thread. */
    siphost_socket *(*socket_find)(siphost_str name);

    /* [1.6] Sets the local socket msg_send_socket returns for the request msg (what force_send_socket() sets),
     * or clears it with NULL so that the host chooses by destination. Worker thread of msg. Returns 0, or -1
     * for a reply. */
    int (*msg_set_send_socket)(siphost_msg *msg, siphost_socket *socket);

    /* [1.7] Sends the request bytes built from msg (dst as for send) after the script's onsend_route, when it
     * has one, ran on msg with the send information ($snd(...), snd_ip, to_port, ...). How a module sends the
     * first copy of a request it relays (tm's branches) and a reply it relays (msg the received reply: the route
     * runs only with onsend_route_reply=yes), as Kamailio runs onsend_route for those; retransmissions and
     * messages a module makes itself go through send. Worker thread of msg. Returns 0 when sent,
     * SIPHOST_SEND_DROPPED when onsend_route dropped it (nothing was sent), or -1. */
    int (*send_request)(siphost_msg *msg, const siphost_dest *dst, siphost_str bytes);

    void *reserved[3]; /* NULL; later minors take these slots, so the table's size stays */
} siphost_host_api;

/* ------------------------------------------------------------------------------------------------------ */
/* Message context: what a message carries besides its bytes (worker thread of msg)                        */
/* ------------------------------------------------------------------------------------------------------ */

enum siphost_branch_flags_bits {
    SIPHOST_BRANCH_Q_SET = 1u << 0 /* siphost_branch.q holds a value */
};

/* One target of a message's destination set (Kamailio's branch: append_branch, lookup's contacts). Strings are
 * copied in by append_branch; the views branch_at writes are valid until the set changes. */
typedef struct siphost_branch {
    size_t struct_size;
    siphost_str uri;      /* the branch's Request-URI (required) */
    siphost_str dst_uri;  /* where to send it; empty: the next hop of uri */
    siphost_str path;     /* a Path header value to turn into Route headers (RFC 3327); may be empty */
    siphost_str instance; /* +sip.instance of the contact (RFC 5626); may be empty */
    siphost_str ruid;     /* usrloc's record id; may be empty */
    int32_t q;            /* 0 .. 1000 with SIPHOST_BRANCH_Q_SET */
    uint32_t info;        /* enum siphost_branch_flags_bits */
    uint64_t flags;       /* branch flags (setbflag) */
    siphost_socket *socket; /* the socket to send from (force_send_socket); NULL: any */
    uint32_t reg_id;      /* reg-id of the contact (RFC 5626); 0: none */
    uint32_t reserved32;  /* zero */
    void *reserved[2];    /* zero */
} siphost_branch;

typedef struct siphost_msgctx_api {
    size_t struct_size;

    /* [1.0] A number that names this message for the life of the process (clones keep their original's).
     * Any thread that holds the message. */
    uint64_t (*msg_id)(const siphost_msg *msg);

    /* [1.0] Reserves a per-message slot for the calling module (during init): a pointer each message carries,
     * NULL until set. destroy (may be NULL) is called with the value when the message is released or the
     * value replaced. Returns the slot number, or -1. */
    int (*slot_register)(siphost_module_handle *self, void (*destroy)(void *value));
    /* [1.0] The value of a slot on msg, or NULL. */
    void *(*slot_get)(const siphost_msg *msg, int slot);
    /* [1.0] Sets a slot's value (the previous one is destroyed). Returns 0 or -1 (no such slot). */
    int (*slot_set)(siphost_msg *msg, int slot, void *value);

    /* [1.0] The type of the route running on msg now (one SIPHOST_ROUTE_* bit), or 0 outside the script. */
    uint32_t (*route_type)(const siphost_msg *msg);

    /* [1.0] Records the last internal error about msg (a reply code and reason, as Kamailio's ser_error for
     * sl_reply_error); code 0 clears it. The reason is copied. */
    void (*set_error)(siphost_msg *msg, int code, siphost_str reason);
    /* [1.0] The last internal error's code (0: none); *reason (reason may be NULL) gets its text, empty when
     * there is none. */
    int (*last_error)(const siphost_msg *msg, siphost_str *reason);

    /* [1.0] Queues a header line (CRLF added when missing) for the next reply the host builds to the request
     * msg (append_to_reply, auth challenges): build_reply and send_stateless_reply include it. Copied.
     * Returns 0 or -1. */
    int (*add_reply_header)(siphost_msg *msg, siphost_str line);
    /* [1.0] The queued lines, concatenated (empty when none). */
    siphost_str (*reply_headers)(const siphost_msg *msg);

    /* [1.0] Adds a target to msg's destination set. A stateful relay (t_relay) forks to the request's own
     * Request-URI and to every target of the set in parallel, then empties the set; a stateless forward()
     * ignores it. Returns the target's index, or -1 (a reply, an empty uri, or a full set: limit(BRANCHES)-1
     * targets). */
    int (*append_branch)(siphost_msg *msg, const siphost_branch *branch);
    /* [1.0] The index-th target (out->struct_size must be set). Returns 0, or -1 past the end. */
    int (*branch_at)(const siphost_msg *msg, uint32_t index, siphost_branch *out);
    /* [1.0] The number of targets. */
    uint32_t (*branch_count)(const siphost_msg *msg);
    /* [1.0] Empties the destination set. */
    void (*clear_branches)(siphost_msg *msg);

    /* [1.2] Branch flags (Kamailio's setbflag): index 0 is the Request-URI's own branch (Kamailio's branch 0),
     * index i >= 1 the destination set's target i-1 (whose flags branch_at also shows). Returns 0 with *flags
     * set, or -1 past the end. msg_clone copies branch 0's flags. */
    int (*branch_flags)(const siphost_msg *msg, uint32_t index, uint64_t *flags);
    /* [1.2] Sets a branch's flags, indexed as branch_flags. Returns 0, or -1 past the end. */
    int (*set_branch_flags)(siphost_msg *msg, uint32_t index, uint64_t flags);
    /* [1.2] Applies the changes recorded on msg (headers added or removed, text replaced, a new Request-URI) to
     * its bytes and parses them again, so that what runs next reads the changed message (textopsx's
     * msg_apply_changes). Views taken from msg before the call are invalid after it. Returns 0, or -1 with a
     * reason in err (the changed message does not parse: msg keeps its bytes and its recorded changes). */
    int (*apply_changes)(siphost_msg *msg, char *err, size_t err_size);

    /* [1.4] The connection flags the script set on msg (enum siphost_dest_flags): with replies 0 those for the
     * requests it is relayed as (set_forward_no_connect, set_forward_close), with replies 1 those for the
     * replies to it (set_reply_no_connect, set_reply_close). The host applies them to the destinations it
     * makes (reply_destination, its stateless forward); a module that makes its own destination for a
     * relayed request (tm's branches) ORs these in. msg_clone copies them. */
    uint32_t (*send_flags)(const siphost_msg *msg, int replies);

    /* [1.6] The Request-URI's own branch (Kamailio's branch 0) beyond its URI: the contact's path vector, ruid,
     * +sip.instance, reg-id and q that registrar's lookup() puts there with the Request-URI. Every way the
     * request is relayed (forward(), build_request) writes the path as one Route header before its first Route
     * (RFC 3327), or right below the new Via when it has none; the script's $ruid reads the ruid. Sets path,
     * instance, ruid, q (with SIPHOST_BRANCH_Q_SET) and reg_id from attrs (copied; empty clears), and a socket
     * that is not NULL as force_send_socket's; uri, dst_uri and flags are ignored (msg_set_ruri,
     * msg_set_dst_uri and set_branch_flags set those). A new Request-URI keeps them, as in Kamailio. msg_clone
     * copies them, so that tm's copy of a branch carries that branch's. Returns 0, or -1 for a reply. */
    int (*set_ruri_branch)(siphost_msg *msg, const siphost_branch *attrs);
    /* [1.6] Writes those attributes into out (out->struct_size must be set; views valid until the next set),
     * with uri the Request-URI, dst_uri $du, flags branch 0's flags and socket force_send_socket's. Returns 0,
     * or -1. */
    int (*ruri_branch)(const siphost_msg *msg, siphost_branch *out);
} siphost_msgctx_api;

/* ------------------------------------------------------------------------------------------------------ */
/* The SIP toolkit: the host's one parser, for modules (any thread; views point into the text given)      */
/* ------------------------------------------------------------------------------------------------------ */

enum siphost_uri_scheme {
    SIPHOST_URI_OTHER = 0,
    SIPHOST_URI_SIP = 1,
    SIPHOST_URI_SIPS = 2,
    SIPHOST_URI_TEL = 3
};

typedef struct siphost_uri {
    size_t struct_size;
    uint32_t scheme;      /* enum siphost_uri_scheme */
    uint16_t port;        /* 0 when absent */
    uint16_t reserved16;
    siphost_str scheme_text; /* as written: "sip", "SIPS", "tel" */
    siphost_str user;     /* before '@', without the password; the number of a tel URI */
    siphost_str password;
    siphost_str host;     /* IPv6 without brackets; empty for tel and other schemes */
    siphost_str port_text;
    siphost_str params;   /* after the first ';' of the host part, without it, up to '?' ("lr;transport=tcp") */
    siphost_str headers;  /* after '?', without it */
    siphost_str transport; /* the value of its transport parameter, or empty */
    void *reserved[2];
} siphost_uri;

/* A name-addr or addr-spec with header parameters: From, To, Contact, Route values. As RFC 3261 20 says, the
 * ';' parameters after an addr-spec without < > are the header's, not the URI's. */
typedef struct siphost_name_addr {
    size_t struct_size;
    siphost_str display; /* without quotes; may be empty */
    siphost_str uri;     /* the URI text, without < > */
    siphost_str params;  /* the header parameters after the URI, without the first ';' ("tag=x;q=0.5") */
    void *reserved[2];
} siphost_name_addr;

/* One value of a Contact header (flat, so that it may grow at its end alone). */
typedef struct siphost_contact {
    size_t struct_size;
    siphost_str display; /* without quotes; may be empty */
    siphost_str uri;     /* the URI text, without < > */
    siphost_str params;  /* the header parameters, without the first ';' */
    int64_t expires;      /* the expires parameter, -1 when absent */
    int32_t q;            /* q as 0 .. 1000, -1 when absent */
    uint32_t reg_id;      /* reg-id (RFC 5626), 0 when absent */
    siphost_str instance; /* +sip.instance, without its quotes and < >; empty when absent */
    void *reserved[2];
} siphost_contact;

/* The credentials of an Authorization or Proxy-Authorization value (RFC 7616 digest). Quoted values come
 * without their quotes (escapes are left as written). */
typedef struct siphost_credentials {
    size_t struct_size;
    siphost_str scheme; /* "Digest" */
    siphost_str username;
    siphost_str realm;
    siphost_str nonce;
    siphost_str uri;
    siphost_str response;
    siphost_str algorithm; /* empty: MD5 */
    siphost_str cnonce;
    siphost_str opaque;
    siphost_str qop;
    siphost_str nc;
    void *reserved[2];
} siphost_credentials;

enum siphost_contacts_result {
    SIPHOST_CONTACTS_MALFORMED = -1,
    SIPHOST_CONTACTS_LIST = 0, /* *count contacts were parsed */
    SIPHOST_CONTACTS_STAR = 1  /* "Contact: *" */
};

typedef struct siphost_sip_api {
    size_t struct_size;
    /* [1.0] Parses a URI (sip, sips, tel; other schemes give SIPHOST_URI_OTHER with only scheme_text). Returns 0,
     * or -1 when malformed. */
    int (*parse_uri)(siphost_str text, siphost_uri *out);
    /* [1.0] Parses one name-addr or addr-spec with its parameters. Returns 0 or -1. */
    int (*parse_name_addr)(siphost_str text, siphost_name_addr *out);
    /* [1.0] Finds parameter name (case-insensitive) in a ';'-separated list ("lr;ftag=x"; white space around
     * ';' and '=' allowed): 1 when present, with *value (the raw value, a quoted string with its quotes; empty
     * for a flag) when value is not NULL; 0 when not. */
    int (*param)(siphost_str params, siphost_str name, siphost_str *value);
    /* [1.0] Parses a Contact header value (a comma-separated list, or "*") into at most max entries: out[0]
     * .struct_size must be set, and the host steps through out by it; *count says how many there are, even
     * beyond max. Returns enum siphost_contacts_result. */
    int (*parse_contacts)(siphost_str value, siphost_contact *out, size_t max, size_t *count);
    /* [1.0] Parses Digest credentials. Returns 0, or -1 when malformed or not Digest. */
    int (*parse_credentials)(siphost_str value, siphost_credentials *out);
} siphost_sip_api;

/* ------------------------------------------------------------------------------------------------------ */
/* Async: timers, work on other threads, watched descriptors                                              */
/* ------------------------------------------------------------------------------------------------------ */

enum siphost_timer_flags {
    SIPHOST_TIMER_SLOW = 1u << 0 /* run on the slow timer thread, so it may block without delaying tm's tick */
};

enum siphost_fd_events {
    SIPHOST_FD_READ = 1u << 0,
    SIPHOST_FD_WRITE = 1u << 1
};

typedef void (*siphost_task_fn)(void *task_data);
typedef struct siphost_fd_watch siphost_fd_watch;
typedef void (*siphost_fd_fn)(int fd, uint32_t events, void *watch_data);

typedef struct siphost_async_api {
    size_t struct_size;
    /* [1.0] Calls fn every interval_ms from after the fixups until shutdown, on the timer thread (fast: keep it
     * short) or, with SIPHOST_TIMER_SLOW, on the slow timer thread. Register during init. Returns 0 or -1. */
    int (*every)(siphost_module_handle *self, uint32_t interval_ms, uint32_t flags, siphost_timer_fn fn,
                 void *timer_data);
    /* [1.0] Calls fn once, delay_ms from now, on the slow timer thread. Any thread, from init on. The handle is
     * valid until fn has started or timer_cancel returned. NULL on error. */
    siphost_timer *(*timer_start)(siphost_module_handle *self, uint32_t delay_ms, siphost_timer_fn fn,
                                  void *timer_data);
    /* [1.0] Cancels a timer: 1 when fn will not run, 0 when it ran or is running already. */
    int (*timer_cancel)(siphost_timer *timer);
    /* [1.0] Runs fn on worker `worker` (0 .. children-1; -1: any, in turn) between two messages, in order of
     * posting per worker. Any thread, after the workers started. Returns 0, or -1 (no such worker, stopping). */
    int (*post)(siphost_module_handle *self, int worker, siphost_task_fn fn, void *task_data);
    /* [1.0] Calls fn on the slow timer thread whenever fd is ready for `events` (enum siphost_fd_events), until
     * fd_unwatch. The descriptor stays the module's. NULL on error. */
    siphost_fd_watch *(*fd_watch)(siphost_module_handle *self, int fd, uint32_t events, siphost_fd_fn fn,
                                  void *watch_data);
    /* [1.0] Stops watching; fn is not running and will not run when this returns (unless called from fn). */
    void (*fd_unwatch)(siphost_fd_watch *watch);
    /* [1.8] Rests (idle != 0) or wakes (idle == 0) the calling module's fast periodic timers (every without
     * SIPHOST_TIMER_SLOW): a resting timer is not called, and the timer thread sleeps while nothing else is
     * due. A woken timer runs again at the instants it would have run had it never rested (its interval and
     * phase). Any thread, after init. A module rests its timer when the timer has nothing to do and wakes it
     * as soon as it gives it something; doing both under one lock of its own loses no wake. */
    void (*every_idle)(siphost_module_handle *self, int idle);
} siphost_async_api;

/* ------------------------------------------------------------------------------------------------------ */
/* Metrics: counters and gauges, readable while running (statistics, Prometheus)                          */
/* ------------------------------------------------------------------------------------------------------ */

typedef struct siphost_metric siphost_metric;

enum siphost_metric_kind {
    SIPHOST_METRIC_COUNTER = 1, /* only goes up (until reset) */
    SIPHOST_METRIC_GAUGE = 2    /* goes up and down, or is read from a callback */
};

typedef struct siphost_metric_desc {
    size_t struct_size;
    const char *name;  /* "created": shown as "<module>:created" (Kamailio's group:name) */
    uint32_t kind;     /* enum siphost_metric_kind */
    uint32_t reserved_flags;
    const char *help;  /* one line */
    /* Label names, NULL-terminated, or NULL: a labelled metric is a family of series, one per label values
     * (metric_labels). */
    const char *const *labels;
    /* A callback gauge: the host calls read(read_data) when it reports the value (any thread). NULL: the value
     * is kept by the host (metric_add, metric_set). */
    int64_t (*read)(void *read_data);
    void *read_data;
    void *reserved[2];
} siphost_metric_desc;

typedef struct siphost_metrics_api {
    size_t struct_size;
    /* [1.0] Registers a metric of the calling module (during init). The strings are copied. NULL on error (a
     * name taken, a bad kind). */
    siphost_metric *(*metric_register)(siphost_module_handle *self, const siphost_metric_desc *desc);
    /* [1.0] The series of a labelled metric for these label values (as many as it has labels), created on
     * first use. Any thread. NULL on error. */
    siphost_metric *(*metric_labels)(siphost_metric *family, const siphost_str *values, size_t count);
    /* [1.0] Adds delta (atomically). Any thread. */
    void (*metric_add)(siphost_metric *metric, int64_t delta);
    /* [1.0] Sets a gauge (a counter refuses). Any thread. */
    void (*metric_set)(siphost_metric *metric, int64_t value);
    /* [1.0] The current value (a callback gauge's read). Any thread. */
    int64_t (*metric_value)(const siphost_metric *metric);
} siphost_metrics_api;

/* [1.3] One series of a metric as host->metric_walk reports it. The host fills struct_size with the size it
 * knows; a module reads a field only when struct_size covers it. */
typedef struct siphost_metric_info {
    size_t struct_size;
    siphost_str group; /* the module (Kamailio's statistic group) */
    siphost_str name;  /* the name within the group */
    uint32_t kind;     /* enum siphost_metric_kind */
    uint32_t label_count;
    siphost_str help;                /* one line; may be empty */
    const siphost_str *label_names;  /* label_count names */
    const siphost_str *label_values; /* label_count values, this series' */
    int64_t value;                   /* read when the walk reached this series */
    void *reserved[2];               /* zero */
} siphost_metric_info;

/* ------------------------------------------------------------------------------------------------------ */
/* RPC: what a command handler (siphost_rpc_command) uses (the thread the handler runs on)                */
/* ------------------------------------------------------------------------------------------------------ */

/* [1.1] The kinds of a reply node. */
enum siphost_rpc_node_kind {
    SIPHOST_RPC_NODE_LIST = 0,   /* the top level: values one after the other (Kamailio's rpc->add) */
    SIPHOST_RPC_NODE_STRUCT = 1, /* named members */
    SIPHOST_RPC_NODE_ARRAY = 2   /* unnamed members */
};

/* [1.1] The kinds of a reply member. */
enum siphost_rpc_member_kind {
    SIPHOST_RPC_MEMBER_INT = 1,
    SIPHOST_RPC_MEMBER_DOUBLE = 2,
    SIPHOST_RPC_MEMBER_STR = 3,
    SIPHOST_RPC_MEMBER_NODE = 4 /* a struct or an array: node */
};

/* [1.1] One member of a reply node, as node_member reads it. Set struct_size before the call. */
typedef struct siphost_rpc_member {
    size_t struct_size;
    uint32_t kind;     /* enum siphost_rpc_member_kind */
    uint32_t reserved; /* zero */
    siphost_str key;   /* the member's name in a struct; empty in a list or an array */
    int64_t num;       /* SIPHOST_RPC_MEMBER_INT */
    double real;       /* SIPHOST_RPC_MEMBER_DOUBLE */
    siphost_str str;   /* SIPHOST_RPC_MEMBER_STR */
    const siphost_rpc_node *node; /* SIPHOST_RPC_MEMBER_NODE */
} siphost_rpc_member;

typedef struct siphost_rpc_api {
    size_t struct_size;
    /* [1.0] The number of parameters, and the i-th (SIPHOST_VALUE_INT or _STR; strings valid during the call).
     * param returns 0, or -1 past the end. */
    size_t (*param_count)(const siphost_rpc_call *call);
    /* [1.0] */
    int (*param)(const siphost_rpc_call *call, size_t index, siphost_value *out);
    /* [1.0] The reply's top level: a list of values the handler adds to (Kamailio's rpc->add). */
    siphost_rpc_node *(*result)(siphost_rpc_call *call);
    /* [1.0] Add a member to a node: key names it in a struct (NULL in a list or an array). Strings are copied.
     * add_struct and add_array return the new node, NULL on error. */
    int (*add_int)(siphost_rpc_node *node, const char *key, int64_t value);
    /* [1.0] */
    int (*add_str)(siphost_rpc_node *node, const char *key, siphost_str value);
    /* [1.0] */
    int (*add_double)(siphost_rpc_node *node, const char *key, double value);
    /* [1.0] */
    siphost_rpc_node *(*add_struct)(siphost_rpc_node *node, const char *key);
    /* [1.0] */
    siphost_rpc_node *(*add_array)(siphost_rpc_node *node, const char *key);
    /* [1.0] Makes the reply an error (code as Kamailio's: 400 bad parameters, 500 failure); what was added is
     * dropped. The message is copied. */
    void (*fault)(siphost_rpc_call *call, int code, siphost_str message);

    /* ---- [1.1] calling commands, for the control transports (ctl, jsonrpcs) ---- */

    /* [1.1] Starts a call of the command `name` (copied): add its parameters, run it, read its reply, free it.
     * NULL only when out of memory. The call belongs to the caller until call_free. Any thread
     * that ran the modules' thread_init (a transport serves requests on the async thread or a worker). */
    siphost_rpc_call *(*call_new)(siphost_str name);
    /* [1.1] Appends a parameter (strings are copied). A double reaches the handler as its decimal text (a
     * SIPHOST_VALUE_STR), as handlers read SIPHOST_VALUE_INT and _STR only. Return 0, or -1 after call_run. */
    int (*call_add_int)(siphost_rpc_call *call, int64_t value);
    /* [1.1] */
    int (*call_add_str)(siphost_rpc_call *call, siphost_str value);
    /* [1.1] */
    int (*call_add_double)(siphost_rpc_call *call, double value);
    /* [1.1] Runs the command on the calling thread, once. Returns 0, or the fault code (an unknown command is
     * 500 "command NAME not found", as Kamailio answers; a second run is 500 too). */
    int (*call_run)(siphost_rpc_call *call);
    /* [1.1] After call_run: the fault code (0: none) and, when message is not NULL, its text (valid until
     * call_free). */
    int (*call_fault)(const siphost_rpc_call *call, siphost_str *message);
    /* [1.1] After call_run: the reply's top level (a SIPHOST_RPC_NODE_LIST), valid until call_free. A faulted
     * call's reply is empty. */
    const siphost_rpc_node *(*call_reply)(const siphost_rpc_call *call);
    /* [1.1] Frees a call from call_new and its reply (NULL is ignored). Never on a call a handler was given. */
    void (*call_free)(siphost_rpc_call *call);
    /* [1.1] A reply node's kind (enum siphost_rpc_node_kind) and its number of members. */
    uint32_t (*node_kind)(const siphost_rpc_node *node);
    /* [1.1] */
    size_t (*node_size)(const siphost_rpc_node *node);
    /* [1.1] The index-th member of a node, in the order the handler added them: fills *out (set its
     * struct_size first) and returns 0, or -1 past the end. Strings and child nodes live as long as the node. */
    int (*node_member)(const siphost_rpc_node *node, size_t index, siphost_rpc_member *out);
    /* [1.1] The index-th command known to the host (modules' and the core's), sorted by name, or NULL past the
     * end: its name, doc (system.methodHelp) and signature (system.methodSignature). Valid while the module
     * that declared it stays loaded (until shutdown). */
    const siphost_rpc_command *(*command_at)(size_t index);
    /* [1.1] The command called name, or NULL. */
    const siphost_rpc_command *(*command_find)(siphost_str name);
} siphost_rpc_api;

/* ------------------------------------------------------------------------------------------------------ */
/* Events: running the event routes a module declared                                                      */
/* ------------------------------------------------------------------------------------------------------ */

typedef struct siphost_events_api {
    size_t struct_size;
    /* [1.0] The route id of event_route[name] ("htable:mod-init", or "tm:branch-failure:X" for a named event),
     * or -1 when the script has no such block or the calling module did not declare the event. Any thread. */
    int (*lookup)(siphost_module_handle *self, siphost_str name);
    /* [1.0] Runs it on msg (NULL: an empty local request), as route_run. */
    int (*run)(int route_id, siphost_msg *msg);
} siphost_events_api;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIPHOST_MODULE_H */
