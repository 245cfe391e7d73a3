/*
 * stamp: marks what a proxy relays with a header of the operator's choosing, so that a trace taken anywhere
 * downstream tells which node (and which worker) handled a request, and limits how many requests a node
 * takes per time window, refusing the rest with a stamped stateless reply.
 *
 *   modparam("stamp", "header", "X-Node")   the header's name (default X-Stamp)
 *   modparam("stamp", "window", 1000)       the rate window of stamp_limit(), in ms (default 1000)
 *
 *   stamp_request("edge-1 $Ri")   adds "X-Node: edge-1 10.0.0.1" to the request and keeps the value with it
 *   stamp_reply("edge-1 $rs")     the same on a reply being relayed (onreply_route)
 *   stamp_limit(200)              true while at most 200 requests were counted in the current window
 *   stamp_reject(503)             a stateless reply through sl, carrying the request's stamp
 *
 *   $stamp(value)    the stamp of this request (NULL when not stamped)
 *   $stamp(count)    how many messages this thread has stamped
 *   $stamp(last)     the last value this thread stamped
 *   $stamp(worker)   this worker's index (NULL outside the workers)
 *   $stamp(window)   requests counted in the current window
 *
 *   event_route[stamp:over-limit]   runs once after each window in which stamp_limit() refused requests
 *   stamp.stats                     RPC: the totals and the current window
 *
 * Written in C99 against the SDK headers only, as a third party writes a module; docs/sdk.md explains
 * each part.
 */
#include <siphost/api/sl.h>
#include <siphost/module.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAMP_VALUE_MAX 256 /* longer values are cut: a stamp is a tag, not a payload */
#define STAMP_NAME_MAX 64

static const siphost_host_api *host;
static siphost_module_handle *self;
static const siphost_sl_api_v1 *sl;

/* Module parameters: the host writes these before init. header_name points at the host's copy once set. */
static const char *header_name = "X-Stamp";
static int32_t window_ms = 1000;

static int value_slot = -1; /* each request's own stamp, for $stamp(value) and stamp_reject() */
static siphost_metric *stamped_total;
static siphost_metric *refused_total;
static siphost_metric *rejected_total;

/* The rate window is shared by every worker and reset by the timer thread, so it is only touched through
 * the compiler's atomic builtins (C99 has no atomics of its own). */
static int64_t window_counted;
static int64_t window_refused;

/* What one thread remembers. Per thread, because workers stamp concurrently and a pseudo-variable's string
 * must stay put until its getter runs again on the same thread. */
struct thread_state {
    int kind;  /* enum siphost_thread_kind, 0 before thread_init */
    int index; /* the worker's index */
    int64_t count;
    size_t last_len;
    char last[STAMP_VALUE_MAX];
    char out[STAMP_VALUE_MAX]; /* what a getter handed out: stamping again must not change it under xlog */
};
static __thread struct thread_state state;

/* A request's stamp, as the per-message slot keeps it (freed by the host with the message). */
struct stamp_value {
    size_t len;
    char text[];
};

static siphost_str str_of(const char *text) {
    siphost_str s;
    s.s = text;
    s.len = strlen(text);
    return s;
}

__attribute__((format(printf, 2, 3))) static void say(int level, const char *format, ...) {
    char line[512];
    siphost_str text;
    va_list args;
    int n;
    if (!host->log_enabled(level))
        return;
    va_start(args, format);
    n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n < 0)
        return;
    text.s = line;
    text.len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    host->log(self, level, text);
}

/* Copies value into out (STAMP_VALUE_MAX bytes), cut to fit; CR and LF become spaces, since a value built
 * from what a caller sent ($hdr, $fU) must not be able to start a header line of its own. */
static size_t clean_copy(char *out, siphost_str value) {
    size_t n = value.len < STAMP_VALUE_MAX - 1 ? value.len : STAMP_VALUE_MAX - 1;
    size_t i;
    for (i = 0; i < n; ++i)
        out[i] = value.s[i] == '\r' || value.s[i] == '\n' ? ' ' : value.s[i];
    out[n] = '\0';
    return n;
}

/* Adds "<header>: <value>" to msg (a request or a reply being relayed) and remembers it for this thread. */
static int add_stamp(siphost_msg *msg, siphost_str value) {
    char clean[STAMP_VALUE_MAX];
    char line[STAMP_NAME_MAX + STAMP_VALUE_MAX + 4];
    siphost_str text, no_anchor = {NULL, 0};
    size_t len = clean_copy(clean, value);
    int n = snprintf(line, sizeof line, "%s: %s\r\n", header_name, clean);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    text.s = line;
    text.len = (size_t)n;
    if (host->msg_add_header(msg, text, SIPHOST_HDR_BOTTOM, no_anchor) < 0)
        return -1;
    memcpy(state.last, clean, len + 1);
    state.last_len = len;
    state.count++;
    host->metrics->metric_add(stamped_total, 1);
    return 1;
}

/* ---- commands ---- */

static int stamp_request(siphost_msg *msg, const siphost_value *args, void *call_data) {
    struct stamp_value *kept;
    (void)call_data;
    if (add_stamp(msg, args[0].str) < 0)
        return -1;
    /* The header just added is not visible to msg_header (changes apply when the message is sent), so the
     * value travels with the request in a slot for stamp_reject() and $stamp(value). */
    kept = malloc(sizeof *kept + state.last_len + 1);
    if (kept == NULL)
        return 1; /* the header is on; only the later reply will go without it */
    kept->len = state.last_len;
    memcpy(kept->text, state.last, state.last_len + 1);
    if (host->msgctx->slot_set(msg, value_slot, kept) < 0)
        free(kept);
    return 1;
}

static int stamp_reply(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)call_data;
    return add_stamp(msg, args[0].str);
}

/* A limit written as a number is checked once, when the config is read; one computed from the message
 * ($hdr(X-Limit)) can only be checked per call, where a non-positive limit refuses everything. */
static int fix_limit(const siphost_value *args, const int *constant, void **call_data, char *err,
                     size_t err_size) {
    (void)call_data;
    if (constant[0] && args[0].num <= 0) {
        snprintf(err, err_size, "stamp_limit() takes a positive number of requests per window, not %lld",
                 (long long)args[0].num);
        return -1;
    }
    return 0;
}

static int stamp_limit(siphost_msg *msg, const siphost_value *args, void *call_data) {
    int64_t counted = __atomic_add_fetch(&window_counted, 1, __ATOMIC_RELAXED);
    (void)msg;
    (void)call_data;
    if (counted <= args[0].num)
        return 1;
    __atomic_add_fetch(&window_refused, 1, __ATOMIC_RELAXED);
    host->metrics->metric_add(refused_total, 1);
    return -1;
}

static int valid_reject_code(int64_t code) {
    return code >= 300 && code <= 699;
}

static int fix_reject(const siphost_value *args, const int *constant, void **call_data, char *err,
                      size_t err_size) {
    (void)call_data;
    if (constant[0] && !valid_reject_code(args[0].num)) {
        snprintf(err, err_size, "stamp_reject() takes a code from 300 to 699, not %lld", (long long)args[0].num);
        return -1;
    }
    return 0;
}

static int stamp_reject(siphost_msg *msg, const siphost_value *args, void *call_data) {
    const struct stamp_value *kept = host->msgctx->slot_get(msg, value_slot);
    char line[STAMP_NAME_MAX + STAMP_VALUE_MAX + 4];
    siphost_str extra = {NULL, 0}, empty = {NULL, 0};
    int sent;
    (void)call_data;
    if (!valid_reject_code(args[0].num))
        return -1;
    if (kept != NULL) {
        int n = snprintf(line, sizeof line, "%s: %s\r\n", header_name, kept->text);
        if (n > 0 && (size_t)n < sizeof line) {
            extra.s = line;
            extra.len = (size_t)n;
        }
    }
    sent = sl->reply_with(msg, (int)args[0].num, empty, extra, empty);
    if (sent > 0)
        host->metrics->metric_add(rejected_total, 1);
    return sent;
}

/* ---- $stamp(name) ---- */

enum stamp_field { FIELD_VALUE = 1, FIELD_COUNT, FIELD_LAST, FIELD_WORKER, FIELD_WINDOW };

static int parse_field(siphost_str name, void **pv_data, char *err, size_t err_size) {
    static const char *const names[] = {"value", "count", "last", "worker", "window"};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; ++i) {
        if (name.len == strlen(names[i]) && memcmp(name.s, names[i], name.len) == 0) {
            *pv_data = (void *)(intptr_t)(FIELD_VALUE + (int)i);
            return 0;
        }
    }
    snprintf(err, err_size, "$stamp(%.*s): expected value, count, last, worker or window", (int)name.len,
             name.s);
    return -1;
}

static void set_str(siphost_value *out, const char *text, size_t len) {
    memcpy(state.out, text, len);
    state.out[len] = '\0';
    out->kind = SIPHOST_VALUE_STR;
    out->str.s = state.out;
    out->str.len = len;
}

static void set_int(siphost_value *out, int64_t n) {
    out->kind = SIPHOST_VALUE_INT;
    out->num = n;
}

static int get_field(siphost_msg *msg, void *pv_data, int32_t index, siphost_value *out) {
    const struct stamp_value *kept;
    (void)index;
    out->kind = SIPHOST_VALUE_NULL;
    switch ((int)(intptr_t)pv_data) {
    case FIELD_VALUE:
        kept = host->msgctx->slot_get(msg, value_slot);
        if (kept != NULL)
            set_str(out, kept->text, kept->len);
        break;
    case FIELD_COUNT:
        set_int(out, state.count);
        break;
    case FIELD_LAST:
        if (state.count > 0)
            set_str(out, state.last, state.last_len);
        break;
    case FIELD_WORKER:
        if (state.kind == SIPHOST_THREAD_WORKER)
            set_int(out, state.index);
        break;
    case FIELD_WINDOW:
        set_int(out, __atomic_load_n(&window_counted, __ATOMIC_RELAXED));
        break;
    default:
        return -1;
    }
    return 0;
}

/* ---- the window timer ---- */

/* On the slow timer thread, since it may run the event route. The two counters are read apart, so a request
 * counted at the very edge of a window may be told in the next one: fine for a summary. */
static void window_tick(uint64_t now_ms, void *timer_data) {
    static const char event_name[] = "stamp:over-limit";
    int64_t refused = __atomic_exchange_n(&window_refused, 0, __ATOMIC_RELAXED);
    int64_t counted = __atomic_exchange_n(&window_counted, 0, __ATOMIC_RELAXED);
    int route;
    (void)now_ms;
    (void)timer_data;
    if (counted == 0 && refused == 0)
        return; /* a quiet node says nothing */
    say(SIPHOST_LOG_INFO, "window of %d ms: %lld requests counted, %lld refused", (int)window_ms,
        (long long)counted, (long long)refused);
    if (refused == 0)
        return;
    /* Looked up each time: -1 until the script is compiled, and a reload may add or drop the block. */
    route = host->events->lookup(self, str_of(event_name));
    if (route >= 0)
        host->events->run(route, NULL);
}

/* ---- RPC ---- */

static void rpc_stats(siphost_rpc_call *call) {
    const siphost_rpc_api *rpc = host->rpc;
    siphost_rpc_node *stats = rpc->add_struct(rpc->result(call), NULL);
    if (stats == NULL)
        return;
    rpc->add_str(stats, "header", str_of(header_name));
    rpc->add_int(stats, "window_ms", window_ms);
    rpc->add_int(stats, "stamped", host->metrics->metric_value(stamped_total));
    rpc->add_int(stats, "refused", host->metrics->metric_value(refused_total));
    rpc->add_int(stats, "rejected", host->metrics->metric_value(rejected_total));
    rpc->add_int(stats, "window", __atomic_load_n(&window_counted, __ATOMIC_RELAXED));
}

/* ---- lifecycle ---- */

static int valid_header_name(const char *name) {
    size_t i, n = strlen(name);
    if (n == 0 || n >= STAMP_NAME_MAX)
        return 0;
    for (i = 0; i < n; ++i) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

static siphost_metric *counter(const char *name, const char *help) {
    siphost_metric_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.struct_size = sizeof desc;
    desc.name = name;
    desc.kind = SIPHOST_METRIC_COUNTER;
    desc.help = help;
    return host->metrics->metric_register(self, &desc);
}

static int64_t read_window(void *read_data) {
    (void)read_data;
    return __atomic_load_n(&window_counted, __ATOMIC_RELAXED);
}

static int stamp_init(const siphost_host_api *api, siphost_module_handle *handle, char *err, size_t err_size) {
    siphost_metric_desc window_desc;
    host = api;
    self = handle;
    if (!valid_header_name(header_name)) {
        snprintf(err, err_size, "header \"%s\" is not a header name (letters, digits, '-', '_', '.'; at most %d)",
                 header_name, STAMP_NAME_MAX - 1);
        return -1;
    }
    if (window_ms < 10) {
        snprintf(err, err_size, "window must be at least 10 ms, not %d", (int)window_ms);
        return -1;
    }
    /* depends names sl, so it is loaded and initialised before this module. */
    sl = host->api_lookup(SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR);
    if (sl == NULL) {
        snprintf(err, err_size, "sl's API (major %d) is not there", SIPHOST_SL_API_MAJOR);
        return -1;
    }
    value_slot = host->msgctx->slot_register(self, free);
    stamped_total = counter("stamped", "messages stamped");
    refused_total = counter("refused", "requests stamp_limit() refused");
    rejected_total = counter("rejected", "stateless replies sent by stamp_reject()");
    memset(&window_desc, 0, sizeof window_desc);
    window_desc.struct_size = sizeof window_desc;
    window_desc.name = "window";
    window_desc.kind = SIPHOST_METRIC_GAUGE;
    window_desc.help = "requests counted in the current window";
    window_desc.read = read_window;
    if (value_slot < 0 || stamped_total == NULL || refused_total == NULL || rejected_total == NULL ||
        host->metrics->metric_register(self, &window_desc) == NULL) {
        snprintf(err, err_size, "could not register a message slot or the metrics");
        return -1;
    }
    if (host->async->every(self, (uint32_t)window_ms, SIPHOST_TIMER_SLOW, window_tick, NULL) < 0) {
        snprintf(err, err_size, "could not start the window timer");
        return -1;
    }
    return 0;
}

/* Each thread starts with nothing stamped; the kind and index tell $stamp(worker) which worker it is. */
static int stamp_thread_init(int kind, int index) {
    memset(&state, 0, sizeof state);
    state.kind = kind;
    state.index = index;
    return 0;
}

/* ---- the descriptor ---- */

static const siphost_command stamp_commands[] = {
    {.struct_size = sizeof(siphost_command), .name = "stamp_request", .arg_count = 1,
     .route_types = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE | SIPHOST_ROUTE_BRANCH,
     .arg_kinds = {SIPHOST_ARG_STRING}, .handler = stamp_request,
     .doc = "adds the stamp header with this value to the request"},
    {.struct_size = sizeof(siphost_command), .name = "stamp_reply", .arg_count = 1,
     .route_types = SIPHOST_ROUTE_CORE_ONREPLY | SIPHOST_ROUTE_TM_ONREPLY, .arg_kinds = {SIPHOST_ARG_STRING},
     .handler = stamp_reply, .doc = "adds the stamp header with this value to the reply"},
    {.struct_size = sizeof(siphost_command), .name = "stamp_limit", .arg_count = 1,
     .route_types = SIPHOST_ROUTE_REQUEST, .arg_kinds = {SIPHOST_ARG_INT}, .handler = stamp_limit,
     .fixup = fix_limit, .doc = "counts the request; true while the window has at most this many"},
    {.struct_size = sizeof(siphost_command), .name = "stamp_reject", .arg_count = 1,
     .route_types = SIPHOST_ROUTE_REQUEST, .arg_kinds = {SIPHOST_ARG_INT}, .handler = stamp_reject,
     .fixup = fix_reject, .doc = "a stateless reply with this code, carrying the request's stamp"},
    {.struct_size = sizeof(siphost_command)},
};

static const siphost_param stamp_params[] = {
    {.struct_size = sizeof(siphost_param), .name = "header", .kinds = SIPHOST_PARAM_STRING,
     .target = (void *)&header_name, .doc = "the stamp header's name (X-Stamp)"},
    {.struct_size = sizeof(siphost_param), .name = "window", .kinds = SIPHOST_PARAM_INT, .target = &window_ms,
     .doc = "the rate window of stamp_limit(), in ms (1000)"},
    {.struct_size = sizeof(siphost_param)},
};

static const siphost_pv stamp_pvs[] = {
    {.struct_size = sizeof(siphost_pv), .name = "stamp", .flags = SIPHOST_PV_NAME_REQUIRED,
     .parse_name = parse_field, .get = get_field,
     .doc = "$stamp(value|count|last|worker|window): this request's stamp, this thread's count and last "
            "stamp, the worker's index, the current window"},
    {.struct_size = sizeof(siphost_pv)},
};

static const siphost_event stamp_events[] = {
    {.struct_size = sizeof(siphost_event), .name = "stamp:over-limit", .route_type = SIPHOST_ROUTE_EVENT,
     .doc = "after a window in which stamp_limit() refused requests"},
    {.struct_size = sizeof(siphost_event)},
};

static const siphost_rpc_command stamp_rpcs[] = {
    {.struct_size = sizeof(siphost_rpc_command), .name = "stamp.stats", .handler = rpc_stats,
     .doc = "messages stamped, requests refused and rejected, the current window"},
    {.struct_size = sizeof(siphost_rpc_command)},
};

static const char *const stamp_depends[] = {"sl", NULL};

static const siphost_module stamp_module = {
    .struct_size = sizeof(siphost_module),
    .abi_major = SIPHOST_ABI_MAJOR,
    .abi_minor = SIPHOST_REQUIRE_MINOR,
    .name = "stamp",
    .version = "1.0",
    .commands = stamp_commands,
    .params = stamp_params,
    .pvs = stamp_pvs,
    .events = stamp_events,
    .rpcs = stamp_rpcs,
    .depends = stamp_depends,
    .init = stamp_init,
    .thread_init = stamp_thread_init,
};

SIPHOST_MODULE(stamp_module)
