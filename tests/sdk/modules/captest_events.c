/* Events (descriptor events + host->events): a module declares event_route[captest_events:ping] and runs it,
 * with the message and without one; an event it did not declare is not found. */
#include "captest_common.h"

static int raise_ping(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)call_data;
    static const char name[] = "captest_events:ping";
    int id = host->events->lookup(self, (siphost_str){name, sizeof name - 1});
    static const char other[] = "captest_events:undeclared";
    if (host->events->lookup(self, (siphost_str){other, sizeof other - 1}) != -1)
        note("an undeclared event was found");
    if (id < 0) {
        note("no event_route[captest_events:ping]");
        return -1;
    }
    int with_message = args[0].num != 0;
    int result = host->events->run(id, with_message ? msg : NULL);
    note("event route ran %s a message: %d", with_message ? "with" : "without", result);
    return 1;
}

static int init(const siphost_host_api *h, siphost_module_handle *s, char *err, size_t err_size) {
    (void)err;
    (void)err_size;
    return keep_host(h, s);
}

static const siphost_event events[] = {
    {sizeof(siphost_event), "captest_events:ping", SIPHOST_ROUTE_EVENT, 0, "raised by raise_ping()", {0}},
    {0, NULL, 0, 0, NULL, {0}}};

static const siphost_command commands[] = {
    CAPTEST_COMMAND("raise_ping", 1, SIPHOST_ROUTE_ANY, SIPHOST_ARG_INT, 0, raise_ping), CAPTEST_END_COMMANDS};

static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "captest_events", "1.0", commands, NULL, NULL, events, NULL, NULL,
                                          init, NULL, NULL, NULL, {0}};

SIPHOST_MODULE(descriptor)
