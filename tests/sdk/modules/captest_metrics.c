/* Metrics (host->metrics): a labelled counter, a plain counter, a gauge and a callback gauge, read back
 * through the ABI and through the host's registry. */
#include "captest_common.h"

static siphost_metric *requests; /* labelled by method */
static siphost_metric *calls;
static siphost_metric *last_size;

static int64_t the_answer(void *data) { return *(const int *)data; }
static const int answer = 42;

static int count_request(siphost_msg *msg, const siphost_value *args, void *call_data) {
    (void)args;
    (void)call_data;
    siphost_str method = host->msg_method(msg);
    siphost_metric *series = host->metrics->metric_labels(requests, &method, 1);
    if (series == NULL)
        return -1;
    host->metrics->metric_add(series, 1);
    host->metrics->metric_add(calls, 1);
    host->metrics->metric_set(last_size, (int64_t)host->msg_raw(msg).len);
    note("counted %.*s: %lld of this method, %lld calls", (int)method.len, method.s,
         (long long)host->metrics->metric_value(series), (long long)host->metrics->metric_value(calls));
    return 1;
}

static int init(const siphost_host_api *h, siphost_module_handle *s, char *err, size_t err_size) {
    keep_host(h, s);
    static const char *const method_label[] = {"method", NULL};
    siphost_metric_desc d = {0};
    d.struct_size = sizeof d;
    d.name = "requests";
    d.kind = SIPHOST_METRIC_COUNTER;
    d.help = "requests counted, by method";
    d.labels = method_label;
    requests = host->metrics->metric_register(self, &d);
    d.name = "calls";
    d.help = "count_request() calls";
    d.labels = NULL;
    calls = host->metrics->metric_register(self, &d);
    d.name = "last_size";
    d.kind = SIPHOST_METRIC_GAUGE;
    d.help = "size of the last counted message";
    last_size = host->metrics->metric_register(self, &d);
    d.name = "answer";
    d.help = "read from a callback";
    d.read = the_answer;
    d.read_data = (void *)&answer;
    siphost_metric *callback = host->metrics->metric_register(self, &d);
    /* A second registration of a name is refused. */
    d.read = NULL;
    d.name = "calls";
    d.kind = SIPHOST_METRIC_COUNTER;
    if (requests == NULL || calls == NULL || last_size == NULL || callback == NULL ||
        host->metrics->metric_register(self, &d) != NULL) {
        snprintf(err, err_size, "metric registration did not behave");
        return -1;
    }
    return 0;
}

static const siphost_command commands[] = {
    CAPTEST_COMMAND("count_request", 0, SIPHOST_ROUTE_ANY, 0, 0, count_request), CAPTEST_END_COMMANDS};

static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "captest_metrics", "1.0", commands, NULL, NULL, NULL, NULL, NULL,
                                          init, NULL, NULL, NULL, {0}};

SIPHOST_MODULE(descriptor)
