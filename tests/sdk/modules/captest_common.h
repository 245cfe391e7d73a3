/* What the capability test modules share: the host table, the module's handle, and a printf-style log. Each
 * module under tests/sdk/modules/ exercises one area of the ABI through the real host, as Redis keeps one test
 * module per API area. */
#ifndef CAPTEST_COMMON_H
#define CAPTEST_COMMON_H
#include <siphost/module.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const siphost_host_api *host;
static siphost_module_handle *self;

__attribute__((format(printf, 1, 2), unused)) static void note(const char *format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n < 0)
        return;
    siphost_str text = {line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1};
    host->log(self, SIPHOST_LOG_ERR, text);
}

__attribute__((unused)) static int keep_host(const siphost_host_api *h, siphost_module_handle *s) {
    host = h;
    self = s;
    return 0;
}

/* A command entry: name, arity, route types, argument kinds, handler. */
#define CAPTEST_COMMAND(name, count, routes, k0, k1, handler)                                                  \
    {sizeof(siphost_command), name, count, routes, {k0, k1}, {0}, {0}, handler, NULL, NULL, NULL, {0}}
#define CAPTEST_END_COMMANDS {0, NULL, 0, 0, {0}, {0}, {0}, NULL, NULL, NULL, NULL, {0}}
#endif
