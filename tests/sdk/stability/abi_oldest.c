/* A module built against the oldest ABI v1 header kept in the tree (baseline/, never sdk/include), loaded by
 * the current host: what a third party's 1.0 binary meets after the host moved on. It reads the host table and
 * the structs the host fills with the 1.0 layout, and hands the host 1.0-sized tables, so a host that moved a
 * field or stopped honouring a struct_size fails here. Each check that fails refuses init with the reason. */
#include <siphost/module.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* module.hpp exists in sdk/include and not in the baseline: seeing it means the build leaked the current SDK
 * headers onto this module's include path, and the test would prove nothing. */
#if defined(__has_include)
#if __has_include(<siphost/module.hpp>)
#error "abi_oldest must see the baseline headers only, but sdk/include is on its include path"
#endif
#endif

static const siphost_host_api *host;
static siphost_module_handle *self;
static const char *greeting = "(unset)";
static siphost_metric *checks;

static void say(const char *line) {
    siphost_str text;
    text.s = line;
    text.len = strlen(line);
    /* WARN: the level siphost -c shows, so that the test sees each step. */
    host->log(self, SIPHOST_LOG_WARN, text);
}

static int same(siphost_str s, const char *expected) {
    return s.len == strlen(expected) && (s.len == 0 || memcmp(s.s, expected, s.len) == 0);
}

static int oldest_init(const siphost_host_api *api, siphost_module_handle *handle, char *err, size_t err_size) {
    static const char uri_text[] = "sip:alice@example.com:5070;transport=tcp";
    siphost_str text;
    siphost_uri uri;
    siphost_metric_desc desc;
    char line[320];

    host = api;
    self = handle;
    /* The host's minor is the loader's business (it refuses a module that requires a newer one). */
    if (api->abi_major != SIPHOST_ABI_MAJOR) {
        snprintf(err, err_size, "host ABI major %u, not %d", (unsigned)api->abi_major, SIPHOST_ABI_MAJOR);
        return -1;
    }
    if (api->struct_size < sizeof(siphost_host_api)) {
        snprintf(err, err_size, "host table of %zu bytes, smaller than the 1.0 table (%zu)", api->struct_size,
                 sizeof(siphost_host_api));
        return -1;
    }

    /* A struct the host fills, sized as 1.0 knows it. */
    memset(&uri, 0, sizeof uri);
    uri.struct_size = sizeof uri;
    text.s = uri_text;
    text.len = sizeof uri_text - 1;
    if (!SIPHOST_HAS(siphost_sip_api, api->sip, parse_uri) || api->sip->parse_uri(text, &uri) != 0) {
        snprintf(err, err_size, "parse_uri refused '%s'", uri_text);
        return -1;
    }
    if (uri.scheme != SIPHOST_URI_SIP || uri.port != 5070 || !same(uri.user, "alice") ||
        !same(uri.host, "example.com") || !same(uri.transport, "tcp") || uri.reserved[0] != NULL) {
        snprintf(err, err_size, "parse_uri filled the 1.0 siphost_uri wrongly");
        return -1;
    }

    /* A struct the module passes in, sized as 1.0 knows it. */
    memset(&desc, 0, sizeof desc);
    desc.struct_size = sizeof desc;
    desc.name = "checks";
    desc.kind = SIPHOST_METRIC_COUNTER;
    desc.help = "abi_oldest_check calls";
    checks = api->metrics->metric_register(self, &desc);
    if (checks == NULL || api->metrics->metric_value(checks) != 0) {
        snprintf(err, err_size, "metric_register refused a 1.0 siphost_metric_desc");
        return -1;
    }

    snprintf(line, sizeof line,
             "init: built for ABI %d.%d, host ABI %u.%u, host table %zu bytes (1.0: %zu); greeting '%s'; "
             "parse_uri: %.*s@%.*s:%u transport %.*s; limit(BRANCHES) %lld",
             SIPHOST_ABI_MAJOR, SIPHOST_ABI_MINOR, (unsigned)api->abi_major, (unsigned)api->abi_minor,
             api->struct_size, sizeof(siphost_host_api), greeting, (int)uri.user.len, uri.user.s,
             (int)uri.host.len, uri.host.s, (unsigned)uri.port, (int)uri.transport.len, uri.transport.s,
             (long long)api->limit(SIPHOST_LIMIT_BRANCHES));
    say(line);
    return 0;
}

/* The argument reaches the fixup through the 1.0 siphost_value and the fixup's 1.0 signature. */
static int check_fixup(const siphost_value *args, const int *constant, void **call_data, char *err,
                       size_t err_size) {
    char line[160];
    char *copy;
    if (!constant[0] || args[0].kind != SIPHOST_VALUE_STR) {
        snprintf(err, err_size, "abi_oldest_check() takes a constant string");
        return -1;
    }
    copy = malloc(args[0].str.len + 1);
    if (copy == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    memcpy(copy, args[0].str.s, args[0].str.len);
    copy[args[0].str.len] = '\0';
    *call_data = copy;
    snprintf(line, sizeof line, "fixup: abi_oldest_check(\"%s\")", copy);
    say(line);
    return 0;
}

static void check_fixup_free(void *call_data) { free(call_data); }

/* abi_oldest_check("text"): logs the text and the request's method; always true. */
static int check(siphost_msg *msg, const siphost_value *args, void *call_data) {
    char line[200];
    siphost_str method = host->msg_method(msg);
    (void)args;
    host->metrics->metric_add(checks, 1);
    snprintf(line, sizeof line, "check %s on %.*s", (const char *)call_data, (int)method.len, method.s);
    say(line);
    return 1;
}

static int get_oldest(siphost_msg *msg, void *pv_data, int32_t index, siphost_value *out) {
    (void)msg;
    (void)pv_data;
    (void)index;
    out->kind = SIPHOST_VALUE_INT;
    out->num = host->metrics->metric_value(checks);
    return 0;
}

static void oldest_destroy(void) { say("destroy"); }

static const siphost_command commands[] = {
    {sizeof(siphost_command), "abi_oldest_check", 1, SIPHOST_ROUTE_ANY, {SIPHOST_ARG_STRING}, {0}, {0}, check,
     check_fixup, check_fixup_free, "logs its argument and the method", {0}},
    {sizeof(siphost_command), NULL, 0, 0, {0}, {0}, {0}, NULL, NULL, NULL, NULL, {0}}};

static const siphost_param params[] = {
    {sizeof(siphost_param), "greeting", SIPHOST_PARAM_STRING, 0, (void *)&greeting, NULL, "shown at init", {0}},
    {sizeof(siphost_param), NULL, 0, 0, NULL, NULL, NULL, {0}}};

static const siphost_pv pvs[] = {
    {sizeof(siphost_pv), "abi_oldest", SIPHOST_PV_NAME_NONE, 0, NULL, get_oldest, NULL, NULL,
     "abi_oldest_check calls so far", {0}},
    {sizeof(siphost_pv), NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, {0}}};

static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "abi_oldest", "1.0", commands, params, pvs, NULL, NULL, NULL,
                                          oldest_init, NULL, NULL, oldest_destroy, {0}};

SIPHOST_MODULE(descriptor)
