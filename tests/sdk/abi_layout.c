/* Compiled as strict C99 (see CMakeLists.txt): the header must be valid C99 and keep its layout in C too. */
#include "abi_layout.h"

int siphost_abi_layout_checked_in_c(void);
int siphost_abi_layout_checked_in_c(void) { return SIPHOST_ABI_MAJOR; }

/* The sizes of the structs as a C compiler sees them, in the order of abi_layout_test.cpp's list, so that the
 * test can compare them with what the C++ compiler sees (0 ends the list). */
const size_t *siphost_abi_struct_sizes_in_c(void);
const size_t *siphost_abi_struct_sizes_in_c(void) {
    static const size_t sizes[] = {
        sizeof(siphost_str),         sizeof(siphost_value),       sizeof(siphost_dest),
        sizeof(siphost_socket_info), sizeof(siphost_command),     sizeof(siphost_param),
        sizeof(siphost_pv),          sizeof(siphost_event),       sizeof(siphost_rpc_command),
        sizeof(siphost_module),      sizeof(siphost_host_api),    sizeof(siphost_branch),
        sizeof(siphost_msgctx_api),  sizeof(siphost_uri),         sizeof(siphost_name_addr),
        sizeof(siphost_contact),     sizeof(siphost_credentials), sizeof(siphost_sip_api),
        sizeof(siphost_async_api),   sizeof(siphost_metric_desc), sizeof(siphost_metrics_api),
        sizeof(siphost_rpc_api),     sizeof(siphost_events_api),  sizeof(siphost_metric_info), 0};
    return sizes;
}

/* The smallest module, written the way a C module author writes one: the descriptor and SIPHOST_MODULE must
 * compile as strict C99. */
static const siphost_module layout_module = {
    sizeof(siphost_module), SIPHOST_ABI_MAJOR, SIPHOST_REQUIRE_MINOR, "layout", "1.0",
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {0}};

SIPHOST_MODULE(layout_module)
