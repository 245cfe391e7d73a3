/* A test module for corex's tests: raises its event route without a message, as modules raise event routes
 * that have none (the host then runs the block on its stand-in request, what is_faked_msg() detects). */
#include <siphost/module.h>

static const siphost_host_api* host;
static siphost_module_handle* self;

/* corex_probe_raise(): runs event_route[corex_probe:local] without a message; false when the script has none.
 */
static int raise_event(siphost_msg* msg, const siphost_value* args, void* call_data) {
    siphost_str name = {"corex_probe:local", 17};
    int id;
    (void)msg;
    (void)args;
    (void)call_data;
    id = host->events->lookup(self, name);
    if (id < 0)
        return -1;
    host->events->run(id, NULL);
    return 1;
}

static int probe_init(const siphost_host_api* api, siphost_module_handle* handle, char* err,
                      size_t err_size) {
    (void)err;
    (void)err_size;
    host = api;
    self = handle;
    return 0;
}

static const siphost_command probe_commands[] = {
    {.struct_size = sizeof(siphost_command),
     .name = "corex_probe_raise",
     .arg_count = 0,
     .route_types = SIPHOST_ROUTE_ANY,
     .handler = raise_event,
     .doc = "raises event_route[corex_probe:local]"},
    {.struct_size = sizeof(siphost_command)},
};

static const siphost_event probe_events[] = {
    {.struct_size = sizeof(siphost_event),
     .name = "corex_probe:local",
     .route_type = SIPHOST_ROUTE_EVENT,
     .doc = "raised by corex_probe_raise() without a message"},
    {.struct_size = sizeof(siphost_event)},
};

static const siphost_module probe_module = {
    .struct_size = sizeof(siphost_module),
    .abi_major = SIPHOST_ABI_MAJOR,
    .abi_minor = SIPHOST_REQUIRE_MINOR,
    .name = "corex_probe",
    .version = "1.0",
    .commands = probe_commands,
    .events = probe_events,
    .init = probe_init,
};

SIPHOST_MODULE(probe_module)
