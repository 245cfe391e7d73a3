/* A test module for the module tests: what a config cannot do by itself but other modules do to a message,
 * done through the ABI so that the module under test meets it as it would in a real config: an internal
 * error (sl_reply_error), a destination-set target with a q-value (sl's redirects), the size of the set, and
 * sl's API ("sl" major 1) called as another module calls it. */
#include <siphost/api/sl.h>
#include <siphost/module.h>

#include <stdio.h>

static const siphost_host_api* host;
static siphost_module_handle* self;
static const siphost_sl_api_v1* sl; /* NULL when sl is not loaded before this module */

static void note(const char* text, size_t len) {
    siphost_str line = {text, len};
    host->log(self, SIPHOST_LOG_ERR, line);
}

/* probe_set_error(code, reason): records code and reason as the message's last internal error. */
static int set_error(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)call_data;
    host->msgctx->set_error(msg, (int)args[0].num, args[1].str);
    return 1;
}

/* probe_append_branch(uri, q): adds uri to the destination set with q in thousandths. */
static int append_branch(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)call_data;
    siphost_branch branch = {0};
    branch.struct_size = sizeof branch;
    branch.uri = args[0].str;
    branch.q = (int32_t)args[1].num;
    branch.info = SIPHOST_BRANCH_Q_SET;
    return host->msgctx->append_branch(msg, &branch) >= 0 ? 1 : -1;
}

/* probe_branches(): logs "probe: branches N", the number of targets in the destination set. */
static int branches(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)args;
    (void)call_data;
    char line[64];
    int n = snprintf(line, sizeof line, "branches %u", (unsigned)host->msgctx->branch_count(msg));
    note(line, (size_t)n);
    return 1;
}

/* probe_sl_reply(code, reason): sl's API reply. */
static int sl_reply(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)call_data;
    return sl != NULL ? sl->reply(msg, (int)args[0].num, args[1].str) : -1;
}

/* probe_sl_reply_with(code, reason, headers, body): sl's API reply_with. */
static int sl_reply_with(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)call_data;
    return sl != NULL ? sl->reply_with(msg, (int)args[0].num, args[1].str, args[2].str, args[3].str) : -1;
}

/* probe_sl_totag(): logs "probe: totag TAG rc R, small buffer rc R2", sl's To-tag for the request read with a
 * buffer that fits and with one of 10 bytes. */
static int sl_totag(siphost_msg* msg, const siphost_value* args, void* call_data) {
    (void)args;
    (void)call_data;
    if (sl == NULL || !SIPHOST_HAS(siphost_sl_api_v1, sl, reply_totag))
        return -1;
    char tag[48];
    size_t len = 0;
    int rc = sl->reply_totag(msg, tag, sizeof tag, &len);
    char small[10];
    size_t small_len = 0;
    int small_rc = sl->reply_totag(msg, small, sizeof small, &small_len);
    char line[128];
    int n = snprintf(line, sizeof line, "totag %.*s rc %d, small buffer rc %d", rc == 0 ? (int)len : 0, tag,
                     rc, small_rc);
    note(line, (size_t)n);
    return 1;
}

static int init(const siphost_host_api* h, siphost_module_handle* s, char* err, size_t err_size) {
    (void)err;
    (void)err_size;
    host = h;
    self = s;
    sl = h->api_lookup(SIPHOST_SL_API_NAME, SIPHOST_SL_API_MAJOR);
    return 0;
}

#define PROBE_COMMAND(name, count, k0, k1, handler)                                                          \
    {                                                                                                        \
        sizeof(siphost_command), name, count, SIPHOST_ROUTE_ANY, {k0, k1}, {0}, {0}, handler, NULL, NULL,    \
            NULL, {                                                                                          \
            0                                                                                                \
        }                                                                                                    \
    }

static const siphost_command commands[] = {
    PROBE_COMMAND("probe_set_error", 2, SIPHOST_ARG_INT, SIPHOST_ARG_STRING, set_error),
    PROBE_COMMAND("probe_append_branch", 2, SIPHOST_ARG_STRING, SIPHOST_ARG_INT, append_branch),
    PROBE_COMMAND("probe_branches", 0, 0, 0, branches),
    PROBE_COMMAND("probe_sl_reply", 2, SIPHOST_ARG_INT, SIPHOST_ARG_STRING, sl_reply),
    {sizeof(siphost_command),
     "probe_sl_reply_with",
     4,
     SIPHOST_ROUTE_ANY,
     {SIPHOST_ARG_INT, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
     {0},
     {0},
     sl_reply_with,
     NULL,
     NULL,
     NULL,
     {0}},
    PROBE_COMMAND("probe_sl_totag", 0, 0, 0, sl_totag),
    {0, NULL, 0, 0, {0}, {0}, {0}, NULL, NULL, NULL, NULL, {0}}};

static const siphost_module descriptor = {sizeof(siphost_module),
                                          SIPHOST_ABI_MAJOR,
                                          SIPHOST_REQUIRE_MINOR,
                                          "probe",
                                          "1.0",
                                          commands,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          NULL,
                                          init,
                                          NULL,
                                          NULL,
                                          NULL,
                                          {0}};

SIPHOST_MODULE(descriptor)
