/* tm's API from a module (siphost/api/tm.h): a REQUEST_IN callback registered at init attaches to every
 * transaction and sees each reply that comes and goes and the completion; t_uac sends an OPTIONS of the
 * module's own and its callback sees the reply and the end. */
#include "captest_common.h"

#include <siphost/api/tm.h>

static const siphost_tm_api_v1 *tm;

static const char *event_name(uint32_t type) {
    switch (type) {
    case SIPHOST_TM_CB_REQUEST_IN:
        return "request in";
    case SIPHOST_TM_CB_REQUEST_OUT:
        return "request out";
    case SIPHOST_TM_CB_RESPONSE_IN:
        return "response in";
    case SIPHOST_TM_CB_RESPONSE_OUT:
        return "response out";
    case SIPHOST_TM_CB_ON_FAILURE:
        return "failure";
    case SIPHOST_TM_CB_COMPLETED:
        return "completed";
    case SIPHOST_TM_CB_DESTROY:
        return "destroyed";
    default:
        return "unknown";
    }
}

static void on_event(const siphost_tm_callback_params *p) {
    siphost_tm_transaction_info info = {0};
    info.struct_size = sizeof info;
    if (tm->transaction_info(p->t, &info) != 0)
        return;
    note("%s %.*s: %s %d branch %d%s", (info.flags & SIPHOST_TM_LOCAL) ? "uac" : "transaction", (int)info.method.len,
         info.method.s, event_name(p->type), p->code, p->branch, p->reply != NULL ? " with reply" : "");
}

static void on_request_in(const siphost_tm_callback_params *p) {
    on_event(p);
    tm->register_callback(p->t,
                          SIPHOST_TM_CB_REQUEST_OUT | SIPHOST_TM_CB_RESPONSE_IN | SIPHOST_TM_CB_RESPONSE_OUT |
                              SIPHOST_TM_CB_ON_FAILURE | SIPHOST_TM_CB_COMPLETED | SIPHOST_TM_CB_DESTROY,
                          on_event, NULL);
}

static siphost_str str_of(const char *text) {
    siphost_str s = {text, strlen(text)};
    return s;
}

static int uac_options(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)msg;
    (void)call_data;
    siphost_tm_uac_request request = {0};
    request.struct_size = sizeof request;
    request.method = str_of("OPTIONS");
    request.ruri = args[0].str;
    request.to = args[0].str;
    request.from = str_of("<sip:captest@127.0.0.1>");
    request.headers = str_of("Accept: application/sdp\r\n");
    request.callback_types =
        SIPHOST_TM_CB_REQUEST_OUT | SIPHOST_TM_CB_RESPONSE_IN | SIPHOST_TM_CB_COMPLETED | SIPHOST_TM_CB_DESTROY;
    request.callback = on_event;
    uint32_t index = 0, label = 0;
    int sent = tm->t_uac(&request, &index, &label);
    note("t_uac sent %d", sent);
    return sent;
}

static int init(const siphost_host_api *h, siphost_module_handle *s, char *err, size_t err_size) {
    keep_host(h, s);
    tm = h->api_lookup(SIPHOST_TM_API_NAME, SIPHOST_TM_API_MAJOR);
    if (tm == NULL || !SIPHOST_HAS(siphost_tm_api_v1, tm, t_uac)) {
        snprintf(err, err_size, "tm's API (major %d) with t_uac is not there", SIPHOST_TM_API_MAJOR);
        return -1;
    }
    if (tm->register_callback(NULL, SIPHOST_TM_CB_REQUEST_IN, on_request_in, NULL) != 0) {
        snprintf(err, err_size, "tm refused the REQUEST_IN callback");
        return -1;
    }
    return 0;
}

static const char *const depends[] = {"tm", NULL};

static const siphost_command commands[] = {
    CAPTEST_COMMAND("uac_options", 1, SIPHOST_ROUTE_ANY, SIPHOST_ARG_STRING, 0, uac_options), CAPTEST_END_COMMANDS};

static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "captest_tm", "1.0", commands, NULL, NULL, NULL, NULL, depends,
                                          init, NULL, NULL, NULL, {0}};

SIPHOST_MODULE(descriptor)
