/* Async (host->async): a one-shot timer, a cancelled one, a task posted to a worker, a slow periodic timer, a
 * watched descriptor, and thread_init on every kind of thread the host calls the module on. */
#include "captest_common.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static __thread int thread_kind = 0;
static int pipe_fds[2] = {-1, -1};
static siphost_fd_watch *watch = NULL;
static int slow_ticks = 0;

static int thread_init(int kind, int index) {
    thread_kind = kind;
    note("thread_init kind %d index %d", kind, index);
    return 0;
}

struct timed_note {
    char text[64];
};

static void timer_fired(uint64_t now_ms, void *data) {
    (void)now_ms;
    struct timed_note *n = data;
    note("timer fired: %s on thread kind %d", n->text, thread_kind);
    free(n);
}

static int timer_in(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)msg;
    (void)call_data;
    struct timed_note *n = calloc(1, sizeof *n);
    if (n == NULL)
        return -1;
    snprintf(n->text, sizeof n->text, "%.*s", (int)args[1].str.len, args[1].str.s);
    if (host->async->timer_start(self, (uint32_t)args[0].num, timer_fired, n) == NULL) {
        free(n);
        return -1;
    }
    return 1;
}

static void never_fires(uint64_t now_ms, void *data) {
    (void)now_ms;
    (void)data;
    note("a cancelled timer fired");
}

static int timer_cancel_check(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)msg;
    (void)args;
    (void)call_data;
    siphost_timer *t = host->async->timer_start(self, 200, never_fires, NULL);
    note("cancelled %d", t != NULL ? host->async->timer_cancel(t) : -1);
    return 1;
}

static void task_ran(void *data) {
    struct timed_note *n = data;
    note("task on worker %d of %d: %s (thread kind %d)", host->worker_index(), host->worker_count(), n->text,
         thread_kind);
    free(n);
}

static int post_to(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)msg;
    (void)call_data;
    struct timed_note *n = calloc(1, sizeof *n);
    if (n == NULL)
        return -1;
    snprintf(n->text, sizeof n->text, "%.*s", (int)args[1].str.len, args[1].str.s);
    if (host->async->post(self, (int)args[0].num, task_ran, n) != 0) {
        free(n);
        return -1;
    }
    return 1;
}

static void pipe_readable(int fd, uint32_t events, void *data) {
    (void)data;
    char byte = 0;
    if (read(fd, &byte, 1) == 1)
        note("pipe readable (events %u): %c on thread kind %d", events, byte, thread_kind);
}

static int pipe_poke(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)msg;
    (void)call_data;
    char byte = args[0].str.len > 0 ? args[0].str.s[0] : '?';
    return write(pipe_fds[1], &byte, 1) == 1 ? 1 : -1;
}

static void slow_tick(uint64_t now_ms, void *data) {
    (void)now_ms;
    (void)data;
    if (++slow_ticks == 1)
        note("slow tick on thread kind %d", thread_kind);
}

static int init(const siphost_host_api *h, siphost_module_handle *s, char *err, size_t err_size) {
    keep_host(h, s);
    if (pipe(pipe_fds) != 0 || fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(err, err_size, "no pipe");
        return -1;
    }
    watch = host->async->fd_watch(self, pipe_fds[0], SIPHOST_FD_READ, pipe_readable, NULL);
    if (watch == NULL || host->async->every(self, 50, SIPHOST_TIMER_SLOW, slow_tick, NULL) != 0) {
        snprintf(err, err_size, "async refused");
        return -1;
    }
    return 0;
}

static void destroy(void) {
    host->async->fd_unwatch(watch);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

static const siphost_command commands[] = {
    CAPTEST_COMMAND("timer_in", 2, SIPHOST_ROUTE_ANY, SIPHOST_ARG_INT, SIPHOST_ARG_STRING, timer_in),
    CAPTEST_COMMAND("timer_cancel_check", 0, SIPHOST_ROUTE_ANY, 0, 0, timer_cancel_check),
    CAPTEST_COMMAND("post_to", 2, SIPHOST_ROUTE_ANY, SIPHOST_ARG_INT, SIPHOST_ARG_STRING, post_to),
    CAPTEST_COMMAND("pipe_poke", 1, SIPHOST_ROUTE_ANY, SIPHOST_ARG_STRING, 0, pipe_poke),
    CAPTEST_END_COMMANDS};

static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "captest_async", "1.0", commands, NULL, NULL, NULL, NULL, NULL,
                                          init, thread_init, NULL, destroy, {0}};

SIPHOST_MODULE(descriptor)
