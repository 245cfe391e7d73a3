/* A third-party module, built the way an outsider builds one: against the installed SDK only
 * (find_package(siphost)), never against the host's source tree. */
#include <siphost/module.h>

#include <stdio.h>
#include <string.h>

static const siphost_host_api *host;
static siphost_module_handle *self;
static int32_t greetings_wanted = 1;

/* hello("name"): logs a greeting; false for an empty name. */
static int hello(siphost_msg *msg, const siphost_value *args, void *call_data) {
    char line[160];
    siphost_str text;
    (void)msg;
    (void)call_data;
    if (args[0].str.len == 0)
        return -1;
    snprintf(line, sizeof line, "hello, %.*s", (int)args[0].str.len, args[0].str.s);
    text.s = line;
    text.len = strlen(line);
    host->log(self, SIPHOST_LOG_INFO, text);
    return 1;
}

static int hello_init(const siphost_host_api *api, siphost_module_handle *handle, char *err,
                      size_t err_size) {
    if (greetings_wanted < 0) {
        snprintf(err, err_size, "greetings must not be negative");
        return -1;
    }
    host = api;
    self = handle;
    return 0;
}

static const siphost_command commands[] = {
    {sizeof(siphost_command), "hello", 1, SIPHOST_ROUTE_ANY, {SIPHOST_ARG_STRING}, {0}, {0}, hello, NULL, NULL,
     "logs a greeting to its argument", {0}},
    {0, NULL, 0, 0, {0}, {0}, {0}, NULL, NULL, NULL, NULL, {0}}};

static const siphost_param params[] = {
    {sizeof(siphost_param), "greetings", SIPHOST_PARAM_INT, 0, &greetings_wanted, NULL, "how many", {0}},
    {0, NULL, 0, 0, NULL, NULL, NULL, {0}}};

/* Field order: struct_size, abi_major, abi_minor (the minor required), name, version, commands, params, pvs,
 * events, rpcs, depends, init, thread_init, on_reload, destroy, reserved. */
static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "hello", "1.0", commands, params, NULL, NULL, NULL, NULL,
                                          hello_init, NULL, NULL, NULL, {0}};

SIPHOST_MODULE(descriptor)
