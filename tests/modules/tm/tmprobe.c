/* tm's API ("tm" major 1) as another module uses it, for tm_api_test.cpp: transaction callbacks, t_uac,
 * reply_with, references and lookup_ident. Every callback and every result is a log line ("tmprobe: ...")
 * that the test reads from the host's log.
 *
 * modparam("tmprobe", "request_in_types", N): when N is not 0, a REQUEST_IN callback registered at init
 * attaches to every new transaction and registers the callback types N on it. */
#include <siphost/api/tm.h>
#include <siphost/module.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const siphost_host_api* host;
static siphost_module_handle* self;
static const siphost_tm_api_v1* tm;
static int32_t request_in_types;
static siphost_tm_transaction* last_request_in; /* one worker in the tests that read it */
static siphost_tm_transaction* kept;            /* the transaction tmprobe_keep() holds a reference on */
static uint32_t kept_index, kept_label;

__attribute__((format(printf, 1, 2))) static void note(const char* format, ...) {
    char line[1024];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n < 0)
        return;
    siphost_str text = {line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1};
    host->log(self, SIPHOST_LOG_ERR, text);
}

static siphost_str str_of(const char* text) {
    siphost_str s = {text, strlen(text)};
    return s;
}

static const char* type_name(uint32_t type) {
    switch (type) {
    case SIPHOST_TM_CB_REQUEST_IN:
        return "request_in";
    case SIPHOST_TM_CB_REQUEST_OUT:
        return "request_out";
    case SIPHOST_TM_CB_RESPONSE_IN:
        return "response_in";
    case SIPHOST_TM_CB_RESPONSE_OUT:
        return "response_out";
    case SIPHOST_TM_CB_ON_FAILURE:
        return "on_failure";
    case SIPHOST_TM_CB_COMPLETED:
        return "completed";
    case SIPHOST_TM_CB_DESTROY:
        return "destroy";
    default:
        return "unknown";
    }
}

/* "cb TYPE code C branch B reply R request Q received V bytes N first LINE" (bytes: their length and first
 * line), then for REQUEST_OUT the transaction as transaction_info gives it. */
static void on_event(const siphost_tm_callback_params* p) {
    size_t first = 0;
    while (first < p->bytes.len && p->bytes.s[first] != '\r')
        ++first;
    note("cb %s code %d branch %d reply %d request %d received %d bytes %zu first %.*s", type_name(p->type),
         (int)p->code, (int)p->branch, p->reply != NULL, p->request != NULL, p->received != NULL,
         p->bytes.len, (int)first, p->bytes.s != NULL ? p->bytes.s : "");
    if (p->type != SIPHOST_TM_CB_REQUEST_OUT)
        return;
    siphost_tm_transaction_info info = {0};
    info.struct_size = sizeof info;
    if (tm->transaction_info(p->t, &info) != 0) {
        note("info failed");
        return;
    }
    note("info index %u label %u method %.*s local %d branches %u from_tag %.*s call_id %.*s cseq %u ruri "
         "%.*s",
         info.index, info.label, (int)info.method.len, info.method.s, (info.flags & SIPHOST_TM_LOCAL) != 0,
         info.branch_count, (int)info.from_tag.len, info.from_tag.s, (int)info.call_id.len, info.call_id.s,
         info.cseq, (int)info.ruri.len, info.ruri.s);
}

static void on_request_in(const siphost_tm_callback_params* p) {
    on_event(p);
    last_request_in = p->t;
    tm->register_callback(p->t, (uint32_t)request_in_types, on_event, NULL);
}

/* tmprobe_uac(case, target): sends a request of the module's own with t_uac to sip:bob@target and logs
 * "t_uac CASE rc R index I label L". The cases other than options, invite and bye are ones tm refuses. */
static int uac(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)msg;
    (void)call_data;
    char which[32], ruri[128], next_hop[128];
    snprintf(which, sizeof which, "%.*s", (int)args[0].str.len, args[0].str.s);
    snprintf(ruri, sizeof ruri, "sip:bob@%.*s", (int)args[1].str.len, args[1].str.s);
    snprintf(next_hop, sizeof next_hop, "sip:%.*s", (int)args[1].str.len, args[1].str.s);
    siphost_tm_uac_request r = {0};
    r.struct_size = sizeof r;
    r.method = str_of("OPTIONS");
    r.ruri = str_of(ruri);
    r.to = str_of("sip:bob@127.0.0.1");
    r.from = str_of("<sip:monitor@127.0.0.1>");
    r.callback_types = SIPHOST_TM_CB_REQUEST_OUT | SIPHOST_TM_CB_RESPONSE_IN | SIPHOST_TM_CB_COMPLETED |
                       SIPHOST_TM_CB_DESTROY;
    r.callback = on_event;
    if (strcmp(which, "invite") == 0) {
        r.method = str_of("INVITE");
        r.headers = str_of("Contact: <sip:monitor@127.0.0.1>\r\nContent-Type: application/sdp\r\n");
        r.body = str_of("v=0\r\n");
    } else if (strcmp(which, "bye") == 0) {
        r.call_id = str_of("dialog-7@example.com");
        r.cseq = 12;
        r.method = str_of("BYE");
        r.to = str_of("<sip:bob@example.com>;tag=theirs");
        r.from = str_of("<sip:alice@example.com>;tag=mine");
        r.ruri = str_of("sip:bob@example.com");
        r.next_hop = str_of(next_hop);
    } else if (strcmp(which, "ack") == 0) {
        r.method = str_of("ACK");
    } else if (strcmp(which, "unresolvable") == 0) {
        r.ruri = str_of("sip:bob@not-an-address.invalid");
    } else if (strcmp(which, "bad_types") == 0) {
        r.callback_types = SIPHOST_TM_CB_RESPONSE_OUT;
    } else if (strcmp(which, "bad_to") == 0) {
        r.to = str_of("Bob sip:bob@127.0.0.1"); /* a display name without < > */
    } else if (strcmp(which, "unreachable") == 0) {
        r.ruri = str_of("sip:bob@198.51.100.7:5070"); /* no route to it in the test's network namespace */
    } else if (strcmp(which, "options") != 0) {
        note("t_uac: unknown case %s", which);
        return -1;
    }
    uint32_t index = 0, label = 0;
    int rc = tm->t_uac(&r, &index, &label);
    note("t_uac %s rc %d index %u label %u", which, rc, index, label);
    return rc;
}

/* tmprobe_check_transaction(): after t_newtran, logs whether the request's transaction is the one the
 * REQUEST_IN callback saw and what registering REQUEST_IN on it gives. */
static int check_transaction(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)args;
    (void)call_data;
    siphost_tm_transaction* t = tm->transaction(msg);
    note("transaction set %d same as request_in %d, request_in on it rc %d", t != NULL, t == last_request_in,
         t != NULL ? tm->register_callback(t, SIPHOST_TM_CB_REQUEST_IN, on_event, NULL) : 0);
    return 1;
}

/* tmprobe_reply_with(): answers the request through the API alone: has_transaction, reply_with without a
 * transaction, newtran, reply_with 200 with a header and a body, a second final reply. */
static int reply_with(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)args;
    (void)call_data;
    int has_before = tm->has_transaction(msg);
    int without = tm->reply_with(msg, 200, str_of("OK"), str_of(""), str_of(""));
    int created = tm->newtran(msg);
    int has_after = tm->has_transaction(msg);
    int sent = tm->reply_with(msg, 200, str_of("OK"), str_of("Content-Type: text/plain\r\n"), str_of("hi"));
    int second = tm->reply_with(msg, 500, str_of(""), str_of(""), str_of(""));
    note("reply_with: has %d, without transaction %d, newtran %d, has %d, sent %d, second final %d",
         has_before, without, created, has_after, sent, second);
    return 1;
}

/* tmprobe_keep(): creates the request's transaction, keeps a reference on it and watches its DESTROY. */
static int keep(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)args;
    (void)call_data;
    if (tm->newtran(msg) != 1)
        return -1;
    kept = tm->transaction(msg);
    tm->ref(kept);
    note("keep: destroy callback rc %d", tm->register_callback(kept, SIPHOST_TM_CB_DESTROY, on_event, NULL));
    return 1;
}

/* tmprobe_lookup(): what transaction_info and lookup_ident say of the kept transaction. */
static int lookup(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)msg;
    (void)args;
    (void)call_data;
    if (kept == NULL)
        return -1;
    siphost_tm_transaction_info info = {0};
    info.struct_size = sizeof info;
    if (tm->transaction_info(kept, &info) != 0)
        return -1;
    kept_index = info.index;
    kept_label = info.label;
    siphost_tm_transaction* found = tm->lookup_ident(info.index, info.label);
    if (found != NULL)
        tm->unref(found);
    siphost_tm_transaction* other = tm->lookup_ident(info.index, info.label + 1);
    if (other != NULL)
        tm->unref(other);
    note("lookup: status %d final %d call_id %.*s found same %d other label found %d", (int)info.status,
         (info.flags & SIPHOST_TM_FINAL) != 0, (int)info.call_id.len, info.call_id.s, found == kept,
         other != NULL);
    return 1;
}

/* tmprobe_release(): false while lookup_ident still finds the kept transaction (it waits out wt_timer);
 * then logs "release: gone from the table" and drops the last reference. */
static int release(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)msg;
    (void)args;
    (void)call_data;
    if (kept == NULL)
        return -1;
    siphost_tm_transaction* found = tm->lookup_ident(kept_index, kept_label);
    if (found != NULL) {
        tm->unref(found);
        return -1;
    }
    note("release: gone from the table, dropping the last reference");
    siphost_tm_transaction* t = kept;
    kept = NULL;
    tm->unref(t);
    return 1;
}

/* tmprobe_branch_failure(): in event_route[tm:branch-failure:...]: the failed branch's code and the route
 * type tm reports. */
static int branch_failure(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)msg;
    (void)args;
    (void)call_data;
    note("branch failure: code %d route type branch failure %d", tm->reply_code(NULL),
         tm->route_type() == SIPHOST_ROUTE_BRANCH_FAILURE);
    return 1;
}

static void note_method(siphost_msg* request, void* data) {
    siphost_str method = host->msg_method(request);
    snprintf((char*)data, 64, "%.*s", (int)method.len, method.s);
}

/* tmprobe_route(): what route_info says about the tm route running now (minor 1.1), and what
 * with_canceled_request finds for the message. */
static int route(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)args;
    (void)call_data;
    if (!SIPHOST_HAS(siphost_tm_api_v1, tm, with_canceled_request)) {
        note("route: tm has no minor 1.1");
        return -1;
    }
    siphost_tm_route_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info - 1;
    int too_small = tm->route_info(msg, &info);
    info.struct_size = sizeof info;
    int rc = tm->route_info(msg, &info);
    char canceled[64] = "";
    int found = tm->with_canceled_request(msg, note_method, canceled);
    if (rc != 0) {
        note("route: rc %d (small %d) canceled %d [%s]", rc, too_small, found, canceled);
        return 1;
    }
    note("route: rc 0 (small %d) type %u branch %d code %d local %u reason [%.*s] uri [%.*s] ruid [%.*s] "
         "flags %llu last %d canceled %d [%s]",
         too_small, info.route_type, info.branch, info.reply_code, info.reply_local, (int)info.reply_reason.len,
         info.reply_reason.s, (int)info.branch_uri.len, info.branch_uri.s, (int)info.branch_ruid.len,
         info.branch_ruid.s, (unsigned long long)info.branch_flags, info.branch_last_code, found, canceled);
    return 1;
}

static int init(const siphost_host_api* h, siphost_module_handle* s, char* err, size_t err_size) {
    host = h;
    self = s;
    tm = h->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR);
    if (tm == NULL || !SIPHOST_HAS(siphost_tm_api_v1, tm, t_uac)) {
        snprintf(err, err_size, "tm's API (major %d) with t_uac is not there", SIPHOST_TM_API_MAJOR);
        return -1;
    }
    note("init: COMPLETED without a transaction rc %d",
         tm->register_callback(NULL, SIPHOST_TM_CB_COMPLETED, on_event, NULL));
    if (request_in_types != 0 &&
        tm->register_callback(NULL, SIPHOST_TM_CB_REQUEST_IN, on_request_in, NULL) != 0) {
        snprintf(err, err_size, "tm refused the REQUEST_IN callback");
        return -1;
    }
    return 0;
}

#define TMPROBE_COMMAND(name, count, handler)                                                                \
    {                                                                                                        \
        sizeof(siphost_command), name, count, SIPHOST_ROUTE_ANY, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},   \
            {0}, {0}, handler, NULL, NULL, NULL, {                                                           \
            0                                                                                                \
        }                                                                                                    \
    }

static const siphost_command commands[] = {TMPROBE_COMMAND("tmprobe_uac", 2, uac),
                                           TMPROBE_COMMAND("tmprobe_check_transaction", 0, check_transaction),
                                           TMPROBE_COMMAND("tmprobe_reply_with", 0, reply_with),
                                           TMPROBE_COMMAND("tmprobe_keep", 0, keep),
                                           TMPROBE_COMMAND("tmprobe_lookup", 0, lookup),
                                           TMPROBE_COMMAND("tmprobe_release", 0, release),
                                           TMPROBE_COMMAND("tmprobe_branch_failure", 0, branch_failure),
                                           TMPROBE_COMMAND("tmprobe_route", 0, route),
                                           {0, NULL, 0, 0, {0}, {0}, {0}, NULL, NULL, NULL, NULL, {0}}};

static const siphost_param params[] = {{sizeof(siphost_param),
                                        "request_in_types",
                                        SIPHOST_PARAM_INT,
                                        0,
                                        &request_in_types,
                                        NULL,
                                        "callback types put on every transaction",
                                        {0}},
                                       {0, NULL, 0, 0, NULL, NULL, NULL, {0}}};

static const char* const depends[] = {"tm", NULL};

static const siphost_module descriptor = {sizeof(siphost_module),
                                          SIPHOST_ABI_MAJOR,
                                          SIPHOST_REQUIRE_MINOR,
                                          "tmprobe",
                                          "1.0",
                                          commands,
                                          params,
                                          NULL,
                                          NULL,
                                          NULL,
                                          depends,
                                          init,
                                          NULL,
                                          NULL,
                                          NULL,
                                          {0}};

SIPHOST_MODULE(descriptor)
