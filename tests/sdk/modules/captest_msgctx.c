/* Per-message context (host->msgctx): a slot a module fills and frees with the message, the message id and
 * route type, the last internal error, reply headers queued for the next local reply, and a destination set
 * with the richer branch fields. */
#include "captest_common.h"

#include <stdlib.h>

static int slot = -1;

static void free_note(void *value) {
    note("slot freed: %s", (const char *)value);
    free(value);
}

static int slot_note(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)call_data;
    char *copy = malloc(args[0].str.len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, args[0].str.s, args[0].str.len);
    copy[args[0].str.len] = '\0';
    return host->msgctx->slot_set(msg, slot, copy) == 0 ? 1 : -1;
}

static int slot_check(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)args;
    (void)call_data;
    const char *value = host->msgctx->slot_get(msg, slot);
    if (value == NULL) {
        note("slot empty");
        return -1;
    }
    note("slot holds %s on message %llu in route type %u", value,
         (unsigned long long)host->msgctx->msg_id(msg), host->msgctx->route_type(msg));
    return 1;
}

static int reply_note(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)call_data;
    return host->msgctx->add_reply_header(msg, args[0].str) == 0 ? 1 : -1;
}

static int error_note(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)call_data;
    host->msgctx->set_error(msg, (int)args[0].num, args[1].str);
    siphost_str reason = {NULL, 0};
    int code = host->msgctx->last_error(msg, &reason);
    note("last error %d %.*s", code, (int)reason.len, reason.s);
    return 1;
}

static int branches_note(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)args;
    (void)call_data;
    siphost_branch b = {0};
    b.struct_size = sizeof b;
    b.uri.s = "sip:carol@127.0.0.1:5091";
    b.uri.len = strlen(b.uri.s);
    b.path.s = "<sip:edge.example.com;lr>";
    b.path.len = strlen(b.path.s);
    b.q = 500;
    b.info = SIPHOST_BRANCH_Q_SET;
    b.flags = 4;
    if (host->msgctx->append_branch(msg, &b) < 0)
        return -1;
    uint32_t count = host->msgctx->branch_count(msg);
    siphost_branch read = {0};
    read.struct_size = sizeof read;
    if (host->msgctx->branch_at(msg, count - 1, &read) != 0)
        return -1;
    note("branch %u of %u: %.*s path %.*s q %d flags %llu", count - 1, count, (int)read.uri.len, read.uri.s,
         (int)read.path.len, read.path.s, read.q, (unsigned long long)read.flags);
    host->msgctx->clear_branches(msg);
    return host->msgctx->branch_count(msg) == 0 ? 1 : -1;
}

static int init(const siphost_host_api *h, siphost_module_handle *s, char *err, size_t err_size) {
    keep_host(h, s);
    slot = host->msgctx->slot_register(self, free_note);
    if (slot < 0) {
        snprintf(err, err_size, "no per-message slot");
        return -1;
    }
    return 0;
}

static const siphost_command commands[] = {
    CAPTEST_COMMAND("slot_note", 1, SIPHOST_ROUTE_ANY, SIPHOST_ARG_STRING, 0, slot_note),
    CAPTEST_COMMAND("slot_check", 0, SIPHOST_ROUTE_ANY, 0, 0, slot_check),
    CAPTEST_COMMAND("reply_note", 1, SIPHOST_ROUTE_REQUEST, SIPHOST_ARG_STRING, 0, reply_note),
    CAPTEST_COMMAND("error_note", 2, SIPHOST_ROUTE_ANY, SIPHOST_ARG_INT, SIPHOST_ARG_STRING, error_note),
    CAPTEST_COMMAND("branches_note", 0, SIPHOST_ROUTE_REQUEST, 0, 0, branches_note),
    CAPTEST_END_COMMANDS};

static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "captest_msgctx", "1.0", commands, NULL, NULL, NULL, NULL, NULL,
                                          init, NULL, NULL, NULL, {0}};

SIPHOST_MODULE(descriptor)
