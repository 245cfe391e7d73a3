/* RPC (descriptor rpcs + host->rpc): commands that read their parameters and build structured replies, and one
 * that fails, called in-process through the host's RPC registry. */
#include "captest_common.h"

static void echo(siphost_rpc_call *call) {
    siphost_rpc_node *top = host->rpc->result(call);
    size_t count = host->rpc->param_count(call);
    for (size_t i = 0; i < count; ++i) {
        siphost_value v;
        if (host->rpc->param(call, i, &v) != 0)
            continue;
        if (v.kind == SIPHOST_VALUE_INT)
            host->rpc->add_int(top, NULL, v.num);
        else
            host->rpc->add_str(top, NULL, v.str);
    }
    siphost_rpc_node *summary = host->rpc->add_struct(top, NULL);
    host->rpc->add_int(summary, "count", (int64_t)count);
    host->rpc->add_double(summary, "ratio", 0.5);
    siphost_rpc_node *list = host->rpc->add_array(summary, "items");
    host->rpc->add_str(list, NULL, (siphost_str){"a", 1});
    host->rpc->add_str(list, NULL, (siphost_str){"b", 1});
    /* A struct member without a key is refused. */
    if (host->rpc->add_int(summary, NULL, 1) == 0)
        host->rpc->add_str(top, NULL, (siphost_str){"keyless member accepted", 23});
}

static void fail(siphost_rpc_call *call) {
    host->rpc->add_int(host->rpc->result(call), NULL, 1);
    host->rpc->fault(call, 400, (siphost_str){"always fails", 12});
}

static int init(const siphost_host_api *h, siphost_module_handle *s, char *err, size_t err_size) {
    (void)err;
    (void)err_size;
    return keep_host(h, s);
}

static const siphost_rpc_command rpcs[] = {
    {sizeof(siphost_rpc_command), "captest.echo", echo, "returns its parameters and a summary", "s.", 0, 0, {0}},
    {sizeof(siphost_rpc_command), "captest.fail", fail, "always a fault", "", 0, 0, {0}},
    {0, NULL, NULL, NULL, NULL, 0, 0, {0}}};

static const siphost_module descriptor = {sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR,
                                          "captest_rpc", "1.0", NULL, NULL, NULL, NULL, rpcs, NULL,
                                          init, NULL, NULL, NULL, {0}};

SIPHOST_MODULE(descriptor)
